"""Time every explorer widget's slider updates against the same widget drawing each update from scratch.

For each widget and each of its sliders: the time from a value change to the new PNG in the Image widget,
then the time the same widget takes for the same values when every update draws the whole figure again
(its artists un-animated, canvas.draw(), the PNG sent): what the explorer would cost without its cached
background, scene and dirty rectangles. The other sliders stay at their start values in both. For the
training explorer, also one press of Train (1000 epochs): its time, training.train's alone, and the
pictures it sends.

Run: .venv/bin/python benchmarks/widgets.py [--steps N] [--widget NAME]   (N values per slider, default 100)
"""
from __future__ import annotations

import argparse
import functools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")
import ipywidgets
import numpy as np

from gradlab.datasets import spiral_data
from gradlab.functions import leaky_relu, sigmoid, square
from gradlab.training import train
from gradlab.widgets import ChainExplorer, ExpressionExplorer, GraphExplorer, PartialsExplorer, TangentExplorer, TrainingExplorer
from gradlab.widgets.base import Explorer

Slider = ipywidgets.FloatSlider | ipywidgets.IntSlider | ipywidgets.SelectionSlider
TARGET_MS, TARGET_SPEED_UP = 25.0, 3.0
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


CASES: dict[str, Callable[[], Explorer]] = {
    "tangent": lambda: TangentExplorer(f, dfdx),
    "partials": lambda: PartialsExplorer(bowl, bowl_dx, bowl_dy),
    "chain": lambda: ChainExplorer([leaky_relu, sigmoid, square]),
    "graph": GraphExplorer,
    "expression": ExpressionExplorer,
    "training": lambda: TrainingExplorer(*SPIRAL),
}


def drawn_from_scratch(explorer: Explorer) -> Explorer:
    """The explorer with every update drawing the whole figure, as a re-plot does: nothing animated, nothing
    cached, the layout computed again."""
    for artist in (*explorer._moving, *explorer._settled):
        artist.set_animated(False)
    explorer.figure.set_layout_engine("constrained")  # the explorer fixes its layout after its first draw

    def show() -> None:
        with explorer.drawing():
            explorer._canvas.draw()
        explorer.send()

    explorer.show = show
    explorer.settle = lambda: None
    return explorer


@dataclass(frozen=True)
class Timing:
    """Milliseconds per update of the widget and of the same widget drawn from scratch, over the same values."""

    widget: np.ndarray
    from_scratch: np.ndarray

    def speed_up(self) -> float:
        """How many times faster the widget is than drawing from scratch (medians)."""
        return float(np.median(self.from_scratch) / np.median(self.widget))

    def meets_targets(self) -> bool:
        """Median at most TARGET_MS and at least TARGET_SPEED_UP times faster than drawing from scratch."""
        return np.median(self.widget) <= TARGET_MS and self.speed_up() >= TARGET_SPEED_UP


def sliders(widget: ipywidgets.Widget) -> list[Slider]:
    """The sliders in a widget and its children, in display order."""
    if isinstance(widget, ipywidgets.Box):
        return [slider for child in widget.children for slider in sliders(child)]
    return [widget] if isinstance(widget, Slider) else []


def sweep(slider: Slider, steps: int) -> list:
    """steps values on the slider's own grid, back and forth across its whole range starting next to its
    current value, so that every value differs from the one before."""
    if isinstance(slider, ipywidgets.SelectionSlider):
        grid = np.array([value for _, value in slider.options])
    else:
        grid = np.round(np.arange(slider.min, slider.max + slider.step / 2, slider.step), 10)
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


def time_sliders(build: Callable[[], Explorer], steps: int) -> dict[str, Timing]:
    """Each slider swept on its own, the others at their start values: the widget, then a second one drawing
    from scratch."""
    explorer, twin_explorer = build(), drawn_from_scratch(build())
    timings = {}
    for slider, twin in zip(sliders(explorer.widget), sliders(twin_explorer.widget)):
        values, start = sweep(slider, steps), slider.value
        widget_ms = timed(functools.partial(setattr, slider, "value"), values)
        scratch_ms = timed(functools.partial(setattr, twin, "value"), values)
        slider.value = twin.value = start
        timings[slider.description] = Timing(widget_ms, scratch_ms)
    return timings


def report(name: str, timing: Timing) -> None:
    print(f"{name:<18} widget median {np.median(timing.widget):6.2f} ms  p95 {np.percentile(timing.widget, 95):6.2f} ms"
          f"   from scratch median {np.median(timing.from_scratch):6.1f} ms  p95 {np.percentile(timing.from_scratch, 95):6.1f} ms"
          f"   ratio {timing.speed_up():5.1f}x  ({timing.widget.size} updates)")


def pooled(timings: Iterable[Timing]) -> Timing:
    """All the sliders' updates together."""
    timings = list(timings)
    return Timing(np.concatenate([t.widget for t in timings]), np.concatenate([t.from_scratch for t in timings]))


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
    for name, build in CASES.items():
        if args.widget and name not in args.widget:
            continue
        timings = time_sliders(build, steps)
        whole = pooled(timings.values())
        report(name, whole)
        if len(timings) > 1:  # with a single slider the widget's line says it all
            for slider, timing in timings.items():
                report(f"  {name} {slider}", timing)
        verdicts.append(f"{name} {'meets them' if whole.meets_targets() else 'MISSES them'}")
    if not args.widget or "training" in args.widget:
        report_train_press()
    print(f"targets: median ≤ {TARGET_MS:g} ms and ≥ {TARGET_SPEED_UP:g}x faster than drawing from scratch "
          "(medians): "
          + ", ".join(verdicts))


if __name__ == "__main__":
    main()
