"""Elementwise functions that serve as links of a chain, each with its derivative.

Every function takes an array of any shape (or a number) and returns a float64 array of the
same shape; ``DERIVATIVES`` maps each function to its derivative.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

ScalarFn = Callable[[np.ndarray], np.ndarray]

LEAK = 0.2  # leaky ReLU's slope for negative inputs, as in Deep Learning from Scratch


def square(x: np.ndarray) -> np.ndarray:
    """x², elementwise."""
    return np.asarray(x, dtype=np.float64) ** 2


def square_deriv(x: np.ndarray) -> np.ndarray:
    """2x, the derivative of x²."""
    return 2 * np.asarray(x, dtype=np.float64)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + e^(−x)), computed without overflow for large |x|."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))  # never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_deriv(x: np.ndarray) -> np.ndarray:
    """σ'(x) = σ(x)(1 − σ(x))."""
    s = sigmoid(x)
    return s * (1 - s)


def leaky_relu(x: np.ndarray) -> np.ndarray:
    """max(0.2x, x): x for positive inputs, 0.2x for negative ones."""
    x = np.asarray(x, dtype=np.float64)
    return np.maximum(LEAK * x, x)


def leaky_relu_deriv(x: np.ndarray) -> np.ndarray:
    """1 where x > 0, else 0.2 (the kink at 0 takes the left slope)."""
    return np.where(np.asarray(x) > 0, 1.0, LEAK)


def tanh(x: np.ndarray) -> np.ndarray:
    """tanh x."""
    return np.tanh(np.asarray(x, dtype=np.float64))


def tanh_deriv(x: np.ndarray) -> np.ndarray:
    """1 − tanh² x."""
    return 1 - np.tanh(np.asarray(x, dtype=np.float64)) ** 2


DERIVATIVES: dict[ScalarFn, ScalarFn] = {
    square: square_deriv,
    sigmoid: sigmoid_deriv,
    leaky_relu: leaky_relu_deriv,
    tanh: tanh_deriv,
}
