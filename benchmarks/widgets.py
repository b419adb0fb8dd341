"""Time every explorer widget's slider updates against the naive interact-style full re-plot of the same picture.

For each widget and each of its sliders: the time from a value change to the new PNG in the Image widget,
then the time interact + the inline backend take for the same values (new pyplot figure, everything drawn
from scratch, savefig). The other sliders stay at the widget's start values in both. For the training
explorer, also one press of Train (1000 epochs): its time, training.train's alone, and the pictures it sends.

Run: .venv/bin/python benchmarks/widgets.py [--steps N] [--widget NAME]   (N values per slider, default 100)
"""
from __future__ import annotations

import argparse
import functools
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import matplotlib

matplotlib.use("Agg")
import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch

from gradlab.backprop import neuron_pass
from gradlab.chain import chain_deriv, chain_forward, compose, local_derivatives
from gradlab.datasets import spiral_data
from gradlab.functions import DERIVATIVES, leaky_relu, sigmoid, square
from gradlab.numeric import central_difference, forward_difference
from gradlab.plots import (
    clipped_difference_errors,
    plot_decision_regions,
    plot_error_vs_delta,
    plot_function,
    tangent_segment,
)
from gradlab.training import History, final_accuracy, train
from gradlab.widgets import ChainExplorer, GraphExplorer, PartialsExplorer, TangentExplorer, TrainingExplorer
from gradlab.widgets.base import Explorer
from gradlab.widgets.graph import BIAS, LEAVES, MULTIPLY, RADIUS, RELU, SUM
from gradlab.widgets.training import LOSS_LIMITS, settings

Slider = ipywidgets.FloatSlider | ipywidgets.FloatLogSlider | ipywidgets.IntSlider
Settings = Mapping[str, Any]  # slider description → value
TARGET_MS, TARGET_SPEED_UP = 25.0, 3.0
AXIS = np.linspace(-2.0, 2.0, 201)
CHAIN = [leaky_relu, sigmoid, square]
DERIVS = [DERIVATIVES[f] for f in CHAIN]
SPIRAL = spiral_data(100, 3)


def f(x: np.ndarray) -> np.ndarray:
    return 2 * x**2


def dfdx(x: np.ndarray) -> np.ndarray:
    return 4 * x


def bowl(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return x**2 + x * y + 2 * y**2


def bowl_dx(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return 2 * x + y


def bowl_dy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return x + 4 * y


def png(fig: Figure, **savefig: Any) -> bytes:
    """The pyplot figure as PNG bytes; the figure is closed."""
    out = BytesIO()
    fig.savefig(out, format="png", **savefig)
    plt.close(fig)
    return out.getvalue()


def tangent_png(s: Settings) -> bytes:
    """TangentExplorer's picture from scratch: both panels, then savefig."""
    x0, delta = s["x0"], s["δ"]
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
    return png(fig, bbox_inches="tight")


def partials_png(s: Settings) -> bytes:
    """PartialsExplorer's picture from scratch: contours, level curve, gradient arrow and both slices, then savefig."""
    x0, y0 = s["x0"], s["y0"]
    X, Y = np.meshgrid(AXIS, AXIS)
    Z = bowl(X, Y)
    arrow_scale = 0.4 * 4.0 / float(np.hypot(bowl_dx(X, Y), bowl_dy(X, Y)).max())
    fig = plt.figure(figsize=(9, 4.2), dpi=80, layout="constrained")
    grid = fig.add_gridspec(2, 2, width_ratios=(1.15, 1))
    contour = fig.add_subplot(grid[:, 0])
    along_x, along_y = fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, 1])
    filled = contour.contourf(X, Y, Z, levels=14, cmap="viridis", alpha=0.85)
    fig.colorbar(filled, ax=contour, shrink=0.8, label="f")
    contour.contour(X, Y, Z, levels=[bowl(x0, y0)], colors="w")
    contour.axhline(y0, ls="--", color="C1")
    contour.axvline(x0, ls="--", color="C6")
    tip = (x0 + arrow_scale * bowl_dx(x0, y0), y0 + arrow_scale * bowl_dy(x0, y0))
    contour.annotate("", xy=tip, xytext=(x0, y0), arrowprops={"arrowstyle": "->", "color": "tab:red", "lw": 2.5})
    contour.plot([x0], [y0], "o", color="k", markerfacecolor="w")
    contour.set(xlabel="x", ylabel="y", aspect="equal", title="f(x, y) = x² + xy + 2y²")
    for ax, at, slope, cut, colour in ((along_x, x0, bowl_dx(x0, y0), lambda t: bowl(t, y0), "C1"),
                                       (along_y, y0, bowl_dy(x0, y0), lambda t: bowl(x0, t), "C6")):
        ax.plot(AXIS, cut(AXIS), color=colour)
        ax.plot(*tangent_segment(cut, at, slope, 0.8), "--", color="k")
        ax.plot([at], [bowl(x0, y0)], "o", color="k")
        ax.set(xlim=(-2, 2), ylim=(-1.3, 17.3))
    return png(fig, bbox_inches="tight")


def chain_png(s: Settings) -> bytes:
    """ChainExplorer's picture from scratch: boxes with their numbers, the sums, four panels, then savefig."""
    x = s["x"]
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
    for k, link in enumerate(CHAIN):
        ax = fig.add_subplot(grid[1, k])
        grid_k = np.linspace(inputs[k].min(), inputs[k].max(), 200)
        ax.plot(grid_k, link(grid_k))
        ax.plot(*tangent_segment(link, float(values[k]), float(slopes[k]), 0.5))
        ax.plot([values[k]], [values[k + 1]], "o", color="k")
    whole = fig.add_subplot(grid[1, 3])
    xs = np.linspace(-3, 3, 301)
    whole.plot(xs, compose(CHAIN)(xs), label="chain")
    whole.plot(xs, chain_deriv(CHAIN, DERIVS, xs), label="derivative")
    whole.axvline(x, linestyle=":")
    whole.legend()
    return png(fig)


def graph_png(s: Settings) -> bytes:
    """GraphExplorer's picture from scratch: the whole graph with every number reached at this step, then savefig."""
    x, w, step = [s[f"x{k}"] for k in range(3)], [s[f"w{k}"] for k in range(3)], s["backward"]
    p = neuron_pass(x, w, s["b"], s["dvalue"])
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
    grads = {**{f"x{k}": g for k, g in enumerate(p.dx)}, **{f"w{k}": g for k, g in enumerate(p.dw)}}
    for k, (name, (lx, ly)) in enumerate(LEAVES.items()):
        ax.add_patch(FancyBboxPatch((lx - 0.3, ly - 0.22), 0.6, 0.44, boxstyle="round,pad=0.08"))
        ax.text(lx, ly, name, ha="center", va="center")
        ax.text(lx - 0.4, ly + 0.03, f"{s[name]:.2f}", ha="right", va="bottom", color="tab:blue")
        ax.text(lx - 0.4, ly - 0.03, f"{grads[name]:.2f}" if step >= 4 + k // 2 else "", ha="right", va="top",
                color="tab:red")
    ax.add_patch(Circle(SUM, RADIUS, facecolor="#eef3fb", edgecolor="C0"))
    ax.add_patch(FancyBboxPatch((RELU[0] - 0.5, RELU[1] - 0.28), 1.0, 0.56, boxstyle="round,pad=0.08"))
    ax.add_patch(FancyBboxPatch((BIAS[0] - 0.3, BIAS[1] - 0.22), 0.6, 0.44, boxstyle="round,pad=0.08"))
    for (x_at, y_at), value, grad, shown in [(SUM, p.z, p.dz, step >= 2), (RELU, p.y, p.dy, step >= 1),
                                             (BIAS, s["b"], p.db, step >= 3)]:
        ax.text(x_at + 0.6, y_at + 0.03, f"{value:.2f}", va="bottom", color="tab:blue")
        ax.text(x_at + 0.6, y_at - 0.03, f"{grad:.2f}" if shown else "", va="top", color="tab:red")
    ax.text(0.0, 6.45, f"backward step {step}/6", va="top")
    return png(fig)


@functools.cache
def first_run() -> History:
    """The run TrainingExplorer shows from the start (its defaults): trained once, as a slider move does not train."""
    return train(*SPIRAL, epochs=1000)


def training_png(s: Settings) -> bytes:
    """TrainingExplorer's picture after a slider move, from scratch: both curves, the regions (the network evaluated
    on their grid, as plots.plot_decision_regions does) under the points, the titles, then savefig."""
    X, y = SPIRAL
    run = first_run()
    fig, (loss_ax, regions_ax) = plt.subplots(1, 2, figsize=(9, 3.6), dpi=80, width_ratios=(1.45, 1),
                                              layout="constrained")
    accuracy_ax = loss_ax.twinx()
    epochs = np.arange(len(run.loss))
    (loss,) = loss_ax.plot(epochs, run.loss, color="C0", label="loss")
    (correct,) = accuracy_ax.plot(epochs, run.accuracy, color="C2", label="accuracy")
    guess = loss_ax.axhline(np.log(3), color="grey", linestyle=":", linewidth=1, label="ln 3 (guessing)")
    loss_ax.set(xlim=(0, len(epochs)), ylim=LOSS_LIMITS, yscale="log", xlabel="epoch", ylabel="loss (log scale)")
    accuracy_ax.set(ylim=(0.0, 1.0), ylabel="training accuracy")
    accuracy_ax.legend(handles=[loss, correct, guess], loc="lower left", ncol=3, fontsize=8)
    wanted = settings((s["learning rate"], s["hidden"], s["epochs"]))
    loss_ax.set_title(f"press Train for {wanted}", fontsize=9, color="tab:red")
    plot_decision_regions(regions_ax, run.params, X, y)
    regions_ax.set_title(f"decision regions: training accuracy {final_accuracy(run.params, X, y):.3f}", fontsize=9)
    return png(fig)


@dataclass(frozen=True)
class Case:
    """One widget to time: how to build it, and the naive re-plot of its picture for given slider settings."""

    build: Callable[[], Explorer]
    naive: Callable[[Settings], bytes]


CASES = {
    "tangent": Case(lambda: TangentExplorer(f, dfdx), tangent_png),
    "partials": Case(lambda: PartialsExplorer(bowl, bowl_dx, bowl_dy), partials_png),
    "chain": Case(lambda: ChainExplorer(CHAIN), chain_png),
    "graph": Case(GraphExplorer, graph_png),
    "training": Case(lambda: TrainingExplorer(*SPIRAL), training_png),
}


@dataclass(frozen=True)
class Timing:
    """Milliseconds per update of the widget and of the naive re-plot, over the same slider values."""

    widget: np.ndarray
    naive: np.ndarray

    def speed_up(self) -> float:
        """How many times faster the widget is than the naive re-plot (medians)."""
        return float(np.median(self.naive) / np.median(self.widget))

    def meets_targets(self) -> bool:
        """Median at most TARGET_MS and at least TARGET_SPEED_UP times faster than naive."""
        return np.median(self.widget) <= TARGET_MS and self.speed_up() >= TARGET_SPEED_UP


def sliders(widget: ipywidgets.Widget) -> list[Slider]:
    """The sliders in a widget and its children, in display order."""
    if isinstance(widget, ipywidgets.Box):
        return [slider for child in widget.children for slider in sliders(child)]
    return [widget] if isinstance(widget, Slider) else []


def sweep(slider: Slider, steps: int) -> list:
    """steps values on the slider's own grid, back and forth across its whole range starting next to its
    current value, so that every value differs from the one before."""
    exponents = np.round(np.arange(slider.min, slider.max + slider.step / 2, slider.step), 10)
    grid = slider.base**exponents if isinstance(slider, ipywidgets.FloatLogSlider) else exponents
    grid = grid.astype(type(slider.value))[:: max(1, len(grid) // steps)]
    cycle = np.r_[grid, grid[-2:0:-1]]
    start = int(np.argmin(np.abs(cycle - slider.value)))
    return np.resize(np.roll(cycle, -start - 1), steps).tolist()


def timed(change: Callable[[Any], object], values: Iterable) -> np.ndarray:
    """Milliseconds taken by change(v) for each v in values."""
    times = []
    for value in values:
        start = time.perf_counter()
        change(value)
        times.append(time.perf_counter() - start)
    return 1e3 * np.array(times)


def time_sliders(case: Case, steps: int) -> dict[str, Timing]:
    """Each slider of the case's widget swept on its own, the others at their start values: widget against naive."""
    explorer = case.build()
    start = {slider.description: slider.value for slider in sliders(explorer.widget)}
    timings = {}
    for slider in sliders(explorer.widget):
        name, values = slider.description, sweep(slider, steps)
        widget_ms = timed(functools.partial(setattr, slider, "value"), values)
        slider.value = start[name]
        naive_ms = timed(lambda value: case.naive({**start, name: value}), values)
        timings[name] = Timing(widget_ms, naive_ms)
    return timings


def report(name: str, timing: Timing) -> None:
    print(f"{name:<18} widget median {np.median(timing.widget):6.2f} ms  p95 {np.percentile(timing.widget, 95):6.2f} ms"
          f"   naive median {np.median(timing.naive):6.1f} ms  p95 {np.percentile(timing.naive, 95):6.1f} ms"
          f"   naive/widget {timing.speed_up():5.1f}x  ({timing.widget.size} updates)")


def pooled(timings: Iterable[Timing]) -> Timing:
    """All the sliders' updates together."""
    timings = list(timings)
    return Timing(np.concatenate([t.widget for t in timings]), np.concatenate([t.naive for t in timings]))


def report_train_press() -> None:
    """One press of the training explorer's Train button at its defaults (1000 epochs): its time against
    training.train's alone, the pictures it sends (one blit each) and the whole-figure draws it makes."""
    explorer = TrainingExplorer(*SPIRAL)
    pictures, draws = [], []
    explorer.image.observe(pictures.append, names="value")
    draw = explorer._canvas.draw
    explorer._canvas.draw = lambda: (draws.append(1), draw())
    start = time.perf_counter()
    explorer.button.click()
    press = time.perf_counter() - start
    start = time.perf_counter()
    train(*SPIRAL, epochs=1000)
    alone = time.perf_counter() - start
    print(f"training Train press (1000 epochs): {press:.2f} s, training.train alone {alone:.2f} s; "
          f"{len(pictures)} blits (pictures sent), {len(draws)} whole-figure draws")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100, help="values per slider (default 100)")
    parser.add_argument("--widget", choices=CASES, action="append", help="time only this widget (repeatable)")
    args = parser.parse_args()
    steps = args.steps
    verdicts = []
    for name, case in CASES.items():
        if args.widget and name not in args.widget:
            continue
        timings = time_sliders(case, steps)
        whole = pooled(timings.values())
        report(name, whole)
        if len(timings) > 1:  # with a single slider the widget's line says it all
            for slider, timing in timings.items():
                report(f"  {name} {slider}", timing)
        verdicts.append(f"{name} {'meets them' if whole.meets_targets() else 'MISSES them'}")
    if not args.widget or "training" in args.widget:
        report_train_press()
    print(f"targets: median ≤ {TARGET_MS:g} ms and ≥ {TARGET_SPEED_UP:g}x faster than naive (medians): "
          + ", ".join(verdicts))


if __name__ == "__main__":
    main()
