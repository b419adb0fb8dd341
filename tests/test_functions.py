"""Tests for gradlab.functions: values at known points, derivatives against central differences, no overflow."""
from __future__ import annotations

import numpy as np
import pytest

from gradlab.functions import (
    DERIVATIVES,
    LEAK,
    leaky_relu,
    leaky_relu_deriv,
    sigmoid,
    sigmoid_deriv,
    square,
    square_deriv,
    tanh,
    tanh_deriv,
)
from gradlab.numeric import central_difference

pytestmark = pytest.mark.filterwarnings("error")

PAIRS = [(square, square_deriv), (sigmoid, sigmoid_deriv), (leaky_relu, leaky_relu_deriv), (tanh, tanh_deriv)]
IDS = [f.__name__ for f, _ in PAIRS]


@pytest.mark.parametrize("f, df", PAIRS, ids=IDS)
def test_derivatives_agree_with_central_differences_away_from_kinks(f, df):
    x = np.linspace(-3, 3, 61) + 0.005  # never exactly 0, leaky ReLU's kink
    np.testing.assert_allclose(df(x), central_difference(f, x, 1e-6), rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("f, df", PAIRS, ids=IDS)
def test_shapes_and_dtype_are_kept(f, df):
    x = np.arange(-3, 3).reshape(2, 3)  # integers in, float64 out
    for g in (f, df):
        y = g(x)
        assert y.shape == (2, 3) and y.dtype == np.float64
    assert np.shape(f(1.5)) == ()


def test_derivatives_table_pairs_every_function_with_its_derivative():
    assert DERIVATIVES == {square: square_deriv, sigmoid: sigmoid_deriv, leaky_relu: leaky_relu_deriv,
                           tanh: tanh_deriv}


def test_known_values():
    np.testing.assert_array_equal(square(np.array([-2.0, 0.5])), [4.0, 0.25])
    np.testing.assert_array_equal(square_deriv(np.array([-2.0, 0.5])), [-4.0, 1.0])
    assert sigmoid(0.0) == 0.5 and sigmoid_deriv(0.0) == 0.25
    assert sigmoid(1.0) == pytest.approx(1 / (1 + np.exp(-1.0)), rel=1e-15)
    np.testing.assert_array_equal(leaky_relu(np.array([-1.0, 0.0, 2.0])), [-LEAK, 0.0, 2.0])
    np.testing.assert_array_equal(leaky_relu_deriv(np.array([-1.0, 0.0, 2.0])), [LEAK, LEAK, 1.0])
    assert LEAK == 0.2
    assert tanh(0.0) == 0.0 and tanh_deriv(0.0) == 1.0


def test_sigmoid_does_not_overflow_for_large_inputs():
    x = np.array([-1000.0, -40.0, 40.0, 1000.0])
    s = sigmoid(x)
    assert np.all(np.isfinite(s)) and s[0] == 0.0 and s[-1] == 1.0
    np.testing.assert_allclose(s[1] + s[2], 1.0)
    assert np.all(sigmoid_deriv(x) >= 0)


def test_sigmoid_is_symmetric():
    x = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(sigmoid(x) + sigmoid(-x), 1.0, rtol=1e-15)
