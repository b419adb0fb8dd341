"""The corpus's class (tests/corpus.py) graded by the real command, `python -m grader`.

conftest.py starts it as soon as pytest knows a test needs it, so its two grading workers run while
the other tests (which use one core) run; tests/test_grading.py waits for the result."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import corpus
import pytest
from course import CHAPTER_IDS, ROOT, SOLUTIONS, notebook_path

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
