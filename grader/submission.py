"""Look at one student's submitted chapter folder before nbgrader does.

`prepare` copies what can be graded into nbgrader's layout and says, in words an instructor can
forward to the student, what was wrong with the rest: a file that is not a notebook, a missing or
renamed notebook, extra files, deleted, edited or retyped cells (nbgrader puts those back).
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grader import TIMESTAMP, integrity

MAX_EXTRA_BYTES = 20 * 1024 * 1024


@dataclass
class Inspection:
    problems: list[str] = field(default_factory=list)
    flags: list[integrity.Flag] = field(default_factory=list)


def grade_id(cell: nbformat.NotebookNode) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id", "")


def read(path: Path) -> tuple[nbformat.NotebookNode | None, str]:
    """The notebook at path and '' if it is a valid notebook, else None and what is wrong."""
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        return nb, ""
    except Exception as error:  # json, encoding, schema: all mean "not a notebook we can run"
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        return None, f"{path.name} is not a valid notebook ({first_line[:120]}); it scores 0"


def compare(submitted: nbformat.NotebookNode, release: nbformat.NotebookNode) -> list[str]:
    """What the student changed in the cells nbgrader owns (it restores them when grading)."""
    mine = {}
    for cell in submitted.cells:
        mine.setdefault(grade_id(cell), []).append(cell)
    problems = []
    for cell in release.cells:
        name = grade_id(cell)
        if not name:
            continue
        copies = mine.get(name, [])
        if not copies:
            problems.append(f"cell {name} was deleted (put back for grading)")
            continue
        if len(copies) > 1:
            problems.append(f"cell {name} appears {len(copies)} times (the first copy is graded)")
        theirs = copies[0]
        if theirs.cell_type != cell.cell_type:
            problems.append(f"cell {name} was changed from {cell.cell_type} to {theirs.cell_type} "
                            "(changed back for grading)")
        elif cell.metadata["nbgrader"].get("locked") and theirs.source.strip() != cell.source.strip():
            problems.append(f"read-only cell {name} was edited (the original is graded)")
    return problems


def scan(submitted: nbformat.NotebookNode, release: nbformat.NotebookNode) -> list[integrity.Flag]:
    """Integrity flags for the code that is the student's: answer cells, and any code cell that is
    not in the release as it was given (an edited demo, an added cell)."""
    given = {grade_id(c): c for c in release.cells if grade_id(c)}
    unchanged = {c.source.strip() for c in release.cells if c.cell_type == "code"}
    answers, context = [], []
    for index, cell in enumerate(submitted.cells):
        original = given.get(grade_id(cell))
        is_answer = original is not None and original.metadata["nbgrader"].get("solution")
        if cell.cell_type != "code":
            continue
        if original is not None and original.metadata["nbgrader"].get("locked"):
            context.append(original.source)  # what nbgrader will run in its place
        elif cell.source.strip() in unchanged and not is_answer:
            context.append(cell.source)
        else:
            answers.append((index, grade_id(cell), cell.source))
    may_use = {name: set(c.metadata.get("gradlab", {}).get("may_use", [])) for name, c in given.items()}
    return integrity.scan(answers, "\n".join(context), may_use, tested_names(release))


def tested_names(release: nbformat.NotebookNode) -> dict[str, str]:
    """The names the release's test cells call that are not answers (their checkers), each with a
    test cell that calls it."""
    answers, tested = set(), {}
    for cell in release.cells:
        meta = cell.metadata.get("nbgrader", {})
        tree = integrity.parse(cell.source) if cell.cell_type == "code" else None
        if tree is None:
            continue
        if meta.get("solution"):
            answers |= integrity.bound_names(tree)
        elif meta.get("grade"):
            for name in sorted(integrity.bound_names(tree) | set(integrity.imported_names(tree))):
                tested.setdefault(name, meta["grade_id"])
    return {name: cell for name, cell in tested.items() if name not in answers}


def prepare(folder: Path, release: Path, dest: Path) -> Inspection:
    """Copy the gradable part of a student's chapter folder to dest; report what was wrong.

    release is the chapter's student version (the folder in chapters/)."""
    found = Inspection()
    dest.mkdir(parents=True, exist_ok=True)
    expected = sorted(p.name for p in release.glob("*.ipynb"))
    files = sorted(p for p in folder.rglob("*") if (p.is_file() or p.is_symlink()) and not any(
        part.startswith(".") for part in p.relative_to(folder).parts))
    names = {p.relative_to(folder).as_posix(): p for p in files}
    links = [n for n, p in names.items() if p.is_symlink()]
    if links:
        found.problems.append("links are not graded: " + ", ".join(links))
    names = {n: p for n, p in names.items() if n not in links}
    if TIMESTAMP in names:
        shutil.copy(names.pop(TIMESTAMP), dest / TIMESTAMP)
    strays = [n for n in names if n.endswith(".ipynb") and n not in expected]
    for name in expected:
        source = names.pop(name, None)
        if source is None and len(strays) == 1 and len(expected) == 1:
            source = names.pop(strays[0])
            found.problems.append(f"notebook renamed to {strays[0]} (graded as {name})")
        if source is None:
            found.problems.append(f"{name} is missing; it scores 0")
            continue
        notebook, error = read(source)
        if notebook is None:
            found.problems.append(error)
            continue
        given = nbformat.read(release / name, as_version=4)
        found.problems += compare(notebook, given)
        found.flags += scan(notebook, given)
        nbformat.write(notebook, dest / name)
    if names:
        found.problems.append("extra files: " + ", ".join(names))
    for name, path in names.items():
        if path.stat().st_size <= MAX_EXTRA_BYTES:
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, dest / name)
    return found
