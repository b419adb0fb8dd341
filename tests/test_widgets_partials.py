"""Tests for gradlab.widgets.partials.PartialsExplorer: the logic behind the sliders, without a browser.

What every explorer does (PNG, mimebundle, updates that blit into the same figure) is in tests/test_widgets.py.
"""
from __future__ import annotations

import contourpy
import numpy as np
import pytest

from gradlab.widgets.partials import PartialsExplorer, arrow_path, level_curve


def f(x, y):
    return x**2 + x * y + 2 * y**2


def dfdx(x, y):
    return 2 * x + y


def dfdy(x, y):
    return x + 4 * y


@pytest.fixture
def explorer():
    return PartialsExplorer(f, dfdx, dfdy, title="f(x, y) = x² + xy + 2y²")


def finite(xy: np.ndarray) -> np.ndarray:
    """The rows of an (n, 2) vertex array that are not NaN breaks."""
    return xy[~np.isnan(xy).any(axis=1)]


def test_sliders_start_at_the_given_values(explorer):
    assert (explorer.x0.min, explorer.x0.max, explorer.x0.step) == (-2.0, 2.0, 0.05)
    assert (explorer.y0.min, explorer.y0.max) == (-2.0, 2.0)
    assert explorer.state()["x0"] == 1.0 and explorer.state()["y0"] == 0.5


def test_state_has_f_the_partials_and_the_gradient_length(explorer):
    assert explorer.state() == pytest.approx(
        {"x0": 1.0, "y0": 0.5, "f": 2.0, "dfdx": 2.5, "dfdy": 3.0, "grad_norm": np.sqrt(2.5**2 + 3.0**2)})
    explorer.x0.value, explorer.y0.value = -1.3, 1.1
    state = explorer.state()
    assert state["f"] == pytest.approx(1.69 - 1.43 + 2.42)
    assert (state["dfdx"], state["dfdy"]) == (pytest.approx(-1.5), pytest.approx(3.1))
    assert state["grad_norm"] == pytest.approx(np.hypot(1.5, 3.1))


def test_label_shows_f_the_partials_and_the_gradient_length(explorer):
    explorer.y0.value = -1.0
    assert explorer.label.value == (
        "at (x0, y0) = (1.00, -1.00): f = 2.0000, ∂f/∂x = 1.0000, ∂f/∂y = -3.0000, |∇f| = 3.1623"
    )
    explorer.x0.value = 0.0
    assert explorer.label.value.startswith("at (x0, y0) = (0.00, -1.00)")


def test_point_and_cross_lines_follow_the_sliders(explorer):
    explorer.x0.value, explorer.y0.value = -0.5, 1.5
    np.testing.assert_array_equal(explorer._point.get_xydata(), [[-0.5, 1.5]])
    np.testing.assert_array_equal(explorer._row.get_ydata(), [1.5, 1.5])
    np.testing.assert_array_equal(explorer._column.get_xdata(), [-0.5, -0.5])


def test_slices_are_f_along_each_axis_with_tangents_of_slope_the_partials(explorer):
    explorer.x0.value, explorer.y0.value = 0.75, -0.25
    state = explorer.state()
    for var, at, slope, _span, cut in (("x", 0.75, state["dfdx"], explorer.xs, f(explorer.xs, -0.25)),
                                      ("y", -0.25, state["dfdy"], explorer.ys, f(0.75, explorer.ys))):
        curve, tangent, dot = explorer._slices[var]
        np.testing.assert_allclose(curve.get_ydata(), cut)
        (t0, t1), (v0, v1) = tangent.get_xdata(), tangent.get_ydata()
        assert (v1 - v0) / (t1 - t0) == pytest.approx(slope)
        assert v0 + slope * (at - t0) == pytest.approx(state["f"])  # the tangent touches the slice at the point
        np.testing.assert_allclose(dot.get_xydata(), [[at, state["f"]]])


def test_level_curve_passes_through_the_point_at_its_height(explorer):
    explorer.x0.value, explorer.y0.value = -1.3, 1.1
    level = finite(explorer._level.get_xydata())
    assert len(level) > 50
    np.testing.assert_allclose(f(level[:, 0], level[:, 1]), explorer.state()["f"], rtol=1e-3)
    assert np.hypot(*(level - [-1.3, 1.1]).T).min() < 0.02


def test_gradient_arrow_starts_at_the_point_and_is_perpendicular_to_the_level_curve(explorer):
    for x0, y0 in [(1.0, 0.5), (-1.3, 1.1), (0.4, -1.6), (-1.8, -0.2)]:
        explorer.x0.value, explorer.y0.value = x0, y0
        state = explorer.state()
        gradient = np.array([state["dfdx"], state["dfdy"]])
        arrow = explorer._arrow.get_xydata()
        np.testing.assert_allclose(arrow[0], [x0, y0])
        np.testing.assert_allclose(arrow[1], [x0, y0] + explorer.arrow_scale * gradient)
        level = finite(explorer._level.get_xydata())
        near = level[np.hypot(*(level - [x0, y0]).T) < 0.15]
        direction = np.linalg.svd(near - near.mean(axis=0))[2][0]  # the level curve's direction near the point
        assert abs(direction @ gradient) / np.linalg.norm(gradient) < 0.03


def test_at_the_minimum_the_gradient_vanishes_without_errors(explorer):
    explorer.x0.value, explorer.y0.value = 0.0, 0.0
    assert explorer.state()["grad_norm"] == 0.0
    assert explorer.label.value.endswith("|∇f| = 0.0000")


def test_longest_arrow_is_four_tenths_of_the_plot(explorer):
    corner = np.hypot(dfdx(2.0, 2.0), dfdy(2.0, 2.0))  # the largest gradient on the grid
    assert explorer.arrow_scale * corner == pytest.approx(0.4 * 4.0)


def test_level_curve_helper_on_a_circle():
    xs = np.linspace(-2, 2, 101)
    x, y = np.meshgrid(xs, xs)
    generator = contourpy.contour_generator(xs, xs, x**2 + y**2, line_type=contourpy.LineType.ChunkCombinedNan)
    circle = finite(level_curve(generator, 1.0))
    np.testing.assert_allclose(np.hypot(circle[:, 0], circle[:, 1]), 1.0, atol=1e-3)
    assert level_curve(generator, -1.0).shape == (0, 2)


def test_arrow_path_shaft_and_head():
    path = arrow_path(np.array([1.0, 1.0]), np.array([2.0, 0.0]), head=0.5)
    np.testing.assert_array_equal(path[:2], [[1.0, 1.0], [3.0, 1.0]])
    assert np.isnan(path[2]).all() and (path[4] == [3.0, 1.0]).all()
    for barb in (path[3], path[5]):
        assert np.hypot(*(barb - path[4])) == pytest.approx(0.5) and barb[0] < 3.0
    assert path[3][1] == pytest.approx(2 - path[5][1])  # symmetric about the shaft
    np.testing.assert_array_equal(finite(arrow_path(np.array([0.5, 0.5]), np.zeros(2), 0.5)), np.full((5, 2), 0.5))
