"""Grading speed: the parallel, sandboxed grader against serial `nbgrader autograde`, same submissions;
and the cost of the guard in the kernel (grader/guard.py).

    python benchmarks/grading.py            10 students x every chapter (40 notebooks)
    python benchmarks/grading.py --steps 1  1 student x 1 chapter (a smoke run)

Each student answers each exercise with the reference answer or leaves the stub, in a pattern
that differs per student. Three ways of running the same notebooks are timed in the same run:
executing them bare with nbclient (one after another, no grading), serial nbgrader (generate
the gradebook, then `nbgrader autograde` per chapter), `python -m grader` (its default
workers, feedback and report included), `python -m grader --no-guard` (the same without the
guard, to measure what it costs) and `python -m grader --scheduler` on a loopback Dask cluster of two
single-threaded workers (grader/cluster.py's `loopback`, as `make worker` starts them); and, per
notebook, the grader with one worker on two students' notebooks against their bare times, both one at a
time. Run it as root: the grader sandboxes every kernel.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from grader.cluster import loopback, stop

REPO = Path(__file__).resolve().parent.parent
CHAPTERS = sorted(p.name for p in (REPO / "solutions").iterdir() if p.is_dir())


def submission(chapter: str, student: int) -> tuple[str, nbformat.NotebookNode]:
    """The release with every third answer (offset by student) left as the stub, the rest solved."""
    (solution,) = (REPO / "solutions" / chapter).glob("*.ipynb")
    release = nbformat.read(REPO / "chapters" / chapter / solution.name, as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nbformat.read(solution, as_version=4).cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for index, cell in enumerate(c for c in release.cells if c.metadata.get("nbgrader", {}).get("solution")):
        if (index + student) % 3:
            cell.source = answers[cell.metadata["nbgrader"]["grade_id"]]
    return solution.name, release


def write_submissions(folder: Path, students: int, chapters: list[str]) -> list[Path]:
    paths = []
    for student in range(students):
        for chapter in chapters:
            name, nb = submission(chapter, student)
            path = folder / f"student{student:02d}" / chapter / name
            path.parent.mkdir(parents=True)
            nbformat.write(nb, path)
            paths.append(path)
    return paths


def bare(paths: list[Path]) -> list[float]:
    """Seconds to execute each notebook with nbclient, one after another (the kernels' start-up warnings,
    on the stderr they inherit, are dropped)."""
    seconds, stderr = [], os.dup(2)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    try:
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            start = time.perf_counter()
            NotebookClient(nb, timeout=600, allow_errors=True, resources={"metadata": {"path": str(path.parent)}}).execute()
            seconds.append(time.perf_counter() - start)
    finally:
        os.dup2(stderr, 2)
    return seconds


def nbgrader(root: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={root}",
                    "--CourseDirectory.submitted_directory=submitted",
                    "--CourseDirectory.autograded_directory=autograded",
                    f"--CourseDirectory.db_url=sqlite:///{root / 'gradebook.db'}"],
                   cwd=REPO / "grader", check=True, capture_output=True)


def serial(root: Path, submitted: Path, chapters: list[str]) -> float:
    (root / "solutions").symlink_to(REPO / "solutions")
    (root / "submitted").symlink_to(submitted)
    start = time.perf_counter()
    for chapter in chapters:
        nbgrader(root, "generate_assignment", chapter, "--force")
        nbgrader(root, "autograde", chapter, "--create", "--force")
    return time.perf_counter() - start


def parallel(output: Path, submitted: Path, chapters: list[str], *options: str) -> tuple[float, list[float]]:
    import json

    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader", "--submitted", str(submitted), "--output", str(output),
                    *[arg for chapter in chapters for arg in ("--chapter", chapter)], *options],
                   cwd=REPO, check=True, capture_output=True)
    wall = time.perf_counter() - start
    jobs = [o["seconds"] for o in json.loads((output / "report" / "results.json").read_text())]
    return wall, jobs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10, help="students (1 also means one chapter only)")
    args = parser.parse_args()
    chapters = CHAPTERS if args.steps > 1 else CHAPTERS[:1]
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # nbgrader calls alembic
    with tempfile.TemporaryDirectory(prefix="gradlab-bench-") as name:
        tmp = Path(name)
        paths = write_submissions(tmp / "submitted", args.steps, chapters)
        n = len(paths)
        print(f"{n} notebooks: {args.steps} students x {len(chapters)} chapters, on {os.cpu_count()} cores")
        bare_seconds = bare(paths)
        (tmp / "serial").mkdir()
        serial_wall = serial(tmp / "serial", tmp / "submitted", chapters)
        (tmp / "cluster").mkdir()
        address, processes = loopback(tmp / "cluster")
        try:  # the local grader and the cluster one after the other, on a machine in the same state
            parallel_wall, job_seconds = parallel(tmp / "parallel", tmp / "submitted", chapters)
            dask_wall, dask_seconds = parallel(tmp / "dask", tmp / "submitted", chapters, "--scheduler", address)
        finally:
            stop(processes)
        _, unguarded_seconds = parallel(tmp / "unguarded", tmp / "submitted", chapters, "--no-guard")
        alone = min(2, args.steps)  # one job at a time, like the bare run: per notebook, the same conditions
        _, single_seconds = parallel(tmp / "single", tmp / "submitted", chapters, "--workers", "1",
                                     *[arg for k in range(alone) for arg in ("--student", f"student{k:02d}")])
    rows = [("bare nbclient, one at a time", sum(bare_seconds)),
            ("nbgrader autograde, serial", serial_wall),
            ("python -m grader, parallel", parallel_wall),
            ("python -m grader on Dask", dask_wall)]
    for label, wall in rows:
        print(f"{label:32} {wall:7.1f} s  {60 * n / wall:6.1f} notebooks/min")
    print(f"serial nbgrader / parallel grader: {serial_wall / parallel_wall:.2f}x (target >= 1.8 on 2 cores)")
    print(f"Dask (loopback, 2 single-thread workers) / local grader: {dask_wall / parallel_wall:.2f}x (target <= 1.1); "
          f"job median {statistics.median(dask_seconds):.2f} s on Dask, {statistics.median(job_seconds):.2f} s locally")
    bare_median, job_median = statistics.median(bare_seconds), statistics.median(job_seconds)
    print(f"per notebook: bare median {bare_median:.2f} s, grader job median {job_median:.2f} s "
          f"(sandbox, grading and feedback: {job_median / bare_median:.2f}x), grader wall per notebook "
          f"{parallel_wall / n:.2f} s ({parallel_wall / n / bare_median:.2f}x bare; target <= 1.3)")
    same = statistics.median(bare_seconds[:len(single_seconds)])  # paths are student-major: the same notebooks
    print(f"per notebook, one job at a time like the bare run ({len(single_seconds)} notebooks): grader job median "
          f"{statistics.median(single_seconds):.2f} s, bare median {same:.2f} s "
          f"({statistics.median(single_seconds) / same:.2f}x; target <= 1.2)")
    unguarded_median = statistics.median(unguarded_seconds)
    print(f"the guard: grader job median {job_median:.2f} s with it, {unguarded_median:.2f} s without "
          f"({100 * (job_median / unguarded_median - 1):+.1f} %; target < +5 %)")


if __name__ == "__main__":
    main()
