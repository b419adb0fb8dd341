"""Backpropagation in miniature: one ReLU neuron node by node, and a two-layer network's gradients.

The neuron is y = ReLU(x0·w0 + x1·w1 + x2·w2 + b) (any number of inputs m). The network is
gradlab.network's, as chapter 04 names it: its loss and gradients through the reference layers.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gradlab import network
from gradlab.network import PARAMETER_NAMES, Params

__all__ = ["PARAMETER_NAMES", "NeuronPass", "init_network", "network_gradients", "network_loss", "neuron_backward",
           "neuron_pass"]


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
                 scale: float = 1.0, bias_scale: float = 0.5) -> Params:
    """Random parameters: weights scale·N(0, 1), biases bias_scale·N(0, 1) (nonzero, so no sample sits on
    ReLU's kink by accident)."""
    return network.init(n_inputs, n_hidden, n_classes, rng, scale, bias_scale)


def network_loss(params: Params, X: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy of the two-layer network on X (n, n_in) with labels y (n,) or one-hot (n, k)."""
    return network.layered_loss(params, X, y)


def network_gradients(params: Params, X: np.ndarray, y: np.ndarray) -> Params:
    """dLoss/dparameter for each of W1, b1, W2, b2 (same keys and shapes as params): forward, then backward."""
    return network.layered_gradients(params, X, y)
