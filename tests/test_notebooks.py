"""The notebooks as nbgrader and students see them.

- chapters/ is exactly what `make release` generates from solutions/;
- every notebook is valid nbformat.

How the tests behave on the answers is checked by grading (tests/test_grading.py): the reference
answers score full marks with the hidden tests restored, the untouched student version scores 0
on every test cell while all its demo cells run cleanly.
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from course import CHAPTER_IDS, CHAPTERS, GRADER, SOLUTIONS, notebook_path, read
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config import PyFileConfigLoader


@pytest.fixture(scope="module")
def fresh_release(tmp_path_factory) -> Path:
    """What `make release` would write now (nbgrader with the course config), in a throwaway folder."""
    release = tmp_path_factory.mktemp("release")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(GRADER)).load_config()
    config.CourseDirectory.release_directory = str(release)
    config.GenerateAssignment.no_database = True
    config.SaveCells.enabled = False  # what `--no-db` sets: no gradebook involved
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    for chapter in CHAPTER_IDS:
        result = api.generate_assignment(chapter, force=True)
        assert result["success"], result.get("error") or result["log"]
    return release


def comparable(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("chapter", CHAPTER_IDS)
def test_student_version_matches_a_fresh_release(chapter, fresh_release):
    committed = notebook_path(CHAPTERS, chapter)
    assert comparable(notebook_path(fresh_release, chapter)) == comparable(committed), \
        f"{committed} is stale: run `make release`"


def test_nbformat_is_valid_everywhere():
    for base in (SOLUTIONS, CHAPTERS):
        for chapter in CHAPTER_IDS:
            nbformat.validate(read(notebook_path(base, chapter)))


def test_test_cells_let_run_all_go_on():
    """A failing test cell must not stop Run All (JupyterLab aborts the queue after an error
    unless the cell is tagged `raises-exception`): a student with one stub still sees every demo."""
    for chapter in CHAPTER_IDS:
        untagged = [cell.metadata["nbgrader"]["grade_id"] for cell in read(notebook_path(SOLUTIONS, chapter)).cells
                    if cell.metadata.get("nbgrader", {}).get("grade")
                    and "raises-exception" not in cell.metadata.get("tags", [])]
        assert not untagged, f"{chapter}: tag these test cells `raises-exception`: {untagged}"
