"""The benchmark scripts still run (one step each): they measure nothing here, they just must not rot."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# grading.py grades notebooks three ways (half a minute even for one): the grading path it times is
# what test_grading.py runs end to end, so it is left out here.
BENCHMARKS = sorted(p for p in (Path(__file__).resolve().parent.parent / "benchmarks").glob("*.py")
                    if p.name != "grading.py")


# Every code path of widgets.py with two explorers (sliders, drawing from scratch, a Train press): each explorer's
# own updates are tests/test_widgets*.py's, and all six cost half a minute of a busy make test.
ARGUMENTS = {"widgets.py": ["--widget", "tangent", "--widget", "training"]}


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda p: p.name)
def test_benchmark_runs(script):
    result = subprocess.run([sys.executable, str(script), "--steps", "1", *ARGUMENTS.get(script.name, [])],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "median" in result.stdout
