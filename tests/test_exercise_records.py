"""Every exercise record (gradlab.exercises.<chapter>.EXERCISES) gets the same tests, read from the record:
the reference passes the visible and hidden cases, the stub is reported, each known mistake fails with its
hint, answers tuned to the visible cases (the record's own, and one that memorises them) fail the hidden
ones, and right answers written differently never fail. The reference, the mistakes and the tuned answers
then go through the notebook's real test cell too, injected into its namespace in place of the answer.
"""
from __future__ import annotations

import importlib
import types

import numpy as np
import pytest
from check_harness import MANY_SEEDS, SEEDS, failure, false_failures
from course import CHAPTER_IDS, HIDDEN, SOLUTIONS, exercises, grade_id, notebook_path, read

from gradlab.checks import Exercise

pytestmark = pytest.mark.filterwarnings("error")

MODULES = {chapter: importlib.import_module(f"gradlab.exercises.{chapter.split('_', 1)[1]}") for chapter in CHAPTER_IDS}
RECORDS = [(chapter, exercise) for chapter, module in MODULES.items() for exercise in module.EXERCISES]


def ids(values, name=lambda value: "") -> list:
    return [pytest.param(*value, id="-".join(filter(None, [value[1].name, name(value)]))) for value in values]


def stub(*args, **kwargs):
    raise NotImplementedError()


def equal(a, b) -> bool:
    """Whether two case arguments are the same (arrays by value, dicts and lists entry by entry)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.shape(a) == np.shape(b) and np.array_equal(a, b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    if isinstance(a, types.FunctionType) and isinstance(b, types.FunctionType):  # drawn afresh per call: by code
        return a.__code__ is b.__code__ and equal([c.cell_contents for c in a.__closure__ or ()],
                                                  [c.cell_contents for c in b.__closure__ or ()])
    return type(a) is type(b) and a == b


def memorised(exercise: Exercise):
    """An answer that knows the reference's answers to the visible cases only (zeros elsewhere)."""
    visible = exercise.cases(None)

    def zeros_like(answer):
        if isinstance(answer, dict):
            return {key: zeros_like(part) for key, part in answer.items()}
        if isinstance(answer, (tuple, list)):
            return type(answer)(zeros_like(part) for part in answer)
        return np.zeros_like(np.asarray(answer, dtype=float))

    def answer(**case):
        right = exercise.reference(**case)
        return right if any(equal(case, v) for v in visible) else zeros_like(right)
    return answer


MISTAKES = [(chapter, exercise, i) for chapter, exercise in RECORDS for i in range(len(exercise.mistakes))]
TUNED = [(chapter, exercise, answer) for chapter, exercise in RECORDS for answer in [*exercise.tuned, memorised(exercise)]]
VARIANTS = [(chapter, exercise, answer) for chapter, exercise in RECORDS for answer in exercise.variants]


def test_every_exercise_has_mistakes_and_variants():
    assert all(exercise.mistakes and exercise.variants for _, exercise in RECORDS)
    assert len({exercise.name for _, exercise in RECORDS}) == len(RECORDS)


# ---------------------------------------------------------------- through the check

@pytest.mark.parametrize("chapter, exercise", ids(RECORDS))
def test_reference_passes_visible_and_hidden_cases(chapter, exercise):
    assert failure(exercise.check, exercise.reference) == ""
    assert false_failures(exercise.check, exercise.reference, SEEDS) == []


@pytest.mark.parametrize("chapter, exercise", ids(RECORDS))
def test_stub_is_reported_as_not_implemented(chapter, exercise):
    assert "is not implemented yet" in failure(exercise.check, stub)
    assert "is not implemented yet" in failure(exercise.check, stub, seed=0)


@pytest.mark.parametrize("chapter, exercise, index", ids(MISTAKES, lambda v: str(v[2])))
def test_every_known_mistake_fails_with_its_hint(chapter, exercise, index):
    mistake = exercise.mistakes[index]
    for seed in [None, *range(10)]:
        message = failure(exercise.check, mistake.answer, seed)
        assert f"Likely mistake: {mistake.hint}" in message, f"seed {seed}: {message or 'passed'}"


@pytest.mark.parametrize("chapter, exercise, answer", ids(TUNED, lambda v: v[2].__name__))
def test_answers_tuned_to_the_visible_cases_fail_the_hidden_ones(chapter, exercise, answer):
    assert failure(exercise.check, answer) == ""
    assert all(failure(exercise.check, answer, seed) for seed in range(10))


@pytest.mark.parametrize("chapter, exercise, answer", ids(VARIANTS, lambda v: v[2].__name__))
def test_correct_answers_written_differently_never_fail(chapter, exercise, answer):
    assert failure(exercise.check, answer) == ""
    assert false_failures(exercise.check, answer, MANY_SEEDS) == []


# ---------------------------------------------------------------- through the notebook's test cell

class Notebook:
    """A chapter's solution: its set-up cell run once, each test cell's source and the answer before it."""

    def __init__(self, chapter: str):
        nb = read(notebook_path(SOLUTIONS, chapter))
        first = next(c for c in nb.cells if c.cell_type == "code")
        self.setup: dict = {}
        exec("\n".join(line for line in first.source.splitlines() if not line.startswith("%")), self.setup)
        self.tests = {grade_id(test): (answer.source, test.source) for answer, tests in exercises(nb) for test in tests}

    def run(self, exercise: Exercise, student, visible_only: bool = False) -> str:
        """The test cell's failure ('' if it passes) with student in place of the answer it tests."""
        answer, test = self.tests[exercise.test_id]
        namespace = dict(self.setup)
        exec(answer, namespace)
        namespace[exercise.name] = student
        try:
            exec(test.split(HIDDEN)[0] if visible_only else test, namespace)
        except AssertionError as error:
            return str(error)
        return ""


@pytest.fixture(scope="module")
def notebooks() -> dict[str, Notebook]:
    return {chapter: Notebook(chapter) for chapter in CHAPTER_IDS}


def test_every_record_has_its_test_cell(notebooks):
    for chapter, exercise in RECORDS:
        answer, test = notebooks[chapter].tests[exercise.test_id]
        assert f"def {exercise.name}(" in answer and exercise.name in test and HIDDEN in test


@pytest.mark.parametrize("chapter, exercise", ids(RECORDS))
def test_the_test_cell_passes_the_reference(notebooks, chapter, exercise):
    assert notebooks[chapter].run(exercise, exercise.reference) == ""


@pytest.mark.parametrize("chapter, exercise, index", ids(MISTAKES, lambda v: str(v[2])))
def test_the_test_cell_names_each_known_mistake(notebooks, chapter, exercise, index):
    mistake = exercise.mistakes[index]
    assert f"Likely mistake: {mistake.hint}" in notebooks[chapter].run(exercise, mistake.answer, visible_only=True)


@pytest.mark.parametrize("chapter, exercise, answer", ids(TUNED, lambda v: v[2].__name__))
def test_the_test_cell_catches_tuned_answers_in_its_hidden_part(notebooks, chapter, exercise, answer):
    assert notebooks[chapter].run(exercise, answer, visible_only=True) == ""
    assert notebooks[chapter].run(exercise, answer) != ""
