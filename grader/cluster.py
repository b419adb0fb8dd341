"""Grading on a Dask distributed cluster: python -m grader --scheduler ADDRESS.

The grader stays the one process that writes the gradebook. Each job travels to a Dask worker as
bytes (the student's files and the chapter's empty gradebook), is graded there exactly as locally
(grader/job.py in a worker process of its own, the kernel in the sandbox, so the Dask worker runs as
root), and comes back as bytes (the job's gradebook, graded notebook, feedback and result), which are
merged here as a local job's are. Dask runs a job again elsewhere when its worker dies (up to its
`distributed.scheduler.allowed-failures`, 3 by default); a job that still fails scores 0 and is
graded again by the next run.

A worker needs this repository at the same commit (the task checks the chapter's release), its
virtual environment, and root; the scheduler needs the repository too, since it unpickles each job
(`make scheduler`); `make worker SCHEDULER=tls://host:8786` starts one Dask worker per
core, one job at a time each. Dask's scheduler runs whatever its clients send, so keep it on a
private network or require TLS (README, "Grading on a cluster").
"""
from __future__ import annotations

import fcntl
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from pathlib import Path

from grader import REPO
from grader.job import Job
from grader.ledger import digest_files

SLOTS = Path(tempfile.gettempdir()) / "gradlab-slots"  # a lock per sandbox uid in use on this machine
FIRST_SLOT = 500  # cluster slots use uids FIRST_UID + 500 + k: never a local grader's
_local: dict = {}  # sandbox or not -> (this process's grade.Worker, the flock on its slot)
_one_at_a_time = threading.Lock()  # jobs, on a worker process given several threads
_creating = threading.Lock()       # the grading process, by a job or by warm()


def pack(folder: Path, paths: list[str] | None = None) -> bytes:
    """The files under folder (only those under paths, if given) as a zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            if paths is None or any(name == p or name.startswith(p + "/") for p in paths):
                archive.write(path, name)
    return buffer.getvalue()


def unpack(data: bytes, folder: Path) -> None:
    """What pack made (by this grader or its own worker: the names are checked all the same)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            target = (folder / info.filename).resolve()
            if not target.is_relative_to(folder.resolve()):
                raise ValueError(f"{info.filename}: a path outside the job's folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(info))


def release_digest(chapter: str) -> str:
    release = REPO / "chapters" / chapter
    return digest_files(list(release.glob("*.ipynb")), release)


def local_worker(sandbox: bool):
    """This Dask worker's grading process (grader.grade.Worker), on a sandbox uid no other process of
    this machine holds (an flock, held for the process's life)."""
    from grader.grade import Worker

    with _creating:
        if sandbox not in _local:
            SLOTS.mkdir(exist_ok=True)
            for slot in range(FIRST_SLOT, FIRST_SLOT + 1000):
                lock = open(SLOTS / f"{slot}.lock", "w")
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    lock.close()
                    continue
                worker = Worker(slot, sandbox, Path(tempfile.gettempdir()) / f"gradlab-worker-{slot}.log")
                worker.stop()  # kernels a killed worker on this uid left behind
                _local[sandbox] = (worker, lock)
                break
            else:
                raise RuntimeError(f"all {len(list(SLOTS.iterdir()))} sandbox slots in {SLOTS} are held")
        return _local[sandbox][0]


def warm(sandbox: bool) -> None:
    """Runs on each Dask worker (client.run, on its event loop's thread, which lives as long as the worker):
    start its grading process, which takes seconds to import nbgrader, before the first job arrives."""
    local_worker(sandbox).start()


def grade_remote(job: dict, files: bytes, template: bytes, release: str, sandbox: bool) -> dict:
    """Runs on a Dask worker: grade one job sent as bytes; its results as bytes."""
    if release_digest(job["chapter"]) != release:
        raise RuntimeError(f"this worker's chapters/{job['chapter']} differs from the grader's: check out the "
                           f"grader's commit in {REPO}")
    with _one_at_a_time, tempfile.TemporaryDirectory(prefix="gradlab-cluster-") as name:
        tmp = Path(name)
        unpack(files, tmp / "submitted")
        (tmp / "template.db").write_bytes(template)
        (tmp / "work").mkdir()
        worker = local_worker(sandbox)
        here = Job(**{**job, "folder": str(tmp / "submitted"), "release": str(REPO / "chapters" / job["chapter"]),
                      "template": str(tmp / "template.db"), "work": str(tmp / "work"), "uid": worker.uid})
        failed, blame = worker.grade(here)
        kept = ["result.json", "gradebook.db", "course/autograded", "course/feedback"]
        return {"failed": failed, "blame": blame, "files": b"" if failed else pack(tmp / "work", kept)}


class Cluster:
    """A Dask client and what the grader needs of it."""

    def __init__(self, address: str, security=None, timeout: float = 30):
        from distributed import Client

        self.client = Client(address, security=security, timeout=timeout)  # None: Dask's configuration's
        self.threads = max(sum(self.client.nthreads().values()), 1)

    def warm(self, sandbox: bool) -> None:
        self.client.run(warm, sandbox)

    def grade(self, job: Job, sandbox: bool) -> tuple[list[str], bool]:
        """Grade job on the cluster into job.work: (problems if it did not finish, whether to retry)."""
        from dataclasses import asdict

        from distributed import KilledWorker

        inputs = (pack(Path(job.folder)), Path(job.template).read_bytes(), release_digest(job.chapter))
        future = self.client.submit(grade_remote, {**asdict(job), "limits": job.limits}, *inputs, sandbox,
                                    pure=False, key=f"grade-{job.student}-{job.chapter}-{uuid.uuid4().hex[:8]}")
        try:
            answer = future.result()
        except KilledWorker as error:
            return [f"the cluster lost every worker that tried to grade it ({error}); it scores 0"], True
        except Exception as error:  # the task raised, or the scheduler went away
            return [f"the grading job failed on the cluster ({type(error).__name__}: {error}); it scores 0"], True
        if not answer["failed"]:  # a job that did not finish sends nothing back: it scores 0
            unpack(answer["files"], Path(job.work))
        return answer["failed"], answer["blame"]

    def close(self) -> None:
        self.client.close()


def loopback(folder: Path, options: list[str] = (), workers: int = 2) -> tuple[str, list[subprocess.Popen]]:
    """A scheduler and `workers` single-threaded Dask workers on 127.0.0.1, as `make worker` starts them
    (tests, benchmarks, trying --scheduler on one machine): (the scheduler's address, the processes,
    scheduler first; their logs are in folder). options go to every process (TLS)."""
    dask = str(Path(sys.executable).with_name("dask"))
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    def spawn(name: str, *args: str) -> subprocess.Popen:
        with open(folder / f"{name}.log", "w") as log:
            return subprocess.Popen([dask, *args, "--no-dashboard", *options], cwd=REPO, env=env, stdout=log,
                                    stderr=subprocess.STDOUT)

    file = str(folder / "scheduler.json")
    processes = [spawn("scheduler", "scheduler", "--host", "127.0.0.1", "--port", "0", "--scheduler-file", file)]
    processes += [spawn(f"worker-{k}", "worker", "--scheduler-file", file, "--nthreads", "1", "--name", f"w{k}")
                  for k in range(workers)]
    deadline = time.monotonic() + 60
    while sum("Starting established connection" in (folder / f"worker-{k}.log").read_text() for k in range(workers)) < workers:
        if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
            stop(processes)
            raise RuntimeError(f"the loopback cluster did not start; see the logs in {folder}")
        time.sleep(0.2)
    return json.loads(Path(file).read_text())["address"], processes


def stop(processes: list[subprocess.Popen]) -> None:
    """End a loopback cluster: workers first, then the scheduler."""
    for process in reversed(processes):
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
