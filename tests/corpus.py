"""The grading corpus: a class of submissions built from the releases, and what grading must give.

Every chapter gets three students (reference answers, the untouched release, one wrong answer).
Chapter 01 also gets the adversarial ones: broken files, edited notebooks, code that hangs,
crashes, hoards memory or processes, prints megabytes, monkeypatches, cheats or snoops. Each case
states its expected score from the chapter's own points (which exercises it must lose), and the
problem or integrity flag the report must show for it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import nbformat

from course import CHAPTERS, CHAPTER_IDS, SOLUTIONS, exercises, grade_id, is_answer, is_test, notebook_path, read
from wrong_answers import HARD_CODED, WRONG


@dataclass
class Chapter:
    """A chapter's release, reference answers and points, for writing and scoring submissions."""
    id: str

    def __post_init__(self):
        self.release = read(notebook_path(CHAPTERS, self.id))
        self.filename = notebook_path(CHAPTERS, self.id).name
        solution = read(notebook_path(SOLUTIONS, self.id))
        self.reference = {grade_id(c): c.source for c in solution.cells if is_answer(c)}
        self.answers = [grade_id(answer) for answer, _ in exercises(self.release)]
        self.tests = {grade_id(answer): [grade_id(t) for t in tests] for answer, tests in exercises(self.release)}
        self.points = {grade_id(c): c.metadata["nbgrader"]["points"] for c in self.release.cells if is_test(c)}
        self.full = sum(self.points.values())

    def notebook(self, **sources: str) -> nbformat.NotebookNode:
        """The release with every answer filled in from the reference, then the given cells replaced."""
        nb = nbformat.from_dict(self.release)
        for cell in nb.cells:
            cell.source = {**self.reference, **sources}.get(grade_id(cell), cell.source)
        return nb

    def lose(self, answer: str) -> float:
        """Full marks less the points of answer's tests."""
        return self.full - sum(self.points[t] for t in self.tests[answer])

    def before(self, answer: str) -> float:
        """The points of the tests that come before answer's cell."""
        earlier = self.answers[:self.answers.index(answer)]
        return sum(self.points[t] for a in earlier for t in self.tests[a])

    def first(self, position: int = 0) -> str:
        return self.answers[position]

    def with_reference(self, prefix: str = "", suffix: str = "", position: int = 0) -> nbformat.NotebookNode:
        """Reference answers, with code added before or after one answer's reference code."""
        answer = self.answers[position]
        return self.notebook(**{answer: prefix + self.reference[answer] + suffix})


@dataclass
class Case:
    student: str
    chapter: str
    write: Callable[[Chapter, Path], None]     # writes the student's chapter folder
    score: Callable[[Chapter], float] | None   # the expected score; None: only the flag is asserted
    problem: str = ""                         # text one reported problem must contain
    flag: str = ""                            # text one integrity flag must contain


def saving(build: Callable[[Chapter], nbformat.NotebookNode], name: str | None = None):
    """A writer that saves build(chapter) as the chapter's notebook (or under another name)."""
    def write(chapter: Chapter, folder: Path) -> None:
        nbformat.write(build(chapter), folder / (name or chapter.filename))
    return write


def first_test(chapter: Chapter) -> str:
    return chapter.tests[chapter.first()][0]


def first_wrong(chapter: Chapter) -> tuple[str, str]:
    """(answer id, source) of the first listed wrong answer for the first test (it fails that test;
    the exercise's other tests, if any, may still pass)."""
    return chapter.first(), WRONG[chapter.id][first_test(chapter)][0][0]


def wrong_and(code: str) -> Callable[[Chapter], nbformat.NotebookNode]:
    """The first exercise answered wrong, followed by code (a cheat that should not rescue it)."""
    def build(chapter: Chapter) -> nbformat.NotebookNode:
        answer, wrong = first_wrong(chapter)
        return chapter.notebook(**{answer: wrong + "\n" + code})
    return build


def edited(change: Callable[[Chapter, nbformat.NotebookNode], None], answers=None):
    def build(chapter: Chapter) -> nbformat.NotebookNode:
        nb = chapter.notebook(**(answers(chapter) if answers else {}))
        change(chapter, nb)
        return nb
    return build


def test_cell(chapter: Chapter, nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if grade_id(c) == first_test(chapter))


def delete_test(chapter: Chapter, nb: nbformat.NotebookNode) -> None:
    nb.cells.remove(test_cell(chapter, nb))


def pass_test(chapter: Chapter, nb: nbformat.NotebookNode) -> None:
    test_cell(chapter, nb).source = "assert True"


def retype_test(chapter: Chapter, nb: nbformat.NotebookNode) -> None:
    cell = test_cell(chapter, nb)
    nb.cells[nb.cells.index(cell)] = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata)


def write_text(name: str, text: str):
    def write(chapter: Chapter, folder: Path) -> None:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return write


def both(*writers):
    def write(chapter: Chapter, folder: Path) -> None:
        for writer in writers:
            writer(chapter, folder)
    return write


def snooping(targets: list[Path], port: int) -> str:
    """Answer-cell code that fails the answer if any of targets can be read or port reached."""
    return (f"import socket\nleaks = []\nfor path in {[str(t) for t in targets]!r}:\n"
            "    try:\n        open(path, 'rb').read(1)\n        leaks.append(path)\n"
            "    except OSError:\n        pass\n"
            f"try:\n    socket.create_connection(('127.0.0.1', {port}), timeout=2)\n    leaks.append('network')\n"
            "except OSError:\n    pass\nassert not leaks, leaks\n")


REFERENCE = saving(lambda ch: ch.notebook())
FULL = lambda ch: ch.full  # noqa: E731 - the score tables below read best as one-liners
LOSE_FIRST = lambda ch: ch.lose(ch.first())  # noqa: E731
LOSE_FIRST_TEST = lambda ch: ch.full - ch.points[first_test(ch)]  # noqa: E731
ADVERSARIAL = CHAPTER_IDS[0]


def class_cases() -> list[Case]:
    """Three students who submit every chapter."""
    cases = []
    for chapter in CHAPTER_IDS:
        cases += [
            Case("reference", chapter, REFERENCE, FULL),
            Case("untouched", chapter, saving(lambda ch: ch.release), lambda ch: 0),
            Case("one_wrong", chapter, saving(lambda ch: ch.notebook(**dict([first_wrong(ch)]))), LOSE_FIRST_TEST),
        ]
    return cases


def adversarial_cases(secrets: list[Path], port: int) -> list[Case]:
    """Chapter 01 submissions that try to break, slow down or fool grading. secrets are files
    and port a loopback server that the student's code must not reach."""
    c = ADVERSARIAL
    bad = [
        Case("invalid_json", c, write_text("derivatives.ipynb", '{"cells": ['), lambda ch: 0,
             problem="not a valid notebook"),
        Case("missing_notebook", c, write_text("notes.txt", "I forgot"), lambda ch: 0, problem="is missing"),
        Case("renamed", c, saving(lambda ch: ch.notebook(), "derivatives (1).ipynb"), FULL, problem="renamed"),
        Case("extra_files", c, both(REFERENCE, write_text("scratch.py", "x = 1"), write_text("data/a.csv", "1,2")),
             FULL, problem="extra files"),
        Case("deleted_test", c, saving(edited(delete_test)), FULL, problem="was deleted"),
        Case("edited_test", c, saving(edited(pass_test, lambda ch: dict([first_wrong(ch)]))), LOSE_FIRST_TEST,
             problem="was edited"),
        Case("retyped_test", c, saving(edited(retype_test)), FULL, problem="from code to markdown"),
    ]
    hostile = [
        Case("infinite_loop", c, saving(lambda ch: ch.with_reference("while True:\n    pass\n")), LOSE_FIRST,
             problem="limit and was stopped"),
        Case("sys_exit", c, saving(lambda ch: ch.with_reference("import sys\nsys.exit('bye')\n")), LOSE_FIRST,
             problem="called sys.exit"),
        Case("os_exit", c, saving(lambda ch: ch.with_reference("import os\nos._exit(1)\n", position=2)),
             lambda ch: ch.before(ch.first(2)), problem="stopped the kernel", flag="os._exit"),
        Case("memory_bomb", c, saving(lambda ch: ch.with_reference(
            "hoard = []\nwhile True:\n    hoard.append(bytearray(10**8))\n")), LOSE_FIRST, problem="out of memory"),
        Case("fork_bomb", c, saving(lambda ch: ch.with_reference("import os\nwhile True:\n    os.fork()\n")),
             LOSE_FIRST, flag="os.fork"),
        Case("big_output", c, saving(lambda ch: ch.with_reference(suffix="\nprint('x' * 10_000_000)\n")), FULL,
             problem="printed too much"),
        Case("snooping", c, saving(lambda ch: ch.with_reference(snooping(secrets, port))), FULL, flag="calls open"),
    ]
    cheats = [
        Case("patch_numpy", c, saving(wrong_and(
            "import numpy as np\nnp.allclose = lambda *a, **k: True\nnp.isclose = lambda a, b, **k: True\n"
            "np.testing.assert_allclose = lambda *a, **k: None\n")), LOSE_FIRST_TEST, flag="numpy.allclose"),
        Case("patch_gradlab", c, saving(wrong_and(
            "import gradlab.exercises.derivatives as checks\n"
            "checks.check_forward_difference = lambda *a, **k: None\n")), None, flag="assigns to module attribute gradlab"),
        Case("patch_builtins", c, saving(wrong_and(  # it breaks the kernel itself: the rest is not run
            "import builtins\nbuiltins.isinstance = lambda *a: True\n")), lambda ch: ch.before(ch.first()),
             problem="broke the kernel's messaging", flag="builtins"),
        Case("always_equal", c, saving(lambda ch: ch.notebook(**{ch.first(): next(
            source for source, hint in WRONG[ch.id][first_test(ch)] if "Always" in hint)})), LOSE_FIRST_TEST),
        Case("hard_coded", c, saving(lambda ch: ch.notebook(**{ch.first(): HARD_CODED[ch.id][first_test(ch)]})),
             LOSE_FIRST_TEST),
        Case("calls_reference", c, saving(lambda ch: ch.notebook(**{ch.first(): (
            "def forward_difference(f, x, delta=1e-4):\n    return numeric.forward_difference(f, x, delta)\n")})),
             FULL, flag="gradlab.numeric.forward_difference"),
    ]
    return bad + hostile + cheats


def write_all(cases: list[Case], submitted: Path) -> None:
    chapters = {chapter: Chapter(chapter) for chapter in CHAPTER_IDS}
    for case in cases:
        folder = submitted / case.student / case.chapter
        folder.mkdir(parents=True)
        case.write(chapters[case.chapter], folder)
