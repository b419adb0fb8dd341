"""The notebooks as nbgrader and students see them.

- chapters/ is exactly what `make release` generates from solutions/;
- nbgrader's Validator: every test passes on the solutions, none passes on the student stubs
  (`nbgrader validate` exits 0 either way, so we assert on the Validator's result);
- in the student version, every cell that is neither an answer nor a test runs cleanly
  before any exercise is solved (demos never depend on a student's answer).
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbgrader.validator import Validator

from course import CHAPTER_IDS, CHAPTERS, SOLUTIONS, is_answer, is_test, nbgrader, notebook_path, read


def comparable(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("chapter", CHAPTER_IDS)
def test_student_version_matches_a_fresh_release(chapter, tmp_path):
    nbgrader("generate_assignment", chapter, "--force", "--no-db",
             f"--CourseDirectory.release_directory={tmp_path}")
    fresh = notebook_path(tmp_path, chapter)
    committed = notebook_path(CHAPTERS, chapter)
    assert comparable(fresh) == comparable(committed), f"{committed} is stale: run `make release`"


def validate(path: Path, invert: bool) -> dict:
    return Validator(invert=invert).validate(str(path))


@pytest.mark.parametrize("chapter", CHAPTER_IDS)
def test_every_test_passes_on_the_solutions(chapter):
    assert validate(notebook_path(SOLUTIONS, chapter), invert=False) == {}


@pytest.mark.parametrize("chapter", CHAPTER_IDS)
def test_no_test_passes_on_the_student_stubs(chapter):
    path = notebook_path(CHAPTERS, chapter)
    assert sum(is_test(c) for c in read(path).cells) >= 5
    results = validate(path, invert=True)
    passed = [cell["source"].splitlines()[0] for cell in results.get("passed", [])]
    assert not passed, f"tests that pass against the stubs: {passed}"
    assert set(results) <= {"passed"}, f"unexpected validation result: {results}"


@pytest.mark.parametrize("chapter", CHAPTER_IDS)
def test_demo_cells_run_in_the_student_version(chapter, tmp_path):
    nb = read(notebook_path(CHAPTERS, chapter))
    NotebookClient(nb, timeout=300, allow_errors=True, resources={"metadata": {"path": str(tmp_path)}}).execute()
    broken = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or is_answer(cell) or is_test(cell):
            continue
        for output in cell.outputs:
            if output.output_type == "error" or (output.output_type == "stream" and output.name == "stderr"):
                broken.append(f"cell {index}: {output.get('ename') or output.get('text', '')[:200]}")
    assert not broken, "demo cells failed before any exercise was solved:\n" + "\n".join(broken)
    failing_tests = [c for c in nb.cells if is_test(c) and any(o.output_type == "error" for o in c.outputs)]
    assert len(failing_tests) == sum(is_test(c) for c in nb.cells), "every test cell must fail on the stubs"


def test_nbformat_is_valid_everywhere():
    for base in (SOLUTIONS, CHAPTERS):
        for chapter in CHAPTER_IDS:
            nbformat.validate(read(notebook_path(base, chapter)))
