"""Grading on a real Dask cluster on loopback: a `dask scheduler` and two `dask worker` processes (one
thread each, as `make worker` starts them), talking TLS with a throwaway certificate.

Part of the corpus's class is graded on it with `python -m grader --scheduler`, one worker killed in the
middle of a job; the gradebook and the results must be the ones the local run of the same class gave
(tests/graded_class.py, which starts the cluster at collection and grades on it once the class is graded)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from course import CHAPTER_IDS, ROOT
from graded_class import CLUSTER_CASES, GRADED_CLASS, REGRADES
from nbgrader.api import Gradebook

from grader import COURSE_ID


def cells(gradebook: Path) -> dict[tuple, tuple]:
    """Every graded cell's score, by student, chapter, notebook and cell, for the cases graded on the cluster."""
    with Gradebook(f"sqlite:///{gradebook}", COURSE_ID) as gb:
        return {(s.student.id, a.name, nb.name, g.name): (g.auto_score, g.needs_manual_grade)
                for a in gb.assignments for s in a.submissions if (s.student.id, a.name) in CLUSTER_CASES
                for nb in s.notebooks for g in nb.grades}


@pytest.fixture(scope="module")
def cluster(request) -> dict:
    """The cluster's run (tests/graded_class.py's on_cluster), started when the class was graded."""
    return request.config.stash[REGRADES]["cluster"].result()


def test_a_cluster_grades_like_the_local_grader_even_when_a_worker_dies(request, cluster):
    local = request.config.stash[GRADED_CLASS].result()
    assert cluster["killed"], "no worker was caught grading"
    assert f"Graded {len(CLUSTER_CASES)} notebooks" in cluster["summary"] and "with 2 workers" in cluster["summary"]
    output = cluster["output"]
    assert cells(output / "gradebook.db") == cells(local["output"] / "gradebook.db")
    mine = {(o["student"], o["chapter"]): o for o in json.loads((output / "report" / "results.json").read_text())}
    assert sorted(mine) == sorted(CLUSTER_CASES) and len(list((output / "feedback").glob("*/*/*.html"))) == len(mine)
    fields = ("score", "problems", "flags", "findings", "failures")
    for key, outcome in mine.items():
        assert {k: outcome[k] for k in fields} == {k: local["results"][key][k] for k in fields}, key


def test_the_cluster_refuses_a_client_without_its_certificate(cluster, tmp_path):
    (tmp_path / "submitted" / "x" / CHAPTER_IDS[0]).mkdir(parents=True)
    run = subprocess.run([sys.executable, "-m", "grader", "--submitted", str(tmp_path / "submitted"), "--output",
                          str(tmp_path / "out"), "--scheduler", cluster["address"]], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 2 and f"cannot reach the Dask scheduler at {cluster['address']}" in run.stderr


def test_a_worker_at_another_commit_refuses_the_job():
    from grader.cluster import grade_remote

    with pytest.raises(RuntimeError, match=f"this worker's chapters/{CHAPTER_IDS[0]} differs from the grader's"):
        grade_remote({"chapter": CHAPTER_IDS[0]}, b"", b"", "a release this worker does not have", sandbox=True)
