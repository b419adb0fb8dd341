"""The corpus's class (tests/corpus.py) graded by the real command, `python -m grader`, and the runs that
grade part of it again.

conftest.py starts the class as soon as pytest knows a test needs it, so its two grading workers run while
the other tests (which use one core) run; tests/test_grading.py waits for the result. The runs that grade it
again (`Regrade`: after a kill, on a Dask cluster) start the moment the class is graded, side by side,
while the last other tests run."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import corpus
import psutil
import pytest
from course import CHAPTER_IDS, ROOT, SOLUTIONS, notebook_path

from grader.cluster import loopback, stop

LIMITS = ["--cell-timeout", "10", "--notebook-timeout", "120"]


def grader(*args: str, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "grader", *LIMITS, *args], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)


def finish(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=900)
    assert process.returncode == 0, f"python -m grader failed:\n{out}\n{err}"
    return out


class GradedClass:
    """Writes the class's submissions and starts grading them; `result()` waits for the outcome."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="gradlab-class-"))
        self.submitted, self.output = self.root / "submitted", self.root / "output"
        self.server = socket.create_server(("127.0.0.1", 0))  # a loopback server the kernels must not reach
        solution = notebook_path(SOLUTIONS, CHAPTER_IDS[0])
        secrets = [solution, self.output / "gradebook.db",
                   self.submitted / "reference" / CHAPTER_IDS[0] / solution.name, ROOT / ".git" / "HEAD"]
        corpus.write_all(corpus.class_cases() + corpus.adversarial_cases(secrets, self.server.getsockname()[1]),
                         self.submitted)
        self.process = grader("--submitted", str(self.submitted), "--output", str(self.output))
        self.done: dict | None = None

    def result(self) -> dict:
        if self.done is None:
            summary = finish(self.process)
            results = json.loads((self.output / "report" / "results.json").read_text())
            self.done = {"submitted": self.submitted, "output": self.output, "summary": summary,
                         "results": {(o["student"], o["chapter"]): o for o in results}}
        return self.done

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.server.close()
        shutil.rmtree(self.root, ignore_errors=True)


GRADED_CLASS = pytest.StashKey[GradedClass]()


class Regrade(threading.Thread):
    """A run that grades part of the class again, in a thread: setup() at once (say, starting a cluster),
    then run(class, what setup returned) once the class's grader has exited. result() waits for it and
    raises what it raised."""

    def __init__(self, graded: GradedClass, run: Callable[[GradedClass, Any], dict],
                 setup: Callable[[Path], Any] | None = None, teardown: Callable[[Any], None] | None = None):
        super().__init__(daemon=True)
        self.graded, self.steps, self.teardown = graded, (setup, run), teardown
        self.prepared = self.value = self.error = None
        self.start()

    def run(self) -> None:
        setup, run = self.steps
        try:
            self.prepared = setup(self.graded.root) if setup else None
            self.graded.process.wait()
            self.value = run(self.graded, self.prepared)
        except BaseException as error:  # re-raised in the test that reads it
            self.error = error

    def result(self) -> dict:
        self.join(timeout=900)
        if self.error is not None:
            raise self.error
        return self.value

    def close(self) -> None:
        self.join(timeout=900)
        if self.teardown and self.prepared is not None:
            self.teardown(self.prepared)


def killed_and_resumed(graded: GradedClass, _=None) -> dict:
    """Two students' first chapter graded again with --force in a copy of the class's output, that run
    killed after its first notebook, then the same command without --force."""
    output = graded.root / "resumed"
    shutil.copytree(graded.output, output)
    only = ["--chapter", CHAPTER_IDS[0], "--student", "reference", "--student", "one_wrong", "--workers", "1"]
    process = grader("--submitted", str(graded.submitted), "--output", str(output), "--force", *only,
                     start_new_session=True)
    for line in process.stderr:  # the progress bar: kill the run after its first notebook
        if line.startswith("["):
            break
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return {"output": output, "summary": finish(grader("--submitted", str(graded.submitted), "--output", str(output), *only))}


def certificate(folder: Path) -> list[str]:
    """A self-signed certificate that is its own CA, for every party: Dask's TLS options."""
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=gradlab",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return ["--tls-ca-file", str(cert), "--tls-cert", str(cert), "--tls-key", str(key)]


def start_cluster(root: Path) -> dict:
    """A loopback Dask cluster, scheduler and two single-threaded workers, talking TLS."""
    folder = root / "cluster"
    folder.mkdir()
    tls = certificate(folder)
    address, processes = loopback(folder, tls)
    return {"address": address, "tls": tls, "processes": processes}


def busy_worker(nannies: list[subprocess.Popen]) -> psutil.Process | None:
    """A Dask worker process (the nanny's child) whose grading process has a kernel running."""
    for nanny in nannies:
        for worker in psutil.Process(nanny.pid).children():
            for job in worker.children():
                if "grader.job" in " ".join(job.cmdline()) and job.children():
                    return worker
    return None


def on_cluster(graded: GradedClass, cluster: dict) -> dict:
    """CLUSTER_CASES graded on the cluster, the first worker caught grading killed."""
    output = graded.root / "on-cluster"
    only = [arg for s, c in CLUSTER_CASES for arg in ("--student", s, "--chapter", c)]
    run = grader("--submitted", str(graded.submitted), "--output", str(output), "--scheduler", cluster["address"],
                 *cluster["tls"], *only)
    killed = None
    while killed is None and run.poll() is None:
        killed = busy_worker(cluster["processes"][1:])
        if killed:
            killed.send_signal(signal.SIGKILL)
        time.sleep(0.1)
    return {**cluster, "output": output, "summary": finish(run), "killed": killed is not None}


def stop_cluster(cluster: dict) -> None:
    stop(cluster["processes"])


CLUSTER_CASES = [(student, chapter) for student in ("reference", "one_wrong") for chapter in CHAPTER_IDS[:2]]
REGRADES = pytest.StashKey[dict]()  # name -> Regrade, started by conftest.py for the tests that read them
