"""Chapter 2: the partials explorer."""
from __future__ import annotations

from collections.abc import Callable

import contourpy
import ipywidgets
import numpy as np

from gradlab.plots import tangent_segment
from gradlab.widgets.base import Explorer

SurfaceFn = Callable[[np.ndarray, np.ndarray], np.ndarray]


def level_curve(generator: contourpy.ContourGenerator, level: float) -> np.ndarray:
    """Vertices (n, 2) of the contour at level, pieces separated by NaN rows; (0, 2) when there is none."""
    (chunks,) = generator.lines(level)
    pieces = [chunk for chunk in chunks if chunk is not None]
    return np.concatenate(pieces) if pieces else np.empty((0, 2))


def arrow_path(start: np.ndarray, vector: np.ndarray, head: float) -> np.ndarray:
    """Vertices (6, 2) of an arrow from start along vector: the shaft, a NaN break, then the two-stroke head."""
    tip = start + vector
    length = float(np.hypot(*vector))
    if length == 0.0:
        return np.array([start, tip, [np.nan, np.nan], tip, tip, tip])
    back = -vector / length * min(head, 0.5 * length)
    turn = np.array([[np.cos(0.45), -np.sin(0.45)], [np.sin(0.45), np.cos(0.45)]])
    return np.array([start, tip, [np.nan, np.nan], tip + turn @ back, tip, tip + turn.T @ back])


ALT = ("Left: contour lines of f(x, y) with the point (x0, y0) and its gradient arrow. Right: the slices of f through "
       "the point along x and along y, each with its tangent line.")


class PartialsExplorer(Explorer):
    """Contours of f(x, y) with the gradient at (x0, y0), and the two slices through the point with their tangents."""

    def __init__(
        self,
        f: SurfaceFn,
        dfdx: SurfaceFn,
        dfdy: SurfaceFn,
        x_range: tuple[float, float] = (-2.0, 2.0),
        y_range: tuple[float, float] = (-2.0, 2.0),
        x0: float = 1.0,
        y0: float = 0.5,
        title: str = "f(x, y)",
    ) -> None:
        super().__init__(figsize=(9, 4.2), alt=ALT)
        self.f, self.dfdx, self.dfdy = f, dfdx, dfdy
        self.xs = np.linspace(*x_range, 201)
        self.ys = np.linspace(*y_range, 201)
        grid = np.meshgrid(self.xs, self.ys)
        self.surface = f(*grid)  # (201, 201): rows follow y
        self._contours = contourpy.contour_generator(self.xs, self.ys, self.surface,
                                                     line_type=contourpy.LineType.ChunkCombinedNan)
        size = min(np.ptp(self.xs), np.ptp(self.ys))
        self.arrow_scale = 0.4 * size / float(np.hypot(dfdx(*grid), dfdy(*grid)).max())  # longest arrow: 0.4 of the plot
        self._head, self._half_width = 0.05 * size, 0.2 * size
        slider = dict(step=0.05, continuous_update=True, readout_format=".2f")
        self.x0 = ipywidgets.FloatSlider(value=x0, min=x_range[0], max=x_range[1], description="x0", **slider)
        self.y0 = ipywidgets.FloatSlider(value=y0, min=y_range[0], max=y_range[1], description="y0", **slider)
        self.widget = ipywidgets.VBox([ipywidgets.HBox([self.x0, self.y0]), self.image, self.label])
        self.arrange()
        self._build_figure(title)
        self.observe(self.x0, self.y0)
        self.update()

    def _build_figure(self, title: str) -> None:
        """Draw the static parts (filled contours, axes) and create the moving artists."""
        grid = self.figure.add_gridspec(2, 2, width_ratios=(1.15, 1))
        contour = self.figure.add_subplot(grid[:, 0])
        along_x, along_y = self.figure.add_subplot(grid[0, 1]), self.figure.add_subplot(grid[1, 1])
        filled = contour.contourf(self.xs, self.ys, self.surface, levels=14, cmap="viridis", alpha=0.85)
        self.figure.colorbar(filled, ax=contour, shrink=0.8, label="f")
        contour.set(xlabel="x", ylabel="y", aspect="equal", title=f"{title}: gradient (×{self.arrow_scale:.2g})")
        (self._row,) = contour.plot([], [], "--", color="C1", lw=1)
        (self._column,) = contour.plot([], [], "--", color="C6", lw=1)
        (self._level,) = contour.plot([], [], color="w", lw=1.5)
        (self._arrow,) = contour.plot([], [], color="tab:red", lw=2.5, solid_capstyle="round")
        (self._point,) = contour.plot([], [], "o", color="k", markerfacecolor="w")

        low, high = float(self.surface.min()), float(self.surface.max())
        pad = 0.08 * (high - low) or 1.0
        slices = {}
        for ax, var, colour in ((along_x, "x", "C1"), (along_y, "y", "C6")):
            span = self.xs if var == "x" else self.ys
            ax.set(xlim=(span[0], span[-1]), ylim=(low - pad, high + pad), xlabel=var)
            (curve,) = ax.plot([], [], color=colour)
            (tangent,) = ax.plot([], [], "--", color="k", lw=1.2)
            (dot,) = ax.plot([], [], "o", color="k")
            slices[var] = (curve, tangent, dot)
        along_x.set_title("slice y = y0: slope ∂f/∂x", fontsize=10)
        along_y.set_title("slice x = x0: slope ∂f/∂y", fontsize=10)
        self._slices = slices
        self.freeze([self._row, self._column, self._level, self._arrow, self._point,
                     *slices["x"], *slices["y"]])

    def state(self) -> dict[str, float]:
        """Current point, f there, both partials and the gradient's length."""
        x0, y0 = float(self.x0.value), float(self.y0.value)
        dfdx, dfdy = float(self.dfdx(np.float64(x0), np.float64(y0))), float(self.dfdy(np.float64(x0), np.float64(y0)))
        return {"x0": x0, "y0": y0, "f": float(self.f(np.float64(x0), np.float64(y0))),
                "dfdx": dfdx, "dfdy": dfdy, "grad_norm": float(np.hypot(dfdx, dfdy))}

    def update(self) -> None:
        """Move the artists to the current slider values, refresh label and image."""
        s = self.state()
        x0, y0 = s["x0"], s["y0"]
        self._row.set_data(self.xs[[0, -1]], [y0, y0])
        self._column.set_data([x0, x0], self.ys[[0, -1]])
        self._level.set_data(*level_curve(self._contours, s["f"]).T)
        start, gradient = np.array([x0, y0]), np.array([s["dfdx"], s["dfdy"]])
        self._arrow.set_data(*arrow_path(start, self.arrow_scale * gradient, self._head).T)
        self._point.set_data([x0], [y0])

        for var, at, slope, span, cut in (("x", x0, s["dfdx"], self.xs, lambda t: self.f(t, np.float64(y0))),
                                          ("y", y0, s["dfdy"], self.ys, lambda t: self.f(np.float64(x0), t))):
            curve, tangent, dot = self._slices[var]
            curve.set_data(span, cut(span))
            tangent.set_data(*tangent_segment(cut, at, slope, self._half_width))
            dot.set_data([at], [s["f"]])
        self.label.value = (
            f"at (x0, y0) = ({x0:.2f}, {y0:.2f}): f = {s['f']:.4f}, ∂f/∂x = {s['dfdx']:.4f}, "
            f"∂f/∂y = {s['dfdy']:.4f}, |∇f| = {s['grad_norm']:.4f}"
        )
        self.show()
