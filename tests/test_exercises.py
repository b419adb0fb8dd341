"""Every grading test is right: it passes on the reference answer, fails on the student stub,
fails on each plausible wrong answer with the promised diagnosis, and its hidden part catches
answers tuned to the visible tests.

The cells run in-process (fast): the notebook's first code cell (imports), then an answer,
then the test cells that follow it.
"""
from __future__ import annotations

import matplotlib
import pytest
from course import CHAPTER_IDS, CHAPTERS, HIDDEN, SOLUTIONS, cells_by_id, exercises, grade_id, notebook_path, read
from wrong_answers import HARD_CODED, WRONG

matplotlib.use("Agg")


def setup_source(nb) -> str:
    """The notebook's first code cell without IPython magics."""
    first = next(c for c in nb.cells if c.cell_type == "code")
    return "\n".join(line for line in first.source.splitlines() if not line.startswith("%"))


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
    setup = setup_source(solution)
    run(answer.source, test.source, setup)
    assert "NotImplementedError" in stub.source
    with pytest.raises((AssertionError, NameError)):
        run(stub.source, test.source, setup)


@pytest.mark.parametrize("chapter, solution, answer, stub, test", CASES)
def test_wrong_answers_fail_with_a_diagnosis(chapter, solution, answer, stub, test):
    wrong = WRONG[chapter].get(grade_id(test), [])
    assert wrong, f"no wrong answers listed for {grade_id(test)} in tests/wrong_answers.py"
    for source, diagnosis in wrong:
        with pytest.raises(AssertionError) as failure:
            run(source, test.source, setup_source(solution))
        assert diagnosis in str(failure.value), f"message lacks {diagnosis!r}:\n{failure.value}"


@pytest.mark.parametrize("chapter, solution, answer, stub, test", CASES)
def test_hidden_tests_catch_answers_tuned_to_visible_ones(chapter, solution, answer, stub, test):
    assert HIDDEN in test.source, "every test cell needs hidden tests"
    cheat = HARD_CODED[chapter].get(grade_id(test))
    assert cheat, f"no hard-coded answer listed for {grade_id(test)} in tests/wrong_answers.py"
    visible = test.source.split(HIDDEN)[0]
    setup = setup_source(solution)
    run(cheat, visible, setup)
    with pytest.raises(AssertionError):
        run(cheat, test.source, setup)
