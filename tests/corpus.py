"""The grading corpus: a class of submissions built from the releases, and what grading must give.

Every chapter gets three students (reference answers, the untouched release, one wrong answer).
Chapter 01 also gets the adversarial ones: broken files, edited notebooks, code that hangs,
crashes, hoards memory or processes, prints megabytes, monkeypatches, cheats or snoops. Each case
states its expected score from the chapter's own points (which exercises it must lose), and the
problem or integrity flag the report must show for it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from course import CHAPTER_IDS, CHAPTERS, SOLUTIONS, exercises, grade_id, is_answer, is_test, notebook_path, read
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

    def points_of(self, answer: str) -> float:
        """The points of answer's tests."""
        return sum(self.points[t] for t in self.tests[answer])

    def before(self, answer: str) -> float:
        """The points of the tests that come before answer's cell."""
        return sum(self.points_of(a) for a in self.answers[:self.answers.index(answer)])


@dataclass
class Case:
    student: str
    chapter: str
    write: Callable[[Chapter, Path], None]     # writes the student's chapter folder
    score: Callable[[Chapter], float] | None   # the expected score; None: only the flags are asserted
    problems: tuple[str, ...] = ()            # each must be part of one reported problem
    flags: tuple[str, ...] = ()               # each must be part of one integrity flag (the static scan)
    findings: tuple[str, ...] = ()            # each must be part of one finding of the guard
    category: str = ""                        # the cheat it tries (issue 12's numbering), for the table


def saving(build: Callable[[Chapter], nbformat.NotebookNode], name: str | None = None):
    """A writer that saves build(chapter) as the chapter's notebook (or under another name)."""
    def write(chapter: Chapter, folder: Path) -> None:
        nbformat.write(build(chapter), folder / (name or chapter.filename))
    return write


def answered(changes: Callable[[Chapter], dict[int, str]], edit=None):
    """Reference answers with the answers at the given positions replaced; edit(chapter, nb) may
    then change cells nbgrader owns."""
    def build(chapter: Chapter) -> nbformat.NotebookNode:
        nb = chapter.notebook(**{chapter.answers[i]: source for i, source in changes(chapter).items()})
        if edit:
            edit(chapter, nb)
        return nb
    return saving(build)


def test_of(chapter: Chapter, position: int) -> str:
    """The first test cell of the answer at position."""
    return chapter.tests[chapter.answers[position]][0]


def wrong(chapter: Chapter, position: int, hint: str = "") -> str:
    """A listed wrong answer (the first, or the first whose hint contains hint) for the answer at
    position: it fails that answer's first test (the others, if any, may still pass)."""
    return next(source for source, why in WRONG[chapter.id][test_of(chapter, position)] if hint in why)


def losing_tests(*positions: int) -> Callable[[Chapter], float]:
    """Full marks less the points of the first test of the answers at positions."""
    return lambda ch: ch.full - sum(ch.points[test_of(ch, i)] for i in positions)


def losing_answers(*positions: int) -> Callable[[Chapter], float]:
    """Full marks less the points of every test of the answers at positions."""
    return lambda ch: ch.full - sum(ch.points_of(ch.answers[i]) for i in positions)


def after_reference(position: int, code: str) -> Callable[[Chapter], dict[int, str]]:
    """The answer at position: the reference, then code."""
    return lambda ch: {position: ch.reference[ch.answers[position]] + "\n" + code}


def before_reference(code: str, position: int) -> Callable[[Chapter], str]:
    return lambda ch: code + ch.reference[ch.answers[position]]


def cell_of(nb: nbformat.NotebookNode, test_id: str) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if grade_id(c) == test_id)


def edit_tests(chapter: Chapter, nb: nbformat.NotebookNode) -> None:
    """Delete the first answer's test, turn the second's into markdown, make the third's pass."""
    nb.cells.remove(cell_of(nb, test_of(chapter, 0)))
    retyped = cell_of(nb, test_of(chapter, 1))
    nb.cells[nb.cells.index(retyped)] = nbformat.v4.new_markdown_cell(retyped.source, metadata=retyped.metadata)
    cell_of(nb, test_of(chapter, 2)).source = "assert True"


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


FULL = lambda ch: ch.full  # the case tables below read best with one-liners
ZERO = lambda ch: 0
ADVERSARIAL = CHAPTER_IDS[0]


def class_cases() -> list[Case]:
    """Three students who submit every chapter."""
    cases = []
    for chapter in CHAPTER_IDS:
        cases += [
            Case("reference", chapter, answered(lambda ch: {}), FULL),
            Case("untouched", chapter, saving(lambda ch: ch.release), ZERO),
            Case("one_wrong", chapter, answered(lambda ch: {0: wrong(ch, 0)}), losing_tests(0)),
        ]
    return cases


def adversarial_cases(secrets: list[Path], port: int) -> list[Case]:
    """Chapter 01 submissions that try to break, slow down or fool grading; several attacks share
    a notebook when they hit different answers. secrets are files, and port a loopback server,
    that the student's code must not reach."""
    c, notebook = ADVERSARIAL, Chapter(ADVERSARIAL).filename
    files = [
        Case("invalid_json", c, write_text(notebook, '{"cells": ['), ZERO, problems=("not a valid notebook",)),
        Case("missing_notebook", c, write_text("notes.txt", "I forgot"), ZERO, problems=("is missing", "extra files")),
        Case("messy_folder", c, both(saving(lambda ch: ch.notebook(), f"{Path(notebook).stem} (1).ipynb"),
                                     write_text("scratch.py", "x = 1"), write_text("data/a.csv", "1,2")),
             FULL, problems=("renamed", "extra files: data/a.csv, scratch.py")),
        Case("edited_tests", c, answered(lambda ch: {2: wrong(ch, 2)}, edit_tests), losing_tests(2),
             problems=("was deleted", "from code to markdown", "was edited")),
    ]
    hostile = [
        Case("runaway", c, answered(lambda ch: {
            0: before_reference("while True:\n    pass\n", 0)(ch),
            1: before_reference("import sys\nsys.exit('bye')\n", 1)(ch),
            2: before_reference("hoard = []\nwhile True:\n    hoard.append(bytearray(10**8))\n", 2)(ch),
            3: ch.reference[ch.answers[3]] + "\nprint('x' * 10_000_000)\n"}),
             losing_answers(0, 1, 2),
             problems=("ran past the 10 s limit", "called sys.exit", "out of memory", "printed too much")),
        Case("stubborn_loop", c, answered(lambda ch: {3: before_reference(
            "while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n"
            "        pass\n", 3)(ch)}),
             losing_answers(3), problems=("could not be stopped after the time limit",)),
        Case("os_exit", c, answered(lambda ch: {2: before_reference("import os\nos._exit(1)\n", 2)(ch)}),
             losing_answers(2), problems=("stopped the kernel",), flags=("os._exit",)),
        Case("fork_bomb", c, answered(lambda ch: {0: before_reference("import os\nwhile True:\n    os.fork()\n", 0)(ch)}),
             losing_answers(0), flags=("os.fork",), findings=("started a process (os.fork)",)),
        Case("patch_builtins", c, answered(lambda ch: {0: wrong(ch, 0) + "\nimport builtins\nbuiltins.isinstance = "
                                                       "lambda *a: True\n"}),
             losing_tests(0), problems=("broke the kernel's messaging",), flags=("builtins",)),
        Case("snooping", c, answered(lambda ch: {0: snooping(secrets, port) + ch.reference[ch.answers[0]]}), FULL,
             flags=("calls open",), findings=("opened",)),
    ]
    return files + hostile + cheats()


TANGENT = 3  # the answer most cheats below attack: the points before it must be kept


def cheats() -> list[Case]:
    """Issue 12's cheats, each in two spellings (the obvious one and one that avoids the obvious names),
    graded with the guard: the tests they target score 0 and the guard or the scan names them."""
    c, t = ADVERSARIAL, TANGENT
    after_tampering = lambda ch: ch.before(ch.answers[TANGENT])  # this and every later test: 0
    fake_import = ("real_import = __import__\nclass Fake:\n    def __getattr__(self, name):\n"
                   "        return lambda *args, **kwargs: None\n"
                   "def fake_import(name, *args, **kwargs):\n"
                   "    return Fake() if name.startswith('gradlab.exercises') else real_import(name, *args, **kwargs)\n")
    return [
        Case("rebind_def", c, answered(lambda ch: {
            0: wrong(ch, 0) + "\ndef check_forward_difference(*args, **kwargs):\n    pass\n"}),
             losing_tests(0), flags=("rebinds check_forward_difference",), category="1 rebinding what a test calls"),
        Case("rebind_globals", c, answered(lambda ch: {
            1: wrong(ch, 1) + "\nglobals()['check_' + 'central_difference'] = lambda *args, **kwargs: None\n"}),
             losing_tests(1), flags=("writes to globals()",), category="1 rebinding what a test calls"),
        Case("ipython_transformer", c, answered(after_reference(t, (
            "get_ipython().input_transformers_post.append(lambda lines: [l for l in lines if 'check_' not in l])"))),
             after_tampering, flags=("calls get_ipython",), findings=("input_transformers_post",),
             category="2 IPython's machinery"),
        Case("ipython_indirect", c, answered(after_reference(t, (
            "shell = getattr(__import__('IPy' + 'thon'), 'get_' + 'ipython')()\n"
            "shell.set_custom_exc((AssertionError,), lambda *args, **kwargs: None)"))),
             after_tampering, flags=("computed attribute name",), findings=("custom_exceptions",),
             category="2 IPython's machinery"),
        Case("trace_direct", c, answered(lambda ch: {
            t: before_reference("import sys\nsys.settrace(lambda *args: None)\n", t)(ch)}),
             after_tampering, flags=("calls sys.settrace",), findings=("sys.settrace was refused",),
             category="3 trace and profile hooks"),
        Case("profile_indirect", c, answered(after_reference(t, (
            "getattr(__import__('s' + 'ys'), 'set' + 'profile')(lambda *args: None)"))),
             after_tampering, flags=("computed attribute name",), findings=("sys.setprofile was refused",),
             category="3 trace and profile hooks"),
        Case("introspect_stack", c, answered(lambda ch: {0: (
            "import importlib, inspect\ndef forward_difference(f, x, delta=1e-4):\n"
            "    if any('check' in frame.function for frame in inspect.stack()):\n"
            "        return importlib.import_module('gradlab.numeric').forward_difference(f, x, delta)\n"
            "    return x * 0\n")}),
             ZERO, flags=("imports inspect",), findings=("sys._getframe was refused",), category="4 introspection"),
        Case("introspect_globals", c, answered(lambda ch: {1: (
            "def central_difference(f, x, delta=1e-4):\n"
            "    return getattr(f, '__glo' + 'bals__')['central_difference'](f, x, delta)\n")}),
             losing_tests(1), flags=("computed attribute name",), findings=("numeric.central_difference",),
             category="4 introspection"),
        Case("introspect_gc", c, answered(lambda ch: {t: before_reference(
            "import gc\nfound = [o for o in gc.get_objects() if getattr(o, '__name__', '') == 'tangent_line']\n", t)(ch)}),
             after_tampering, flags=("imports gc",), findings=("gc.get_objects was refused",),
             category="4 introspection"),
        Case("patch_self", c, answered(after_reference(t, fake_import + "print.__self__.__import__ = fake_import")),
             after_tampering, flags=("uses __self__",), findings=("builtins: __import__ was replaced",),
             category="5 patching by an indirect route"),
        Case("patch_numpy", c, answered(after_reference(t, (
            "import numpy as np\n"
            "np.allclose._implementation.__globals__['isclose'] = lambda a, b, **kwargs: np.ones(np.shape(a), bool)"))),
             after_tampering, flags=("uses __globals__",), findings=("isclose was replaced",),
             category="5 patching by an indirect route"),
        Case("patch_checks", c, answered(after_reference(t, (
            "vars(__import__('gradlab.checks', fromlist=['_']))['_allclose'] = lambda *args, **kwargs: True"))),
             after_tampering, flags=("writes to vars()",), findings=("gradlab.checks: _allclose was replaced",),
             category="5 patching by an indirect route"),
        Case("read_notebook", c, answered(lambda ch: {0: before_reference(
            "text = open('derivatives.ipynb').read()\nassert 'BEGIN ' + 'HIDDEN TESTS' in text, 'no hidden tests here'\n",
            0)(ch)}),
             losing_answers(0), flags=("calls open",), findings=("opened derivatives.ipynb",),
             category="6 reading the hidden tests"),
        Case("read_anywhere", c, answered(lambda ch: {1: before_reference(HUNT, 1)(ch)}),
             losing_answers(1), flags=("imports pathlib",), findings=("opened",), category="6 reading the hidden tests"),
        Case("show_history", c, answered(after_reference(5, "print([cell for cell in In if 'seed=' in cell])")),
             FULL, flags=("reads the input history",), category="7 hidden tests shown afterwards"),
        Case("show_linecache", c, answered(after_reference(5, (
            "import linecache\nprint([line for entry in linecache.cache.values() for line in entry[2] if 'seed=' in line])"))),
             FULL, flags=("imports linecache",), category="7 hidden tests shown afterwards"),
        Case("cheater", c, answered(lambda ch: {
            0: wrong(ch, 0, hint="Always") + "\nimport numpy as np\nnp.allclose = lambda *a, **k: True\n"
               "np.isclose = lambda a, b, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None\n",
            1: HARD_CODED[ch.id][test_of(ch, 1)]}),
             ZERO, flags=("numpy.allclose",), findings=("numpy: allclose was replaced",), category="5 patching"),
        Case("borrower", c, answered(lambda ch: {
            0: "def forward_difference(f, x, delta=1e-4):\n    return numeric.forward_difference(f, x, delta)\n",
            1: wrong(ch, 1) + "\nimport gradlab.exercises.derivatives as checks\n"
               "checks.check_central_difference = lambda *a, **k: None\n"}),
             ZERO, flags=("gradlab.numeric.forward_difference", "assigns to module attribute gradlab"),
             findings=("numeric.forward_difference", "check_central_difference was replaced"), category="4 and 5"),
    ]


# Looks for a copy of the hidden tests anywhere the kernel can read: its folder, the folders above, /tmp.
HUNT = """import pathlib
places = [pathlib.Path.cwd(), *pathlib.Path.cwd().parents, pathlib.Path('/tmp')]
found = [path for place in places for path in place.glob('*/*.ipynb') if 'BEGIN ' + 'HIDDEN' in path.read_text()]
assert found, 'no hidden tests anywhere'
"""


def write_all(cases: list[Case], submitted: Path) -> None:
    chapters = {chapter: Chapter(chapter) for chapter in CHAPTER_IDS}
    for case in cases:
        folder = submitted / case.student / case.chapter
        folder.mkdir(parents=True)
        case.write(chapters[case.chapter], folder)
