"""Numerical derivatives: finite differences, numerical gradients, relative error.

Everything works in float64. Scalar functions ``f`` are applied elementwise, so a
derivative at an array of points ``x`` (any shape) is one vectorised call.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

ScalarFn = Callable[[np.ndarray], np.ndarray]


def forward_difference(f: ScalarFn, x: np.ndarray | float, delta: float | np.ndarray = 1e-4) -> np.ndarray:
    """(f(x + delta) - f(x)) / delta, elementwise; x and delta broadcast (usually: shaped like x)."""
    x = np.asarray(x, dtype=np.float64)
    return (f(x + delta) - f(x)) / delta


def central_difference(f: ScalarFn, x: np.ndarray | float, delta: float | np.ndarray = 1e-4) -> np.ndarray:
    """(f(x + delta) - f(x - delta)) / (2 delta), elementwise; x and delta broadcast."""
    x = np.asarray(x, dtype=np.float64)
    return (f(x + delta) - f(x - delta)) / (2 * delta)


def difference_errors(f: ScalarFn, dfdx: ScalarFn, x0: float, deltas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """|forward − f'(x0)| and |central − f'(x0)| at x0 for each delta; each shaped like deltas."""
    deltas = np.asarray(deltas, dtype=np.float64)
    exact = dfdx(np.float64(x0))
    with np.errstate(all="ignore"):
        forward = np.abs(forward_difference(f, x0, deltas) - exact)
        central = np.abs(central_difference(f, x0, deltas) - exact)
    return forward, central


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, delta: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of a scalar function of an array x (any shape).

    Nudges one entry at a time in a private copy, so x itself is never changed.
    Costs 2 * x.size evaluations of f. Returns an array shaped like x.
    """
    point = np.array(x, dtype=np.float64)
    grad = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + delta
        f_plus = float(f(point))
        point[index] = original - delta
        f_minus = float(f(point))
        point[index] = original
        grad[index] = (f_plus - f_minus) / (2 * delta)
    return grad


def relative_error(a: np.ndarray | float, b: np.ndarray | float) -> float:
    """Largest elementwise |a - b| / (|a| + |b|); 0 where both are 0, inf if either holds NaN or inf.

    Shapes must broadcast. A NaN gradient must never look like agreement.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return float("inf")
    scale = np.abs(a) + np.abs(b)
    ratio = np.divide(np.abs(a - b), scale, out=np.zeros(np.broadcast(a, b).shape), where=scale > 0)
    return float(np.max(ratio, initial=0.0))
