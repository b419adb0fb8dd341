"""The chain rule in code: chains of elementwise functions and the graph L = Σσ(XW).

Forward passes keep the values the backward pass needs; backward passes multiply local
derivatives. A chain is a list [f1, f2, ...] applied left to right: f1 is the innermost.
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import reduce

import numpy as np

from gradlab.functions import ScalarFn


def compose(chain: Sequence[ScalarFn]) -> ScalarFn:
    """The single function x ↦ ...f2(f1(x)) that the chain computes."""
    return lambda x: chain_forward(chain, x)[-1]


def chain_forward(chain: Sequence[ScalarFn], x: np.ndarray | float) -> list[np.ndarray]:
    """Forward pass: [x, f1(x), f2(f1(x)), ...], len(chain) + 1 arrays shaped like x."""
    values = [np.asarray(x, dtype=np.float64)]
    for f in chain:
        values.append(f(values[-1]))
    return values


def local_derivatives(derivs: Sequence[ScalarFn], values: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Each link's derivative at its own input: [f1'(x), f2'(f1(x)), ...] from chain_forward's values."""
    return [df(v) for df, v in zip(derivs, values)]


def chain_deriv(chain: Sequence[ScalarFn], derivs: Sequence[ScalarFn], x: np.ndarray | float) -> np.ndarray:
    """d(chain)/dx elementwise, shaped like x: forward pass, then the product of the local derivatives."""
    values = chain_forward(chain, x)
    return reduce(np.multiply, local_derivatives(derivs, values[:-1]))


def sigma_sum_forward(X: np.ndarray, W: np.ndarray, sigma: ScalarFn) -> float:
    """L = Σ σ(XW) for X (n, k) and W (k, m)."""
    return float(np.sum(sigma(X @ W)))


def sigma_sum_backward(X: np.ndarray, W: np.ndarray, dsigma: ScalarFn) -> tuple[np.ndarray, np.ndarray]:
    """(dL/dX (n, k), dL/dW (k, m)) for L = Σ σ(XW), X (n, k), W (k, m); dsigma is σ'."""
    N = X @ W                   # (n, m), kept from the forward pass
    dLdS = np.ones_like(N)      # L is a plain sum
    dLdN = dLdS * dsigma(N)     # elementwise: σ acts on each entry of N
    return dLdN @ W.T, X.T @ dLdN
