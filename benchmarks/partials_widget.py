"""Time PartialsExplorer's slider updates against the naive interact-style full re-plot.

Run: .venv/bin/python benchmarks/partials_widget.py [--steps N]   (N slider values per slider, default 100)
"""
from __future__ import annotations

import argparse
from io import BytesIO

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from widgets import report, timed  # noqa: E402  (benchmarks/widgets.py, next to this script)

from gradlab.plots import tangent_segment  # noqa: E402
from gradlab.widgets.partials import PartialsExplorer  # noqa: E402

AXIS = np.linspace(-2.0, 2.0, 201)


def f(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return x**2 + x * y + 2 * y**2


def dfdx(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return 2 * x + y


def dfdy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return x + 4 * y


def naive_png(x0: float, y0: float, arrow_scale: float) -> bytes:
    """What interact + the inline backend do per change: a new figure, every panel from scratch, savefig."""
    X, Y = np.meshgrid(AXIS, AXIS)
    Z = f(X, Y)
    fig = plt.figure(figsize=(9, 4.2), dpi=80, layout="constrained")
    grid = fig.add_gridspec(2, 2, width_ratios=(1.15, 1))
    contour = fig.add_subplot(grid[:, 0])
    along_x, along_y = fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, 1])
    filled = contour.contourf(X, Y, Z, levels=14, cmap="viridis", alpha=0.85)
    fig.colorbar(filled, ax=contour, shrink=0.8, label="f")
    contour.contour(X, Y, Z, levels=[f(x0, y0)], colors="w")
    contour.axhline(y0, ls="--", color="C1")
    contour.axvline(x0, ls="--", color="C6")
    contour.annotate("", xy=(x0 + arrow_scale * dfdx(x0, y0), y0 + arrow_scale * dfdy(x0, y0)), xytext=(x0, y0),
                     arrowprops={"arrowstyle": "->", "color": "tab:red", "lw": 2.5})
    contour.plot([x0], [y0], "o", color="k", markerfacecolor="w")
    contour.set(xlabel="x", ylabel="y", aspect="equal", title="f(x, y) = x² + xy + 2y²")
    for ax, at, slope, cut, colour in ((along_x, x0, dfdx(x0, y0), lambda t: f(t, y0), "C1"),
                                       (along_y, y0, dfdy(x0, y0), lambda t: f(x0, t), "C6")):
        ax.plot(AXIS, cut(AXIS), color=colour)
        ax.plot(*tangent_segment(cut, at, slope, 0.8), "--", color="k")
        ax.plot([at], [f(x0, y0)], "o", color="k")
        ax.set(xlim=(-2, 2), ylim=(-1.3, 17.3))
    out = BytesIO()
    fig.savefig(out, format="png", bbox_inches="tight")
    plt.close(fig)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100, help="values per slider (default 100)")
    steps = parser.parse_args().steps
    values = np.round(np.linspace(-2.0, 2.0, steps), 2)
    explorer = PartialsExplorer(f, dfdx, dfdy)

    def set_x0(value: float) -> None:
        explorer.x0.value = float(value)

    def set_y0(value: float) -> None:
        explorer.y0.value = float(value)

    x0_ms = timed(set_x0, values)
    explorer.x0.value = 1.0  # the y0 sweep runs at x0 = 1, as the naive one does
    explorer_ms = np.concatenate([x0_ms, timed(set_y0, values)])
    naive_ms = np.concatenate([
        timed(lambda x0: naive_png(x0, 0.5, explorer.arrow_scale), values),
        timed(lambda y0: naive_png(1.0, y0, explorer.arrow_scale), values),
    ])
    report("PartialsExplorer", explorer_ms)
    report("naive re-plot", naive_ms)
    median_ratio = np.median(naive_ms) / np.median(explorer_ms)
    p95_ratio = np.percentile(naive_ms, 95) / np.percentile(explorer_ms, 95)
    print(f"{'naive / explorer':>18}: {median_ratio:.1f}x (medians)   {p95_ratio:.1f}x (p95)")


if __name__ == "__main__":
    main()
