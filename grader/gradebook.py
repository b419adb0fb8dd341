"""The course gradebook, written by one process only.

Jobs grade into copies of it; `merge` copies one student's chapter back through nbgrader's
Gradebook API, so parallel jobs never write the same SQLite file, and grading a submission
again (or after a crash) overwrites its scores with the same values.
"""
from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import CsvExportPlugin
from sqlalchemy.exc import SAWarning

from grader import COURSE_ID

warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's session use, harmless


def url(path: Path) -> str:
    return f"sqlite:///{path}"


def define(path: Path, solutions: Path, chapters: list[str]) -> None:
    """Record the chapters' cells, points and hidden tests in the gradebook at path (nbgrader's
    generate_assignment, releasing into a throwaway folder rather than chapters/)."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    with tempfile.TemporaryDirectory(prefix="gradlab-define-") as root:
        (Path(root) / "source").symlink_to(solutions.resolve())
        c = Config()
        c.CourseDirectory.root = root
        c.CourseDirectory.course_id = COURSE_ID
        c.CourseDirectory.db_url = url(path)
        c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
        api = NbGraderAPI(coursedir=CourseDirectory(config=c), config=c)
        for chapter in chapters:
            result = api.generate_assignment(chapter, force=True, create=True)
            if not result["success"]:
                raise RuntimeError(f"nbgrader could not define {chapter}:\n{result.get('error') or result['log']}")


def merge(main: Path, job: Path, chapter: str, student: str, failed: bool = False) -> None:
    """Copy student's graded chapter from the job's gradebook into the main one; a chapter the
    job could not grade (failed, or no notebook to grade) scores 0, whatever it scored before."""
    with Gradebook(url(job), COURSE_ID) as source, Gradebook(url(main), COURSE_ID) as target:
        target.update_or_create_student(student)
        try:
            graded = None if failed else source.find_submission(chapter, student)
        except MissingEntry:
            graded = None
        mine = target.update_or_create_submission(chapter, student, **({"timestamp": graded.timestamp} if graded else {}))
        theirs = {(nb.name, item.name): item for nb in (graded.notebooks if graded else [])
                  for item in [*nb.grades, *nb.comments]}
        for notebook in mine.notebooks:
            for grade in notebook.grades:
                new = theirs.get((notebook.name, grade.name))
                grade.auto_score = new.auto_score if new else 0
                grade.needs_manual_grade = new.needs_manual_grade if new else False
            for comment in notebook.comments:
                new = theirs.get((notebook.name, comment.name))
                comment.auto_comment = new.auto_comment if new else None
        target.db.commit()


def graded(main: Path) -> set[tuple[str, str]]:
    """(student, chapter) of every submission in the gradebook."""
    with Gradebook(url(main), COURSE_ID) as gb:
        return {(s.student.id, a.name) for a in gb.assignments for s in a.submissions}


def export(main: Path, csv: Path) -> None:
    """nbgrader's CSV export of every student and chapter."""
    with Gradebook(url(main), COURSE_ID) as gb:
        CsvExportPlugin(to=str(csv)).export(gb)


def scores(main: Path, chapters: list[str]) -> dict[str, dict[str, list[float]]]:
    """chapter -> test cell -> the score fraction of every submission, in notebook order."""
    found: dict[str, dict[str, list[float]]] = {}
    with Gradebook(url(main), COURSE_ID) as gb:
        for chapter in chapters:
            assignment = gb.find_assignment(chapter)
            cells = {cell.name: [] for notebook in assignment.notebooks for cell in notebook.grade_cells}
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        cells[grade.name].append((grade.score or 0) / grade.max_score)
            found[chapter] = cells
    return found
