"""Tests for gradlab.backprop: the neuron's nodes and the two-layer network's loss and gradients."""
from __future__ import annotations

import numpy as np
import pytest

from gradlab.backprop import (
    neuron_backward,
    neuron_pass,
)
from gradlab.numeric import numerical_gradient, relative_error

X_BOOK, W_BOOK, B_BOOK = np.array([1.0, -2.0, 3.0]), np.array([-3.0, -1.0, 2.0]), 1.0


def test_neuron_pass_keeps_every_node_of_the_books_neuron():
    p = neuron_pass(X_BOOK, W_BOOK, B_BOOK)
    np.testing.assert_array_equal(p.products, [-3.0, 2.0, 6.0])
    assert (p.z, p.y, p.dy, p.dz, p.db) == (6.0, 6.0, 1.0, 1.0, 1.0)
    np.testing.assert_array_equal(p.dproducts, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(p.dx, W_BOOK)
    np.testing.assert_array_equal(p.dw, X_BOOK)


def test_one_step_against_the_gradient_lowers_the_output_to_5_985():
    dx, dw, db = neuron_backward(X_BOOK, W_BOOK, B_BOOK, 1.0)
    w, b = W_BOOK - 0.001 * dw, B_BOOK - 0.001 * db
    np.testing.assert_allclose(w, [-3.001, -0.998, 1.997])
    assert b == pytest.approx(0.999)
    assert neuron_pass(X_BOOK, w, b).y == pytest.approx(5.985, abs=1e-12)


@pytest.mark.parametrize("b, dvalue", [(-7.0, 1.0), (-5.0, 2.0)])
def test_no_gradient_where_relu_is_flat(b, dvalue):
    dx, dw, db = neuron_backward(X_BOOK, W_BOOK, b, dvalue)  # z = -2, then z = 0 exactly (1(z > 0) = 0)
    assert not dx.any() and not dw.any() and db == 0.0


def test_upstream_gradient_scales_everything():
    dx, dw, db = neuron_backward(X_BOOK, W_BOOK, B_BOOK, -0.5)
    np.testing.assert_array_equal(dx, -0.5 * W_BOOK)
    np.testing.assert_array_equal(dw, -0.5 * X_BOOK)
    assert db == -0.5


def test_neuron_gradients_match_numerical_ones():
    rng = np.random.default_rng(1)
    x, w, b = rng.normal(size=4), rng.normal(size=4), 2.0

    def y(x_, w_, b_):
        return max(float(x_ @ w_ + b_), 0.0)

    dx, dw, db = neuron_backward(x, w, b, 1.0)
    assert relative_error(dx, numerical_gradient(lambda v: y(v, w, b), x)) < 1e-8
    assert relative_error(dw, numerical_gradient(lambda v: y(x, v, b), w)) < 1e-8
    assert relative_error(db, numerical_gradient(lambda v: y(x, w, v[0]), np.array([b]))) < 1e-8
