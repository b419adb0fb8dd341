"""Chapter 04's exercise helpers and special messages (gradlab.exercises.backpropagation); the records' standard
tests are in tests/test_exercise_records.py."""
from __future__ import annotations

import numpy as np
import pytest
from check_harness import failure

from gradlab import nn
from gradlab.backprop import PARAMETER_NAMES, network_gradients, network_loss, neuron_backward
from gradlab.exercises import backpropagation as c
from gradlab.numeric import numerical_gradient, relative_error

pytestmark = pytest.mark.filterwarnings("error")

def network_with_layers(params, X, y):
    dense1, dense2 = nn.Dense(*params["W1"].shape), nn.Dense(*params["W2"].shape)
    dense1.weights, dense1.biases, dense2.weights, dense2.biases = params["W1"], params["b1"], params["W2"], params["b2"]
    relu, loss = nn.ReLU(), nn.SoftmaxCrossEntropy()
    loss.forward(dense2.forward(relu.forward(dense1.forward(X))), y)
    dense1.backward(relu.backward(dense2.backward(loss.backward(loss.output, y))))
    return {"W1": dense1.dweights, "b1": dense1.dbiases, "W2": dense2.dweights, "b2": dense2.dbiases}


def network_tuple_in_the_wrong_order(params, X, y):
    """Right gradients, returned as a tuple in the wrong order (W2, b2, W1, b1)."""
    return c.network_by_hand(params, X, y)[2:] + c.network_by_hand(params, X, y)[:2]


def network_tuple_in_order(params, X, y):
    """The gradients as a tuple in the order W1, b1, W2, b2."""
    g = network_with_layers(params, X, y)
    return tuple(g[name] for name in PARAMETER_NAMES)


# ---------------------------------------------------------------- messages of the special paths

@pytest.mark.parametrize("answer", [network_with_layers, network_tuple_in_order], ids=lambda f: f.__name__)
def test_the_reference_layers_give_right_gradients(answer):
    """Composing gradlab.nn's layers is right numerically (graded, it is gradlab code the exercise does not
    allow, so it is not among the variants: see tests/test_integrity.py)."""
    assert failure(c.check_network_gradients, answer) == ""

def test_a_tuple_in_the_wrong_order_is_reported():
    assert "['W1'] returned shape (3, 3), expected (2, 3)" in failure(c.check_network_gradients, network_tuple_in_the_wrong_order)


def test_shape_errors_name_the_transposes():
    def no_transpose(inputs, weights, dvalues):
        return dvalues @ weights, inputs.T @ dvalues, dvalues.sum(axis=0, keepdims=True)

    message = failure(c.check_dense_backward, no_transpose, seed=0)  # the square case names the mistake
    assert "dvalues·Wᵀ, not dvalues·W" in message
    square_free = failure(c.check_dense_backward, lambda inputs, weights, dvalues:
                          no_transpose(inputs, weights, dvalues) if inputs.shape[1] != inputs.shape[0] else
                          c.dense_backward(inputs, weights, dvalues))
    assert "raised ValueError" in square_free and "a transpose is missing" in square_free


def test_label_form_confusion_is_named():
    def only_sparse(probs, y_true):
        return -np.eye(probs.shape[1])[y_true] / np.clip(probs, 1e-7, 1 - 1e-7) / len(probs)

    def only_one_hot(probs, y_true):
        return (probs - y_true) / len(probs)

    def sparse_indexing(probs, y_true):
        dprobs = np.zeros_like(probs)
        dprobs[range(len(probs)), y_true] = -1 / probs[range(len(probs)), y_true] / len(probs)
        return dprobs

    # visible: the book's 3 x 3 batch, where confused code still runs; known wrong answers are named
    assert "one-hot labels were used as class indices" in failure(c.check_cross_entropy_backward, sparse_indexing)
    assert "works with sparse labels but not with one-hot ones" in failure(c.check_cross_entropy_backward, only_sparse)
    assert "sparse labels (class indices, 1-D) were used as if one-hot" in failure(
        c.check_softmax_cross_entropy_backward, only_one_hot)
    # n != k, where it raises: the message says which form of labels fails
    for seed in range(5):
        cases = c.label_forms(c.label_cases(np.random.default_rng(seed), False)[1:])
        exercise = c.SOFTMAX_CROSS_ENTROPY_BACKWARD
        message = c.label_verdict(cases, exercise.failures(only_one_hot, cases))
        assert "works with one-hot labels but not with sparse ones" in message


def test_network_answers_must_not_change_params():
    def in_place(params, X, y):
        grads = network_gradients(params, X, y)
        for name in params:
            params[name] -= 0.1 * grads[name]
        return grads

    assert "changed its input `params['W1']` in place" in failure(c.check_network_gradients, in_place)


def test_network_answers_must_return_the_four_gradients():
    assert "has no key(s) b2" in failure(c.check_network_gradients, lambda params, X, y: {
        k: v for k, v in network_gradients(params, X, y).items() if k != "b2"})
    assert "expected a dict" in failure(c.check_network_gradients, lambda params, X, y: 1.0)
    assert "return" in failure(c.check_network_gradients, lambda params, X, y: None)


def test_neuron_answers_must_return_three_parts():
    assert "expected the tuple (dx, dw, db)" in failure(c.check_neuron_backward, lambda x, w, b, dvalue: (w, x))


# ---------------------------------------------------------------- helpers with known values

def test_book_neuron_numbers():
    dx, dw, db = neuron_backward(c.BOOK_X, c.BOOK_W, c.BOOK_B, 1.0)
    assert list(np.ravel(np.column_stack([dx, dw]))) == [-3.0, 1.0, -1.0, -2.0, 2.0, 3.0] and db == 1.0


@pytest.mark.parametrize("seed", [None, *range(10)])
def test_neuron_cases_cover_both_signs_and_the_kink(seed):
    cases = c.neuron_cases(None if seed is None else np.random.default_rng(seed))
    zs = [float(np.dot(case["x"], case["w"]) + case["b"]) for case in cases]
    assert any(z > 0 for z in zs) and any(z < 0 for z in zs) and 0.0 in zs


@pytest.mark.parametrize("seed", range(10))
def test_dense_cases_start_square_then_use_shapes_a_transpose_breaks(seed):
    cases = c.dense_cases(np.random.default_rng(seed))
    n, i = cases[0]["inputs"].shape
    assert n == i == cases[0]["weights"].shape[1]
    for case in cases[1:]:
        (n, i), j = case["inputs"].shape, case["weights"].shape[1]
        assert len({n, i, j}) == 3 and case["dvalues"].shape == (n, j)


def test_dense_reference_matches_a_numerical_gradient():
    for case in c.dense_cases(np.random.default_rng(3)):
        X, W, D = case["inputs"], case["weights"], case["dvalues"]
        dX, dW, db = c.dense_backward(X, W, D)
        assert relative_error(dX, numerical_gradient(lambda v: np.sum((v @ W) * D), X)) < 1e-8
        assert relative_error(dW, numerical_gradient(lambda v: np.sum((X @ v) * D), W)) < 1e-8
        assert relative_error(db, numerical_gradient(lambda v: np.sum((X @ W + v) * D), np.zeros((1, W.shape[1])))) < 1e-8


@pytest.mark.parametrize("seed", [None, *range(10)])
def test_relu_cases_have_zeros_and_disagreeing_signs(seed):
    for case in c.relu_cases(None if seed is None else np.random.default_rng(seed)):
        x, d = case["inputs"], case["dvalues"]
        assert np.any((x == 0) & (d != 0)) and np.any((x > 1) & (d < 0)) and np.any((x < 0) & (d > 0))


@pytest.mark.parametrize("seed", [None, *range(10)])
def test_label_cases_are_probability_rows(seed):
    for with_zero in (True, False):
        cases = c.label_cases(None if seed is None else np.random.default_rng(seed), with_zero)
        for probs, labels in cases:
            np.testing.assert_allclose(probs.sum(axis=1), 1.0)
            assert labels.shape == (len(probs),) and labels.max() < probs.shape[1]
        zeros = [probs[np.arange(len(probs)), labels] == 0 for probs, labels in cases]
        assert any(z.any() for z in zeros) == with_zero


def test_book_loss_and_gradients():
    loss = nn.CategoricalCrossEntropy()
    assert loss.forward(c.BOOK_PROBS, c.BOOK_LABELS) == pytest.approx(0.38506088005216804, rel=1e-12)
    np.testing.assert_allclose(c.softmax_cross_entropy_backward(c.BOOK_PROBS, c.BOOK_LABELS),
                               [[-0.1, 0.1 / 3, 0.2 / 3], [0.1 / 3, -0.5 / 3, 0.4 / 3], [0.02 / 3, -0.1 / 3, 0.08 / 3]])
    np.testing.assert_allclose(c.cross_entropy_backward(c.BOOK_PROBS, c.BOOK_LABELS),
                               [[-1 / 2.1, 0, 0], [0, -1 / 1.5, 0], [0, -1 / 2.7, 0]])


def test_visible_network_is_the_spiral_and_well_conditioned():
    params, X, y = c.book_network().values()
    assert X.shape == (300, 2) and params["W1"].shape == (2, 3) and params["W2"].shape == (3, 3)
    assert c.well_conditioned(params, X, y)
    assert 1.0 < network_loss(params, X, y) < 1.5


@pytest.mark.parametrize("seed", range(5))
def test_hidden_network_cases(seed):
    first, second = c.network_cases(np.random.default_rng(seed))
    assert first["params"]["W2"].shape[0] == first["params"]["W2"].shape[1]  # hidden width = classes: W2 vs W2ᵀ runs
    (n, i), (h, k) = second["X"].shape, second["params"]["W2"].shape
    assert len({n, i, h, k}) == 4
    assert all(c.well_conditioned(**case) for case in (first, second))
