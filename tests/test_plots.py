"""Tests for gradlab.plots: each helper draws the right data on a plain Figure (no pyplot, no backend)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from gradlab.plots import (
    clipped_difference_errors,
    decision_regions,
    plot_decision_regions,
    plot_error_vs_delta,
    plot_function,
    plot_secant,
    plot_tangents,
    tangent_segment,
)
from gradlab.training import init_params


def f(x):
    return 2 * x**2


def dfdx(x):
    return 4 * x


@pytest.fixture
def ax():
    return Figure().subplots()


def test_plot_function_draws_f_over_x(ax):
    x = np.linspace(0.0, 4.0, 9)
    line = plot_function(ax, f, x, color="C3")
    np.testing.assert_array_equal(line.get_xdata(), x)
    np.testing.assert_array_equal(line.get_ydata(), 2 * x**2)
    assert line.get_color() == "C3"
    assert list(ax.lines) == [line]


@pytest.mark.parametrize("x0, slope, half_width", [(1.0, 4.0, 0.9), (-2.5, -10.0, 0.3), (3.0, 0.0, 2.0)])
def test_tangent_segment_is_the_line_through_x0_with_the_slope(x0, slope, half_width):
    xs, ys = tangent_segment(f, x0, slope, half_width)
    np.testing.assert_allclose(xs, [x0 - half_width, x0 + half_width])
    np.testing.assert_allclose((ys[1] - ys[0]) / (xs[1] - xs[0]), slope)
    np.testing.assert_allclose(np.interp(x0, xs, ys), f(x0))  # passes through (x0, f(x0))


def test_plot_tangents_draws_a_dot_and_a_tangent_per_point_in_its_own_colour(ax):
    x0s = np.arange(5.0)
    artists = plot_tangents(ax, f, dfdx, x0s, half_width=0.5)
    assert len(artists) == 2 * len(x0s)
    dots, segments = artists[::2], artists[1::2]
    for x0, dot, segment in zip(x0s, dots, segments):
        np.testing.assert_array_equal(dot.get_xydata(), [[x0, f(x0)]])
        xs, ys = segment.get_xdata(), segment.get_ydata()
        np.testing.assert_allclose(xs, [x0 - 0.5, x0 + 0.5])
        np.testing.assert_allclose((ys[1] - ys[0]) / (xs[1] - xs[0]), dfdx(x0))
        assert to_rgba(dot.get_color()) == to_rgba(segment.get_color())
    assert len({to_rgba(dot.get_color()) for dot in dots}) == len(x0s)


def test_plot_secant_passes_through_both_points_and_extends_beyond_them(ax):
    line, dots = plot_secant(ax, f, 1.0, 2.0, color="C4")
    np.testing.assert_array_equal(dots.get_xydata(), [[1.0, 2.0], [2.0, 8.0]])
    xs, ys = line.get_xdata(), line.get_ydata()
    assert xs[0] < 1.0 and xs[1] > 2.0
    np.testing.assert_allclose(np.interp([1.0, 2.0], xs, ys), [2.0, 8.0])
    assert to_rgba(dots.get_color()) == to_rgba(line.get_color()) == to_rgba("C4")


def test_clipped_difference_errors_match_the_textbook_values():
    forward, central = clipped_difference_errors(f, dfdx, 1.0, np.array([1e-4, 1e-2]))
    np.testing.assert_allclose(forward, [2e-4, 2e-2], rtol=1e-6)  # forward error of 2x^2 is exactly 2 delta
    assert np.all(central < 1e-9)  # central difference is exact for a quadratic, up to round-off


def test_plot_error_vs_delta_draws_both_errors_on_log_log_axes(ax):
    deltas = np.logspace(-16, 0, 161)
    lines = plot_error_vs_delta(ax, f, dfdx, 1.0, deltas)
    assert set(lines) == {"forward", "central"}
    forward, central = lines["forward"], lines["central"]
    np.testing.assert_array_equal(forward.get_xdata(), deltas)
    i = np.argmin(np.abs(deltas - 1e-4))
    assert forward.get_ydata()[i] == pytest.approx(2e-4, rel=1e-6)
    assert central.get_ydata()[i] < 1e-9
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert ax.get_xlabel() and ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["forward difference", "central difference"]


def test_plot_error_vs_delta_clips_zero_errors_and_stays_silent(ax):
    deltas = np.array([0.0, 0.25, 0.5, 1.0])  # 3x has exact differences; delta = 0 gives 0 / 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lines = plot_error_vs_delta(ax, lambda x: 3 * x, lambda x: np.full_like(x, 3.0), 2.0, deltas)
        FigureCanvasAgg(ax.figure).draw()
    np.testing.assert_array_equal(lines["central"].get_ydata()[1:], 1e-17)
    assert np.isnan(lines["forward"].get_ydata()[0])


def split_network(axis: int) -> dict[str, np.ndarray]:
    """A 2-2-2 network whose logits are (relu(-x_axis), relu(x_axis)): class 0 below 0 on that axis, class 1 above."""
    W1 = np.zeros((2, 2))
    W1[axis] = [1.0, -1.0]  # hidden 0 = relu(x_axis), hidden 1 = relu(-x_axis)
    return {"W1": W1, "b1": np.zeros((1, 2)), "W2": np.array([[0.0, 1.0], [1.0, 0.0]]), "b2": np.zeros((1, 2))}


def test_decision_regions_split_at_zero_on_the_cell_centres():
    xs, ys, classes = decision_regions(split_network(axis=0), (-1.0, 1.0, -0.5, 0.5), 4)
    np.testing.assert_allclose(xs, [-0.75, -0.25, 0.25, 0.75])
    np.testing.assert_allclose(ys, [-0.375, -0.125, 0.125, 0.375])
    np.testing.assert_array_equal(classes, [[0, 0, 1, 1]] * 4)  # class 0 left of x = 0, class 1 right of it
    _, _, classes = decision_regions(split_network(axis=1), (-1.0, 1.0, -0.5, 0.5), 4)
    np.testing.assert_array_equal(classes, [[0] * 4, [0] * 4, [1] * 4, [1] * 4])  # rows follow y


def test_decision_regions_are_the_argmax_of_the_logits():
    params = init_params(2, 8, 3, seed=1)
    xs, ys, classes = decision_regions(params, (-2.0, 2.0, -1.0, 3.0), 30)
    points = np.array([[x, y] for y in ys for x in xs])
    logits = np.maximum(points @ params["W1"] + params["b1"], 0.0) @ params["W2"] + params["b2"]
    np.testing.assert_array_equal(classes, logits.argmax(axis=1).reshape(30, 30))
    assert len(np.unique(classes)) > 1


def test_plot_decision_regions_draws_pale_regions_under_the_points(ax):
    X = np.array([[-1.0, 0.0], [-0.5, 1.0], [0.5, -1.0], [1.0, 0.0]])
    y = np.array([0, 0, 1, 1])
    params = split_network(axis=0)
    regions, points = plot_decision_regions(ax, params, X, y, resolution=10)
    np.testing.assert_allclose(regions.get_extent(), [-1.2, 1.2, -1.2, 1.2])  # X's box widened by 10 %
    np.testing.assert_array_equal(regions.get_array(), decision_regions(params, (-1.2, 1.2, -1.2, 1.2), 10)[2])
    for c, line in enumerate(points):
        np.testing.assert_array_equal(line.get_xydata(), X[y == c])
        colour = np.array(to_rgba(f"C{c}"))
        np.testing.assert_allclose(to_rgba(line.get_markerfacecolor()), colour)
        np.testing.assert_allclose(regions.cmap(regions.norm(c)), 0.3 * colour + 0.7)  # the pale class colour
        assert line.get_zorder() > regions.get_zorder()
    assert ax.get_xlim() == (-1.2, 1.2) and ax.get_ylim() == (-1.2, 1.2)
