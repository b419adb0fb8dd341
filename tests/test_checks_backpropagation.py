"""Chapter 04's exercise helpers and special messages (gradlab.exercises.backpropagation); the records' standard
tests are in tests/test_exercise_records.py."""
from __future__ import annotations

import numpy as np
import pytest
from check_harness import failure

from gradlab import nn
from gradlab.backprop import PARAMETER_NAMES, network_gradients, network_loss
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


def test_shape_errors_name_the_layout():
    def dense_habit(inputs, weights, dvalues):  # right for a (j, i) layout only when the layer is square
        return dvalues @ weights.T, dvalues.T @ inputs, dvalues.sum(axis=0, keepdims=True)

    assert "the Dense layer's dvalues·Wᵀ" in failure(c.check_linear_backward, dense_habit, seed=0)
    square_free = failure(c.check_linear_backward, lambda inputs, weights, dvalues:
                          dense_habit(inputs, weights, dvalues) if weights.shape[0] != weights.shape[1] else
                          c.linear_backward(inputs, weights, dvalues))
    assert "raised ValueError" in square_free and "weights are (j, i)" in square_free


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
    assert "expected the tuple (dx, dw, db)" in failure(c.check_sigmoid_neuron_backward, lambda x, w, b, dvalue: (w, x))


def test_bce_is_judged_by_a_gradient_check_alone():
    """A right gradient written in a form the reference does not use passes; a wrong one names the check."""
    def through_dp(logits, y_true):
        p = 1 / (1 + np.exp(-logits))
        return -(y_true / p - (1 - y_true) / (1 - p)) * p * (1 - p) / len(logits)

    assert failure(c.check_sigmoid_bce_backward, through_dp) == ""
    message = failure(c.check_sigmoid_bce_backward, lambda logits, y_true: 0 * logits + 0.1)
    assert "gradient check failed, relative error" in message
    assert "one gradient per logit" in failure(c.check_sigmoid_bce_backward, lambda logits, y_true: np.zeros(2))


# ---------------------------------------------------------------- helpers with known values

def test_sigmoid_neuron_reference_agrees_with_nudges():
    for case in [*c.sigmoid_neuron_cases(None), *c.sigmoid_neuron_cases(np.random.default_rng(3))]:
        dx, dw, db = c.sigmoid_neuron_backward(**case)
        x, w, b, dvalue = case["x"], case["w"], case["b"], case["dvalue"]
        y = lambda x_, w_, b_: dvalue * float(1 / (1 + np.exp(-(x_ @ w_ + b_))))
        np.testing.assert_allclose(dx, numerical_gradient(lambda v: y(v, w, b), x), atol=1e-9)
        np.testing.assert_allclose(dw, numerical_gradient(lambda v: y(x, v, b), w), atol=1e-9)
        assert db == pytest.approx(float(numerical_gradient(lambda v: y(x, w, float(v)), np.array(b))), abs=1e-9)


@pytest.mark.parametrize("seed", [None, *range(10)])
def test_sigmoid_neuron_cases_start_with_a_negative_z(seed):
    cases = c.sigmoid_neuron_cases(None if seed is None else np.random.default_rng(seed))
    zs = [float(case["x"] @ case["w"] + case["b"]) for case in cases]
    assert zs[0] < 0 and any(z > 0 for z in zs)


@pytest.mark.parametrize("seed", range(10))
def test_linear_cases_start_square_then_use_shapes_a_transpose_breaks(seed):
    cases = c.linear_cases(np.random.default_rng(seed))
    n, i = cases[0]["inputs"].shape
    assert n == i == cases[0]["weights"].shape[0]
    for case in cases[1:]:
        (n, i), j = case["inputs"].shape, case["weights"].shape[0]
        assert len({n, i, j}) == 3 and case["dvalues"].shape == (n, j) and case["weights"].shape == (j, i)


def test_linear_reference_matches_a_numerical_gradient():
    for case in c.linear_cases(np.random.default_rng(3)):
        X, W, D = case["inputs"], case["weights"], case["dvalues"]
        dX, dW, db = c.linear_backward(X, W, D)
        assert relative_error(dX, numerical_gradient(lambda v: np.sum((v @ W.T) * D), X)) < 1e-8
        assert relative_error(dW, numerical_gradient(lambda v: np.sum((X @ v.T) * D), W)) < 1e-8
        assert relative_error(db, numerical_gradient(lambda v: np.sum((X @ W.T + v) * D), np.zeros((1, len(W))))) < 1e-8


@pytest.mark.parametrize("seed", [None, *range(10)])
def test_elu_cases_have_zeros_disagreeing_signs_and_an_alpha_that_shows(seed):
    for case in c.elu_cases(None if seed is None else np.random.default_rng(seed)):
        x, d = case["inputs"], case["dvalues"]
        assert np.any((x == 0) & (d != 0)) and np.any((x > 0) & (d < 0)) and np.any((x < 0) & (d > 0))
    assert any(case["alpha"] != 1.0 for case in c.elu_cases(None if seed is None else np.random.default_rng(seed)))


def test_elu_reference_agrees_with_nudges_away_from_the_kink():
    rng = np.random.default_rng(5)
    x, d = rng.uniform(-3, 3, (3, 4)), rng.normal(size=(3, 4))
    elu = lambda v: np.where(v > 0, v, 0.7 * (np.exp(np.minimum(v, 0)) - 1))
    np.testing.assert_allclose(c.elu_backward(x, d, 0.7), numerical_gradient(lambda v: np.sum(elu(v) * d), x), atol=1e-8)


@pytest.mark.parametrize("seed", [None, *range(10)])
def test_softmax_reference_equals_the_jacobian_product(seed):
    for case in c.softmax_cases(None if seed is None else np.random.default_rng(seed)):
        np.testing.assert_allclose(c.softmax_backward(**case), c.softmax_by_jacobians(**case), atol=1e-14)


def test_softmax_backward_of_cross_entropy_is_the_combined_gradient():
    first = c.softmax_cases(None)[0]
    combined = nn.SoftmaxCrossEntropy().backward(c.BOOK_PROBS, c.BOOK_LABELS)
    np.testing.assert_allclose(c.softmax_backward(**first), combined, atol=1e-15)
    assert nn.CategoricalCrossEntropy().forward(c.BOOK_PROBS, c.BOOK_LABELS) == pytest.approx(0.38506088005216804)


@pytest.mark.parametrize("seed", [None, *range(10)])
def test_bce_reference_passes_its_own_gradient_check(seed):
    for case in c.bce_cases(None if seed is None else np.random.default_rng(seed)):
        numerical = numerical_gradient(lambda z: c.sigmoid_bce_loss(z, case["y_true"]), case["logits"])
        assert relative_error(c.sigmoid_bce_backward(**case), numerical) < 1e-8
        assert {0.0, 1.0} <= set(case["y_true"]) and np.abs(case["logits"]).max() <= 4


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
