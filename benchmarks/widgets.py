"""Time TangentExplorer's slider updates against the naive interact-style full re-plot.

Run: .venv/bin/python benchmarks/widgets.py [--steps N]   (N slider values per slider, default 100)
"""
from __future__ import annotations

import argparse
import time
from io import BytesIO

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from gradlab.numeric import forward_difference  # noqa: E402
from gradlab.plots import clipped_difference_errors, plot_error_vs_delta, plot_function, tangent_segment  # noqa: E402
from gradlab.widgets import TangentExplorer  # noqa: E402


def f(x: np.ndarray) -> np.ndarray:
    return 2 * x**2


def dfdx(x: np.ndarray) -> np.ndarray:
    return 4 * x


def naive_png(x0: float, delta: float) -> bytes:
    """What interact + the inline backend do per change: new pyplot figure, both panels from scratch, savefig."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4), dpi=80, layout="constrained")
    plot_function(left, f, np.linspace(0.0, 4.0, 200), label="f")
    left.plot(*tangent_segment(f, x0, float(forward_difference(f, x0, delta)), 4.0), label="secant")
    left.plot(*tangent_segment(f, x0, dfdx(x0), 4.0), "--", label="tangent")
    left.plot([x0, x0 + delta], f(np.array([x0, x0 + delta])), "o", color="k")
    left.set(xlim=(0.0, 4.0), ylim=(-3.2, 35.2), xlabel="x", title="f(x) = 2x²")
    left.legend(loc="upper left")
    plot_error_vs_delta(right, f, dfdx, x0, np.logspace(-16, 0, 161))
    right.plot([delta, delta], np.concatenate(clipped_difference_errors(f, dfdx, x0, [delta])), "o", color="k")
    right.set(xlim=(1e-16, 1.0), ylim=(1e-17, 1e2), xticks=np.logspace(-16, 0, 5), yticks=np.logspace(-16, 0, 5))
    right.set_title("error of the slope at x0")
    right.get_legend().set_loc("upper center")
    out = BytesIO()
    fig.savefig(out, format="png", bbox_inches="tight")
    plt.close(fig)
    return out.getvalue()


def timed(change, values) -> np.ndarray:
    """Milliseconds taken by change(v) for each v in values."""
    times = []
    for value in values:
        start = time.perf_counter()
        change(value)
        times.append(time.perf_counter() - start)
    return 1e3 * np.array(times)


def report(name: str, ms: np.ndarray) -> None:
    print(f"{name:>16}: median {np.median(ms):7.2f} ms   p95 {np.percentile(ms, 95):7.2f} ms   ({ms.size} updates)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100, help="values per slider (default 100)")
    steps = parser.parse_args().steps
    x0s, deltas = np.linspace(0.0, 4.0, steps), np.logspace(-16, 0, steps)
    explorer = TangentExplorer(f, dfdx)

    def set_x0(value: float) -> None:
        explorer.x0.value = value

    def set_delta(value: float) -> None:
        explorer.delta.value = value

    x0_ms = timed(set_x0, x0s)
    explorer.x0.value = 1.0  # the delta sweep runs at x0 = 1, as the naive one does
    explorer_ms = np.concatenate([x0_ms, timed(set_delta, deltas)])
    naive_ms = np.concatenate([
        timed(lambda x0: naive_png(x0, 0.5), x0s),
        timed(lambda delta: naive_png(1.0, delta), deltas),
    ])
    report("TangentExplorer", explorer_ms)
    report("naive re-plot", naive_ms)
    median_ratio = np.median(naive_ms) / np.median(explorer_ms)
    p95_ratio = np.percentile(naive_ms, 95) / np.percentile(explorer_ms, 95)
    print(f"{'naive / explorer':>16}: {median_ratio:.1f}x (medians)   {p95_ratio:.1f}x (p95)")


if __name__ == "__main__":
    main()
