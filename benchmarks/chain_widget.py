"""Time ChainExplorer's slider updates against the naive interact-style full re-plot of the same picture.

Run: .venv/bin/python benchmarks/chain_widget.py [--steps N]   (N slider values, default 100)
"""
from __future__ import annotations

import argparse
from io import BytesIO

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402
from widgets import report, timed  # noqa: E402  (benchmarks/widgets.py, next to this script)

from gradlab.chain import chain_deriv, chain_forward, compose, local_derivatives  # noqa: E402
from gradlab.functions import DERIVATIVES, leaky_relu, sigmoid, square  # noqa: E402
from gradlab.numeric import central_difference  # noqa: E402
from gradlab.plots import tangent_segment  # noqa: E402
from gradlab.widgets.chain import ChainExplorer  # noqa: E402

CHAIN = [leaky_relu, sigmoid, square]
DERIVS = [DERIVATIVES[f] for f in CHAIN]


def naive_png(x: float) -> bytes:
    """What interact + the inline backend do per change: a new figure with boxes, texts and four panels, then savefig."""
    fig = plt.figure(figsize=(9, 4.5), dpi=80, layout="constrained")
    grid = fig.add_gridspec(2, 4, height_ratios=[1.0, 1.1])
    diagram = fig.add_subplot(grid[0, :])
    diagram.set(xlim=(0, 12), ylim=(0, 3))
    diagram.set_axis_off()
    values = chain_forward(CHAIN, x)
    slopes = local_derivatives(DERIVS, values[:-1])
    for k, centre in enumerate((3.0, 6.0, 9.0)):
        diagram.add_patch(FancyBboxPatch((centre - 1.1, 0.95), 2.2, 1.75, boxstyle="round,pad=0.05"))
        diagram.text(centre, 2.45, CHAIN[k].__name__, ha="center", fontweight="bold")
        diagram.text(centre, 1.6, f"in {values[k]:.4f}\nout {values[k + 1]:.4f}\nlocal {slopes[k]:.4f}",
                     ha="center", va="center", family="monospace", fontsize=9)
    product = float(np.prod(slopes))
    numerical = float(central_difference(compose(CHAIN), x, 1e-5))
    diagram.text(6.0, 0.35, f"product {product:.6f}   central difference {numerical:.6f}   "
                 f"difference {product - numerical:.1e}", ha="center", family="monospace", fontsize=9)
    inputs = chain_forward(CHAIN, np.linspace(-3, 3, 301))
    for k, f in enumerate(CHAIN):
        ax = fig.add_subplot(grid[1, k])
        grid_k = np.linspace(inputs[k].min(), inputs[k].max(), 200)
        ax.plot(grid_k, f(grid_k))
        ax.plot(*tangent_segment(f, float(values[k]), float(slopes[k]), 0.5))
        ax.plot([values[k]], [values[k + 1]], "o", color="k")
    whole = fig.add_subplot(grid[1, 3])
    xs = np.linspace(-3, 3, 301)
    whole.plot(xs, compose(CHAIN)(xs), label="chain")
    whole.plot(xs, chain_deriv(CHAIN, DERIVS, xs), label="derivative")
    whole.axvline(x, linestyle=":")
    whole.legend()
    out = BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100, help="slider values (default 100)")
    xs = np.round(np.linspace(-3.0, 3.0, parser.parse_args().steps), 2)
    explorer = ChainExplorer(CHAIN)

    def set_x(value: float) -> None:
        explorer.x.value = float(value)

    explorer_ms = timed(set_x, xs)
    naive_ms = timed(naive_png, xs)
    report("ChainExplorer", explorer_ms)
    report("naive re-plot", naive_ms)
    print(f"{'naive / explorer':>16}: {np.median(naive_ms) / np.median(explorer_ms):.1f}x (medians)")


if __name__ == "__main__":
    main()
