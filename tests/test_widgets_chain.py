"""Tests for gradlab.widgets.chain.ChainExplorer: the logic behind the slider, without a browser.

What every explorer does (PNG, mimebundle, updates that blit into the same figure) is in tests/test_widgets.py.
"""
from __future__ import annotations

import numpy as np
import pytest

from gradlab.functions import sigmoid, sigmoid_deriv, square, tanh, tanh_deriv
from gradlab.widgets.chain import ChainExplorer


@pytest.fixture
def explorer():
    return ChainExplorer()  # the book's chain leaky_relu -> sigmoid -> square, at x = 1


def test_slider_starts_at_the_given_value(explorer):
    assert (explorer.x.min, explorer.x.max, explorer.x.step, explorer.x.value) == (-3.0, 3.0, 0.01, 1.0)
    assert explorer.names == ["leaky_relu", "sigmoid", "square"]


def test_state_holds_each_box_and_the_product(explorer):
    s1 = float(sigmoid(1.0))
    state = explorer.state()
    assert state["x"] == 1.0
    assert (state["out1"], state["out2"], state["out3"]) == pytest.approx((1.0, s1, s1**2), rel=1e-15)
    assert (state["local1"], state["local2"], state["local3"]) == pytest.approx((1.0, s1 * (1 - s1), 2 * s1), rel=1e-15)
    assert state["product"] == pytest.approx(2 * s1**2 * (1 - s1), rel=1e-14)
    assert state["product"] == pytest.approx(0.287470, abs=1e-6)
    assert state["central_difference"] == pytest.approx(state["product"], abs=1e-9)
    assert state["difference"] == state["product"] - state["central_difference"]
    assert abs(state["difference"]) < 1e-9


def test_moving_the_slider_gives_the_expected_numbers(explorer):
    explorer.x.value = -1.5
    state = explorer.state()
    s = float(sigmoid(-0.3))
    assert state["x"] == -1.5
    assert (state["out1"], state["out2"], state["out3"]) == pytest.approx((-0.3, s, s**2), rel=1e-14)
    assert (state["local1"], state["local2"], state["local3"]) == pytest.approx((0.2, s * (1 - s), 2 * s), rel=1e-14)
    assert state["product"] == pytest.approx(0.041612, abs=1e-6)


def test_at_the_kink_the_chain_rule_and_the_nudge_disagree(explorer):
    explorer.x.value = 0.0
    state = explorer.state()
    assert state["local1"] == 0.2 and state["product"] == pytest.approx(0.05)
    assert state["central_difference"] == pytest.approx(0.15, abs=1e-5)  # averages slopes 0.2 and 1
    assert state["difference"] == pytest.approx(-0.1, abs=1e-5)


def test_label_and_box_texts_show_every_link(explorer):
    explorer.x.value = -1.5
    label, difference = explorer.label.value.rsplit(" ", 1)
    assert label == (
        "x = -1.50: leaky_relu(-1.5000) = -0.3000, local derivative 0.2000 → "
        "sigmoid(-0.3000) = 0.4256, local derivative 0.2445 → "
        "square(0.4256) = 0.1811, local derivative 0.8511"
        "<br>product of local derivatives 0.041612, central difference 0.041612, difference"
    )
    assert abs(float(difference)) < 1e-9  # round-off: its digits depend on the platform's math library
    assert [t.get_text() for t in explorer._box_texts] == [
        "-1.5000\n-0.3000\n0.2000", "-0.3000\n0.4256\n0.2445", "0.4256\n0.1811\n0.8511"]
    assert [t.get_text() for t in explorer._sum_texts][:2] == ["0.041612", "0.041612"]


def test_dots_cursor_and_tangents_follow_the_slider(explorer):
    explorer.x.value = 2.5
    state = explorer.state()
    np.testing.assert_array_equal(explorer._dots[1].get_xdata(), [state["out1"]])
    np.testing.assert_array_equal(explorer._dots[1].get_ydata(), [state["out2"]])
    np.testing.assert_array_equal(explorer._cursor.get_xdata(), [2.5, 2.5])
    np.testing.assert_array_equal(explorer._chain_dots.get_ydata(), [state["out3"], state["product"]])
    xs, ys = explorer._tangents[2].get_data()
    assert (ys[1] - ys[0]) / (xs[1] - xs[0]) == pytest.approx(state["local3"])


def test_other_chains_and_their_derivatives():
    explorer = ChainExplorer([tanh, square, sigmoid], [tanh_deriv, lambda u: 2 * u, sigmoid_deriv], x=0.5)
    state = explorer.state()
    t = float(np.tanh(0.5))
    assert state["product"] == pytest.approx(sigmoid_deriv(t**2) * 2 * t * (1 - t**2), rel=1e-14)
    assert explorer.names == ["tanh", "square", "sigmoid"]
    with pytest.raises(ValueError, match="three functions"):
        ChainExplorer([square, sigmoid])
