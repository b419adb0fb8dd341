"""The student's own workspace: copies of the chapters' releases that nothing in `make` overwrites.

    python -m gradlab.workspace lab [ARGS]          sync, then open JupyterLab on the workspace (make lab)
    python -m gradlab.workspace sync                copy new chapters in; say which have updates
    python -m gradlab.workspace submit --student ID validate every notebook and write one archive (make submit)

`sync` copies each release file the workspace does not have yet and never touches one it has; when a
release changed since the student's copy was made, it says how to get the new version without losing the
old. It also writes the settings of the student's JupyterLab: no nbgrader instructor tools (the Validate
button stays), no news prompt, widget messages on the main shell, widget state saved with the notebook
(a reopened notebook shows its last pictures), kernel messages sent without delay (gradlab.labserver).
`submit` runs nbgrader's validator on each notebook, names what is unfinished, and writes
<student>/<chapter>/<notebook>.ipynb into one zip: the layout the instructor's grader reads from
course/submitted/.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import zipfile
from pathlib import Path
from typing import Any

from gradlab import labserver

ROOT = Path(__file__).resolve().parent.parent
RELEASES, WORKSPACE = ROOT / "chapters", ROOT / "workspace"
RECORD = ".course/releases.json"   # the hash of each release file when the student's copy was made
# nbgrader's instructor tools; its Validate button works without an exchange and stays.
INSTRUCTOR_TOOLS = ["@jupyter/nbgrader:menu", "@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                    "@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:course-list"]
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings": {"saveState": True},
    # Widget messages on the main shell, one at a time with the cells: over a subshell (JupyterLab's default
    # with ipykernel 7) a widget callback draws with matplotlib while a cell plots, and FreeType breaks.
    "@jupyterlab/apputils-extension/kernels-settings.jupyterlab-settings": {"commsOverSubshells": "disabled"},
}
STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sync(releases: Path = RELEASES, workspace: Path = WORKSPACE) -> list[str]:
    """Copy every release file the workspace lacks; report new chapters and updated releases. Never overwrites."""
    record_path = workspace / RECORD
    record = json.loads(record_path.read_text()) if record_path.exists() else {}
    messages = []
    for release in sorted(p for p in releases.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts):
        name = release.relative_to(releases).as_posix()
        mine = workspace / name
        if not mine.exists():
            mine.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(release, mine)
            record[name] = digest(release)
            messages.append(f"new: {name}")
        elif record.get(name) != digest(release):
            fresh = mine.with_name(f"{mine.stem}-mine{mine.suffix}")
            messages.append(f"update: {name} has a new version; your copy is kept as it is. To get the new one, "
                            f"rename yours (for example to {fresh.name}) and run `make lab` again.")
    record_path.parent.mkdir(parents=True, exist_ok=True)
    record_path.write_text(json.dumps(record, indent=1, sort_keys=True))
    return messages


def student_mode(workspace: Path = WORKSPACE) -> dict[str, Path]:
    """Write the student's JupyterLab configuration under workspace/.jupyter; the environment variables to use it."""
    config, settings = workspace / ".jupyter", workspace / ".jupyter" / "lab" / "user-settings"
    page = config / "labconfig" / "page_config.json"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(json.dumps({"disabledExtensions": dict.fromkeys(INSTRUCTOR_TOOLS, True)}, indent=1))
    (config / "jupyter_server_config.json").write_text(json.dumps(labserver.CONFIG, indent=1))  # prompt messages
    for name, values in SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():   # the student may have changed a setting since
            path.write_text(json.dumps(values, indent=1))
    return {"JUPYTER_CONFIG_DIR": config, "JUPYTERLAB_SETTINGS_DIR": settings,
            "JUPYTERLAB_WORKSPACES_DIR": config / "lab" / "workspaces"}


def unfinished(notebook: Any) -> list[str]:
    """The answer cells still holding their stub."""
    return [cell.metadata["nbgrader"]["grade_id"] for cell in notebook.cells
            if cell.metadata.get("nbgrader", {}).get("solution") and "raise NotImplementedError()" in cell.source]


def validate(path: Path) -> dict:
    """nbgrader's validator (what the Validate button runs): {} when every test cell passes."""
    from nbgrader.validator import Validator

    return Validator().validate(str(path))


def submit(student: str, workspace: Path = WORKSPACE, out: Path | None = None,
           check: bool = True) -> tuple[Path, list[str]]:
    """(the archive, what to tell the student): every chapter notebook of the workspace under
    <student>/<chapter>/, with each notebook's unfinished exercises and failing tests named."""
    import nbformat  # here, not at the top: graded kernels import all of gradlab, and nbformat is heavy

    if not STUDENT_ID.fullmatch(student):
        raise ValueError(f"{student!r} is not a student id: letters, digits, '.', '_' and '-', at most 64")
    notebooks = sorted(p for p in workspace.glob("[0-9][0-9]_*/*.ipynb"))
    if not notebooks:
        raise ValueError(f"no chapter notebooks in {workspace}: run `make lab` first")
    out = out or workspace.parent / f"submission-{student}.zip"
    report = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in notebooks:
            name = path.relative_to(workspace).as_posix()
            stubs = unfinished(nbformat.read(path, as_version=4))
            problems = validate(path) if check else {}
            failed = len(problems.get("failed", [])) + len(problems.get("changed", []))
            note = ", ".join([f"not yet answered: {', '.join(stubs)}" if stubs else "",
                              f"{failed} test cell(s) fail" if failed else "",
                              "a cell's type was changed" if "type_changed" in problems else ""])
            report.append(f"{name}: {note.strip(', ') or 'every test passes'}")
            archive.write(path, f"{student}/{name}")
    return out, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("sync", help="copy new chapters into the workspace and set up student mode")
    commands.add_parser("lab", help="sync, then open JupyterLab on the workspace (other arguments go to it)")
    handing_in = commands.add_parser("submit", help="validate and archive the workspace's notebooks")
    handing_in.add_argument("--student", required=True, help="your student id, as your instructor gave it")
    args, extra = parser.parse_known_args(argv)
    if args.command in ("sync", "lab"):
        for message in sync():
            print(message)
        environment = {**os.environ, **{name: str(path) for name, path in student_mode().items()}}
        print(f"your work lives in {WORKSPACE}: `make lab` never overwrites it")
        if args.command == "lab":
            jupyter = str(Path(sys.executable).parent / "jupyter")
            os.execve(jupyter, [jupyter, "lab", f"--ServerApp.root_dir={WORKSPACE}", *extra], environment)
        return 0
    try:
        archive, report = submit(args.student)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    print("\n".join(report))
    print(f"wrote {archive}: hand this file in")
    return 0


if __name__ == "__main__":
    sys.exit(main())
