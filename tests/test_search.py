from __future__ import annotations

import numpy as np
import pytest

from gradlab.datasets import spiral_data, vertical_data
from gradlab.nn import CategoricalCrossEntropy, ReLU, Softmax, accuracy
from gradlab.search import random_search

VERTICAL = vertical_data(100, 3)
SPIRAL = spiral_data(100, 3)


@pytest.mark.parametrize("adjust", [False, True])
def test_result_layout(adjust):
    result = random_search(*VERTICAL, 50, adjust=adjust)
    assert result["loss"].shape == result["accuracy"].shape == (50,)
    shapes = {name: value.shape for name, value in result["params"].items()}
    assert shapes == {"W1": (2, 3), "b1": (1, 3), "W2": (3, 3), "b2": (1, 3)}
    assert np.all((result["accuracy"] >= 0) & (result["accuracy"] <= 1))


@pytest.mark.parametrize("data", [VERTICAL, SPIRAL], ids=["vertical", "spiral"])
@pytest.mark.parametrize("adjust", [False, True])
def test_best_loss_never_increases(data, adjust):
    loss = random_search(*data, 500, adjust=adjust)["loss"]
    assert np.all(np.isfinite(loss))
    assert np.all(np.diff(loss) <= 0)


@pytest.mark.parametrize("adjust", [False, True])
def test_params_reproduce_the_reported_loss_and_accuracy(adjust):
    X, y = VERTICAL
    result = random_search(X, y, 300, adjust=adjust)
    p = result["params"]
    probs = Softmax().forward(ReLU().forward(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"])
    assert CategoricalCrossEntropy().forward(probs, y) == pytest.approx(result["loss"][-1], abs=1e-12)
    assert accuracy(probs, y) == result["accuracy"][-1]


def test_same_seed_same_run_other_seed_other_run():
    first = random_search(*VERTICAL, 100, adjust=True, seed=3)
    again = random_search(*VERTICAL, 100, adjust=True, seed=3)
    other = random_search(*VERTICAL, 100, adjust=True, seed=4)
    assert np.array_equal(first["loss"], again["loss"])
    assert not np.array_equal(first["loss"], other["loss"])


def test_adjusting_learns_vertical_data():
    result = random_search(*VERTICAL, 1000, adjust=True)
    assert result["loss"][-1] < result["loss"][0] - 0.5
    assert result["accuracy"][-1] > 0.85


def test_fresh_random_weights_barely_move_the_loss():
    loss = random_search(*VERTICAL, 1000, adjust=False)["loss"]
    assert loss[-1] > np.log(3) - 0.05

