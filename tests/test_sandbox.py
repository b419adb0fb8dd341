"""The sandbox a student's kernel runs in, probed directly with a small script (no Jupyter).

The probe prints one line per attempt; each attempt must be refused the way the README says.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from course import GRADER, ROOT, SOLUTIONS

from grader import Limits, sandbox
from grader.job import Job, sandbox_spec

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox needs root (see README, Grading)")
UID = 61999

PROBE = """
import json, os, socket, sys
secrets, port, host_dir = json.loads(sys.argv[1])
seen = {"uid": os.getuid(), "cwd_files": sorted(os.listdir("."))}
seen["secrets"] = [p for p in secrets if os.path.exists(p)]
try:
    socket.create_connection(("127.0.0.1", port), timeout=2)
    seen["network"] = "connected"
except OSError as error:
    seen["network"] = type(error).__name__
try:
    bytearray(3 * 2**30)
    seen["memory"] = "allocated"
except MemoryError:
    seen["memory"] = "MemoryError"
try:
    with open("big.bin", "wb") as handle:
        handle.write(b"x" * 80 * 2**20)
    seen["file"] = "written"
except OSError as error:
    seen["file"] = type(error).__name__
children = 0
try:
    for _ in range(200):
        if os.fork() == 0:
            import time; time.sleep(1); os._exit(0)
        children += 1
except OSError as error:
    seen["fork"] = type(error).__name__
seen["children"] = children
with open("note.txt", "w") as handle:
    handle.write("left by the student")
seen["pids_visible"] = len([p for p in os.listdir("/proc") if p.isdigit()])
print(json.dumps(seen))
"""


@pytest.fixture(scope="module")
def probe(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("sandbox")
    (work / "root").mkdir()
    cwd = work / "cwd"
    cwd.mkdir()
    (cwd / "submission.txt").write_text("mine")
    (cwd / "probe.py").write_text(PROBE)
    job = Job("s", "c", "", "", "", str(work), UID, Limits(memory_mb=2048, processes=32, file_mb=64))
    spec = work / "sandbox.json"
    (work / "ipc").mkdir()
    spec.write_text(json.dumps(sandbox_spec(job, work / "ipc")))
    own = work / "owned"
    own.touch()
    secrets = [str(p) for p in (SOLUTIONS, GRADER / "nbgrader_config.py", ROOT / ".git", work / "sandbox.json")]
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        argv = sandbox.command(spec, [sys.executable, "probe.py", json.dumps([secrets, port, str(cwd)])], str(own))
        result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return {**json.loads(result.stdout.strip().splitlines()[-1]), "cwd": cwd, "own": own}


def test_runs_as_the_workers_unprivileged_uid(probe):
    assert probe["uid"] == UID
    assert probe["own"].stat().st_uid == UID  # the connection file it must read


def test_sees_its_own_files_and_nothing_of_the_course(probe):
    assert probe["cwd_files"] == ["probe.py", "submission.txt"]
    assert probe["secrets"] == []


def test_has_no_network(probe):
    assert probe["network"] == "OSError"


def test_memory_file_size_and_processes_are_limited(probe):
    assert probe["memory"] == "MemoryError"
    assert probe["file"] == "OSError"
    assert probe["fork"] == "BlockingIOError" and probe["children"] < 32


def test_sees_only_its_own_processes(probe):
    assert probe["pids_visible"] < 40


def test_writes_stay_inside_the_sandbox(probe):
    assert not (Path(probe["cwd"]) / "note.txt").exists()
    assert not (Path(probe["cwd"]) / "big.bin").exists()
