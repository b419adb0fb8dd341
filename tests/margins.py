"""The measurements behind chapter 05's learning-rate ranges (gradlab.exercises.training).

    python tests/margins.py                       the full grid (several minutes on 2 cores)
    python tests/margins.py --rates 0.5 1.0 --seeds 0 8 --nudges 2

For each learning rate and draw of the spiral data it trains the chapter's network (3000 epochs,
momentum 0.9, decay 1e-3, 64 hidden) under two of OpenBLAS's kernels (each in a subprocess) and,
for each, with the inputs as drawn and nudged by one part in 10^12; it prints the lowest and highest
final training accuracy of those runs, and the lowest over all draws. Not a test: `make test` checks
the verdicts that depend on training (tests/test_verdict_stability.py).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

RATES = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3]
KERNELS = ["Haswell", "SkylakeX"]


def accuracies(rates: list[float], seeds: list[int], nudges: int) -> dict[str, float]:
    """'rate/seed/nudge' -> final training accuracy, under this process's BLAS kernel."""
    import numpy as np

    from gradlab import training
    from gradlab.datasets import spiral_data

    found = {}
    for seed in seeds:
        X, y = spiral_data(100, 3, seed)
        for nudge in range(nudges + 1):
            noise = np.random.default_rng(7000 + 100 * seed + nudge).standard_normal(X.shape)
            nudged = X if nudge == 0 else X * (1 + 1e-12 * noise)
            for rate in rates:
                with np.errstate(all="ignore"):
                    run = training.train(nudged, y, 3000, rate, 0.9, seed=seed)
                    found[f"{rate}/{seed}/{nudge}"] = float(training.final_accuracy(run.params, X, y))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", type=float, nargs="+", default=RATES)
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--nudges", type=int, default=2, help="nudged runs per draw and kernel, besides the plain one")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # a subprocess's share
    args = parser.parse_args()
    if args.one:
        print(json.dumps(accuracies(args.rates, args.seeds, args.nudges)))
        return
    command = [sys.executable, __file__, "--one", "--rates", *map(str, args.rates), "--seeds", *map(str, args.seeds),
               "--nudges", str(args.nudges)]
    processes = [subprocess.Popen(command, env={**os.environ, "OPENBLAS_CORETYPE": kernel}, text=True,
                                  stdout=subprocess.PIPE) for kernel in KERNELS]
    runs: dict[tuple[float, int], list[float]] = {}
    for process in processes:
        for key, accuracy in json.loads(process.communicate()[0]).items():
            rate, seed, _ = key.split("/")
            runs.setdefault((float(rate), int(seed)), []).append(accuracy)
    print(f"final training accuracy, lowest-highest over {len(KERNELS)} kernels x {args.nudges + 1} runs (%)")
    print("rate  " + "".join(f"  seed {seed:<5d}" for seed in args.seeds) + "  lowest")
    for rate in args.rates:
        cells = [runs[(rate, seed)] for seed in args.seeds]
        print(f"{rate:4g}  " + "".join(f"  {100 * min(c):4.1f}-{100 * max(c):4.1f}" for c in cells)
              + f"  {100 * min(map(min, cells)):5.1f}")


if __name__ == "__main__":
    main()
