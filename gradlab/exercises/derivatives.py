"""Checks for chapter 01 (derivatives).

Each ``check_*`` takes the student's function. Without ``seed`` it runs the visible cases
(the book's numbers); with a ``seed`` it draws random points, shapes and functions, so a
hard-coded answer fails. Every check knows the plausible wrong answers and names them.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gradlab.checks import Mistake, check_function, generator
from gradlab.numeric import central_difference, forward_difference

_exp, _sin, _cos, _asarray = np.exp, np.sin, np.cos, np.asarray


def two_x_squared(x: np.ndarray) -> np.ndarray:
    """The book's running example, 2x²."""
    return 2 * x**2


def four_x(x: np.ndarray) -> np.ndarray:
    """Derivative of 2x²."""
    return 4 * x


def exp(x: np.ndarray) -> np.ndarray:
    """e^x, its own derivative."""
    return _exp(x)


def sin(x: np.ndarray) -> np.ndarray:
    """sin x."""
    return _sin(x)


def cos(x: np.ndarray) -> np.ndarray:
    """cos x, the derivative of sin x."""
    return _cos(x)


def cubic(x: np.ndarray) -> np.ndarray:
    """x³ − 2x."""
    return x**3 - 2 * x


def cubic_slope(x: np.ndarray) -> np.ndarray:
    """3x² − 2, the derivative of the cubic."""
    return 3 * x**2 - 2


# (f, f') pairs for hidden tests; each has non-zero curvature almost everywhere,
# so forward and central differences give different answers.
SMOOTH = [(exp, exp), (sin, cos), (cubic, cubic_slope), (two_x_squared, four_x)]


def random_case(rng: np.random.Generator) -> dict[str, Any]:
    """A random smooth f, an array x of random shape in [-2, 2] and a delta in [1e-4, 1e-2.5]."""
    f, _ = SMOOTH[rng.integers(len(SMOOTH))]
    shape = tuple(int(n) for n in rng.integers(1, 5, size=rng.integers(1, 3)))
    return {"f": f, "x": rng.uniform(-2, 2, shape), "delta": float(10 ** rng.uniform(-4, -2.5))}


def backward_difference(f: Callable, x: np.ndarray, delta: float) -> np.ndarray:
    """(f(x) − f(x − delta)) / delta, a common slip for the forward difference."""
    return (f(x) - f(x - delta)) / delta


# ---------------------------------------------------------------- finite differences

FORWARD_MISTAKES = [
    Mistake("this is the central difference; the forward difference uses f(x + delta) and f(x) only",
            central_difference),
    Mistake("you used x − delta: the forward difference steps forward, (f(x + delta) − f(x)) / delta",
            backward_difference),
    Mistake("sign error: subtract f(x) from f(x + delta), not the other way round",
            lambda f, x, delta: -forward_difference(f, x, delta)),
    Mistake("you forgot to divide by delta", lambda f, x, delta: f(x + delta) - f(x)),
    Mistake("divide by delta, not 2·delta: the two points are delta apart",
            lambda f, x, delta: forward_difference(f, x, delta) / 2),
]

CENTRAL_MISTAKES = [
    Mistake("looks like the forward difference: use f(x + delta) and f(x − delta), and divide by 2·delta",
            forward_difference),
    Mistake("looks like the backward difference: use f(x + delta) and f(x − delta), and divide by 2·delta",
            backward_difference),
    Mistake("divide by 2·delta: the points x − delta and x + delta are 2·delta apart",
            lambda f, x, delta: 2 * central_difference(f, x, delta)),
    Mistake("sign error: compute f(x + delta) − f(x − delta)",
            lambda f, x, delta: -central_difference(f, x, delta)),
]


def difference_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """The book's points for 2x² (x = 1, x = 2, x = 0..4), or five random cases."""
    if rng is None:
        return [{"f": two_x_squared, "x": x, "delta": 1e-4} for x in (1.0, 2.0, np.arange(5.0))]
    return [random_case(rng) for _ in range(5)]


def check_forward_difference(student: Any, seed: int | None = None) -> None:
    """forward_difference(f, x, delta): the book gives ≈4.0002 at x = 1 and ≈8.0002 at x = 2."""
    __tracebackhide__ = True  # students see the message, not these frames
    rng = generator(seed)
    check_function(student, forward_difference, difference_cases(rng), "forward_difference", FORWARD_MISTAKES)


def check_central_difference(student: Any, seed: int | None = None) -> None:
    """central_difference(f, x, delta): exact (up to rounding) for 2x², so 4 at x = 1."""
    __tracebackhide__ = True  # students see the message, not these frames
    rng = generator(seed)
    check_function(student, central_difference, difference_cases(rng), "central_difference", CENTRAL_MISTAKES)


# ---------------------------------------------------------------- tangent line

def tangent_line(f: Callable, dfdx: Callable, x0: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Slope m = f'(x0) and intercept b = f(x0) − m·x0 of the tangent at x0."""
    m = dfdx(np.asarray(x0, dtype=np.float64))
    return m, f(x0) - m * x0


TANGENT_MISTAKES = [
    Mistake("sign error in the intercept: from y = m·x + b, b = f(x0) − m·x0",
            lambda f, dfdx, x0: (dfdx(x0), f(x0) + dfdx(x0) * x0)),
    Mistake("the intercept is where the line crosses x = 0: b = f(x0) − m·x0, not f(x0)",
            lambda f, dfdx, x0: (dfdx(x0), f(x0))),
    Mistake("the slope is f'(x0), not f(x0)",
            lambda f, dfdx, x0: (f(x0), f(x0) - f(x0) * x0)),
    Mistake("return the slope first, then the intercept: (m, b)",
            lambda f, dfdx, x0: (f(x0) - dfdx(x0) * x0, dfdx(x0))),
]


def check_tangent_line(student: Any, seed: int | None = None) -> None:
    """tangent_line(f, dfdx, x0) -> (m, b): for 2x² at x0 = 2 the book's tangent is y = 8x − 8."""
    __tracebackhide__ = True  # students see the message, not these frames
    rng = generator(seed)
    if rng is None:
        cases = [{"f": two_x_squared, "dfdx": four_x, "x0": x0} for x0 in (2.0, 1.0, np.arange(5.0))]
    else:
        cases = [{"f": f, "dfdx": df, "x0": rng.uniform(-2, 2, rng.integers(1, 6))} for f, df in SMOOTH]
    check_function(student, tangent_line, cases, "tangent_line", TANGENT_MISTAKES)


# ---------------------------------------------------------------- analytical derivatives

# Polynomials as {power: coefficient}; the exercise asks for their derivatives.
POLYNOMIALS = {
    "dg1": {3: 4.0, 1: -7.0, 0: 2.0},            # g1(x) = 4x³ − 7x + 2
    "dg2": {5: 0.2, 4: 3.0, 2: -1.0, 0: 10.0},   # g2(x) = x⁵/5 + 3x⁴ − x² + 10
    "dg3": {0: 6.0, 1: -2.0, 3: 5.0, 6: -1.0},   # g3(x) = 6 − 2x + 5x³ − x⁶
}


def polynomial(terms: dict[int, float]) -> Callable[[np.ndarray], np.ndarray]:
    """The function x ↦ Σ c·x^n for terms {n: c}."""
    return lambda x: sum(c * _asarray(x, dtype=np.float64) ** n for n, c in terms.items())


def derivative_terms(terms: dict[int, float]) -> dict[int, float]:
    """Power rule on every term: c·x^n → n·c·x^(n−1); constants vanish."""
    return {n - 1: n * c for n, c in terms.items() if n > 0}


def polynomial_mistakes(terms: dict[int, float]) -> list[Mistake]:
    """The slips the power, constant and sum rules guard against, for this polynomial."""
    slope = derivative_terms(terms)
    return [
        Mistake("that is g itself: differentiate every term", lambda x: polynomial(terms)(x)),
        Mistake("the derivative of a constant is 0: drop the constant term",
                lambda x: polynomial(slope)(x) + terms.get(0, 0.0)),
        Mistake("power rule: the exponent drops by one, c·xⁿ → n·c·xⁿ⁻¹",
                lambda x: polynomial({n: n * c for n, c in terms.items() if n > 0})(x)),
        Mistake("power rule: multiply by the old exponent, c·xⁿ → n·c·xⁿ⁻¹",
                lambda x: polynomial({n - 1: c for n, c in terms.items() if n > 0})(x)),
        Mistake("sign error: keep each term's sign", lambda x: -polynomial(slope)(x)),
    ]


def check_polynomial_derivative(student: Any, name: str, seed: int | None = None) -> None:
    """The student's derivative `name` (dg1, dg2 or dg3) against the power rule."""
    __tracebackhide__ = True  # students see the message, not these frames
    rng = generator(seed)
    terms = POLYNOMIALS[name]
    xs = [np.linspace(-2.0, 2.0, 5)] if rng is None else [rng.uniform(-3, 3, rng.integers(2, 7, size=2))]
    reference = polynomial(derivative_terms(terms))
    check_function(student, lambda x: reference(x), [{"x": x} for x in xs], name,
                   polynomial_mistakes(terms), rtol=1e-9)


# ---------------------------------------------------------------- choosing delta
#
# Measured errors near the best delta are round-off noise: which delta "wins" changes with
# the order a student happens to compute in. So the exercise is the error model instead:
# E(delta) = |f''| delta / 2 (truncation) + 2 eps |f| / delta (round-off), and its minimiser.

EPS = float(np.finfo(np.float64).eps)


def error_model(delta: np.ndarray | float, f0: float, f2: float) -> np.ndarray:
    """Forward-difference error bound |f''|·δ/2 + 2ε|f|/δ, elementwise over delta."""
    delta = _asarray(delta, dtype=np.float64)
    return abs(f2) * delta / 2 + 2 * EPS * abs(f0) / delta


def optimal_delta(f0: float, f2: float) -> float:
    """The δ that minimises error_model: 2·sqrt(ε|f| / |f''|)."""
    return 2 * float(np.sqrt(EPS * abs(f0) / abs(f2)))


ERROR_MODEL_MISTAKES = [
    Mistake("the truncation term is |f''|·δ/2: did you forget the /2?",
            lambda delta, f0, f2: error_model(delta, f0, f2) + abs(f2) * _asarray(delta) / 2),
    Mistake("the round-off term is 2ε|f|/δ: it grows as δ shrinks, so δ goes in the denominator",
            lambda delta, f0, f2: abs(f2) * _asarray(delta) / 2 + 2 * EPS * abs(f0) * _asarray(delta)),
    Mistake("the round-off term is 2ε|f|/δ: did you forget the factor 2?",
            lambda delta, f0, f2: abs(f2) * _asarray(delta) / 2 + EPS * abs(f0) / _asarray(delta)),
    Mistake("errors are sizes: use |f''| and |f| (np.abs), so a negative curvature does not cancel round-off",
            lambda delta, f0, f2: f2 * _asarray(delta) / 2 + 2 * EPS * f0 / _asarray(delta)),
    Mistake("that is the central difference's truncation (δ²); the forward difference's is |f''|·δ/2",
            lambda delta, f0, f2: abs(f2) * _asarray(delta) ** 2 / 6 + 2 * EPS * abs(f0) / _asarray(delta)),
]

OPTIMAL_DELTA_MISTAKES = [
    Mistake("set dE/dδ = |f''|/2 − 2ε|f|/δ² to zero and solve: δ² = 4ε|f|/|f''|, so take the square root",
            lambda f0, f2: 4 * EPS * abs(f0) / abs(f2)),
    Mistake("δ² = 4ε|f|/|f''| gives δ = 2·sqrt(ε|f|/|f''|): the factor 2 is missing",
            lambda f0, f2: optimal_delta(f0, f2) / 2),
    Mistake("|f| and |f''| are swapped: δ = 2·sqrt(ε|f| / |f''|)",
            lambda f0, f2: optimal_delta(f2, f0)),
    Mistake("that is the smallest possible δ, not the best: round-off error grows as δ shrinks",
            lambda f0, f2: EPS),
]


def model_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """2x² at x = 1 (|f| = 2, |f''| = 4), or random function values and curvatures of either sign."""
    if rng is None:
        return [{"f0": 2.0, "f2": 4.0}, {"f0": float(np.sin(1.0)), "f2": -float(np.sin(1.0))}]
    signs = rng.choice([-1.0, 1.0], size=(4, 2))
    sizes = 10 ** rng.uniform(-2, 3, size=(4, 2))
    return [{"f0": float(a), "f2": float(b)} for a, b in signs * sizes]


def check_error_model(student: Any, seed: int | None = None) -> None:
    """error_model(delta, f0, f2) over a grid of deltas from 1e-16 to 1."""
    __tracebackhide__ = True  # students see the message, not these frames
    rng = generator(seed)
    deltas = np.logspace(-16, 0, 17) if rng is None else 10 ** rng.uniform(-16, 0, rng.integers(3, 9))
    cases = [{"delta": deltas, **case} for case in model_cases(rng)]
    check_function(student, error_model, cases, "error_model", ERROR_MODEL_MISTAKES, rtol=1e-9, atol=0)


def check_optimal_delta(student: Any, seed: int | None = None) -> None:
    """optimal_delta(f0, f2): about 2.1e-8 for 2x² at x = 1, where the measured error bottoms out."""
    __tracebackhide__ = True  # students see the message, not these frames
    rng = generator(seed)
    check_function(student, optimal_delta, model_cases(rng), "optimal_delta", OPTIMAL_DELTA_MISTAKES,
                   rtol=1e-9, atol=0)


# ---------------------------------------------------------------- cost

def evaluations_per_update(n_params: int, method: str) -> int:
    """Loss evaluations for one numerical gradient: forward n + 1, central 2n."""
    return n_params + 1 if method == "forward" else 2 * n_params


EVALUATION_MISTAKES = [
    Mistake("the forward difference shares one evaluation f(x) across all parameters: n + 1",
            lambda n_params, method: 2 * n_params),
    Mistake("one nudge per parameter is not all: forward adds f(x) once (n + 1), central nudges both ways (2n)",
            lambda n_params, method: n_params),
    Mistake("the central difference needs two evaluations per parameter, f(x + delta) and f(x − delta): 2n",
            lambda n_params, method: n_params + 1),
]


def check_evaluations_per_update(student: Any, seed: int | None = None) -> None:
    """evaluations_per_update(n_params, method) for 'forward' and 'central'."""
    __tracebackhide__ = True  # students see the message, not these frames
    rng = generator(seed)
    sizes = [1, 21] if rng is None else [int(n) for n in rng.integers(2, 10**6, size=3)]
    cases = [{"n_params": n, "method": m} for n in sizes for m in ("forward", "central")]
    check_function(student, evaluations_per_update, cases, "evaluations_per_update", EVALUATION_MISTAKES, rtol=0)
