"""Static plotting helpers for notebook cells: functions, tangents, secants, difference errors, decision regions,
computational graphs.

Each helper draws on a matplotlib ``ax`` it is given and returns the artists it drew;
nothing here picks a backend, creates a figure or calls ``plt.show()``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap, to_rgb
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.text import Text

from gradlab.autodiff import Node, topological_order
from gradlab.network import Params, predict
from gradlab.numeric import difference_errors

ScalarFn = Callable[[np.ndarray], np.ndarray]
Bounds = tuple[float, float, float, float]  # (left, right, bottom, top), the order of imshow's extent


def plot_function(ax: Axes, f: ScalarFn, x: np.ndarray, **kwargs) -> Line2D:
    """Draw f over the 1-D array x (shape (n,)); kwargs go to ax.plot."""
    (line,) = ax.plot(x, f(np.asarray(x, dtype=np.float64)), **kwargs)
    return line


def tangent_segment(f: ScalarFn, x0: float, slope: float, half_width: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """End points (xs, ys), each shape (2,), of y = slope * (x - x0) + f(x0) at x = x0 -/+ half_width."""
    xs = x0 + np.array([-half_width, half_width])
    return xs, f(np.float64(x0)) + slope * (xs - x0)


def plot_tangents(ax: Axes, f: ScalarFn, dfdx: ScalarFn, x0s: np.ndarray, half_width: float = 0.9) -> list[Line2D]:
    """A dot at (x0, f(x0)) and its tangent segment for each of the n points x0s; returns [dot, segment] * n."""
    artists = []
    for i, x0 in enumerate(np.asarray(x0s, dtype=np.float64)):
        colour = f"C{i % 10}"
        artists += ax.plot(x0, f(x0), "o", color=colour)
        artists += ax.plot(*tangent_segment(f, x0, dfdx(x0), half_width), color=colour)
    return artists


def plot_secant(ax: Axes, f: ScalarFn, x1: float, x2: float, extend: float = 0.5, **kwargs) -> list[Line2D]:
    """The line through (x1, f(x1)) and (x2, f(x2)), extended by extend * |x2 - x1| on each side, and the two points."""
    points = np.array([x1, x2], dtype=np.float64)
    heights = f(points)
    slope = (heights[1] - heights[0]) / (points[1] - points[0])
    pad = extend * abs(points[1] - points[0])
    xs = np.array([points.min() - pad, points.max() + pad])
    (line,) = ax.plot(xs, heights[0] + slope * (xs - points[0]), **kwargs)
    (dots,) = ax.plot(points, heights, "o", color=line.get_color())
    return [line, dots]


def clipped_difference_errors(
    f: ScalarFn, dfdx: ScalarFn, x0: float, deltas: np.ndarray, floor: float = 1e-17
) -> tuple[np.ndarray, np.ndarray]:
    """numeric.difference_errors clipped below at floor, so exact (zero) errors still show on a log scale."""
    forward, central = difference_errors(f, dfdx, x0, deltas)
    return np.maximum(forward, floor), np.maximum(central, floor)


def plot_error_vs_delta(ax: Axes, f: ScalarFn, dfdx: ScalarFn, x0: float, deltas: np.ndarray) -> dict[str, Line2D]:
    """Log-log |error| of forward and central differences at x0 against the 1-D array deltas (shape (n,))."""
    forward, central = clipped_difference_errors(f, dfdx, x0, deltas)
    (forward_line,) = ax.loglog(deltas, forward, label="forward difference")
    (central_line,) = ax.loglog(deltas, central, label="central difference")
    ax.set_xlabel("δ")
    ax.set_ylabel("|estimate − exact|")
    ax.legend()
    return {"forward": forward_line, "central": central_line}


def plot_chain(ax: Axes, chain: list[ScalarFn], derivs: list[ScalarFn], x: np.ndarray) -> dict[str, Line2D]:
    """A chain of elementwise functions (f1 innermost) and its chain-rule derivative over the 1-D array x, on the same axes."""
    from gradlab.chain import chain_deriv, compose

    x = np.asarray(x, dtype=np.float64)
    name = " → ".join(getattr(f, "__name__", "f") for f in chain)
    (function,) = ax.plot(x, compose(chain)(x), label=name)
    (derivative,) = ax.plot(x, chain_deriv(chain, derivs, x), label="its derivative")
    ax.axhline(0.0, color="grey", linewidth=0.5)
    ax.set_xlabel("x")
    ax.legend()
    return {"function": function, "derivative": derivative}


def decision_regions(params: Params, bounds: Bounds, resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs (r,), ys (r,), classes (r, r) ints, rows follow y): the class the network predicts (the argmax of its
    logits) at the centres of an r × r grid of cells over bounds (left, right, bottom, top), r = resolution."""
    left, right, bottom, top = bounds
    centres = (np.arange(resolution) + 0.5) / resolution
    xs, ys = left + centres * (right - left), bottom + centres * (top - bottom)
    grid = np.column_stack([a.ravel() for a in np.meshgrid(xs, ys)])  # (r·r, 2), row by row
    return xs, ys, predict(params, grid).reshape(resolution, resolution)


def plot_decision_regions(ax: Axes, params: Params, X: np.ndarray, y: np.ndarray, resolution: int = 200,
                          margin: float = 0.1) -> tuple[AxesImage, list[Line2D]]:
    """The network's decision regions in pale class colours over the box around X (n, 2), widened by margin on
    each side, and the points of X on top in the colours of their labels y (n,) ints: (regions, one line per class)."""
    low, high = X.min(axis=0), X.max(axis=0)
    pad = margin * (high - low)
    bounds = (low[0] - pad[0], high[0] + pad[0], low[1] - pad[1], high[1] + pad[1])
    n_classes = params["W2"].shape[1]
    colours = np.array([to_rgb(f"C{c % 10}") for c in range(n_classes)])  # (k, 3)
    regions = ax.imshow(decision_regions(params, bounds, resolution)[2], extent=bounds, origin="lower",
                        cmap=ListedColormap(0.3 * colours + 0.7), vmin=-0.5, vmax=n_classes - 0.5,
                        interpolation="nearest")
    points = [ax.plot(*X[y == c].T, "o", ms=3.7, mfc=colours[c], mec="k", mew=0.4, label=f"class {c}")[0]
              for c in range(n_classes)]  # markers of one line draw much faster than a scatter's
    return regions, points


class GraphDrawing(NamedTuple):
    """What plot_graph drew: the nodes (parents first), where each sits, and its value and gradient texts."""

    nodes: list[Node]
    positions: dict[int, tuple[float, float]]   # id(node) -> (x, y)
    values: dict[int, Text]
    grads: dict[int, Text]


def graph_layout(root: Node) -> tuple[list[Node], dict[int, tuple[float, float]]]:
    """(nodes parents first, id -> position): a node's column is its longest path from a leaf, so every
    edge runs left to right; each column's nodes are centred on y = 0, one unit apart."""
    nodes = topological_order(root)
    column: dict[int, int] = {}
    for node in nodes:
        column[id(node)] = 1 + max((column[id(p)] for p in node.parents), default=-1)
    columns: dict[int, list[Node]] = {}
    for node in nodes:
        columns.setdefault(column[id(node)], []).append(node)
    positions = {id(node): (float(x), (len(members) - 1) / 2 - row)
                 for x, members in columns.items() for row, node in enumerate(members)}
    return nodes, positions


def number_text(value: float) -> str:
    """Three significant digits, no −0."""
    return f"{value + 0.0:.3g}"


def plot_graph(ax: Axes, root: Node, grads: bool = True) -> GraphDrawing:
    """root's computational graph: leaves as named boxes, operations as circles, each node's value above it
    (blue) and, with grads, its gradient below it (red)."""
    nodes, positions = graph_layout(root)
    xs, ys = zip(*positions.values())
    ax.set(xlim=(min(xs) - 0.7, max(xs) + 0.7), ylim=(min(ys) - 0.8, max(ys) + 0.8))
    ax.set_axis_off()
    ops = [positions[id(node)] for node in nodes if node.parents]
    if ops:
        ax.plot(*zip(*ops), "o", ms=24, mfc="#eef3fb", mec="C0", zorder=2)
    for node in nodes:
        x, y = positions[id(node)]
        for parent in node.parents:
            ax.annotate("", xy=(x, y), xytext=positions[id(parent)], zorder=1, arrowprops={
                "arrowstyle": "->", "color": "0.45", "lw": 1.0, "shrinkA": 13, "shrinkB": 13})
        box = None if node.parents else {"boxstyle": "round,pad=0.3", "facecolor": "#f3f3f3", "edgecolor": "0.35"}
        ax.text(x, y, node.op if node.parents else node.label or "?", ha="center", va="center", fontsize=9,
                fontweight="normal" if node.parents else "bold", bbox=box, zorder=3)
    text = {"ha": "center", "fontsize": 8.5, "zorder": 4}
    values = {id(n): ax.text(positions[id(n)][0], positions[id(n)][1] + 0.3, number_text(float(n.data)),
                             va="bottom", color="tab:blue", **text) for n in nodes}
    grad_texts = {id(n): ax.text(positions[id(n)][0], positions[id(n)][1] - 0.3,
                                 number_text(float(n.grad)) if grads else "", va="top", color="tab:red", **text)
                  for n in nodes}
    return GraphDrawing(nodes, positions, values, grad_texts)
