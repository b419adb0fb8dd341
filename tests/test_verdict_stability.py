"""Verdicts judged by an outcome of training are the same on every machine and for every right way of adding.

Chapter 05's `check_train` judges a student's training loop by what 3,000 chaotic epochs reach. Here
the loops it must pass (the reference, other good learning rates) and the ones it must fail (no
momentum, a sign error) are judged on the visible and the hidden draw of the data under three of
OpenBLAS's kernels (OPENBLAS_CORETYPE, each in a subprocess, since the kernel is chosen when numpy
loads) and, under this machine's kernel, with the inputs nudged by one part in 10^12: every verdict
must be the expected one. Each run also reports its accuracy, so a shrinking margin shows before it
flips. (`check_learning_rate` judges a rate by measured ranges, without training: tests/margins.py
re-measures them.)

    python tests/test_verdict_stability.py [NUDGE]      one configuration's verdicts, as JSON
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

KERNELS = ["Haswell", "SkylakeX", "Sandybridge"]
NUDGES = [1, 2]
SEEDS = {"visible": (0,), "hidden": (3,)}
# name -> (learning rate, momentum, verdict on the visible draw, on the hidden draw)
LOOPS = {
    "the reference (0.5, momentum 0.9)": (0.5, 0.9, "pass", "pass"),
    "a smaller rate (0.4)": (0.4, 0.9, "pass", "pass"),
    "a larger rate (0.7)": (0.7, 0.9, "pass", "pass"),
    "no momentum": (0.5, 0.0, "fail", "fail"),
    "a sign error (rate -0.5)": (-0.5, 0.9, "fail", "fail"),
}


def loop(rate: float, momentum: float):
    """A student's train(X, y, epochs, seed) with this rate (decaying by 1e-3) and momentum."""
    from gradlab import training

    def train(X, y, epochs, seed):
        run = training.train(X, y, epochs, rate, momentum, 1e-3, hidden=64, seed=seed)
        return run.params, run.loss
    return train


def verdicts(nudge: int) -> dict:
    """{loop: {draw: [verdict, training accuracy]}} for this process's BLAS kernel; nudge > 0 multiplies
    the data by 1 + 1e-12·N(0, 1) (seeded by nudge) before the check sees it."""
    import numpy as np

    from gradlab import training
    from gradlab.exercises import training as checks

    draw = checks.spiral_data
    if nudge:
        rng = np.random.default_rng(nudge)
        checks.spiral_data = lambda n, k, seed: (lambda X, y: (X * (1 + 1e-12 * rng.standard_normal(X.shape)), y))(
            *draw(n, k, seed))
    found = {}
    for name, (rate, momentum, *_) in LOOPS.items():
        runs = []
        train = loop(rate, momentum)
        student = lambda X, y, epochs, seed: runs.append((X, y, train(X, y, epochs, seed))) or runs[-1][2]
        for label, seeds in SEEDS.items():
            try:
                with np.errstate(all="ignore"):
                    checks.check_train(student, seeds)
                verdict = "pass"
            except AssertionError:
                verdict = "fail"
            X, y, (params, _) = runs[-1]
            with np.errstate(all="ignore"):
                accuracy = training.final_accuracy(params, X, y)
            found.setdefault(name, {})[label] = [verdict, float(accuracy) if np.isfinite(accuracy) else 0.0]
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
    expected = {"visible": LOOPS[name][2], "hidden": LOOPS[name][3]}
    for label, found in configurations.items():
        got = {draw: verdict for draw, (verdict, _) in found[name].items()}
        assert got == expected, f"{name} under {label}: {found[name]}"


def test_right_loops_pass_with_room_to_spare(configurations):
    """The reference and the other good rates clear the 90 % bar by at least 3 points everywhere."""
    for name, (*_, visible, _hidden) in LOOPS.items():
        if visible == "pass":
            lowest = min(found[name][draw][1] for found in configurations.values() for draw in SEEDS)
            assert lowest >= 0.93, f"{name}: {lowest:.1%}"


if __name__ == "__main__":
    print(json.dumps(verdicts(int(sys.argv[1]) if len(sys.argv) > 1 else 0)))
