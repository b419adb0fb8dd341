"""Verdicts judged by an outcome of training are the same on every machine and for every right way of adding.

Chapter 05's `check_train` judges a student's training by what 1,000 chaotic epochs of mini-batch
descent reach. Here the loops it must pass and the ones it must fail (tests/margins.py's LOOPS) are
judged on the visible and the hidden draw under three of OpenBLAS's kernels (OPENBLAS_CORETYPE, each in
a subprocess, since the kernel is chosen when numpy loads) and, under this machine's kernel, with the
inputs nudged by one part in 10^12: every verdict must be the expected one, with a margin of at least
two points of training accuracy to the bar, so a shrinking margin shows before a verdict flips.

    python tests/test_verdict_stability.py [NUDGE]      one configuration's verdicts, as JSON
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from margins import LOOPS, student_train

KERNELS = ["Haswell", "SkylakeX", "Sandybridge"]
NUDGES = [1, 2]
DRAWS = {"visible": None, "hidden": 4504}   # the seeds of chapter 05's test cell
MARGIN = 0.02


def verdicts(nudge: int) -> dict:
    """{loop: {draw: [verdict, training accuracy]}} for this process's BLAS kernel; nudge > 0 multiplies
    the data by 1 + 1e-12·N(0, 1) (seeded by nudge) before the check sees it."""
    import numpy as np

    from gradlab.exercises import training as checks

    draw = checks.spiral_data
    if nudge:
        rng = np.random.default_rng(nudge)
        checks.spiral_data = lambda n, k, seed: (lambda X, y: (X * (1 + 1e-12 * rng.standard_normal(X.shape)), y))(
            *draw(n, k, seed))
    found = {}
    for name, settings in LOOPS.items():
        train, runs = student_train(*settings), []
        student = lambda X, y, seed: runs.append((X, y, train(X, y, seed))) or runs[-1][2]
        for label, seed in DRAWS.items():
            try:
                with np.errstate(all="ignore"):
                    checks.check_train(student, seed)
                verdict = "pass"
            except AssertionError:
                verdict = "fail"
            X, y, params = runs[-1]
            found.setdefault(name, {})[label] = [verdict, checks.accuracy_of(params, X, y)]
    return found


@pytest.fixture(scope="module")
def configurations() -> dict[str, dict]:
    """Every configuration's verdicts, computed in parallel subprocesses."""
    here = Path(__file__)
    runs = {f"OPENBLAS_CORETYPE={kernel}": ({**os.environ, "OPENBLAS_CORETYPE": kernel}, "0") for kernel in KERNELS}
    runs |= {f"nudge {n}": (dict(os.environ), str(n)) for n in NUDGES}
    processes = {label: subprocess.Popen([sys.executable, str(here), nudge], env=env, text=True,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=here.parent)
                 for label, (env, nudge) in runs.items()}
    found = {}
    for label, process in processes.items():
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
        found[label] = json.loads(out)
    return found


@pytest.mark.parametrize("name", LOOPS)
def test_a_loop_gets_the_same_verdict_everywhere(configurations, name):
    expected = LOOPS[name][-1]
    for label, found in configurations.items():
        got = {draw: verdict for draw, (verdict, _) in found[name].items()}
        assert got == dict.fromkeys(DRAWS, expected), f"{name} under {label}: {found[name]}"


@pytest.mark.parametrize("name", LOOPS)
def test_a_loop_stays_clear_of_the_bar(configurations, name):
    """Right loops pass, wrong ones fail, each by at least MARGIN of training accuracy, everywhere."""
    from gradlab.exercises.training import TRAIN_ACCURACY

    accuracies = [found[name][draw][1] for found in configurations.values() for draw in DRAWS]
    if LOOPS[name][-1] == "pass":
        assert min(accuracies) >= TRAIN_ACCURACY + MARGIN, f"{name}: {min(accuracies):.1%}"
    else:
        assert max(accuracies) <= TRAIN_ACCURACY - MARGIN, f"{name}: {max(accuracies):.1%}"


if __name__ == "__main__":
    print(json.dumps(verdicts(int(sys.argv[1]) if len(sys.argv) > 1 else 0)))
