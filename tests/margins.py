"""The measurements behind chapter 05's training bars (gradlab.exercises.training.check_train).

    python tests/margins.py                       every loop on eleven draws (about a minute on 2 cores)
    python tests/margins.py --seeds 4504 --nudges 2

For each training loop of LOOPS and each draw of the data (None: the chapter's spiral; a number: that
draw turned and relabelled, as the hidden test does) it trains under two of OpenBLAS's kernels (each in
a subprocess) and, for each, with the inputs as drawn and nudged by one part in 10^12; it prints the
lowest and highest training and held-out accuracy of those runs. Not a test: `make test` checks the
verdicts (tests/test_verdict_stability.py), which use the same LOOPS.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

# name -> (batch size, learning rate, decay, momentum, λ, params carried over, verdict)
LOOPS = {
    "the reference (batches of 40, rate 0.2)": (40, 0.2, 2e-3, 0.9, 1e-5, True, "pass"),
    "other settings (batches of 60, rate 0.3, no penalty)": (60, 0.3, 3e-3, 0.9, 0.0, True, "pass"),
    "no momentum": (40, 0.2, 2e-3, 0.0, 1e-5, True, "fail"),
    "a sign error (rate -0.2)": (40, -0.2, 2e-3, 0.9, 1e-5, True, "fail"),
    "params not carried over": (40, 0.2, 2e-3, 0.9, 1e-5, False, "fail"),
}
SEEDS = [None, *range(4501, 4511)]
KERNELS = ["Haswell", "SkylakeX"]


def student_train(batch_size: int, rate: float, decay: float, momentum: float, lam: float, carried: bool, *_):
    """A student's train(X, y, seed) for 1,000 epochs with these settings, on the reference gradients."""
    import numpy as np

    from gradlab import training
    from gradlab.exercises import training as checks

    def train(X, y, seed):
        start = training.init_params(X.shape[1], 64, 3, seed)
        params, velocity, rng = start, training.zeros_like(start), np.random.default_rng(seed)
        for epoch in range(1000):
            moved, velocity, _ = checks.minibatch_epoch(params if carried else start, velocity, X, y,
                                                        rng.permutation(len(X)), batch_size,
                                                        rate / (1 + decay * epoch), momentum, checks.penalised_by(lam))
            params = moved
        return params
    return train


def accuracies(seeds: list, nudge: int) -> dict[str, dict[str, list[float]]]:
    """{loop: {seed: [training, held-out accuracy]}} under this process's BLAS kernel; nudge > 0 multiplies
    the training inputs by 1 + 1e-12·N(0, 1) (seeded by nudge)."""
    import numpy as np

    from gradlab.exercises import training as checks

    found: dict = {}
    for seed in seeds:
        X, y, X_held, y_held = checks.train_data(seed)
        nudged = X * (1 + 1e-12 * np.random.default_rng(nudge).standard_normal(X.shape)) if nudge else X
        for name, settings in LOOPS.items():
            with np.errstate(all="ignore"):
                params = student_train(*settings)(nudged, y, 0 if seed is None else seed)
            found.setdefault(name, {})[str(seed)] = [checks.accuracy_of(params, X, y),
                                                     checks.accuracy_of(params, X_held, y_held)]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=None, help="hidden draws (default: 4501-4510)")
    parser.add_argument("--nudges", type=int, default=1, help="nudged runs per draw and kernel, besides the plain one")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # a subprocess's share
    args = parser.parse_args()
    seeds = SEEDS if args.seeds is None else [None, *args.seeds]
    if args.one:
        print(json.dumps({n: accuracies(seeds, n) for n in range(args.nudges + 1)}))
        return
    command = [sys.executable, __file__, "--one", "--nudges", str(args.nudges), "--seeds", *map(str, seeds[1:])]
    processes = [subprocess.Popen(command, env={**os.environ, "OPENBLAS_CORETYPE": kernel}, text=True,
                                  stdout=subprocess.PIPE) for kernel in KERNELS]
    runs: dict = {}
    for process in processes:
        for by_loop in json.loads(process.communicate()[0]).values():
            for name, by_seed in by_loop.items():
                for seed, pair in by_seed.items():
                    runs.setdefault(name, {}).setdefault(seed, []).append(pair)
    print(f"training / held-out accuracy (%), lowest-highest over {len(KERNELS)} kernels x {args.nudges + 1} runs")
    for name, by_seed in runs.items():
        fit = [pair[0] for pairs in by_seed.values() for pair in pairs]
        held = [pair[1] for pairs in by_seed.values() for pair in pairs]
        print(f"{name:55s} training {100 * min(fit):5.1f}-{100 * max(fit):5.1f}   "
              f"held-out {100 * min(held):5.1f}-{100 * max(held):5.1f}")


if __name__ == "__main__":
    main()
