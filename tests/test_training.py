"""gradlab.training: where training starts, the update rules, the loop."""
from __future__ import annotations

import numpy as np
import pytest

from gradlab import training
from gradlab.backprop import PARAMETER_NAMES, init_network, network_gradients, network_loss
from gradlab.datasets import spiral_data

pytestmark = pytest.mark.filterwarnings("error")


def random_network(seed: int):
    rng = np.random.default_rng(seed)
    params = init_network(3, 5, 4, rng)
    return params, rng.normal(size=(7, 3)), rng.integers(0, 4, 7)


def copies(params):
    return {name: value.copy() for name, value in params.items()}


def test_init_params_is_seeded_with_zero_biases_and_half_scale_weights():
    params = training.init_params(2, 64, 3, seed=1)
    assert {name: params[name].shape for name in PARAMETER_NAMES} == {"W1": (2, 64), "b1": (1, 64), "W2": (64, 3), "b2": (1, 3)}
    assert not params["b1"].any() and not params["b2"].any()
    assert 0.4 < params["W2"].std() < 0.6
    assert all(np.array_equal(params[n], training.init_params(2, 64, 3, seed=1)[n]) for n in params)


def test_momentum_step_with_zero_momentum_is_plain_gradient_descent_and_changes_nothing_given():
    params, X, y = random_network(0)
    grads = network_gradients(params, X, y)
    velocity = {name: np.ones_like(value) for name, value in params.items()}
    before = copies(params), copies(grads), copies(velocity)
    moved, new_velocity = training.momentum_step(params, grads, velocity, 0.1, momentum=0.0)
    assert all(np.allclose(moved[n], params[n] - 0.1 * grads[n]) for n in PARAMETER_NAMES)
    assert all(np.allclose(new_velocity[n], -0.1 * grads[n]) for n in PARAMETER_NAMES)
    for original, now in zip(before, (params, grads, velocity)):
        assert all(np.array_equal(original[n], now[n]) for n in PARAMETER_NAMES)


def test_momentum_keeps_part_of_the_last_step():
    params = {name: np.zeros((1, 1)) for name in PARAMETER_NAMES}
    grads = {name: np.ones((1, 1)) for name in PARAMETER_NAMES}
    velocity = {name: np.full((1, 1), 2.0) for name in PARAMETER_NAMES}
    moved, new_velocity = training.momentum_step(params, grads, velocity, 0.5, momentum=0.9)
    assert new_velocity["W1"].item() == pytest.approx(0.9 * 2.0 - 0.5)
    assert moved["W1"].item() == pytest.approx(1.3)


def test_decayed_learning_rate():
    assert training.decayed(1.0, 1e-3, 0) == 1.0
    assert training.decayed(1.0, 1e-3, 1000) == pytest.approx(0.5)


def test_train_records_every_epoch_and_learns_the_spiral():
    X, y = spiral_data(100, 3)
    seen = []
    run = training.train(X, y, progress=lambda epoch, loss, accuracy: seen.append((epoch, loss, accuracy)))
    assert run.loss.shape == run.accuracy.shape == (3000,)
    assert [epoch for epoch, _, _ in seen] == list(range(3000))
    assert run.loss[0] == pytest.approx(network_loss(training.init_params(2, 64, 3, 0), X, y))
    assert run.loss[-1] < run.loss[0] / 2
    assert training.final_accuracy(run.params, X, y) >= 0.9


def test_train_is_deterministic_and_plain_gradient_descent_is_slower():
    X, y = spiral_data(100, 3)
    first, again = training.train(X, y, 300, seed=2), training.train(X, y, 300, seed=2)
    assert np.array_equal(first.loss, again.loss)
    plain = training.train(X, y, 300, momentum=0.0, seed=2)
    assert plain.loss[-1] > first.loss[-1]
