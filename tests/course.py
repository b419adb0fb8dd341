"""Shared helpers for the notebook and grading tests: where things are, cell access."""
from __future__ import annotations

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
CHAPTERS = ROOT / "chapters"
GRADER = ROOT / "grader"
CHAPTER_IDS = sorted(p.name for p in SOLUTIONS.iterdir() if p.is_dir() and p.name[:2].isdigit())
HIDDEN = "### BEGIN HIDDEN TESTS"


def notebook_path(base: Path, chapter: str) -> Path:
    """The single notebook in base/chapter."""
    (path,) = sorted((base / chapter).glob("*.ipynb"))
    return path


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def nbgrader_meta(cell: nbformat.NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_answer(cell: nbformat.NotebookNode) -> bool:
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and bool(meta.get("solution")) and not meta.get("grade")


def is_test(cell: nbformat.NotebookNode) -> bool:
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def grade_id(cell: nbformat.NotebookNode) -> str:
    return nbgrader_meta(cell).get("grade_id", "")


def cells_by_id(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {grade_id(c): c for c in nb.cells if grade_id(c)}


def exercises(nb: nbformat.NotebookNode) -> list[tuple[nbformat.NotebookNode, list[nbformat.NotebookNode]]]:
    """Each answer cell with the test cells that follow it (before the next answer)."""
    groups: list[tuple[nbformat.NotebookNode, list]] = []
    for cell in nb.cells:
        if is_answer(cell):
            groups.append((cell, []))
        elif is_test(cell) and groups:
            groups[-1][1].append(cell)
    return groups
