"""Plausible wrong answers per test cell, as a student would type them into the answer cell.

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
