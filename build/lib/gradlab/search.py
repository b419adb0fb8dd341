"""Training without derivatives: the random search of *Neural Networks from Scratch*, ch. 6.

The network is Dense(2, 3) - ReLU - Dense(3, 3) - Softmax with categorical cross-entropy.
Each iteration tries one candidate set of weights and keeps it only if the loss falls.
"""
from __future__ import annotations

import numpy as np

from gradlab.nn import CategoricalCrossEntropy, Dense, ReLU, Softmax, accuracy, one_hot


def random_search(X: np.ndarray, y: np.ndarray, iterations: int, *, adjust: bool,
                  scale: float = 0.05, seed: int = 0) -> dict:
    """Random search on X (n, 2) with labels y (n,) in {0, 1, 2}.

    adjust=False: every candidate is fresh, scale * standard normal.
    adjust=True: every candidate is the best weights so far plus scale * standard normal,
    starting from the layers' initial weights (scale 0.01); worse candidates are dropped.
    Returns {'loss': (iterations,), 'accuracy': (iterations,)}, the best-so-far values after
    each iteration, and 'params': {'W1': (2, 3), 'b1': (1, 3), 'W2': (3, 3), 'b2': (1, 3)}.
    """
    rng = np.random.default_rng(seed)
    dense1, relu, dense2, softmax = Dense(2, 3, rng), ReLU(), Dense(3, 3, rng), Softmax()
    loss_function = CategoricalCrossEntropy()
    targets = one_hot(y, 3)  # expanded once, not every iteration

    best = {"W1": dense1.weights, "b1": dense1.biases, "W2": dense2.weights, "b2": dense2.biases}
    best_loss, best_accuracy = np.inf, 0.0
    losses, accuracies = np.empty(iterations), np.empty(iterations)
    for i in range(iterations):
        step = {name: scale * rng.standard_normal(value.shape) for name, value in best.items()}
        candidate = {name: best[name] + step[name] for name in best} if adjust else step
        dense1.weights, dense1.biases = candidate["W1"], candidate["b1"]
        dense2.weights, dense2.biases = candidate["W2"], candidate["b2"]
        probs = softmax.forward(dense2.forward(relu.forward(dense1.forward(X))))
        loss = loss_function.forward(probs, targets)
        if loss < best_loss:  # otherwise the candidate is simply forgotten: a revert without copies
            best, best_loss, best_accuracy = candidate, loss, accuracy(probs, y)
        losses[i], accuracies[i] = best_loss, best_accuracy
    return {"loss": losses, "accuracy": accuracies, "params": best}
