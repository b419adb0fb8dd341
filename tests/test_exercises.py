"""Every grading test is right: it passes on the reference answer and fails on the student stub;
the wrong answers written as text (tests/wrong_answers) fail with the promised diagnosis, and the
hidden part catches the answers written as text that are tuned to the visible tests. (The exercise
records' mistakes and tuned answers go through the same cells in tests/test_exercise_records.py.)

The cells run in-process (fast): the notebook's first code cell (imports) and the reference answers
above this one (a capstone may build on them), then an answer, then the test cells that follow it.
"""
from __future__ import annotations

import matplotlib
import pytest
from course import CHAPTER_IDS, CHAPTERS, HIDDEN, SOLUTIONS, cells_by_id, exercises, grade_id, notebook_path, read
from wrong_answers import HARD_CODED, WRONG

matplotlib.use("Agg")


def setup_source(nb, test) -> str:
    """The notebook's first code cell without IPython magics, then the reference answers above test's answer."""
    first = next(c for c in nb.cells if c.cell_type == "code")
    earlier = [answer.source for answer, tests in exercises(nb)]
    earlier = earlier[:next(i for i, (_, tests) in enumerate(exercises(nb)) if test in tests)]
    return "\n".join([*(line for line in first.source.splitlines() if not line.startswith("%")), *earlier])


def run(answer: str, test: str, setup: str) -> None:
    """Execute setup, answer and test in a fresh namespace; exceptions propagate."""
    namespace: dict = {}
    exec(compile(setup, "<setup>", "exec"), namespace)
    exec(compile(answer, "<answer>", "exec"), namespace)
    exec(compile(test, "<test>", "exec"), namespace)


def exercise_cases():
    for chapter in CHAPTER_IDS:
        solution = read(notebook_path(SOLUTIONS, chapter))
        release = cells_by_id(read(notebook_path(CHAPTERS, chapter)))
        for answer, tests in exercises(solution):
            for test in tests:
                yield pytest.param(chapter, solution, answer, release[grade_id(answer)], test,
                                   id=f"{chapter}-{grade_id(test)}")


CASES = list(exercise_cases())


@pytest.mark.parametrize("chapter, solution, answer, stub, test", CASES)
def test_reference_passes_and_stub_fails(chapter, solution, answer, stub, test):
    setup = setup_source(solution, test)
    run(answer.source, test.source, setup)
    assert "NotImplementedError" in stub.source
    with pytest.raises((AssertionError, NameError)):
        run(stub.source, test.source, setup)


WRONG_ANSWERS = [pytest.param(chapter, solution, test, source, diagnosis, id=f"{chapter}-{grade_id(test)}-{i}")
                 for chapter, solution, _, _, test in (case.values for case in CASES)
                 for i, (source, diagnosis) in enumerate(WRONG[chapter].get(grade_id(test), []))]
TUNED = [pytest.param(chapter, solution, test, HARD_CODED[chapter][grade_id(test)], id=f"{chapter}-{grade_id(test)}")
         for chapter, solution, _, _, test in (case.values for case in CASES) if grade_id(test) in HARD_CODED[chapter]]


def test_every_listed_answer_has_its_test_cell():
    listed = {(chapter, test) for chapter in CHAPTER_IDS for test in [*WRONG[chapter], *HARD_CODED[chapter]]}
    assert listed <= {(case.values[0], grade_id(case.values[4])) for case in CASES}


@pytest.mark.parametrize("chapter, solution, answer, stub, test", CASES)
def test_every_test_cell_has_hidden_tests(chapter, solution, answer, stub, test):
    assert HIDDEN in test.source, "every test cell needs hidden tests"


@pytest.mark.parametrize("chapter, solution, test, source, diagnosis", WRONG_ANSWERS)
def test_wrong_answers_fail_with_a_diagnosis(chapter, solution, test, source, diagnosis):
    with pytest.raises(AssertionError) as failure:
        run(source, test.source, setup_source(solution, test))
    assert diagnosis in str(failure.value), f"message lacks {diagnosis!r}:\n{failure.value}"


@pytest.mark.parametrize("chapter, solution, test, cheat", TUNED)
def test_hidden_tests_catch_answers_tuned_to_visible_ones(chapter, solution, test, cheat):
    visible = test.source.split(HIDDEN)[0]
    setup = setup_source(solution, test)
    run(cheat, visible, setup)
    with pytest.raises(AssertionError):
        run(cheat, test.source, setup)
