"""Wrong answers as answer-cell text, as a student would type them, for what the exercise records
(gradlab.exercises, tests/test_exercise_records.py) cannot hold as callables: a missing `return`, odd
types, edits to the inputs, shapes; plus the answer cells the corpus's graded class uses
(tests/corpus.py: the first wrong answer of each chapter's first three tests) and the training
chapter's outcome-judged exercises.

Each chapter has a module here with two dicts keyed by test cell grade_id:
WRONG[test_id] lists (answer cell source, text the failure message must contain): every one
must fail its test. HARD_CODED[test_id] is an answer tuned to the visible tests: it must pass
them and fail the hidden ones.
"""
from __future__ import annotations

from importlib import import_module

from course import CHAPTER_IDS


def _module(chapter: str):
    """tests/wrong_answers/<topic>.py for chapter NN_<topic>."""
    return import_module(f"wrong_answers.{chapter.split('_', 1)[1]}")


WRONG = {chapter: _module(chapter).WRONG for chapter in CHAPTER_IDS}
HARD_CODED = {chapter: _module(chapter).HARD_CODED for chapter in CHAPTER_IDS}
