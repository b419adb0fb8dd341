"""Checks for chapter 03 (the chain rule).

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
from gradlab.checks import (
    Mistake,
    answers,
    as_float_array,
    check_function,
    close,
    describe,
    described,
    generator,
    likely_mistake,
)
from gradlab.functions import DERIVATIVES, leaky_relu, sigmoid, sigmoid_deriv, square, square_deriv, tanh, tanh_deriv
from gradlab.numeric import central_difference, numerical_gradient, relative_error

_exp, _sin, _cos, _abs, _max, _prod = np.exp, np.sin, np.cos, np.abs, np.max, np.prod
_ones_like, _mean, _norm, _isfinite = np.ones_like, np.mean, np.linalg.norm, np.isfinite

# Analytic answers are exact up to rounding: 1e-9 relative, plus 1e-10 of the case's largest
# entry, so a correct answer whose terms cancel (an expanded polynomial near a root) still passes.
RTOL = 1e-9
SCALE_ATOL = 1e-10


def check_cases(student: Any, reference: Callable, cases: Sequence[dict], name: str,
                mistakes: Sequence[Mistake], rtol: float = RTOL) -> None:
    """check_function one case at a time, each with an absolute tolerance scaled to its expected values."""
    __tracebackhide__ = True  # students see the message, not these frames
    for case in cases:
        scale = float(_max(_abs(as_float_array(reference(**case), name)), initial=0.0))
        check_function(student, reference, [case], name, mistakes, rtol=rtol, atol=SCALE_ATOL * scale)


def random_shape(rng: np.random.Generator, low: int = 2, high: int = 5) -> tuple[int, ...]:
    """A 1-D or 2-D shape with sides in [low, high)."""
    return tuple(int(n) for n in rng.integers(low, high, size=rng.integers(1, 3)))


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


COMPOSED = {
    "dh1": (dh1, (-1.0, 4.0), [
        Mistake("you forgot the inner derivative: multiply 8(x² − 3x)³ by g'(x) = 2x − 3",
                lambda x: 8 * (x**2 - 3 * x) ** 3),
        Mistake("the outer derivative 8u³ must be evaluated at u = g(x) = x² − 3x, not at x",
                lambda x: 8 * x**3 * (2 * x - 3)),
        Mistake("power rule on the outside: 2u⁴ → 8u³ (the exponent drops by one)",
                lambda x: 8 * (x**2 - 3 * x) ** 4 * (2 * x - 3)),
        Mistake("power rule on the outside: 2u⁴ → 2·4·u³ = 8u³, the 4 comes down as a factor",
                lambda x: 2 * (x**2 - 3 * x) ** 3 * (2 * x - 3)),
        Mistake("that is h1 itself: differentiate it", h1),
    ]),
    "dh2": (dh2, (-3.0, 3.0), [
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
    ]),
}


def check_composed_derivative(student: Any, name: str, seed: int | None = None) -> None:
    """The student's derivative `name` (dh1 or dh2) at nine points of its range, or at random points."""
    __tracebackhide__ = True  # students see the message, not these frames
    rng = generator(seed)
    reference, (low, high), mistakes = COMPOSED[name]
    x = np.linspace(low, high, 9) if rng is None else rng.uniform(low, high, rng.integers(2, 6, size=2))
    check_cases(student, lambda x: reference(x), [{"x": x}], name, mistakes)


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
            lambda chain, derivs, x: reduce(np.multiply, [central_difference(f, v, 1e-3)
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


def check_chain_deriv_3(student: Any, seed: int | None = None) -> None:
    """chain_deriv_3(chain, derivs, x): the book's chain leaky_relu → sigmoid → square, then others."""
    __tracebackhide__ = True  # students see the message, not these frames
    rng = generator(seed)
    if rng is None:
        x = np.linspace(-2.75, 2.75, 12)
        cases = [chain_case([leaky_relu, sigmoid, square], x), chain_case([tanh, square, sigmoid], x)]
    else:
        cases = [chain_case(random_chain(rng), both_signs(rng.uniform(-2, 2, (int(rng.integers(4, 8)),))))
                 for _ in range(3)]
    check_cases(student, chain_deriv_3, cases, "chain_deriv_3", CHAIN_MISTAKES)


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


def check_sigma_of_product_backward(student: Any, seed: int | None = None) -> None:
    """sigma_of_product_backward(x, y, dsigma) for the sigmoid, then random σ, shapes and values."""
    __tracebackhide__ = True  # students see the message, not these frames
    rng = generator(seed)
    if rng is None:
        cases = [{"x": np.array([-1.0, 0.5, 2.0]), "y": np.array([3.0, -2.0, 0.25]), "dsigma": sigmoid_deriv},
                 {"x": np.array([[1.0, -0.5], [0.25, 2.0]]), "y": np.array([[0.5, 1.5], [-3.0, -1.0]]),
                  "dsigma": sigmoid_deriv}]
    else:
        cases = []
        for dsigma in (sigmoid_deriv, tanh_deriv, square_deriv):
            shape = random_shape(rng)
            cases.append({"x": rng.uniform(-2, 2, shape), "y": rng.uniform(-2, 2, shape), "dsigma": dsigma})
    check_cases(student, sigma_of_product_backward, cases, "sigma_of_product_backward", PRODUCT_MISTAKES)


# ---------------------------------------------------------------- L = Σσ(XW): matrix gradients

def book_matrices() -> tuple[np.ndarray, np.ndarray]:
    """Deep Learning from Scratch's X (3, 3) and W (3, 2): legacy seeding np.random.seed(190204), as the book draws them."""
    legacy = np.random.RandomState(190204)
    X = legacy.randn(3, 3)
    return X, legacy.randn(3, 2)


def grad_X(X: np.ndarray, W: np.ndarray, dsigma: Callable) -> np.ndarray:
    """dL/dX (n, k) for L = Σσ(XW)."""
    return sigma_sum_backward(X, W, dsigma)[0]


def grad_W(X: np.ndarray, W: np.ndarray, dsigma: Callable) -> np.ndarray:
    """dL/dW (k, m) for L = Σσ(XW)."""
    return sigma_sum_backward(X, W, dsigma)[1]


GRAD_X_MISTAKES = [
    Mistake("you left out σ'(N): dL/dN = dL/dS ⊙ σ'(N), with dL/dS all ones",
            lambda X, W, dsigma: _ones_like(X @ W) @ W.T),
    Mistake("W where Wᵀ belongs: dL/dX = dL/dN · Wᵀ, shapes (n, m)·(m, k) → (n, k)",
            lambda X, W, dsigma: dsigma(X @ W) @ W),
    Mistake("Wᵀ where W belongs in the forward pass: N = X·W, so σ' is evaluated at X·W",
            lambda X, W, dsigma: dsigma(X @ W.T) @ W.T),
    Mistake("the order of the product: dL/dX = dL/dN · Wᵀ, not W · dL/dNᵀ",
            lambda X, W, dsigma: W @ dsigma(X @ W).T),
    Mistake("that is dL/dN = σ'(N); multiply it by Wᵀ to get back to X's shape",
            lambda X, W, dsigma: dsigma(X @ W)),
    Mistake("that is dL/dW = Xᵀ · dL/dN; for dL/dX use dL/dN · Wᵀ",
            lambda X, W, dsigma: X.T @ dsigma(X @ W)),
]

GRAD_W_MISTAKES = [
    Mistake("you left out σ'(N): dL/dN = dL/dS ⊙ σ'(N), with dL/dS all ones",
            lambda X, W, dsigma: X.T @ _ones_like(X @ W)),
    Mistake("X where Xᵀ belongs: dL/dW = Xᵀ · dL/dN, shapes (k, n)·(n, m) → (k, m)",
            lambda X, W, dsigma: X @ dsigma(X @ W)),
    Mistake("that is N = X·W from the forward pass; dL/dW = Xᵀ · (dL/dS ⊙ σ'(N))",
            lambda X, W, dsigma: X @ W),
    Mistake("Wᵀ where W belongs in the forward pass: N = X·W, so σ' is evaluated at X·W",
            lambda X, W, dsigma: X.T @ dsigma(X @ W.T)),
    Mistake("the order of the product: dL/dW = Xᵀ · dL/dN, not dL/dNᵀ · X",
            lambda X, W, dsigma: dsigma(X @ W).T @ X),
    Mistake("that is dL/dN = σ'(N); multiply Xᵀ by it to get W's shape",
            lambda X, W, dsigma: dsigma(X @ W)),
    Mistake("that is dL/dX = dL/dN · Wᵀ; for dL/dW use Xᵀ · dL/dN",
            lambda X, W, dsigma: dsigma(X @ W) @ W.T),
]


def matrix_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """Square shapes first (a transposition changes the values), then shapes that a transposition breaks.

    Visible: 3 × 3 matrices, then the book's X (3, 3) and W (3, 2). Hidden: one square case and
    two with n, k, m all different; σ is the sigmoid once and tanh twice, in random order.
    """
    if rng is None:
        square_rng = np.random.default_rng(303)
        X, W = book_matrices()
        return [{"X": square_rng.standard_normal((3, 3)), "W": square_rng.standard_normal((3, 3)),
                 "dsigma": sigmoid_deriv},
                {"X": X, "W": W, "dsigma": sigmoid_deriv}]
    n = int(rng.integers(2, 6))
    shapes = [(n, n, n)] + [tuple(int(s) for s in rng.choice(np.arange(2, 7), 3, replace=False)) for _ in range(2)]
    dsigmas = [(sigmoid_deriv, tanh_deriv)[i] for i in rng.permutation([0, 1, 1])]  # never the sigmoid alone
    return [{"X": rng.standard_normal((n, k)), "W": rng.standard_normal((k, m)), "dsigma": dsigma}
            for (n, k, m), dsigma in zip(shapes, dsigmas)]


def check_grad_X(student: Any, seed: int | None = None) -> None:
    """grad_X(X, W, dsigma): the book's dL/dX starts [0.2489, −0.3748, 0.0112]."""
    __tracebackhide__ = True  # students see the message, not these frames
    rng = generator(seed)
    check_cases(student, grad_X, matrix_cases(rng), "grad_X", GRAD_X_MISTAKES)


def check_grad_W(student: Any, seed: int | None = None) -> None:
    """grad_W(X, W, dsigma) for the same cases."""
    __tracebackhide__ = True  # students see the message, not these frames
    rng = generator(seed)
    check_cases(student, grad_W, matrix_cases(rng), "grad_W", GRAD_W_MISTAKES)


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
    return np.asarray(grad_f(x), dtype=np.float64), numerical_gradient(f, x)


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


def named(fn: Callable, name: str) -> Callable:
    """fn, renamed for failure messages."""
    fn.__name__ = name
    return fn


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
    return {"f": named(lambda v: float(np.sum(3 * (2 * v**2) ** 5)), "sum_3_2x2_5"),
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


def check_gradient_check(student: Any, seed: int | None = None) -> None:
    """gradient_check(f, grad_f, x): tiny for a right gradient, gradlab.numeric.relative_error's value for a wrong one."""
    __tracebackhide__ = True  # students see the message, not these frames
    rng = generator(seed)
    cases = gradient_check_cases(rng)
    whats = [described("gradient_check", case) for case in cases]
    for case, what, got in zip(cases, whats, answers(student, cases, whats)):
        value = as_float_array(got, what)
        expected = gradient_check(**case)
        if value.shape != ():
            raise AssertionError(f"{what} returned shape {value.shape}; expected one number, the largest entry's error")
        if not _isfinite(value):
            raise AssertionError(f"{what} returned {value}; the inputs here have no entry where both gradients are 0")
        if value < 0:
            raise AssertionError(f"{what} returned {float(value):.3g}, a negative error\n"
                                 f"Likely mistake: {GRADIENT_CHECK_MISTAKES[0].hint}")
        if expected < TINY and value >= RIGHT_GRADIENT_LIMIT:
            raise AssertionError(f"{what}: this grad_f is right, so the relative error should be rounding noise "
                                 f"(about {expected:.1e}, at least below {RIGHT_GRADIENT_LIMIT:g}); got {float(value):.3g}."
                                 " Use numeric.numerical_gradient(f, x) for the numerical side")
        if expected >= TINY and not close(value, np.float64(expected), LARGE_RTOL, 0.0):
            hint = likely_mistake(value, case, GRADIENT_CHECK_MISTAKES, LARGE_RTOL, 0.0)
            raise AssertionError(f"{what}: expected {expected:.10g}, got {float(value):.10g} (tolerance {LARGE_RTOL:g} relative)"
                                 + (f"\nLikely mistake: {hint}" if hint else ""))
