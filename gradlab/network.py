"""The course's network, in one home: Dense(n_in, h) → ReLU → Dense(h, k) → softmax → cross-entropy.

Parameters travel as a dict {"W1": (n_in, h), "b1": (1, h), "W2": (h, k), "b2": (1, k)}; gradients
come back as a dict with the same keys and shapes. The gradients are here twice, side by side:
layer by layer with gradlab.nn's layers (how chapter 04 builds them) and fused into one pass over
the arrays (how training runs them thousands of times). They agree to rounding (tests/test_network.py).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gradlab.nn import CLIP, Dense, ReLU, SoftmaxCrossEntropy

PARAMETER_NAMES = ("W1", "b1", "W2", "b2")
Params = dict[str, np.ndarray]


def shapes(n_inputs: int, n_hidden: int, n_classes: int) -> dict[str, tuple[int, int]]:
    """Each parameter's shape."""
    return {"W1": (n_inputs, n_hidden), "b1": (1, n_hidden), "W2": (n_hidden, n_classes), "b2": (1, n_classes)}


def init(n_inputs: int, n_hidden: int, n_classes: int, rng: np.random.Generator, scale: float = 1.0,
         bias_scale: float = 0.5) -> Params:
    """Random parameters, drawn in the order W1, b1, W2, b2: weights scale·N(0, 1), biases bias_scale·N(0, 1)."""
    return {name: (scale if name[0] == "W" else bias_scale) * rng.standard_normal(shape)
            for name, shape in shapes(n_inputs, n_hidden, n_classes).items()}


class Forward(NamedTuple):
    """The forward pass's values, each row one sample of X (n, n_in)."""

    Z1: np.ndarray     # (n, h) the first layer's outputs
    A1: np.ndarray     # (n, h) after ReLU
    Z2: np.ndarray     # (n, k) logits
    probs: np.ndarray  # (n, k) softmax of the logits


def forward(params: Params, X: np.ndarray) -> Forward:
    """The network on X (n, n_in)."""
    Z1 = X @ params["W1"] + params["b1"]
    A1 = np.maximum(Z1, 0.0)
    Z2 = A1 @ params["W2"] + params["b2"]
    exp = np.exp(Z2 - Z2.max(axis=1, keepdims=True))  # shifted: no overflow
    return Forward(Z1, A1, Z2, exp / exp.sum(axis=1, keepdims=True))


def predict(params: Params, X: np.ndarray) -> np.ndarray:
    """The class (n,) the network gives the highest probability, for each row of X (n, n_in)."""
    return forward(params, X).probs.argmax(axis=1)


def loss(probs: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy of probs (n, k) for labels y (n,) ints, probabilities clipped to [CLIP, 1 − CLIP]."""
    return float(-np.log(np.clip(probs[np.arange(len(probs)), y], CLIP, 1 - CLIP)).mean())


def forward_backward(params: Params, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray, Params]:
    """(loss, probs (n, k), gradients) on X (n, n_in) with labels y (n,) ints, in one fused pass."""
    values = forward(params, X)
    dLdZ2 = values.probs.copy()
    dLdZ2[np.arange(len(X)), y] -= 1.0
    dLdZ2 /= len(X)                                       # (ŷ − y)/n
    dLdZ1 = (dLdZ2 @ params["W2"].T) * (values.Z1 > 0)    # back through W2, then ReLU
    grads = {"W1": X.T @ dLdZ1, "b1": dLdZ1.sum(axis=0, keepdims=True),
             "W2": values.A1.T @ dLdZ2, "b2": dLdZ2.sum(axis=0, keepdims=True)}
    return loss(values.probs, y), values.probs, grads


def layers(params: Params) -> tuple[Dense, ReLU, Dense, SoftmaxCrossEntropy]:
    """gradlab.nn's layers holding params."""
    dense1, dense2 = Dense(*params["W1"].shape), Dense(*params["W2"].shape)
    dense1.weights, dense1.biases = params["W1"], params["b1"]
    dense2.weights, dense2.biases = params["W2"], params["b2"]
    return dense1, ReLU(), dense2, SoftmaxCrossEntropy()


def layered_loss(params: Params, X: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy through the layers; y (n,) ints or (n, k) one-hot."""
    dense1, relu, dense2, loss_layer = layers(params)
    return loss_layer.forward(dense2.forward(relu.forward(dense1.forward(X))), y)


def layered_gradients(params: Params, X: np.ndarray, y: np.ndarray) -> Params:
    """dLoss/dparameter layer by layer: forward through the layers, then backward in reverse order."""
    dense1, relu, dense2, loss_layer = layers(params)
    loss_layer.forward(dense2.forward(relu.forward(dense1.forward(X))), y)
    dense1.backward(relu.backward(dense2.backward(loss_layer.backward(loss_layer.output, y))))
    return {"W1": dense1.dweights, "b1": dense1.dbiases, "W2": dense2.dweights, "b2": dense2.dbiases}
