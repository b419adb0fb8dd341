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


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda p: p.name)
def test_benchmark_runs(script):
    result = subprocess.run([sys.executable, str(script), "--steps", "1"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "median" in result.stdout
