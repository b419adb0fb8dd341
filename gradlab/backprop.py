"""Backpropagation in miniature: one ReLU neuron node by node, and a two-layer network's gradients.

The neuron is y = ReLU(x0·w0 + x1·w1 + x2·w2 + b) (any number of inputs m). The network is
Dense(n_in, h) → ReLU → Dense(h, k) → softmax → categorical cross-entropy, built from the
reference layers in gradlab.nn. Parameters travel as a dict {"W1": (n_in, h), "b1": (1, h),
"W2": (h, k), "b2": (1, k)}; gradients come back as a dict with the same keys and shapes.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gradlab.nn import Dense, ReLU, SoftmaxCrossEntropy

PARAMETER_NAMES = ("W1", "b1", "W2", "b2")


class NeuronPass(NamedTuple):
    """Every node of one neuron's graph: forward values and the gradients of the output with respect to them."""

    products: np.ndarray  # (m,) x_i·w_i, the multiply nodes' outputs
    z: float              # the sum node's output, Σ x_i·w_i + b
    y: float              # the ReLU node's output, max(z, 0)
    dy: float             # the upstream gradient that arrives at y
    dz: float             # dy · 1(z > 0), through the ReLU node
    dproducts: np.ndarray  # (m,) dz · 1 each, through the sum node
    db: float             # dz · 1, the sum node's bias input
    dx: np.ndarray        # (m,) dproducts · w, through the multiply nodes
    dw: np.ndarray        # (m,) dproducts · x


def neuron_pass(x: np.ndarray, w: np.ndarray, b: float, dvalue: float = 1.0) -> NeuronPass:
    """Forward, then backward through one ReLU neuron, keeping every node; x and w (m,), b and dvalue numbers."""
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    products = x * w                        # multiply nodes
    z = float(products.sum() + b)           # sum node
    y = max(z, 0.0)                         # ReLU node
    dz = dvalue * (1.0 if z > 0 else 0.0)   # ReLU's local derivative 1(z > 0)
    dproducts = dz * np.ones_like(products)  # the sum's local derivatives are all 1
    # + 0.0 turns the -0.0 of 0 × (a negative number) into 0.0, which prints as 0
    return NeuronPass(products, z, y, float(dvalue), dz, dproducts, dz, dproducts * w + 0.0, dproducts * x + 0.0)


def neuron_backward(x: np.ndarray, w: np.ndarray, b: float, dvalue: float) -> tuple[np.ndarray, np.ndarray, float]:
    """(dx (m,), dw (m,), db) of one ReLU neuron for the upstream gradient dvalue."""
    p = neuron_pass(x, w, b, dvalue)
    return p.dx, p.dw, p.db


def init_network(n_inputs: int, n_hidden: int, n_classes: int, rng: np.random.Generator,
                 scale: float = 1.0, bias_scale: float = 0.5) -> dict[str, np.ndarray]:
    """Random parameters: weights scale·N(0, 1), biases bias_scale·N(0, 1) (nonzero, so no sample sits on
    ReLU's kink by accident)."""
    return {
        "W1": scale * rng.standard_normal((n_inputs, n_hidden)),
        "b1": bias_scale * rng.standard_normal((1, n_hidden)),
        "W2": scale * rng.standard_normal((n_hidden, n_classes)),
        "b2": bias_scale * rng.standard_normal((1, n_classes)),
    }


def _layers(params: dict[str, np.ndarray]) -> tuple[Dense, ReLU, Dense, SoftmaxCrossEntropy]:
    """The reference layers holding params."""
    dense1, dense2 = Dense(*params["W1"].shape), Dense(*params["W2"].shape)
    dense1.weights, dense1.biases = params["W1"], params["b1"]
    dense2.weights, dense2.biases = params["W2"], params["b2"]
    return dense1, ReLU(), dense2, SoftmaxCrossEntropy()


def network_loss(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy of the two-layer network on X (n, n_in) with labels y (n,) or one-hot (n, k)."""
    dense1, relu, dense2, loss = _layers(params)
    return loss.forward(dense2.forward(relu.forward(dense1.forward(X))), y)


def network_gradients(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """dLoss/dparameter for each of W1, b1, W2, b2 (same keys and shapes as params): forward, then backward."""
    dense1, relu, dense2, loss = _layers(params)
    loss.forward(dense2.forward(relu.forward(dense1.forward(X))), y)
    dense1.backward(relu.backward(dense2.backward(loss.backward(loss.output, y))))
    return {"W1": dense1.dweights, "b1": dense1.dbiases, "W2": dense2.dweights, "b2": dense2.dbiases}
