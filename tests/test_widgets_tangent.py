"""Tests for gradlab.widgets.TangentExplorer: the logic behind the sliders, without a browser.

What every explorer does (PNG, mimebundle, updates that blit into the same figure) is in tests/test_widgets.py.
"""
from __future__ import annotations

import numpy as np
import pytest
from numpy.polynomial import Polynomial

from gradlab.plots import clipped_difference_errors
from gradlab.widgets import TangentExplorer

F = Polynomial([0, 0, 2])  # the chapter's f(x) = 2x², and its derivative 4x


@pytest.fixture
def explorer():
    return TangentExplorer(F, F.deriv())


def test_sliders_start_at_the_given_values(explorer):
    assert (explorer.x0.min, explorer.x0.max, explorer.x0.step) == (0.0, 4.0, 0.01)
    assert [v for _, v in explorer.delta.options][::3] == [10.0 ** k for k in range(-16, 1)]   # 1, 2, 5 per decade
    assert explorer.delta.value == 0.5 and explorer.delta.label == "0.5"   # shown as the code writes it
    assert explorer.state()["x0"] == 1.0 and explorer.state()["delta"] == 0.5


def test_moving_the_sliders_gives_the_expected_slopes(explorer):
    explorer.delta.value = 1e-4
    state = explorer.state()
    assert state["x0"] == 1.0 and state["delta"] == 1e-4
    assert state["secant_slope"] == pytest.approx(4.0002, abs=1e-9)
    assert state["exact_slope"] == 4.0
    assert state["error"] == pytest.approx(2e-4, abs=1e-9)

    explorer.x0.value = 3.0
    state = explorer.state()
    assert state["secant_slope"] == pytest.approx(12.0002, abs=1e-9)
    assert state["exact_slope"] == 12.0


def test_label_shows_both_slopes_and_the_error(explorer):
    explorer.delta.value = 1e-4
    assert explorer.label.value == (
        "x0 = 1.00, δ = 1.0e-04: secant slope 4.000200, exact slope 4.000000, error 2.0e-04"
    )
    explorer.x0.value = 2.0
    assert explorer.label.value.startswith("x0 = 2.00,")


def test_points_and_marker_follow_the_sliders(explorer):
    explorer.x0.value, explorer.delta.value = 2.5, 1e-3
    np.testing.assert_array_equal(explorer._points.get_xdata(), [2.5, 2.5 + 1e-3])
    np.testing.assert_array_equal(explorer._marker.get_xdata(), [1e-3, 1e-3])


def test_error_curves_follow_x0():
    explorer = TangentExplorer(np.sin, np.cos, x_range=(0.0, 3.0))
    explorer.x0.value = 2.0
    forward, central = clipped_difference_errors(np.sin, np.cos, 2.0, explorer.deltas)
    np.testing.assert_array_equal(explorer._forward.get_ydata(), forward)
    np.testing.assert_array_equal(explorer._central.get_ydata(), central)
