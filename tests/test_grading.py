"""End-to-end grading with the real nbgrader commands and gradebook, on a throwaway course.

Each chapter is graded in its own course and gradebook (chapters side by side). Three students
submit the release: one with the reference answers, one untouched, one with a single wrong
answer; nbgrader must give full marks, zero, and lose exactly that exercise's points. For the
first chapter two more check nbgrader's mechanisms: a student who also rewrote the wrong
answer's test cell to pass (the original test is restored, the points are still lost), and one
whose answer is tuned to the visible tests only (the hidden tests, stripped from the release,
are restored at grading and catch it); feedback and the grades export are checked there too.
"""
from __future__ import annotations

import csv
import os
from concurrent.futures import ThreadPoolExecutor
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


# nbgrader's own mechanisms (restoring edited test cells and hidden tests, feedback, export) are the
# same for every chapter, so they are exercised on one; every chapter gets the full, zero and
# one-wrong students.
MECHANISMS = CHAPTER_IDS[0]


def grade_chapter(chapter: str, root: Path) -> dict:
    """Release the chapter in a throwaway course at root, submit the five students' notebooks, grade them."""
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
    }
    if chapter == MECHANISMS:
        submissions["edited_test"] = fill(release, {**reference, answer_of[test_id]: wrong_source, test_id: "assert True"})
        submissions["tuned"] = fill(release, {**reference, answer_of[cheat_id]: cheat_source})
    for student, nb in submissions.items():
        folder = root / "grader" / "submitted" / student / chapter
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / release_path.name)

    nbgrader("autograde", chapter, "--create", "--force", root=root)
    if chapter == MECHANISMS:
        nbgrader("generate_feedback", chapter, "--force", root=root)
        nbgrader("export", f"--CsvExportPlugin.to={root / 'grades.csv'}", root=root)
    return {"root": root, "notebook": release_path.stem, "test_id": test_id, "cheat_id": cheat_id}


@pytest.fixture(scope="module")
def courses(tmp_path_factory) -> dict[str, dict]:
    """Every chapter graded in its own course (own gradebook), chapters side by side on all cores."""
    roots = {chapter: tmp_path_factory.mktemp(f"course-{chapter}") for chapter in CHAPTER_IDS}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        facts = pool.map(lambda chapter: grade_chapter(chapter, roots[chapter]), CHAPTER_IDS)
        return dict(zip(CHAPTER_IDS, facts))


@pytest.fixture(params=CHAPTER_IDS)
def graded(request, courses):
    """(gradebook, chapter, facts) for one graded chapter."""
    chapter, facts = request.param, courses[request.param]
    with Gradebook(f"sqlite:///{facts['root'] / 'grader' / 'gradebook.db'}") as gradebook:
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


def lost_exactly_the_wrong_exercise(gradebook: Gradebook, chapter: str, facts: dict, student: str) -> None:
    notebook, test_id = facts["notebook"], facts["test_id"]
    points = gradebook.find_grade(test_id, notebook, chapter, student).max_score
    assert points > 0
    assert cell_score(gradebook, chapter, student, notebook, test_id) == 0
    assert score(gradebook, chapter, student) == gradebook.find_assignment(chapter).max_score - points


def test_one_wrong_answer_loses_exactly_its_points(graded):
    lost_exactly_the_wrong_exercise(*graded, "one_wrong")


@pytest.fixture
def mechanisms(courses):
    facts = courses[MECHANISMS]
    with Gradebook(f"sqlite:///{facts['root'] / 'grader' / 'gradebook.db'}") as gradebook:
        yield gradebook, MECHANISMS, facts


def test_an_edited_test_cell_is_graded_with_the_original(mechanisms):
    lost_exactly_the_wrong_exercise(*mechanisms, "edited_test")


def test_hidden_tests_run_at_grading_time(mechanisms):
    gradebook, chapter, facts = mechanisms
    assert cell_score(gradebook, chapter, "tuned", facts["notebook"], facts["cheat_id"]) == 0


def test_feedback_and_grades_are_written(mechanisms):
    gradebook, chapter, facts = mechanisms
    root: Path = facts["root"]
    for student in ("reference", "one_wrong"):
        html = root / "grader" / "feedback" / student / chapter / f"{facts['notebook']}.html"
        assert html.is_file(), f"no feedback for {student}"
        assert f"{facts['notebook']} (Score:" in html.read_text(encoding="utf-8")
    with open(root / "grades.csv", newline="") as handle:
        rows = {(r["assignment"], r["student_id"]): float(r["score"]) for r in csv.DictReader(handle)}
    assert rows[(chapter, "reference")] == gradebook.find_assignment(chapter).max_score
    assert rows[(chapter, "untouched")] == 0
