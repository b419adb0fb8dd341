"""Chapter 03's exercises (the chain rule), each an `Exercise` record (gradlab.checks).

Each ``check_*`` takes the student's function. Without ``seed`` it runs the visible cases (the
books' examples, the seed-190204 matrices of Deep Learning from Scratch); with a ``seed`` it draws
random points, shapes and functions, so a hard-coded answer fails. Every check knows the
plausible wrong answers and names them.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import reduce
from typing import Any

import numpy as np

from gradlab.chain import chain_deriv, chain_forward, sigma_sum_backward, sigma_sum_forward
from gradlab.checks import Exercise, Mistake, as_float_array, close, describe, named, random_shape, with_hint
from gradlab.functions import DERIVATIVES, leaky_relu, sigmoid, sigmoid_deriv, square, square_deriv, tanh, tanh_deriv
from gradlab.numeric import central_difference, numerical_gradient, relative_error

_exp, _sin, _cos, _abs, _max, _prod, _sum = np.exp, np.sin, np.cos, np.abs, np.max, np.prod, np.sum
_ones_like, _mean, _norm, _isfinite, _multiply = np.ones_like, np.mean, np.linalg.norm, np.isfinite, np.multiply
_linspace, _asarray, _float64, _shape = np.linspace, np.asarray, np.float64, np.shape

# Analytic answers are exact up to rounding: 1e-9 relative, plus 1e-10 of the case's largest
# entry, so a correct answer whose terms cancel (an expanded polynomial near a root) still passes.
EXACT = {"rtol": 1e-9, "atol": 0.0, "scaled_atol": 1e-10}


def both_signs(x: np.ndarray) -> np.ndarray:
    """x with its first entry made negative and its second positive (x needs at least 2 entries)."""
    x = x.copy()
    x.flat[0], x.flat[1] = -abs(x.flat[0]), abs(x.flat[1])
    return x


# ---------------------------------------------------------------- derivatives by hand

def h1(x: np.ndarray) -> np.ndarray:
    """2(x² − 3x)⁴: outer 2u⁴, inner u = x² − 3x."""
    return 2 * (x**2 - 3 * x) ** 4


def dh1(x: np.ndarray) -> np.ndarray:
    """h1'(x) = 8(x² − 3x)³ · (2x − 3)."""
    return 8 * (x**2 - 3 * x) ** 3 * (2 * x - 3)


def h2(x: np.ndarray) -> np.ndarray:
    """e^(sin 2x): three links, 2x → sin → exp."""
    return _exp(_sin(2 * x))


def dh2(x: np.ndarray) -> np.ndarray:
    """h2'(x) = e^(sin 2x) · cos(2x) · 2."""
    return _exp(_sin(2 * x)) * _cos(2 * x) * 2


def composed_points(low: float, high: float) -> Callable[[np.random.Generator | None], list[dict[str, np.ndarray]]]:
    """Nine points from low to high, or a random 2-D array of points in that range."""
    return lambda rng: [{"x": _linspace(low, high, 9) if rng is None else rng.uniform(low, high, rng.integers(2, 6, size=2))}]


def dh1_expanded(x: np.ndarray) -> np.ndarray:
    """Right, written differently: multiplied out."""
    return 8 * (2 * x**7 - 21 * x**6 + 81 * x**5 - 135 * x**4 + 81 * x**3)


def dh1_by_loop(x: np.ndarray) -> np.ndarray:
    """Right, written differently: entry by entry in Python floats."""
    out = np.zeros(np.shape(x))
    for i in range(out.size):
        v = float(np.ravel(x)[i])
        out.flat[i] = 4 * 2 * (v * v - 3 * v) ** 3 * (2 * v - 3)
    return out


COMPOSED = {
    "dh1": Exercise("dh1", dh1, composed_points(-1.0, 4.0), [
        Mistake("you forgot the inner derivative: multiply 8(x² − 3x)³ by g'(x) = 2x − 3",
                lambda x: 8 * (x**2 - 3 * x) ** 3),
        Mistake("the outer derivative 8u³ must be evaluated at u = g(x) = x² − 3x, not at x",
                lambda x: 8 * x**3 * (2 * x - 3)),
        Mistake("power rule on the outside: 2u⁴ → 8u³ (the exponent drops by one)",
                lambda x: 8 * (x**2 - 3 * x) ** 4 * (2 * x - 3)),
        Mistake("power rule on the outside: 2u⁴ → 2·4·u³ = 8u³, the 4 comes down as a factor",
                lambda x: 2 * (x**2 - 3 * x) ** 3 * (2 * x - 3)),
        Mistake("that is h1 itself: differentiate it", h1),
    ], **EXACT, tuned=[lambda x: dh1(x) if x.shape == (9,) else 0 * x], variants=[dh1_expanded, dh1_by_loop]),
    "dh2": Exercise("dh2", dh2, composed_points(-3.0, 3.0), [
        Mistake("the innermost link 2x has derivative 2: multiply by it too",
                lambda x: _exp(_sin(2 * x)) * _cos(2 * x)),
        Mistake("you skipped the middle link: the derivative of sin at 2x is cos(2x)",
                lambda x: _exp(_sin(2 * x)) * 2),
        Mistake("cos must be evaluated at the inner value 2x, not at x",
                lambda x: _exp(_sin(2 * x)) * _cos(x) * 2),
        Mistake("e^u must be evaluated at u = sin 2x, not at x",
                lambda x: _exp(x) * _cos(2 * x) * 2),
        Mistake("sign error: the derivative of sin is +cos", lambda x: -dh2(x)),
        Mistake("that is h2 itself: differentiate it", h2),
    ], **EXACT, tuned=[lambda x: dh2(x) if x.shape == (9,) else 0 * x],
        variants=[lambda x: 2 * np.cos(2 * x) * np.exp(np.sin(2 * x))]),
}


def check_composed_derivative(student: Any, name: str, seed: int | None = None) -> None:
    """The student's derivative `name` (dh1 or dh2) at nine points of its range, or at random points."""
    __tracebackhide__ = True  # students see the message, not these frames
    COMPOSED[name].check(student, seed)


# ---------------------------------------------------------------- the sigmoid's derivative

def _e(x: np.ndarray) -> np.ndarray:
    """e^(−x), the sigmoid's inner exponential."""
    return _exp(-_asarray(x, dtype=_float64))


SIGMOID_MISTAKES = [
    Mistake("the outer derivative of u⁻¹ is −u⁻², so the square of 1 + e^(−x) belongs in the denominator",
            lambda x: _e(x) / (1 + _e(x))),
    Mistake("the inner derivative of 1 + e^(−x) is −e^(−x): together with the outer −u⁻² the two minus signs cancel",
            lambda x: -_e(x) / (1 + _e(x)) ** 2),
    Mistake("σ'(x) = σ(x)(1 − σ(x)), not σ(x)(1 + σ(x))",
            lambda x: sigmoid(x) * (1 + sigmoid(x))),
    Mistake("that is σ(x) itself: differentiate it", sigmoid),
    Mistake("(e^(−x))' = −e^(−x), not e^(−x)·x or e^x: the chain rule's inner derivative of −x is −1",
            lambda x: _exp(_asarray(x, dtype=_float64)) / (1 + _e(x)) ** 2),
]


def sigmoid_points(rng: np.random.Generator | None) -> list[dict[str, np.ndarray]]:
    """Thirteen points from −6 to 6, or a random 1-D or 2-D array in [−8, 8]."""
    return [{"x": _linspace(-6.0, 6.0, 13) if rng is None else rng.uniform(-8, 8, random_shape(rng, 1, 2, 2, 5))}]


SIGMOID_DERIVATIVE = Exercise(
    "sigmoid_derivative", sigmoid_deriv, sigmoid_points, SIGMOID_MISTAKES, rtol=1e-9, atol=1e-15,
    tuned=[lambda x: sigmoid_deriv(x) if _shape(x) == (13,) else 0.25 + 0 * x],
    variants=[lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2, lambda x: 1 / (1 + np.exp(-x)) / (1 + np.exp(x)),
              lambda x: 0.25 * (1 - np.tanh(x / 2) ** 2)])


# ---------------------------------------------------------------- a chain of three functions

class Links(list):
    """A list of functions that prints as their names, for readable failure messages."""

    def __repr__(self) -> str:
        return "[" + ", ".join(describe(f) for f in self) + "]"


def chain_case(functions: Sequence[Callable], x: np.ndarray) -> dict[str, Any]:
    """Arguments for chain_deriv_3: the functions, their derivatives and x."""
    return {"chain": Links(functions), "derivs": Links(DERIVATIVES[f] for f in functions), "x": x}


def chain_values(chain: Sequence[Callable], x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """x, f1(x), f2(f1(x)), f3(f2(f1(x)))."""
    return tuple(chain_forward(chain, x))


CHAIN_MISTAKES = [
    Mistake("that is the chain's output f3(f2(f1(x))), not its derivative",
            lambda chain, derivs, x: chain_values(chain, x)[3]),
    Mistake("you forgot the innermost derivative f1'(x): multiply all three local derivatives",
            lambda chain, derivs, x: derivs[2](chain_values(chain, x)[2]) * derivs[1](chain_values(chain, x)[1])),
    Mistake("multiply by the inner derivatives too: f3'(f2(f1(x))) · f2'(f1(x)) · f1'(x)",
            lambda chain, derivs, x: derivs[2](chain_values(chain, x)[2])),
    Mistake("evaluate each derivative at its own box's input (f3' at f2(f1(x)), f2' at f1(x)), not all at x",
            lambda chain, derivs, x: derivs[2](x) * derivs[1](x) * derivs[0](x)),
    Mistake("each derivative is evaluated at its box's input, not at its output: f1' at x, f2' at f1(x), f3' at f2(f1(x))",
            lambda chain, derivs, x: _prod([df(v) for df, v in zip(derivs, chain_values(chain, x)[1:])], axis=0)),
    Mistake("the chain applies chain[0] first: f1 is the innermost function, f3 the outermost",
            lambda chain, derivs, x: chain_deriv(chain[::-1], derivs[::-1], x)),
    Mistake("the chain rule multiplies the local derivatives; you added them",
            lambda chain, derivs, x: sum(df(v) for df, v in zip(derivs, chain_values(chain, x)))),
    Mistake("looks like numerical derivatives: use the exact derivatives in `derivs`",
            lambda chain, derivs, x: reduce(_multiply, [central_difference(f, v, 1e-3)
                                                         for f, v in zip(chain, chain_values(chain, x))])),
]


def random_chain(rng: np.random.Generator) -> list[Callable]:
    """Three different links; leaky ReLU never right after square or sigmoid, whose outputs are ≥ 0
    (there it would be the identity, and a forgotten local derivative would go unnoticed)."""
    pool = [square, sigmoid, leaky_relu, tanh]
    while True:
        chain = [pool[i] for i in rng.permutation(len(pool))[:3]]
        if all(g is not leaky_relu or f is tanh for f, g in zip(chain, chain[1:])):
            return chain


def chain_deriv_3(chain: Sequence[Callable], derivs: Sequence[Callable], x: np.ndarray) -> np.ndarray:
    """The reference: d f3(f2(f1(x)))/dx elementwise."""
    return chain_deriv(chain, derivs, x)


def chain_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """The book's chain leaky_relu → sigmoid → square and tanh → square → sigmoid at twelve points; or three
    random chains at points of both signs."""
    if rng is None:
        x = _linspace(-2.75, 2.75, 12)
        return [chain_case([leaky_relu, sigmoid, square], x), chain_case([tanh, square, sigmoid], x)]
    return [chain_case(random_chain(rng), both_signs(rng.uniform(-2, 2, (int(rng.integers(4, 8)),)))) for _ in range(3)]


def chain_loop(chain: Sequence[Callable], derivs: Sequence[Callable], x: np.ndarray) -> np.ndarray:
    """Right, written differently: the slope carried along the chain in a loop."""
    value, slope = np.asarray(x, dtype=float), np.ones(np.shape(x))
    for f, df in zip(chain, derivs):
        slope = slope * df(value)
        value = f(value)
    return slope


def chain_outer_first(chain: Sequence[Callable], derivs: Sequence[Callable], x: np.ndarray) -> np.ndarray:
    """Right, written differently: the product in another order."""
    f1, f2, _ = chain
    df1, df2, df3 = derivs
    return df1(x) * (df2(f1(x)) * df3(f2(f1(x))))


def book_chain_only(chain: Sequence[Callable], derivs: Sequence[Callable], x: np.ndarray) -> np.ndarray:
    """Tuned: the derivative of leaky_relu → sigmoid → square or tanh → square → sigmoid, whatever chain says."""
    if chain[0] is leaky_relu:
        s = sigmoid(leaky_relu(x))
        return 2 * s * s * (1 - s) * np.where(x > 0, 1.0, 0.2)
    s = sigmoid(np.tanh(x) ** 2)
    return s * (1 - s) * 2 * np.tanh(x) * (1 - np.tanh(x) ** 2)


CHAIN_DERIV_3 = Exercise(
    "chain_deriv_3", chain_deriv_3, chain_cases, CHAIN_MISTAKES, **EXACT, tuned=[book_chain_only],
    variants=[chain_loop, chain_outer_first,
              lambda chain, derivs, x: np.array([float(chain_outer_first(chain, derivs, np.float64(v))) for v in x])])


# ---------------------------------------------------------------- σ(x·y): two inputs

def sigma_of_product_backward(x: np.ndarray, y: np.ndarray, dsigma: Callable) -> tuple[np.ndarray, np.ndarray]:
    """(dσ/dx, dσ/dy) of σ(x·y), elementwise: (σ'(xy)·y, σ'(xy)·x)."""
    a = x * y
    return dsigma(a) * y, dsigma(a) * x


PRODUCT_MISTAKES = [
    Mistake("dσ/dx and dσ/dy are swapped: ∂(x·y)/∂x = y, so dσ/dx = σ'(xy)·y",
            lambda x, y, dsigma: (dsigma(x * y) * x, dsigma(x * y) * y)),
    Mistake("you left out σ'(x·y): dσ/dx = σ'(xy) · ∂(xy)/∂x",
            lambda x, y, dsigma: (y, x)),
    Mistake("the inner function is x·y, not x + y: its partial derivatives are y and x, not 1",
            lambda x, y, dsigma: (dsigma(x * y), dsigma(x * y))),
    Mistake("evaluate σ' at the forward-pass value a = x·y, not at x or y",
            lambda x, y, dsigma: (dsigma(x) * y, dsigma(y) * x)),
    Mistake("the forward pass is a = x·y here, not x + y: evaluate σ' at x·y",
            lambda x, y, dsigma: (dsigma(x + y) * y, dsigma(x + y) * x)),
]


def product_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """The sigmoid at x = [−1, 0.5, 2], y = [3, −2, 0.25] and at two 2 × 2 arrays; or each of three σ at
    random shapes and values."""
    if rng is None:
        return [{"x": np.array([-1.0, 0.5, 2.0]), "y": np.array([3.0, -2.0, 0.25]), "dsigma": sigmoid_deriv},
                {"x": np.array([[1.0, -0.5], [0.25, 2.0]]), "y": np.array([[0.5, 1.5], [-3.0, -1.0]]),
                 "dsigma": sigmoid_deriv}]
    cases = []
    for dsigma in (sigmoid_deriv, tanh_deriv, square_deriv):
        shape = random_shape(rng, 1, 2, 2, 4)
        cases.append({"x": rng.uniform(-2, 2, shape), "y": rng.uniform(-2, 2, shape), "dsigma": dsigma})
    return cases


SIGMA_OF_PRODUCT_BACKWARD = Exercise(
    "sigma_of_product_backward", sigma_of_product_backward, product_cases, PRODUCT_MISTAKES,
    parts=("dsigma_dx", "dsigma_dy"), **EXACT,
    tuned=[lambda x, y, dsigma: sigma_of_product_backward(x, y, sigmoid_deriv)],  # the sigmoid, whatever dsigma is
    variants=[lambda x, y, dsigma: [y * dsigma(x * y), x * dsigma(y * x)],
              lambda x, y, dsigma: np.stack([dsigma(x * y) * y, dsigma(x * y) * x])])


# ---------------------------------------------------------------- L = Σσ(XW): matrix gradients

def book_matrices() -> tuple[np.ndarray, np.ndarray]:
    """Deep Learning from Scratch's X (3, 3) and W (3, 2): legacy seeding np.random.seed(190204), as the book draws them."""
    legacy = np.random.RandomState(190204)
    X = legacy.randn(3, 3)
    return X, legacy.randn(3, 2)


def grad_X(X: np.ndarray, W: np.ndarray, M: np.ndarray, dsigma: Callable) -> np.ndarray:
    """dL/dX (n, k) for L = Σ M ⊙ σ(XW), X (n, k), W (k, m), M (n, m): (M ⊙ σ'(XW))·Wᵀ."""
    return (M * dsigma(X @ W)) @ W.T


def grad_W(X: np.ndarray, W: np.ndarray, M: np.ndarray, dsigma: Callable) -> np.ndarray:
    """dL/dW (k, m) for L = Σ M ⊙ σ(XW): Xᵀ·(M ⊙ σ'(XW))."""
    return X.T @ (M * dsigma(X @ W))


GRAD_X_MISTAKES = [
    Mistake("dL/dS is M here, not all ones: each output counts with its weight, so dL/dN = M ⊙ σ'(N)",
            lambda X, W, M, dsigma: dsigma(X @ W) @ W.T),
    Mistake("you left out σ'(N): dL/dN = dL/dS ⊙ σ'(N) = M ⊙ σ'(N)",
            lambda X, W, M, dsigma: M @ W.T),
    Mistake("W where Wᵀ belongs: dL/dX = dL/dN · Wᵀ, shapes (n, m)·(m, k) → (n, k)",
            lambda X, W, M, dsigma: (M * dsigma(X @ W)) @ W),
    Mistake("Wᵀ where W belongs in the forward pass: N = X·W, so σ' is evaluated at X·W",
            lambda X, W, M, dsigma: (M * dsigma(X @ W.T)) @ W.T),
    Mistake("the order of the product: dL/dX = dL/dN · Wᵀ, not W · dL/dNᵀ",
            lambda X, W, M, dsigma: W @ (M * dsigma(X @ W)).T),
    Mistake("that is dL/dN = M ⊙ σ'(N); multiply it by Wᵀ to get back to X's shape",
            lambda X, W, M, dsigma: M * dsigma(X @ W)),
    Mistake("that is dL/dW = Xᵀ · dL/dN; for dL/dX use dL/dN · Wᵀ",
            lambda X, W, M, dsigma: X.T @ (M * dsigma(X @ W))),
]

GRAD_W_MISTAKES = [
    Mistake("dL/dS is M here, not all ones: each output counts with its weight, so dL/dN = M ⊙ σ'(N)",
            lambda X, W, M, dsigma: X.T @ dsigma(X @ W)),
    Mistake("you left out σ'(N): dL/dN = dL/dS ⊙ σ'(N) = M ⊙ σ'(N)",
            lambda X, W, M, dsigma: X.T @ M),
    Mistake("X where Xᵀ belongs: dL/dW = Xᵀ · dL/dN, shapes (k, n)·(n, m) → (k, m)",
            lambda X, W, M, dsigma: X @ (M * dsigma(X @ W))),
    Mistake("Wᵀ where W belongs in the forward pass: N = X·W, so σ' is evaluated at X·W",
            lambda X, W, M, dsigma: X.T @ (M * dsigma(X @ W.T))),
    Mistake("the order of the product: dL/dW = Xᵀ · dL/dN, not dL/dNᵀ · X",
            lambda X, W, M, dsigma: (M * dsigma(X @ W)).T @ X),
    Mistake("that is dL/dN = M ⊙ σ'(N); multiply Xᵀ by it to get W's shape",
            lambda X, W, M, dsigma: M * dsigma(X @ W)),
    Mistake("that is dL/dX = dL/dN · Wᵀ; for dL/dW use Xᵀ · dL/dN",
            lambda X, W, M, dsigma: (M * dsigma(X @ W)) @ W.T),
]


def matrix_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """Square shapes first (a transposition changes the values), then shapes that a transposition breaks.

    Visible: 3 × 3 matrices with weights M of both signs, then the book's X (3, 3) and W (3, 2) with M all
    ones (its L = Σσ(XW)). Hidden: one square case and two with n, k, m all different, random M; σ is the
    sigmoid once and tanh twice, in random order.
    """
    if rng is None:
        square_rng = np.random.default_rng(303)
        X, W = book_matrices()
        return [{"X": square_rng.standard_normal((3, 3)), "W": square_rng.standard_normal((3, 3)),
                 "M": np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0], [2.0, 1.0, -0.5]]), "dsigma": sigmoid_deriv},
                {"X": X, "W": W, "M": np.ones((3, 2)), "dsigma": sigmoid_deriv}]
    n = int(rng.integers(2, 6))
    shapes = [(n, n, n)] + [tuple(int(s) for s in rng.choice(np.arange(2, 7), 3, replace=False)) for _ in range(2)]
    dsigmas = [(sigmoid_deriv, tanh_deriv)[i] for i in rng.permutation([0, 1, 1])]  # never the sigmoid alone
    return [{"X": rng.standard_normal((n, k)), "W": rng.standard_normal((k, m)),
             "M": rng.choice([-1.0, 1.0], (n, m)) * rng.uniform(0.5, 2.0, (n, m)), "dsigma": dsigma}
            for (n, k, m), dsigma in zip(shapes, dsigmas)]


def grad_X_by_loops(X: np.ndarray, W: np.ndarray, M: np.ndarray, dsigma: Callable) -> np.ndarray:
    """Right, written differently: every entry's sum written out."""
    dLdN = M * dsigma(X @ W)
    out = np.zeros(X.shape)
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            out[i, j] = sum(dLdN[i, c] * W[j, c] for c in range(W.shape[1]))
    return out


# With M all ones (the book's L), dL/dX starts [0.2489, −0.3748, 0.0112].
GRAD_X = Exercise(
    "grad_X", grad_X, matrix_cases, GRAD_X_MISTAKES, **EXACT,
    tuned=[lambda X, W, M, dsigma: grad_X(X, W, M, sigmoid_deriv)],  # the sigmoid, whatever dsigma is
    variants=[lambda X, W, M, dsigma: np.einsum("ic,jc->ij", M * dsigma(X @ W), W),
              lambda X, W, M, dsigma: np.dot(np.multiply(dsigma(np.dot(X, W)), M), np.transpose(W, (1, 0))),
              grad_X_by_loops])
GRAD_W = Exercise(
    "grad_W", grad_W, matrix_cases, GRAD_W_MISTAKES, **EXACT,
    tuned=[lambda X, W, M, dsigma: grad_W(X, W, M, sigmoid_deriv)],
    variants=[lambda X, W, M, dsigma: np.einsum("ij,ic->jc", X, M * dsigma(X @ W)),
              lambda X, W, M, dsigma: sum(np.outer(X[i], (M * dsigma(X @ W))[i]) for i in range(X.shape[0]))])


# ---------------------------------------------------------------- gradient check
#
# When the analytic gradient is right, the relative error is rounding noise (about 1e-10) whose
# exact value depends on how the numerical gradient was computed: any value in [0, 1e-5) passes.
# When it is wrong, the error is large and stable, and must match gradlab.numeric.relative_error.

TINY = 1e-6
RIGHT_GRADIENT_LIMIT = 1e-5
LARGE_RTOL = 1e-4


def gradient_check(f: Callable[[np.ndarray], float], grad_f: Callable[[np.ndarray], np.ndarray],
                   x: np.ndarray) -> float:
    """The reference: relative error between grad_f(x) and the central-difference gradient of f at x."""
    return relative_error(grad_f(x), numerical_gradient(f, x))


def gradients(grad_f: Callable, f: Callable, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(analytic a, numerical b) as float arrays."""
    return _asarray(grad_f(x), dtype=_float64), numerical_gradient(f, x)


GRADIENT_CHECK_MISTAKES = [
    Mistake("a relative error uses sizes: |a − b| / (|a| + |b|), with absolute values",
            lambda f, grad_f, x: (lambda a, b: _max((a - b) / (a + b)))(*gradients(grad_f, f, x))),
    Mistake("divide by |a| + |b|, not |a + b|: when a and b have opposite signs, a + b can vanish",
            lambda f, grad_f, x: (lambda a, b: _max(_abs(a - b) / _abs(a + b)))(*gradients(grad_f, f, x))),
    Mistake("divide by both sizes, |a| + |b|, not by the numerical gradient alone",
            lambda f, grad_f, x: (lambda a, b: _max(_abs(a - b) / _abs(b)))(*gradients(grad_f, f, x))),
    Mistake("divide by both sizes, |a| + |b|, not by the analytic gradient alone",
            lambda f, grad_f, x: (lambda a, b: _max(_abs(a - b) / _abs(a)))(*gradients(grad_f, f, x))),
    Mistake("divide the difference by |a| + |b|: a plain difference depends on the gradient's scale",
            lambda f, grad_f, x: (lambda a, b: _max(_abs(a - b)))(*gradients(grad_f, f, x))),
    Mistake("take the largest entry's relative error (np.max), not the mean",
            lambda f, grad_f, x: (lambda a, b: _mean(_abs(a - b) / (_abs(a) + _abs(b))))(*gradients(grad_f, f, x))),
    Mistake("gradlab.numeric's relative error is entry by entry (the largest |a − b| / (|a| + |b|)), not a ratio of norms",
            lambda f, grad_f, x: (lambda a, b: _norm(a - b) / (_norm(a) + _norm(b)))(*gradients(grad_f, f, x))),
]


def matrix_gradient_cases(X: np.ndarray, W: np.ndarray, sigma: Callable, dsigma: Callable,
                          wrong: str) -> list[dict[str, Any]]:
    """L(X) = Σσ(XW) at X with the right dL/dX, then with a wrong one ('no_sigma_prime' or 'W_not_WT')."""
    f = named(lambda X_: sigma_sum_forward(X_, W, sigma), "L")
    right = named(lambda X_: sigma_sum_backward(X_, W, dsigma)[0], "dLdX")
    wrong_grads = {
        "no_sigma_prime": lambda X_: _ones_like(X_ @ W) @ W.T,
        "W_not_WT": lambda X_: dsigma(X_ @ W) @ W,
    }
    return [{"f": f, "grad_f": right, "x": X},
            {"f": f, "grad_f": named(wrong_grads[wrong], f"dLdX_{wrong}"), "x": X}]


def composed_case(x: np.ndarray) -> dict[str, Any]:
    """Σ 3(2x²)⁵ with the gradient 15(2x²)⁴ that forgot the inner derivative 4x."""
    return {"f": named(lambda v: float(_sum(3 * (2 * v**2) ** 5)), "sum_3_2x2_5"),
            "grad_f": named(lambda v: 15 * (2 * v**2) ** 4, "forgot_inner_4x"), "x": x}


def gradient_check_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """Wrong gradients of Σ 3(2x²)⁵, then a right and a wrong gradient of L = Σσ(XW).

    First x has entries of both signs (where a and b differ in sign the error is 1, its largest
    value, and |a + b| differs from |a| + |b|), then x > 1/4 only (the error depends on x).
    """
    if rng is None:
        X, W = book_matrices()
        return [composed_case(np.array([-1.0, -0.5, 0.5, 1.0, 1.5])), composed_case(np.array([0.5, 1.0, 1.5])),
                *matrix_gradient_cases(X, W, sigmoid, sigmoid_deriv, "no_sigma_prime")]
    sigma, dsigma = ((sigmoid, sigmoid_deriv), (tanh, tanh_deriv))[int(rng.integers(2))]
    while True:  # entries of a right gradient near 0 would make the relative error all noise
        n, k = (int(s) for s in rng.integers(2, 5, size=2))
        X, W = rng.standard_normal((n, k)), rng.standard_normal((k, k))
        if _abs(sigma_sum_backward(X, W, dsigma)[0]).min() > 0.05:
            break
    mixed = both_signs(rng.uniform(0.3, 1.5, int(rng.integers(3, 7))))
    return [composed_case(mixed), composed_case(rng.uniform(0.3, 1.5, int(rng.integers(2, 6)))),
            *matrix_gradient_cases(X, W, sigma, dsigma, ("no_sigma_prime", "W_not_WT")[int(rng.integers(2))])]


def judge_gradient_check(exercise: Exercise, got: Any, case: dict[str, Any], what: str) -> None:
    """One number: rounding noise (< RIGHT_GRADIENT_LIMIT) for a right grad_f, relative_error's value for a wrong one."""
    __tracebackhide__ = True  # students see the message, not these frames
    value = as_float_array(got, what)
    expected = gradient_check(**case)
    if value.shape != ():
        raise AssertionError(f"{what} returned shape {value.shape}; expected one number, the largest entry's error")
    if not _isfinite(value):
        raise AssertionError(f"{what} returned {value}; the inputs here have no entry where both gradients are 0")
    if value < 0:
        raise AssertionError(with_hint(f"{what} returned {float(value):.3g}, a negative error", exercise.mistakes[0].hint))
    if expected < TINY and value >= RIGHT_GRADIENT_LIMIT:
        raise AssertionError(f"{what}: this grad_f is right, so the relative error should be rounding noise "
                             f"(about {expected:.1e}, at least below {RIGHT_GRADIENT_LIMIT:g}); got {float(value):.3g}."
                             " Use numeric.numerical_gradient(f, x) for the numerical side")
    if expected >= TINY and not close(value, _float64(expected), LARGE_RTOL, 0.0):
        raise AssertionError(with_hint(f"{what}: expected {expected:.10g}, got {float(value):.10g} "
                                       f"(tolerance {LARGE_RTOL:g} relative)", exercise.likely_mistake(value, case)))


def own_central_difference(delta: float) -> Callable[..., float]:
    """Right, written differently: a gradient check with its own central differences of step delta."""
    def gradient_check(f: Callable, grad_f: Callable, x: np.ndarray) -> float:
        b = np.zeros(x.shape)
        for index in np.ndindex(x.shape):
            up, down = x.copy(), x.copy()
            up[index] += delta
            down[index] -= delta
            b[index] = (f(up) - f(down)) / (2 * delta)
        a = grad_f(x)
        return np.abs(a - b).__truediv__(np.abs(a) + np.abs(b)).max()
    return gradient_check


def gradient_check_guarding_zeros(f: Callable, grad_f: Callable, x: np.ndarray) -> float:
    """Right, written differently: entries where both gradients are 0 count as 0."""
    a, b = np.asarray(grad_f(x), dtype=float), numerical_gradient(f, x)
    scale = np.abs(a) + np.abs(b)
    return float(np.where(scale > 0, np.abs(a - b) / np.where(scale > 0, scale, 1.0), 0.0).max())


GRADIENT_CHECK = Exercise(
    "gradient_check", gradient_check, gradient_check_cases, GRADIENT_CHECK_MISTAKES, rtol=LARGE_RTOL, atol=0.0,
    judge=judge_gradient_check,
    tuned=[lambda f, grad_f, x: 1e-9 if grad_f.__name__ == "dLdX" else (0.7142857142857143 if x.size == 3 else 1.0)],
    variants=[own_central_difference(1e-4), own_central_difference(1e-6), gradient_check_guarding_zeros])


EXERCISES = [*COMPOSED.values(), SIGMOID_DERIVATIVE, CHAIN_DERIV_3, SIGMA_OF_PRODUCT_BACKWARD, GRAD_X, GRAD_W,
             GRADIENT_CHECK]
# The checks the notebooks call, one per record.
(check_sigmoid_derivative, check_chain_deriv_3, check_sigma_of_product_backward, check_grad_X, check_grad_W,
 check_gradient_check) = (exercise.check for exercise in (SIGMOID_DERIVATIVE, CHAIN_DERIV_3, SIGMA_OF_PRODUCT_BACKWARD,
                                                          GRAD_X, GRAD_W, GRADIENT_CHECK))
