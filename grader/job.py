"""Grade one student's chapter in a throwaway nbgrader course, in a worker process.

    python -m grader.job        reads job files (WORK/job.json), one path per line, on stdin;
                                grades each and answers "done PATH" on stdout

The course under WORK holds only this submission and a copy of the chapter's gradebook, so jobs
never share a database. nbgrader runs here with the instructor's rights; the student's code runs
in a kernel started through sandbox.py under the worker's own uid. The result (problems found
and integrity flags) goes to WORK/result.json; the scores stay in WORK/gradebook.db.
"""
from __future__ import annotations

import ctypes
import importlib.util
import json
import os
import re
import shutil
import signal
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from grader import COURSE_ID, Limits, sandbox, submission
from grader.preprocessors import KERNEL_DIED, KERNEL_STUCK, NOT_RUN, TRUNCATED

KERNEL = "gradlab-guarded"
GUARD_FILES = (Path(__file__).with_name("kernel.py"), Path(__file__).with_name("guard.py"))  # what the kernel runs
SYSTEM = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc"]


@dataclass
class Job:
    student: str
    chapter: str
    folder: str          # the student's submitted chapter folder
    release: str         # the chapter's student version, chapters/<chapter>
    template: str        # a gradebook holding the chapter's assignment and no students
    work: str            # this job's own folder
    uid: int | None      # the sandbox uid; None runs the kernel unsandboxed (trusted code only)
    limits: Limits = field(default_factory=Limits)
    guard: bool = True   # False only to measure the guard's cost (benchmarks/grading.py): cheats then pay

    @property
    def course(self) -> Path:
        return Path(self.work) / "course"

    @property
    def gradebook(self) -> Path:
        return Path(self.work) / "gradebook.db"

    def save(self) -> Path:
        path = Path(self.work) / "job.json"
        path.write_text(json.dumps(asdict(self)))
        return path

    @classmethod
    def load(cls, path: Path) -> Job:
        data = json.loads(path.read_text())
        return cls(**{**data, "limits": Limits(**data["limits"])})


def sandbox_spec(job: Job, ipc: Path) -> dict:
    """What the kernel may see: the system, Python, gradlab and the guard, read-only; its ipc folder;
    a private /tmp."""
    import matplotlib  # only for where its font cache is: copying it saves a rebuild per kernel

    gradlab = Path(importlib.util.find_spec("gradlab").origin).parent
    cache = Path(matplotlib.get_cachedir())
    home = "/tmp/home"
    return {
        "root": str(Path(job.work) / "root"), "uid": job.uid,
        "read_only": [*SYSTEM, sys.base_prefix, sys.prefix, str(gradlab), *map(str, GUARD_FILES)],
        "writable": [str(ipc)],
        "copy": {str(p): f"home/.cache/matplotlib/{p.name}" for p in cache.glob("*.json")},
        "tmp_mb": job.limits.disk_mb, "workdir_mb": job.limits.disk_mb,
        "memory_mb": job.limits.memory_mb, "processes": job.limits.processes,
        "file_mb": job.limits.file_mb,
        "env": {"PATH": f"{sys.prefix}/bin:/usr/bin:/bin", "HOME": home, "USER": "student",
                "LANG": "C.UTF-8", "MPLCONFIGDIR": f"{home}/.cache/matplotlib", "TMPDIR": "/tmp",
                "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                "NBGRADER_EXECUTION": "autograde", "GRADLAB_SANDBOX": "1"},
    }


def install_kernel(job: Job) -> Path:
    """A kernelspec that starts the guarded kernel (kernel.py), through the sandbox unless the job is
    unsandboxed, talking over IPC sockets (no network); returns where its key goes."""
    work = Path(job.work)
    ipc = work / "ipc"
    ipc.mkdir()
    start = [str(GUARD_FILES[0])] if job.guard else ["-m", "ipykernel_launcher"]
    kernel = [sys.executable, "-I", *start, "-f", "{connection_file}"]
    if job.uid is not None:
        os.chown(ipc, job.uid, job.uid)
        (work / "root").mkdir()
        spec = work / "sandbox.json"
        spec.write_text(json.dumps(sandbox_spec(job, ipc)))
        kernel = sandbox.command(spec, kernel, own="{connection_file}")
    folder = work / "jupyter" / "kernels" / KERNEL
    folder.mkdir(parents=True)
    key = ipc / "guard.key"
    (folder / "kernel.json").write_text(json.dumps({
        "argv": kernel, "env": {"GRADLAB_GUARD_KEY": str(key)},
        "display_name": "gradlab guarded", "language": "python", "interrupt_mode": "signal"}))
    os.environ.update(JUPYTER_PATH=str(work / "jupyter"), JUPYTER_RUNTIME_DIR=str(ipc))
    return key


def exercises(release: nbformat.NotebookNode) -> tuple[dict, list[str]]:
    """What the guard needs from the chapter's release: per test cell, the names its tests may read
    (everything the answer cells define) and the gradlab functions its answer may use; and the
    sources of the release's own code cells (trusted)."""
    answers, allowed, found, trusted = [], [], {}, []
    for cell in release.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code":
            continue
        if meta.get("solution"):
            answers += defined_names(cell.source)
            allowed = cell.metadata.get("gradlab", {}).get("may_use", [])
        elif meta.get("grade"):
            found[meta["grade_id"]] = {"allowed": allowed}
        else:
            trusted.append(cell.source.strip())
    return {name: {**entry, "answers": answers} for name, entry in found.items()}, trusted


def defined_names(source: str) -> list[str]:
    """Top-level names a cell binds (functions, classes, assignments)."""
    import ast

    names = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names


def nbgrader_config(job: Job, key: Path, workdir: Path):
    from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import AssignLatePenalties, CheckCellMetadata, GetGrades, IgnorePattern, SaveAutoGrades
    from traitlets.config import Config

    from grader.preprocessors import FeedbackExporter, GuardedExecute, HideHiddenTests, LimitOutputSize

    release = nbformat.read(next(Path(job.release).glob("*.ipynb")), as_version=4)
    tests, trusted = exercises(release)
    c = Config()
    c.CourseDirectory.root = str(job.course)
    c.CourseDirectory.course_id = COURSE_ID
    c.CourseDirectory.db_url = f"sqlite:///{job.gradebook}"
    c.Autograde.autograde_preprocessors = [GuardedExecute, IgnorePattern, ClearMetadataPreprocessor,
                                           LimitOutputSize, SaveAutoGrades, AssignLatePenalties,
                                           CheckCellMetadata]
    c.GenerateFeedback.preprocessors = [HideHiddenTests, GetGrades, CSSHTMLHeaderPreprocessor]
    c.GenerateFeedback.exporter_class = FeedbackExporter
    c.OverwriteCells.add_missing_cells = True
    c.Execute.timeout = job.limits.cell_seconds
    c.Execute.kernel_name = KERNEL
    c.GuardedExecute.key_file = str(key)
    c.GuardedExecute.workdir = str(workdir)
    c.GuardedExecute.findings_file = str(Path(job.work) / "findings.json")
    c.GuardedExecute.exercises = tests
    c.GuardedExecute.trusted = trusted
    c.GuardedExecute.guard = job.guard
    c.KernelManager.transport = "ipc"
    c.KernelManager.ip = str(Path(job.work) / "ipc" / "kernel")
    c.KernelManager.connection_file = str(Path(job.work) / "ipc" / "kernel.json")
    if job.uid is not None:
        c.GuardedExecute.sandbox_uid = job.uid
    return c


def cell_name(index: int, cell: nbformat.NotebookNode) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id") or f"#{index}"


def run_problems(notebook: Path, limits: Limits) -> list[str]:
    """What went wrong while the notebook ran, beyond wrong answers."""
    explain = {
        "CellTimeoutError": f"ran past the {limits.cell_seconds} s limit and was stopped",
        KERNEL_DIED: "stopped the kernel (os._exit, a crash, or a memory or process limit); a new kernel "
                     "re-ran the cells before it",
        KERNEL_STUCK: "could not be stopped after the time limit, or broke the kernel's messaging (say, by "
                      "patching builtins); a new kernel re-ran the cells before it",
        NOT_RUN: "was not run: the kernel was lost too many times",
        "MemoryError": f"ran out of memory (limit {limits.memory_mb} MB)",
        "SystemExit": "called sys.exit",
    }
    problems = []
    for index, cell in enumerate(nbformat.read(notebook, as_version=4).cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error" and output.ename in explain:
                problems.append(f"cell {cell_name(index, cell)} {explain[output.ename]}")
            if output.output_type == "stream" and output.text.endswith(TRUNCATED):
                problems.append(f"cell {cell_name(index, cell)} printed too much (output cut)")
    return problems


def failed_tests(notebook: Path) -> dict[str, str]:
    """The message of each failed test cell of an autograded notebook, by grade id (a check's message ends
    with its "Likely mistake: …" line when a hint matched)."""
    failures = {}
    for cell in nbformat.read(notebook, as_version=4).cells:
        grading = cell.metadata.get("nbgrader", {})
        if grading.get("grade") and not grading.get("solution"):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    failures[grading["grade_id"]] = (output.evalue if output.ename == "AssertionError"
                                                     else f"{output.ename}: {output.evalue}")
    return failures


def root_cause(log: str) -> str:
    """The last exception line in nbgrader's log that is not nbgrader's own summary."""
    causes = re.findall(r"^\s*([\w.]+(?:Error|Exception): .*)$", log, re.MULTILINE)
    causes = [c for c in causes if "NbGraderException" not in c]
    return causes[-1][:300] if causes else "see the log"


def run(job: Job) -> dict:
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    submitted = job.course / "submitted" / job.student / job.chapter
    inspection = submission.prepare(Path(job.folder), Path(job.release), submitted)
    shutil.copy(job.template, job.gradebook)
    key = install_kernel(job)
    problems = inspection.problems
    if not any(submitted.glob("*.ipynb")):  # nothing gradable: the merge records a 0
        return {"problems": problems, "flags": [], "findings": [], "failures": {}, "log": ""}
    workdir = Path(job.work) / "student"  # the kernel's folder: the student's files, never a graded copy
    shutil.copytree(submitted, workdir)
    config = nbgrader_config(job, key, workdir)
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    graded = api.autograde(job.chapter, job.student, force=True, create=True)
    if not graded["success"]:
        problems.append(f"nbgrader could not grade it: {root_cause(graded.get('log', ''))}")
    autograded = job.course / "autograded" / job.student / job.chapter
    failures = {}
    for notebook in sorted(autograded.glob("*.ipynb")):
        problems += run_problems(notebook, job.limits)
        failures |= failed_tests(notebook)
    api.generate_feedback(job.chapter, job.student, force=True)
    found = Path(job.work) / "findings.json"
    findings = json.loads(found.read_text()) if found.exists() else []
    return {"problems": problems, "flags": [str(f) for f in inspection.flags],
            "findings": [f"{f['flag']} ({f['kind']})" for f in findings], "failures": failures,
            "log": graded.get("log", "")}


def serve() -> None:
    """Grade the jobs named on stdin, one at a time; nbgrader is imported once for all of them.
    Anything else printed here goes to stderr, so stdout carries only the answers. The worker
    dies with the grader that started it (Linux's parent-death signal)."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    for line in sys.stdin:
        job = Job.load(Path(line.strip()))
        result = run(job)
        (Path(job.work) / "result.json").write_text(json.dumps(result))
        print("done", line.strip(), file=answers, flush=True)


if __name__ == "__main__":
    serve()
