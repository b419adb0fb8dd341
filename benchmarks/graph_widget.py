"""Time GraphExplorer's updates (slider moves and backward steps) against the naive interact-style full re-plot.

Run: .venv/bin/python benchmarks/graph_widget.py [--steps N]   (N updates of each kind, default 100)
"""
from __future__ import annotations

import argparse
from io import BytesIO

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Circle, FancyBboxPatch  # noqa: E402
from widgets import report, timed  # noqa: E402  (benchmarks/widgets.py, next to this script)

from gradlab.backprop import neuron_pass  # noqa: E402
from gradlab.widgets.graph import BIAS, LEAVES, MULTIPLY, RADIUS, RELU, SUM, GraphExplorer  # noqa: E402

X, W, B = [1.0, -2.0, 3.0], [-3.0, -1.0, 2.0], 1.0


def naive_png(x0: float, step: int) -> bytes:
    """What interact + the inline backend do per change: a new figure with the whole graph and every number, then savefig."""
    p = neuron_pass([x0, *X[1:]], W, B, 1.0)
    fig, ax = plt.subplots(figsize=(9, 5.2), dpi=80, layout="constrained")
    ax.set(xlim=(0, 10.2), ylim=(-0.1, 6.5), aspect="equal")
    ax.set_axis_off()
    for k, (mx, my) in enumerate(MULTIPLY):
        for name in (f"x{k}", f"w{k}"):
            ax.plot([LEAVES[name][0] + 0.35, mx - RADIUS], [LEAVES[name][1], my], color="0.35")
        ax.plot([mx + RADIUS, SUM[0] - RADIUS], [my, SUM[1]], color="0.35")
        ax.add_patch(Circle((mx, my), RADIUS, facecolor="#eef3fb", edgecolor="C0"))
        ax.text(mx, my, "×", ha="center", va="center")
        ax.text(mx + 0.6, my + 0.3, f"{p.products[k]:.2f}", color="tab:blue")
        ax.text(mx + 0.6, my - 0.1, f"{p.dproducts[k]:.2f}" if step >= 3 else "", color="tab:red")
    values = dict(zip(["x0", "w0", "x1", "w1", "x2", "w2"], [x0, W[0], X[1], W[1], X[2], W[2]]))
    grads = dict(zip(["x0", "w0", "x1", "w1", "x2", "w2"], [p.dx[0], p.dw[0], p.dx[1], p.dw[1], p.dx[2], p.dw[2]]))
    for k, (name, (lx, ly)) in enumerate(LEAVES.items()):
        ax.add_patch(FancyBboxPatch((lx - 0.3, ly - 0.22), 0.6, 0.44, boxstyle="round,pad=0.08"))
        ax.text(lx, ly, name, ha="center", va="center")
        ax.text(lx - 0.4, ly + 0.03, f"{values[name]:.2f}", ha="right", va="bottom", color="tab:blue")
        ax.text(lx - 0.4, ly - 0.03, f"{grads[name]:.2f}" if step >= 4 + k // 2 else "", ha="right", va="top",
                color="tab:red")
    ax.add_patch(Circle(SUM, RADIUS, facecolor="#eef3fb", edgecolor="C0"))
    ax.add_patch(FancyBboxPatch((RELU[0] - 0.5, RELU[1] - 0.28), 1.0, 0.56, boxstyle="round,pad=0.08"))
    ax.add_patch(FancyBboxPatch((BIAS[0] - 0.3, BIAS[1] - 0.22), 0.6, 0.44, boxstyle="round,pad=0.08"))
    for (x, y), value, grad, shown in [(SUM, p.z, p.dz, step >= 2), (RELU, p.y, p.dy, step >= 1),
                                       (BIAS, B, p.db, step >= 3)]:
        ax.text(x + 0.6, y + 0.03, f"{value:.2f}", va="bottom", color="tab:blue")
        ax.text(x + 0.6, y - 0.03, f"{grad:.2f}" if shown else "", va="top", color="tab:red")
    ax.text(0.0, 6.45, f"backward step {step}/6", va="top")
    out = BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100, help="updates of each kind (default 100)")
    steps = parser.parse_args().steps
    x0s = np.resize(np.arange(-3.0, 3.5, 0.5), steps)        # the x0 slider swept back and forth
    backward = np.resize(np.r_[0:7, 5:0:-1], steps)           # the step control walked down and up
    explorer = GraphExplorer()

    def set_x0(value: float) -> None:
        explorer.x[0].value = float(value)

    def set_step(value: int) -> None:
        explorer.step.value = int(value)

    slider_ms, step_ms = timed(set_x0, x0s), timed(set_step, backward)
    naive_ms = np.concatenate([timed(lambda v: naive_png(v, 6), x0s), timed(lambda s: naive_png(1.0, s), backward)])
    report("slider moves", slider_ms)
    report("backward steps", step_ms)
    explorer_ms = np.concatenate([slider_ms, step_ms])
    report("GraphExplorer", explorer_ms)
    report("naive re-plot", naive_ms)
    print(f"{'naive / explorer':>16}: {np.median(naive_ms) / np.median(explorer_ms):.1f}x (medians)")


if __name__ == "__main__":
    main()
