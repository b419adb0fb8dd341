"""Chapter 1: the tangent-line explorer."""
from __future__ import annotations

import ipywidgets
import numpy as np

from gradlab.numeric import forward_difference
from gradlab.plots import ScalarFn, clipped_difference_errors, plot_error_vs_delta, plot_function, tangent_segment
from gradlab.widgets.base import Explorer, choice_slider

DELTAS = [m * 10.0 ** k for k in range(-16, 0) for m in (1, 2, 5)] + [1.0]   # 1e-16, 2e-16, 5e-16, ..., 0.5, 1


ALT = ("Left: the graph of f with the secant through x0 and x0 + δ and the tangent at x0. Right: the error of the "
       "forward- and central-difference slopes against δ, both axes logarithmic, with the current δ marked.")


class TangentExplorer(Explorer):
    """The secant through x0 and x0 + δ against the tangent at x0, and the slope error against δ."""

    def __init__(
        self,
        f: ScalarFn,
        dfdx: ScalarFn,
        x_range: tuple[float, float] = (0.0, 4.0),
        x0: float = 1.0,
        delta: float = 0.5,
        title: str = "f(x) = 2x²",
    ) -> None:
        super().__init__(figsize=(9, 3.4), alt=ALT)
        self.f, self.dfdx = f, dfdx
        self.deltas = np.logspace(-16, 0, 161)
        self.x0 = ipywidgets.FloatSlider(value=x0, min=x_range[0], max=x_range[1], step=0.01, description="x0")
        self.delta = choice_slider(DELTAS, delta, "δ")
        self.widget = ipywidgets.VBox([self.x0, self.delta, self.image, self.label])
        self.arrange()
        self._build_figure(x_range, title)
        self.observe(self.x0, self.delta)
        self.update()

    def _build_figure(self, x_range: tuple[float, float], title: str) -> None:
        """Draw the static parts and create the moving artists."""
        left, right = self.figure.subplots(1, 2)
        curve = plot_function(left, self.f, np.linspace(*x_range, 200), color="C0", label="f")
        low, high = curve.get_ydata().min(), curve.get_ydata().max()
        pad = 0.1 * (high - low) or 1.0
        left.set(xlim=x_range, ylim=(low - pad, high + pad), xlabel="x", title=title)
        (self._secant,) = left.plot([], [], color="C1", label="secant")
        (self._tangent,) = left.plot([], [], "--", color="C2", label="tangent")
        (self._points,) = left.plot([], [], "o", color="k")
        left.legend(loc="upper left")
        self._half_width = x_range[1] - x_range[0]  # lines span the whole panel

        lines = plot_error_vs_delta(right, self.f, self.dfdx, self.x0.value, self.deltas)
        self._forward, self._central = lines["forward"], lines["central"]
        (self._marker,) = right.plot([], [], "o", color="k")
        right.set(xlim=(1e-16, 1.0), ylim=(1e-17, 1e2), xticks=np.logspace(-16, 0, 5), yticks=np.logspace(-16, 0, 5))
        right.set_title("error of the slope at x0")
        right.get_legend().set_loc("upper center")
        self.freeze([self._secant, self._tangent, self._points, self._forward, self._central, self._marker])

    def state(self) -> dict[str, float]:
        """Current x0 and δ, the secant (forward-difference) slope, the exact slope and their difference."""
        x0, delta = float(self.x0.value), float(self.delta.value)
        secant = float(forward_difference(self.f, x0, delta))
        exact = float(self.dfdx(np.float64(x0)))
        return {"x0": x0, "delta": delta, "secant_slope": secant, "exact_slope": exact, "error": secant - exact}

    def update(self) -> None:
        """Move the artists to the current slider values, refresh label and image."""
        s = self.state()
        x0, delta = s["x0"], s["delta"]
        self._secant.set_data(*tangent_segment(self.f, x0, s["secant_slope"], self._half_width))
        self._tangent.set_data(*tangent_segment(self.f, x0, s["exact_slope"], self._half_width))
        ends = np.array([x0, x0 + delta])
        self._points.set_data(ends, self.f(ends))
        forward, central = clipped_difference_errors(self.f, self.dfdx, x0, self.deltas)
        self._forward.set_ydata(forward)
        self._central.set_ydata(central)
        self._marker.set_data([delta, delta], np.concatenate(clipped_difference_errors(self.f, self.dfdx, x0, [delta])))
        self.label.value = (
            f"x0 = {x0:.2f}, δ = {delta:.1e}: secant slope {s['secant_slope']:.6f}, "
            f"exact slope {s['exact_slope']:.6f}, error {s['error']:.1e}"
        )
        self.show()
