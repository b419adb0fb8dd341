"""Training by gradient descent: gradlab.network's two-layer network learns the spiral.

One iteration (an epoch: the whole data set at once) is forward, backward, update. The update is
gradient descent with momentum, v ← μ·v − η·gradient, params ← params + v (μ = 0 is plain
gradient descent), and the learning rate decays as η_t = η / (1 + decay·t), as in *Neural
Networks from Scratch*, ch. 10. Parameters and gradients travel as gradlab.network's dicts.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from gradlab import network
from gradlab.network import PARAMETER_NAMES, Params, forward_backward
from gradlab.nn import accuracy

__all__ = ["History", "Params", "decayed", "final_accuracy", "forward_backward", "init_params", "momentum_step",
           "train", "zeros_like"]


def init_params(n_inputs: int, n_hidden: int, n_classes: int, seed: int = 0) -> Params:
    """Random weights 0.5·N(0, 1) from default_rng(seed), zero biases: where training starts."""
    return network.init(n_inputs, n_hidden, n_classes, np.random.default_rng(seed), scale=0.5, bias_scale=0.0)


def zeros_like(params: Params) -> Params:
    """A velocity of zeros with params' keys and shapes: how momentum starts."""
    return {name: np.zeros_like(value) for name, value in params.items()}


def momentum_step(params: Params, grads: Params, velocity: Params, learning_rate: float,
                  momentum: float = 0.9) -> tuple[Params, Params]:
    """(new params, new velocity): v = momentum·v − learning_rate·grads, then params + v; inputs unchanged."""
    velocity = {name: momentum * velocity[name] - learning_rate * grads[name] for name in PARAMETER_NAMES}
    return {name: params[name] + velocity[name] for name in PARAMETER_NAMES}, velocity


def decayed(learning_rate: float, decay: float, epoch: int) -> float:
    """The learning rate at an epoch: learning_rate / (1 + decay·epoch)."""
    return learning_rate / (1.0 + decay * epoch)


class History(NamedTuple):
    """A training run: loss and accuracy before each epoch's update, and the final params."""

    loss: np.ndarray      # (epochs,)
    accuracy: np.ndarray  # (epochs,)
    params: Params


def train(X: np.ndarray, y: np.ndarray, epochs: int = 3000, learning_rate: float = 0.5, momentum: float = 0.9,
          decay: float = 1e-3, hidden: int = 64, seed: int = 0,
          progress: Callable[[int, float, float], None] | None = None) -> History:
    """Full-batch training of Dense(n_in, hidden)–ReLU–Dense(hidden, k)–softmax on X (n, n_in), y (n,)
    from init_params(seed); progress(epoch, loss, accuracy) is called after every epoch."""
    params = init_params(X.shape[1], hidden, int(y.max()) + 1, seed)
    velocity = zeros_like(params)
    losses, accuracies = np.empty(epochs), np.empty(epochs)
    for epoch in range(epochs):
        loss, probs, grads = forward_backward(params, X, y)
        params, velocity = momentum_step(params, grads, velocity, decayed(learning_rate, decay, epoch), momentum)
        losses[epoch], accuracies[epoch] = loss, accuracy(probs, y)
        if progress is not None:
            progress(epoch, loss, accuracies[epoch])
    return History(losses, accuracies, params)


def final_accuracy(params: Params, X: np.ndarray, y: np.ndarray) -> float:
    """Training accuracy of params after the last update."""
    return accuracy(network.forward(params, X).probs, y)
