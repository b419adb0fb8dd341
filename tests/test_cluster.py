"""Grading on a real Dask cluster on loopback: a `dask scheduler` and two `dask worker` processes (one
thread each, as `make worker` starts them), talking TLS with a throwaway certificate.

Part of the corpus's class is graded on it with `python -m grader --scheduler`, one worker killed in the
middle of a job; the gradebook and the results must be the ones the local run of the same class gave
(tests/graded_class.py)."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from course import CHAPTER_IDS, ROOT
from graded_class import GRADED_CLASS, finish, grader
from nbgrader.api import Gradebook

from grader import COURSE_ID
from grader.cluster import loopback, stop

STUDENTS, CHAPTERS = ["reference", "one_wrong"], CHAPTER_IDS[:2]


def certificate(folder: Path) -> list[str]:
    """A self-signed certificate that is its own CA, for every party: Dask's TLS options."""
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=gradlab",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return ["--tls-ca-file", str(cert), "--tls-cert", str(cert), "--tls-key", str(key)]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """(the scheduler's address, the TLS options, the two `dask worker` processes)."""
    folder = tmp_path_factory.mktemp("cluster")
    tls = certificate(folder)
    address, processes = loopback(folder, tls)
    yield address, tls, processes[1:]
    stop(processes)


def busy_worker(nannies: list[subprocess.Popen]) -> psutil.Process | None:
    """A Dask worker process (the nanny's child) whose grading process has a kernel running."""
    for nanny in nannies:
        for worker in psutil.Process(nanny.pid).children():
            for job in worker.children():
                if "grader.job" in " ".join(job.cmdline()) and job.children():
                    return worker
    return None


def cells(gradebook: Path) -> dict[tuple, tuple]:
    """Every graded cell's scores and comment, by student, chapter, notebook and cell."""
    with Gradebook(f"sqlite:///{gradebook}", COURSE_ID) as gb:
        return {(s.student.id, a.name, nb.name, g.name): (g.auto_score, g.needs_manual_grade)
                for a in gb.assignments for s in a.submissions if s.student.id in STUDENTS and a.name in CHAPTERS
                for nb in s.notebooks for g in nb.grades}


def test_a_cluster_grades_like_the_local_grader_even_when_a_worker_dies(request, cluster, tmp_path):
    address, tls, nannies = cluster
    local = request.config.stash[GRADED_CLASS].result()
    only = [arg for s in STUDENTS for arg in ("--student", s)] + [arg for c in CHAPTERS for arg in ("--chapter", c)]
    run = grader("--submitted", str(local["submitted"]), "--output", str(tmp_path), "--scheduler", address, *tls, *only)
    killed = None
    while killed is None and run.poll() is None:
        killed = busy_worker(nannies)
        if killed:
            killed.send_signal(signal.SIGKILL)
        time.sleep(0.1)
    out = finish(run)
    assert killed is not None, "no worker was caught grading"
    assert "Graded 4 notebooks" in out and "with 2 workers" in out
    assert cells(tmp_path / "gradebook.db") == cells(local["output"] / "gradebook.db")
    mine = {(o["student"], o["chapter"]): o for o in json.loads((tmp_path / "report" / "results.json").read_text())}
    for key, outcome in mine.items():
        theirs = local["results"][key]
        assert {k: outcome[k] for k in ("score", "problems", "flags", "findings", "failures")} == \
               {k: theirs[k] for k in ("score", "problems", "flags", "findings", "failures")}, key
    assert sorted((tmp_path / "feedback").glob("*/*/*.html")) and len(mine) == 4


def test_the_cluster_refuses_a_client_without_its_certificate(cluster, tmp_path):
    address, _, _ = cluster
    (tmp_path / "submitted" / "x" / CHAPTER_IDS[0]).mkdir(parents=True)
    run = subprocess.run([sys.executable, "-m", "grader", "--submitted", str(tmp_path / "submitted"), "--output",
                          str(tmp_path / "out"), "--scheduler", address], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2 and f"cannot reach the Dask scheduler at {address}" in run.stderr


def test_a_worker_at_another_commit_refuses_the_job():
    from grader.cluster import grade_remote

    with pytest.raises(RuntimeError, match=f"this worker's chapters/{CHAPTER_IDS[0]} differs from the grader's"):
        grade_remote({"chapter": CHAPTER_IDS[0]}, b"", b"", "a release this worker does not have", sandbox=True)
