"""gradlab.network: one network, its forward pass, loss and prediction, and its gradients two ways that agree."""
from __future__ import annotations

import numpy as np
import pytest

from gradlab import network
from gradlab.network import PARAMETER_NAMES
from gradlab.nn import Softmax
from gradlab.numeric import numerical_gradient, relative_error

pytestmark = pytest.mark.filterwarnings("error")


def random_network(seed: int):
    rng = np.random.default_rng(seed)
    return network.init(3, 5, 4, rng), rng.normal(size=(7, 3)), rng.integers(0, 4, 7)


def test_init_draws_each_parameter_in_order_with_its_scale():
    params = network.init(2, 4, 3, np.random.default_rng(0), scale=2.0, bias_scale=0.0)
    assert {name: params[name].shape for name in PARAMETER_NAMES} == network.shapes(2, 4, 3)
    assert not params["b1"].any() and not params["b2"].any()
    np.testing.assert_allclose(params["W1"], 2.0 * np.random.default_rng(0).standard_normal((2, 4)))


def test_forward_keeps_every_value_and_predicts_the_argmax():
    params, X, _ = random_network(0)
    values = network.forward(params, X)
    np.testing.assert_allclose(values.A1, np.maximum(X @ params["W1"] + params["b1"], 0))
    np.testing.assert_allclose(values.probs, Softmax().forward(values.A1 @ params["W2"] + params["b2"]))
    assert np.array_equal(network.predict(params, X), values.probs.argmax(axis=1))


def test_loss_is_the_clipped_mean_cross_entropy():
    probs, y = np.array([[0.7, 0.3], [0.0, 1.0], [1.0, 0.0]]), np.array([0, 0, 0])
    assert network.loss(probs, y) == pytest.approx(-(np.log(0.7) + np.log(1e-7) + np.log(1 - 1e-7)) / 3)


@pytest.mark.parametrize("seed", range(3))
def test_the_fused_pass_agrees_with_the_layers(seed):
    params, X, y = random_network(seed)
    loss, probs, grads = network.forward_backward(params, X, y)
    assert loss == pytest.approx(network.layered_loss(params, X, y), rel=1e-12)
    assert np.allclose(probs.sum(axis=1), 1.0)
    layered = network.layered_gradients(params, X, y)
    assert all(np.allclose(grads[name], layered[name], rtol=1e-10, atol=1e-14) for name in PARAMETER_NAMES)


@pytest.mark.parametrize("seed", range(3))
def test_gradients_match_numerical_ones_and_keep_params(seed):
    params, X, y = random_network(seed)
    before = {name: value.copy() for name, value in params.items()}
    grads = network.layered_gradients(params, X, y)
    for name in PARAMETER_NAMES:
        numerical = numerical_gradient(lambda value: network.layered_loss({**params, name: value}, X, y), params[name])
        assert relative_error(grads[name], numerical) < 1e-7
        assert np.array_equal(params[name], before[name])
