"""Chapter 3: the chain explorer."""
from __future__ import annotations

from collections.abc import Sequence

import ipywidgets
import numpy as np
from matplotlib.patches import FancyBboxPatch

from gradlab.chain import chain_deriv, chain_forward, compose, local_derivatives
from gradlab.functions import DERIVATIVES, ScalarFn, leaky_relu, sigmoid, square
from gradlab.numeric import central_difference
from gradlab.plots import plot_function, tangent_segment
from gradlab.widgets.base import TEXT_RC, Explorer

BOX_CENTRES = (3.0, 6.0, 9.0)
BOX_WIDTH = 2.2


ALT = ("Top: three boxes f1, f2, f3 in a chain, each with its input, output and local derivative, and their product "
       "against a numerical derivative. Bottom: each function’s curve with its tangent at its input.")


class ChainExplorer(Explorer):
    """Three boxes f1 → f2 → f3 at x: each box's input, output and local derivative; their product
    against a central difference of the whole chain. Below: each link's curve with its tangent at
    the box's input, and the whole chain with its derivative."""

    rc = TEXT_RC

    def __init__(
        self,
        chain: Sequence[ScalarFn] = (leaky_relu, sigmoid, square),
        derivs: Sequence[ScalarFn] | None = None,
        x_range: tuple[float, float] = (-3.0, 3.0),
        x: float = 1.0,
        delta: float = 1e-5,
    ) -> None:
        super().__init__(figsize=(9, 4.5), alt=ALT)
        if len(chain) != 3:
            raise ValueError(f"the explorer draws a chain of three functions, got {len(chain)}")
        self.chain = list(chain)
        self.derivs = [DERIVATIVES[f] for f in self.chain] if derivs is None else list(derivs)
        self.names = [f.__name__ for f in self.chain]
        self.delta = delta
        self.x = ipywidgets.FloatSlider(value=x, min=x_range[0], max=x_range[1], step=0.01, description="x")
        self.widget = ipywidgets.VBox([self.x, self.image, self.label])
        self.arrange()
        self._build_figure(x_range)
        self.observe(self.x)
        self.update()

    def _build_figure(self, x_range: tuple[float, float]) -> None:
        """Draw the boxes, arrows and curves once; create the moving texts, dots and tangents."""
        grid = self.figure.add_gridspec(2, 4, height_ratios=[1.0, 1.1])
        diagram = self.figure.add_subplot(grid[0, :])
        diagram.set(xlim=(0, 12), ylim=(0, 3))
        diagram.set_axis_off()
        for centre, name in zip(BOX_CENTRES, self.names):
            diagram.add_patch(FancyBboxPatch((centre - BOX_WIDTH / 2, 0.95), BOX_WIDTH, 1.75,
                                             boxstyle="round,pad=0.05", facecolor="#eef3fb", edgecolor="C0"))
            diagram.text(centre, 2.45, name, ha="center", va="center", fontweight="bold")
        for start in (1.15, 4.15, 7.15, 10.15):
            diagram.annotate("", xy=(start + 0.7, 1.8), xytext=(start, 1.8), arrowprops={"arrowstyle": "->"})
        text = {"va": "center", "family": "monospace", "fontsize": 9}
        for centre in BOX_CENTRES:  # static labels; only the numbers move
            diagram.text(centre - 0.9, 1.6, "in\nout\nlocal", ha="left", **text)
        self._box_texts = [diagram.text(centre + 0.9, 1.6, "", ha="right", multialignment="right", **text)
                           for centre in BOX_CENTRES]
        diagram.text(0.6, 1.8, "x", ha="center", **text)  # x is box 1's input, y box 3's output
        diagram.text(11.4, 1.8, "y", ha="center", **text)
        self._sum_texts = []
        for label, at in (("product of local derivatives", 0.2), ("central difference", 4.6), ("difference", 8.2)):
            diagram.text(at, 0.35, label, ha="left", **text)
            self._sum_texts.append(diagram.text(at + 0.1 * len(label) + 0.2, 0.35, "", ha="left", **text))

        inputs = chain_forward(self.chain, np.linspace(*x_range, 301))
        self._dots, self._tangents, self._half_widths = [], [], []
        for k, (f, name) in enumerate(zip(self.chain, self.names)):
            ax = self.figure.add_subplot(grid[1, k])
            low, high = float(inputs[k].min()), float(inputs[k].max())
            pad = 0.05 * (high - low) or 0.5
            curve = plot_function(ax, f, np.linspace(low - pad, high + pad, 200), color="C0")
            ys = curve.get_ydata()
            ax.set(xlim=(low - pad, high + pad), ylim=padded(ys.min(), ys.max()), title=f"box {k + 1}: {name}")
            (tangent,) = ax.plot([], [], color="C1")
            (dot,) = ax.plot([], [], "o", color="k")
            self._tangents.append(tangent)
            self._dots.append(dot)
            self._half_widths.append(0.25 * (high - low + 2 * pad))

        whole = self.figure.add_subplot(grid[1, 3])
        xs = np.linspace(*x_range, 301)
        h = plot_function(whole, compose(self.chain), xs, color="C0", label="chain")
        dh = whole.plot(xs, chain_deriv(self.chain, self.derivs, xs), color="C2", label="derivative")[0]
        ys = np.concatenate([h.get_ydata(), dh.get_ydata()])
        whole.set(xlim=x_range, ylim=padded(ys.min(), ys.max()), title="whole chain", xlabel="x")
        whole.legend(loc="upper left", fontsize=7)
        self._cursor = whole.axvline(x_range[0], color="grey", linestyle=":")
        (self._chain_dots,) = whole.plot([], [], "o", color="k")
        self.freeze([*self._box_texts, *self._sum_texts,
                     *self._tangents, *self._dots, self._cursor, self._chain_dots])

    def state(self) -> dict[str, float]:
        """x, each box's output and local derivative, their product, the central difference and the gap."""
        x = float(self.x.value)
        values = chain_forward(self.chain, x)
        slopes = local_derivatives(self.derivs, values[:-1])
        product = float(np.prod(slopes))
        numerical = float(central_difference(compose(self.chain), x, self.delta))
        return {
            "x": x,
            **{f"out{k + 1}": float(v) for k, v in enumerate(values[1:])},
            **{f"local{k + 1}": float(s) for k, s in enumerate(slopes)},
            "product": product, "central_difference": numerical, "difference": product - numerical,
        }

    def update(self) -> None:
        """Move the artists to the slider's x, refresh texts, label and image."""
        s = self.state()
        ins = [s["x"], s["out1"], s["out2"]]
        outs = [s["out1"], s["out2"], s["out3"]]
        slopes = [s["local1"], s["local2"], s["local3"]]
        for k in range(3):
            self._box_texts[k].set_text(f"{ins[k]:.4f}\n{outs[k]:.4f}\n{slopes[k]:.4f}")
            self._dots[k].set_data([ins[k]], [outs[k]])
            self._tangents[k].set_data(*tangent_segment(self.chain[k], ins[k], slopes[k], self._half_widths[k]))
        for artist, key, spec in zip(self._sum_texts, ("product", "central_difference", "difference"),
                                     (".6f", ".6f", ".1e")):
            artist.set_text(f"{s[key]:{spec}}")
        self._cursor.set_xdata([s["x"], s["x"]])
        self._chain_dots.set_data([s["x"], s["x"]], [s["out3"], s["product"]])
        self.label.value = (
            f"x = {s['x']:.2f}: " + " → ".join(
                f"{name}({i:.4f}) = {o:.4f}, local derivative {d:.4f}"
                for name, i, o, d in zip(self.names, ins, outs, slopes))
            + f"<br>product of local derivatives {s['product']:.6f}, central difference "
            f"{s['central_difference']:.6f}, difference {s['difference']:.1e}"
        )
        self.show()


def padded(low: float, high: float, fraction: float = 0.08) -> tuple[float, float]:
    """(low, high) widened by fraction of their span on each side (by 0.5 if the span is 0)."""
    pad = fraction * (high - low) or 0.5
    return low - pad, high + pad
