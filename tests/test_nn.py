from __future__ import annotations

import numpy as np
import pytest

from gradlab.nn import CategoricalCrossEntropy, Dense, ReLU, Softmax, SoftmaxCrossEntropy, accuracy, one_hot
from gradlab.numeric import numerical_gradient, relative_error

SEEDS = range(5)


def assert_matches_numerical(f, x: np.ndarray, analytic: np.ndarray) -> None:
    """analytic must be the gradient of the scalar function f at x."""
    assert analytic.shape == x.shape
    assert relative_error(analytic, numerical_gradient(f, x)) < 1e-7


def random_problem(seed: int) -> tuple[np.random.Generator, int, int]:
    """A generator plus a random batch size n and class count k."""
    rng = np.random.default_rng(seed)
    n, k = rng.integers(1, 7), rng.integers(2, 6)
    return rng, int(n), int(k)


# one_hot and accuracy

def test_one_hot_expands_sparse_labels():
    expected = [[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]]
    result = one_hot(np.array([1, 0, 2, 1]), 3)
    assert result.dtype == np.float64
    assert np.array_equal(result, expected)


def test_one_hot_passes_one_hot_labels_through():
    labels = np.array([[0, 0, 1], [1, 0, 0]])
    result = one_hot(labels, 3)
    assert result.dtype == np.float64
    assert np.array_equal(result, labels)


def test_accuracy_with_sparse_and_one_hot_labels():
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.5, 0.4], [0.3, 0.4, 0.3]])
    labels = np.array([0, 1, 0])
    assert accuracy(probs, labels) == pytest.approx(2 / 3)
    assert accuracy(probs, one_hot(labels, 3)) == pytest.approx(2 / 3)


# Dense

def test_dense_initialisation():
    layer = Dense(4, 3, np.random.default_rng(0), scale=2.0)
    reference = Dense(4, 3, np.random.default_rng(0), scale=1.0)
    assert layer.weights.shape == (4, 3) and layer.weights.dtype == np.float64
    assert np.array_equal(layer.biases, np.zeros((1, 3)))
    np.testing.assert_allclose(layer.weights, 2.0 * reference.weights)
    np.testing.assert_allclose(Dense(4, 3, np.random.default_rng(0)).weights, 0.01 * reference.weights)


def test_dense_forward():
    layer = Dense(2, 3)
    layer.weights = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
    layer.biases = np.array([[0.5, -0.5, 0.0]])
    out = layer.forward(np.array([[1.0, 1.0], [0.0, 2.0]]))
    np.testing.assert_allclose(out, [[3.5, 0.5, -1.0], [4.5, 1.5, 0.0]])


@pytest.mark.parametrize("seed", SEEDS)
def test_dense_backward_matches_numerical_gradient(seed):
    rng, n, n_out = random_problem(seed)
    n_in = int(rng.integers(1, 6))
    layer = Dense(n_in, n_out, rng, scale=1.0)
    layer.biases = rng.standard_normal((1, n_out))
    x, dout = rng.standard_normal((n, n_in)), rng.standard_normal((n, n_out))
    weights, biases = layer.weights, layer.biases

    def upstream(w: np.ndarray, b: np.ndarray, inputs: np.ndarray) -> float:
        probe = Dense(n_in, n_out)
        probe.weights, probe.biases = w, b
        return np.sum(probe.forward(inputs) * dout)  # its gradient w.r.t. the output is dout

    layer.forward(x)
    dx = layer.backward(dout)
    assert_matches_numerical(lambda v: upstream(weights, biases, v), x, dx)
    assert_matches_numerical(lambda v: upstream(v, biases, x), weights, layer.dweights)
    assert_matches_numerical(lambda v: upstream(weights, v, x), biases, layer.dbiases)


# ReLU

def test_relu_forward_and_backward_mask():
    relu = ReLU()
    x = np.array([[-2.0, 0.0, 3.0], [1.5, -0.1, 0.0]])
    np.testing.assert_array_equal(relu.forward(x), [[0.0, 0.0, 3.0], [1.5, 0.0, 0.0]])
    dout = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    np.testing.assert_array_equal(relu.backward(dout), [[0.0, 0.0, 3.0], [4.0, 0.0, 0.0]])


@pytest.mark.parametrize("seed", SEEDS)
def test_relu_backward_matches_numerical_gradient(seed):
    rng, n, k = random_problem(seed)
    x = rng.standard_normal((n, k))
    x[np.abs(x) < 1e-3] = 0.5  # keep clear of the kink, where no derivative exists
    dout = rng.standard_normal((n, k))
    relu = ReLU()
    relu.forward(x)
    assert_matches_numerical(lambda v: np.sum(ReLU().forward(v) * dout), x, relu.backward(dout))


# Softmax

def test_softmax_forward_known_values_and_rows_sum_to_one():
    probs = Softmax().forward(np.array([[0.0, np.log(3.0)], [1.0, 1.0]]))
    np.testing.assert_allclose(probs, [[0.25, 0.75], [0.5, 0.5]])
    rows = Softmax().forward(np.random.default_rng(0).standard_normal((5, 4)))
    np.testing.assert_allclose(rows.sum(axis=1), np.ones(5))


def test_softmax_is_stable_for_huge_logits():
    probs = Softmax().forward(np.array([[1000.0, 1000.0, 0.0], [-1000.0, 0.0, 1000.0]]))
    assert np.all(np.isfinite(probs))
    np.testing.assert_allclose(probs, [[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])


@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_backward_matches_numerical_gradient(seed):
    rng, n, k = random_problem(seed)
    z, dout = rng.standard_normal((n, k)), rng.standard_normal((n, k))
    softmax = Softmax()
    softmax.forward(z)
    dz = softmax.backward(dout)
    assert_matches_numerical(lambda v: np.sum(Softmax().forward(v) * dout), z, dz)


# Categorical cross-entropy

def test_cross_entropy_of_uniform_guess_is_log_k():
    probs = np.full((6, 4), 0.25)
    assert CategoricalCrossEntropy().forward(probs, np.array([0, 1, 2, 3, 0, 1])) == pytest.approx(np.log(4))


def test_cross_entropy_known_value():
    probs = np.array([[0.7, 0.1, 0.2], [0.1, 0.5, 0.4], [0.02, 0.9, 0.08]])
    loss = CategoricalCrossEntropy().forward(probs, np.array([0, 1, 1]))
    assert loss == pytest.approx(-np.mean(np.log([0.7, 0.5, 0.9])))


def test_clipping_keeps_the_loss_finite():
    loss_function = CategoricalCrossEntropy()
    assert loss_function.forward(np.array([[0.0, 1.0, 0.0]]), np.array([0])) == pytest.approx(-np.log(1e-7))
    assert loss_function.forward(np.array([[1.0, 0.0, 0.0]]), np.array([0])) == pytest.approx(-np.log(1 - 1e-7))


def test_cross_entropy_gradient_is_clipped_like_the_loss():
    loss_function = CategoricalCrossEntropy()
    with np.errstate(all="raise"):  # no division by zero, no NaN
        dprobs = loss_function.backward(np.array([[0.0, 0.6, 0.4], [0.5, 0.0, 0.5]]), np.array([0, 2]))
    np.testing.assert_array_equal(dprobs, [[-1e7 / 2, 0.0, 0.0], [0.0, 0.0, -1.0]])


@pytest.mark.parametrize("seed", SEEDS)
def test_cross_entropy_backward_matches_numerical_gradient(seed):
    rng, n, k = random_problem(seed)
    probs, labels = rng.uniform(0.05, 1.0, (n, k)), rng.integers(0, k, n)
    loss_function = CategoricalCrossEntropy()
    dprobs = loss_function.backward(probs, labels)
    assert_matches_numerical(lambda p: loss_function.forward(p, labels), probs, dprobs)


@pytest.mark.parametrize("seed", SEEDS)
def test_sparse_and_one_hot_labels_agree(seed):
    rng, n, k = random_problem(seed)
    logits, labels = rng.standard_normal((n, k)), rng.integers(0, k, n)
    targets = one_hot(labels, k)
    probs = Softmax().forward(logits)
    cce, combined = CategoricalCrossEntropy(), SoftmaxCrossEntropy()
    assert cce.forward(probs, labels) == cce.forward(probs, targets)
    np.testing.assert_array_equal(cce.backward(probs, labels), cce.backward(probs, targets))
    assert combined.forward(logits, labels) == combined.forward(logits, targets)
    np.testing.assert_array_equal(combined.backward(probs, labels), combined.backward(probs, targets))


# Softmax and cross-entropy combined

@pytest.mark.parametrize("seed", SEEDS)
def test_combined_forward_is_softmax_then_cross_entropy(seed):
    rng, n, k = random_problem(seed)
    logits, labels = rng.standard_normal((n, k)), rng.integers(0, k, n)
    combined = SoftmaxCrossEntropy()
    loss = combined.forward(logits, labels)
    probs = Softmax().forward(logits)
    np.testing.assert_allclose(combined.output, probs)
    assert loss == pytest.approx(CategoricalCrossEntropy().forward(probs, labels))


@pytest.mark.parametrize("seed", SEEDS)
def test_combined_backward_matches_chain_and_numerical_gradient(seed):
    rng, n, k = random_problem(seed)
    logits, labels = rng.standard_normal((n, k)), rng.integers(0, k, n)
    combined = SoftmaxCrossEntropy()
    combined.forward(logits, labels)
    dlogits = combined.backward(combined.output, labels)

    softmax = Softmax()
    probs = softmax.forward(logits)
    chained = softmax.backward(CategoricalCrossEntropy().backward(probs, labels))
    np.testing.assert_allclose(dlogits, chained, rtol=1e-9, atol=1e-14)
    assert_matches_numerical(lambda z: SoftmaxCrossEntropy().forward(z, labels), logits, dlogits)
