"""Tests for gradlab.chain: forward passes keep the values, backward passes multiply local derivatives."""
from __future__ import annotations

import numpy as np
import pytest

from gradlab.chain import (
    chain_deriv,
    chain_forward,
    compose,
    local_derivatives,
    sigma_sum_backward,
    sigma_sum_forward,
)
from gradlab.functions import DERIVATIVES, leaky_relu, sigmoid, sigmoid_deriv, square, tanh, tanh_deriv
from gradlab.numeric import central_difference, numerical_gradient

pytestmark = pytest.mark.filterwarnings("error")

BOOK_CHAIN = [leaky_relu, sigmoid, square]


def derivs(chain):
    return [DERIVATIVES[f] for f in chain]


def test_chain_forward_keeps_every_value():
    values = chain_forward([square, sigmoid], np.array([-1.0, 2.0]))
    assert len(values) == 3
    np.testing.assert_array_equal(values[0], [-1.0, 2.0])
    np.testing.assert_array_equal(values[1], [1.0, 4.0])
    np.testing.assert_array_equal(values[2], sigmoid(np.array([1.0, 4.0])))


def test_chain_forward_does_not_change_its_input_and_accepts_numbers():
    x = np.array([1.0, -2.0])
    chain_forward([square], x)
    np.testing.assert_array_equal(x, [1.0, -2.0])
    assert chain_forward([], 3)[0].dtype == np.float64


def test_compose_applies_the_first_function_first():
    assert compose([square, sigmoid])(2.0) == sigmoid(4.0)
    assert compose([sigmoid, square])(2.0) == sigmoid(2.0) ** 2


def test_local_derivatives_are_taken_at_each_box_input():
    values = chain_forward(BOOK_CHAIN, np.array([-1.0]))
    slopes = local_derivatives(derivs(BOOK_CHAIN), values[:-1])
    np.testing.assert_allclose(np.concatenate(slopes), [0.2, sigmoid_deriv(-0.2), 2 * sigmoid(-0.2)])


@pytest.mark.parametrize("chain", [BOOK_CHAIN, [square, sigmoid], [sigmoid, square], [tanh, square, sigmoid, leaky_relu]],
                         ids=lambda chain: "-".join(f.__name__ for f in chain))
def test_chain_deriv_agrees_with_a_central_difference(chain):
    x = np.linspace(-3, 3, 25) + 0.01  # away from leaky ReLU's kink
    np.testing.assert_allclose(chain_deriv(chain, derivs(chain), x), central_difference(compose(chain), x, 1e-6),
                               atol=1e-8)


def test_chain_deriv_of_the_nnfs_example_is_960_x_to_the_9th():
    x = np.linspace(-1.2, 1.2, 7)
    inner, outer = (lambda v: 2 * v**2), (lambda u: 3 * u**5)
    np.testing.assert_allclose(chain_deriv([inner, outer], [lambda v: 4 * v, lambda u: 15 * u**4], x), 960 * x**9)


def test_chain_deriv_keeps_the_shape_of_x():
    assert chain_deriv(BOOK_CHAIN, derivs(BOOK_CHAIN), np.ones((2, 3))).shape == (2, 3)


def book_matrices():
    legacy = np.random.RandomState(190204)  # Deep Learning from Scratch's np.random.seed(190204)
    X = legacy.randn(3, 3)
    return X, legacy.randn(3, 2)


def test_sigma_sum_reproduces_the_books_numbers():
    X, W = book_matrices()
    assert round(sigma_sum_forward(X, W, sigmoid), 4) == 2.3755
    dLdX, dLdW = sigma_sum_backward(X, W, sigmoid_deriv)
    np.testing.assert_allclose(dLdX, [[0.2489, -0.3748, 0.0112], [0.126, -0.2781, -0.1395], [0.2299, -0.3662, -0.0225]],
                               atol=5e-5)
    assert dLdW.shape == (3, 2)


@pytest.mark.parametrize("n, k, m", [(2, 3, 4), (5, 2, 3), (4, 4, 4), (1, 3, 1)])
def test_sigma_sum_backward_agrees_with_numerical_gradients(n, k, m):
    rng = np.random.default_rng(n * 100 + k * 10 + m)
    X, W = rng.standard_normal((n, k)), rng.standard_normal((k, m))
    dLdX, dLdW = sigma_sum_backward(X, W, tanh_deriv)
    assert dLdX.shape == (n, k) and dLdW.shape == (k, m)
    np.testing.assert_allclose(dLdX, numerical_gradient(lambda X_: sigma_sum_forward(X_, W, tanh), X), atol=1e-8)
    np.testing.assert_allclose(dLdW, numerical_gradient(lambda W_: sigma_sum_forward(X, W_, tanh), W), atol=1e-8)
