"""End-to-end grading with the real nbgrader commands and gradebook, on a throwaway course.

For each chapter, five students submit the release: one with the reference answers, one
untouched, one with a single wrong answer, one who also rewrote that answer's test cell to
pass, and one whose answer is tuned to the visible tests only. nbgrader must give full marks,
zero, lose exactly that exercise's points (twice: the edited test is replaced by the
original), and catch the tuned answer with the hidden tests it restores.
"""
from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from course import (CHAPTER_IDS, SOLUTIONS, cells_by_id, exercises, grade_id, is_answer, nbgrader,
                    notebook_path, read)
from wrong_answers import HARD_CODED, WRONG


def fill(release: nbformat.NotebookNode, answers: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of the release with the given answer (or test) cells' source replaced."""
    nb = nbformat.from_dict(release)
    for cell in nb.cells:
        if grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return nb


@pytest.fixture(scope="module", params=CHAPTER_IDS)
def graded(request, tmp_path_factory):
    """Grade the five submissions of one chapter; yield (gradebook, chapter, facts)."""
    chapter = request.param
    root = tmp_path_factory.mktemp("course")
    (root / "solutions").symlink_to(SOLUTIONS)
    (root / "grader").mkdir()
    nbgrader("generate_assignment", chapter, "--force", root=root)

    solution = read(notebook_path(SOLUTIONS, chapter))
    release_path = notebook_path(root / "chapters", chapter)
    release = read(release_path)
    reference = {grade_id(c): c.source for c in solution.cells if is_answer(c)}
    answer_of = {grade_id(t): grade_id(a) for a, tests in exercises(solution) for t in tests}
    test_id = next(iter(WRONG[chapter]))           # the exercise the wrong students get wrong
    wrong_source = WRONG[chapter][test_id][0][0]
    cheat_id, cheat_source = next(iter(HARD_CODED[chapter].items()))
    submissions = {
        "reference": fill(release, reference),
        "untouched": release,
        "one_wrong": fill(release, {**reference, answer_of[test_id]: wrong_source}),
        "edited_test": fill(release, {**reference, answer_of[test_id]: wrong_source, test_id: "assert True"}),
        "tuned": fill(release, {**reference, answer_of[cheat_id]: cheat_source}),
    }
    for student, nb in submissions.items():
        folder = root / "grader" / "submitted" / student / chapter
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / release_path.name)

    nbgrader("autograde", chapter, "--create", "--force", root=root)
    nbgrader("generate_feedback", chapter, "--force", root=root)
    nbgrader("export", f"--CsvExportPlugin.to={root / 'grades.csv'}", root=root)
    facts = {"root": root, "notebook": release_path.stem, "test_id": test_id, "cheat_id": cheat_id}
    with Gradebook(f"sqlite:///{root / 'grader' / 'gradebook.db'}") as gradebook:
        yield gradebook, chapter, facts


def score(gradebook: Gradebook, chapter: str, student: str) -> float:
    return gradebook.find_submission(chapter, student).score


def cell_score(gradebook: Gradebook, chapter: str, student: str, notebook: str, test_id: str) -> float:
    return gradebook.find_grade(test_id, notebook, chapter, student).score


def test_reference_answers_score_full_marks(graded):
    gradebook, chapter, _ = graded
    max_score = gradebook.find_assignment(chapter).max_score
    assert max_score >= 5
    assert score(gradebook, chapter, "reference") == max_score


def test_untouched_release_scores_zero(graded):
    gradebook, chapter, _ = graded
    assert score(gradebook, chapter, "untouched") == 0


@pytest.mark.parametrize("student", ["one_wrong", "edited_test"])
def test_one_wrong_answer_loses_exactly_its_points(graded, student):
    gradebook, chapter, facts = graded
    notebook, test_id = facts["notebook"], facts["test_id"]
    points = gradebook.find_grade(test_id, notebook, chapter, student).max_score
    assert points > 0
    assert cell_score(gradebook, chapter, student, notebook, test_id) == 0
    assert score(gradebook, chapter, student) == gradebook.find_assignment(chapter).max_score - points


def test_hidden_tests_run_at_grading_time(graded):
    gradebook, chapter, facts = graded
    assert cell_score(gradebook, chapter, "tuned", facts["notebook"], facts["cheat_id"]) == 0


def test_feedback_and_grades_are_written(graded):
    gradebook, chapter, facts = graded
    root: Path = facts["root"]
    for student in ("reference", "one_wrong"):
        html = root / "grader" / "feedback" / student / chapter / f"{facts['notebook']}.html"
        assert html.is_file(), f"no feedback for {student}"
        assert f"{facts['notebook']} (Score:" in html.read_text(encoding="utf-8")
    with open(root / "grades.csv", newline="") as handle:
        rows = {(r["assignment"], r["student_id"]): float(r["score"]) for r in csv.DictReader(handle)}
    assert rows[(chapter, "reference")] == gradebook.find_assignment(chapter).max_score
    assert rows[(chapter, "untouched")] == 0
