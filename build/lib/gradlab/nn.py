"""Reference layers for the demos: dense layer, ReLU, softmax, categorical cross-entropy.

Each layer has ``forward`` (returns its output and keeps what the backward pass needs) and
``backward(dvalues)``, which takes dL/d(output) and returns dL/d(input). Shapes: n samples,
n_in inputs, n_out neurons, k classes. Everything is float64.
"""
from __future__ import annotations

import numpy as np

CLIP = 1e-7  # cross-entropy clips probabilities to [CLIP, 1 - CLIP]


def one_hot(y_true: np.ndarray, n_classes: int) -> np.ndarray:
    """Labels as one-hot rows (n, n_classes) float64: sparse (n,) ints are expanded, one-hot (n, k) passes through."""
    y_true = np.asarray(y_true)
    if y_true.ndim == 2:
        return y_true.astype(np.float64, copy=False)
    return np.eye(n_classes)[y_true]


class Dense:
    """Fully connected layer: outputs = inputs @ weights + biases."""

    def __init__(self, n_inputs: int, n_neurons: int, rng: np.random.Generator | None = None,
                 scale: float = 0.01) -> None:
        rng = np.random.default_rng() if rng is None else rng
        self.weights = scale * rng.standard_normal((n_inputs, n_neurons))  # (n_in, n_out)
        self.biases = np.zeros((1, n_neurons))  # (1, n_out)

    def forward(self, inputs: np.ndarray) -> np.ndarray:
        """inputs (n, n_in) -> outputs (n, n_out)."""
        self.inputs = inputs
        return inputs @ self.weights + self.biases

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        """dvalues (n, n_out) -> dinputs (n, n_in); sets dweights (n_in, n_out) and dbiases (1, n_out)."""
        self.dweights = self.inputs.T @ dvalues
        self.dbiases = dvalues.sum(axis=0, keepdims=True)
        return dvalues @ self.weights.T


class ReLU:
    """Elementwise max(0, x)."""

    def forward(self, inputs: np.ndarray) -> np.ndarray:
        """inputs (any shape) -> outputs (same shape)."""
        self.inputs = inputs
        return np.maximum(0.0, inputs)

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        """dvalues (same shape as inputs) -> dinputs: dvalues where the input was > 0, else 0."""
        return np.where(self.inputs <= 0, 0.0, dvalues)


class Softmax:
    """Row-wise softmax: s_i = exp(z_i) / sum_j exp(z_j)."""

    def forward(self, inputs: np.ndarray) -> np.ndarray:
        """inputs (n, k) logits -> outputs (n, k) probabilities, each row summing to 1."""
        exp_values = np.exp(inputs - inputs.max(axis=1, keepdims=True))  # shift: no overflow
        self.output = exp_values / exp_values.sum(axis=1, keepdims=True)
        return self.output

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        """dvalues (n, k) -> dinputs (n, k): each row times its Jacobian diag(s) - s s^T."""
        s = self.output
        jacobians = s[:, :, None] * np.eye(s.shape[1]) - s[:, :, None] * s[:, None, :]  # (n, k, k)
        return np.einsum("nij,nj->ni", jacobians, dvalues)


class CategoricalCrossEntropy:
    """Mean over samples of -sum_j y_j log(p_j)."""

    def forward(self, probs: np.ndarray, y_true: np.ndarray) -> float:
        """probs (n, k), y_true (n,) int labels or (n, k) one-hot -> mean loss.

        probs are clipped to [CLIP, 1 - CLIP] so a zero probability gives a finite loss.
        """
        targets = one_hot(y_true, probs.shape[1])
        clipped = np.clip(probs, CLIP, 1 - CLIP)
        return float(-np.mean(np.sum(targets * np.log(clipped), axis=1)))

    def backward(self, probs: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        """probs (n, k), y_true (n,) or (n, k) -> dprobs (n, k) = -y_onehot / clip(probs) / n.

        probs are clipped as in forward, so a zero probability gives a large but finite gradient
        (-1/1e-7/n where the label is 1, 0 where it is 0) instead of -inf or NaN. Inside the clip
        range this is exactly the derivative of the loss; below it the clipped loss is flat, and
        keeping -1/1e-7 there (rather than its true derivative 0) still pushes the probability up.
        """
        return -one_hot(y_true, probs.shape[1]) / np.clip(probs, CLIP, 1 - CLIP) / len(probs)


class SoftmaxCrossEntropy:
    """Softmax followed by categorical cross-entropy, with the short combined gradient."""

    def __init__(self) -> None:
        self.softmax = Softmax()
        self.loss = CategoricalCrossEntropy()

    def forward(self, logits: np.ndarray, y_true: np.ndarray) -> float:
        """logits (n, k), y_true (n,) or (n, k) -> mean loss; the probabilities go in self.output (n, k)."""
        self.output = self.softmax.forward(logits)
        return self.loss.forward(self.output, y_true)

    def backward(self, probs: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        """probs (n, k), y_true (n,) or (n, k) -> dlogits (n, k) = (probs - y_onehot) / n."""
        return (probs - one_hot(y_true, probs.shape[1])) / len(probs)


def accuracy(probs: np.ndarray, y_true: np.ndarray) -> float:
    """Fraction of rows of probs (n, k) whose argmax is the label; y_true (n,) ints or (n, k) one-hot."""
    labels = y_true.argmax(axis=1) if y_true.ndim == 2 else y_true
    return float(np.mean(probs.argmax(axis=1) == labels))
