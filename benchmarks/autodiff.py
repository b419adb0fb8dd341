"""Time chapter 06's engines: the array engine against chapter 05's hand-written numpy, the scalar engine's walk.

1. One epoch's forward and backward pass of the spiral network (2-64-3, 300 points): gradlab.autodiff's
   array engine (build the graph, backward) against training.forward_backward, the fused numpy pass of
   chapters 04-05, on the same parameters; medians over repeats and their ratio (target: at most 1.5x).
2. The scalar engine's backward over a graph of 10^5 Values (a long sum of products): nodes per second,
   and how many numbers per second the array engine's epoch handles, for the lesson on vectorising.

Run: .venv/bin/python benchmarks/autodiff.py [--steps N]   (N repeats, default 200)
"""
from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from gradlab import autodiff, training
from gradlab.autodiff import Value, backward
from gradlab.datasets import spiral_data

TARGET_RATIO = 1.5


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    """The median wall time of run() over repeats calls (after one warm-up call)."""
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def scalar_graph(nodes: int) -> Value:
    """A sum of products of leaves, about `nodes` Values in all (four per term)."""
    rng = np.random.default_rng(0)
    total = Value(0.0)
    for _ in range(nodes // 4):
        total = total + Value(rng.standard_normal()) * Value(rng.standard_normal())
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200, help="repeats per measurement (default 200)")
    args = parser.parse_args()
    X, y = spiral_data(100, 3)
    params = training.init_params(2, 64, 3, seed=0)

    engine = median_seconds(lambda: autodiff.gradients(params, X, y), args.steps)
    by_hand = median_seconds(lambda: training.forward_backward(params, X, y), args.steps)
    ratio = engine / by_hand
    print(f"one epoch, forward + backward: array engine median {1e3 * engine:.3f} ms, hand-written numpy "
          f"median {1e3 * by_hand:.3f} ms, ratio {ratio:.2f}x "
          f"({'meets' if ratio <= TARGET_RATIO else 'MISSES'} the target of at most {TARGET_RATIO:g}x)")

    root = scalar_graph(100_000)
    nodes = len(autodiff.topological_order(root))
    walk = median_seconds(lambda: backward(root), max(1, args.steps // 40))
    leaves = autodiff.tensors(params)
    loss = autodiff.network_loss(leaves, X, y)
    numbers = sum(node.data.size for node in autodiff.topological_order(loss))
    print(f"scalar engine: backward over {nodes:,} Values median {1e3 * walk:.0f} ms, {nodes / walk:,.0f} nodes per second")
    print(f"array engine: one epoch's graph holds {numbers:,} numbers in "
          f"{len(autodiff.topological_order(loss))} nodes: {numbers / engine:,.0f} numbers per second, "
          f"{numbers / engine / (nodes / walk):,.0f}x the scalar engine's nodes per second")


if __name__ == "__main__":
    main()
