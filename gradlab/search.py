"""Training without derivatives: the random search of *Neural Networks from Scratch*, ch. 6.

The network is gradlab.network's with 2 inputs, 3 hidden neurons (or another width) and 3 classes.
Each iteration tries one candidate set of weights and keeps it only if the loss falls.
"""
from __future__ import annotations

import numpy as np

from gradlab import network
from gradlab.nn import accuracy


def random_search(X: np.ndarray, y: np.ndarray, iterations: int, *, adjust: bool,
                  scale: float = 0.05, seed: int = 0, hidden: int = 3) -> dict:
    """Random search on X (n, 2) with labels y (n,) in {0, 1, 2}.

    adjust=False: every candidate is fresh, scale * standard normal.
    adjust=True: every candidate is the best weights so far plus scale * standard normal,
    starting from the layers' initial weights (scale 0.01); worse candidates are dropped.
    Returns {'loss': (iterations,), 'accuracy': (iterations,)}, the best-so-far values after
    each iteration, and 'params': {'W1': (2, hidden), 'b1': (1, hidden), 'W2': (hidden, 3), 'b2': (1, 3)}.
    """
    rng = np.random.default_rng(seed)
    # gradlab.nn.Dense's start: weights 0.01·N(0, 1), drawn W1 then W2, and zero biases
    best = {"W1": 0.01 * rng.standard_normal((2, hidden)), "b1": np.zeros((1, hidden)),
            "W2": 0.01 * rng.standard_normal((hidden, 3)), "b2": np.zeros((1, 3))}
    best_loss, best_accuracy = np.inf, 0.0
    losses, accuracies = np.empty(iterations), np.empty(iterations)
    for i in range(iterations):
        step = {name: scale * rng.standard_normal(value.shape) for name, value in best.items()}
        candidate = {name: best[name] + step[name] for name in best} if adjust else step
        probs = network.forward(candidate, X).probs
        loss = network.loss(probs, y)
        if loss < best_loss:  # otherwise the candidate is simply forgotten: a revert without copies
            best, best_loss, best_accuracy = candidate, loss, accuracy(probs, y)
        losses[i], accuracies[i] = best_loss, best_accuracy
    return {"loss": losses, "accuracy": accuracies, "params": best}
