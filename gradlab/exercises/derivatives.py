"""Checks for chapter 01 (derivatives).

Each ``check_*`` takes the student's function. Without ``rng`` it runs the visible cases
(the book's numbers); with ``rng`` it draws random points, shapes and functions, so a
hard-coded answer fails. Every check knows the plausible wrong answers and names them.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from gradlab.checks import Mistake, as_float_array, call, check_function, describe
from gradlab.numeric import central_difference, difference_errors, forward_difference

_exp, _sin, _cos, _argmin, _asarray = np.exp, np.sin, np.cos, np.argmin, np.asarray


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


def check_forward_difference(student: Any, rng: np.random.Generator | None = None) -> None:
    """forward_difference(f, x, delta): the book gives ≈4.0002 at x = 1 and ≈8.0002 at x = 2."""
    check_function(student, forward_difference, difference_cases(rng), "forward_difference", FORWARD_MISTAKES)


def check_central_difference(student: Any, rng: np.random.Generator | None = None) -> None:
    """central_difference(f, x, delta): exact (up to rounding) for 2x², so 4 at x = 1."""
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


def check_tangent_line(student: Any, rng: np.random.Generator | None = None) -> None:
    """tangent_line(f, dfdx, x0) -> (m, b): for 2x² at x0 = 2 the book's tangent is y = 8x − 8."""
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


def check_polynomial_derivative(student: Any, name: str, rng: np.random.Generator | None = None) -> None:
    """The student's derivative `name` (dg1, dg2 or dg3) against the power rule."""
    terms = POLYNOMIALS[name]
    xs = [np.linspace(-2.0, 2.0, 5)] if rng is None else [rng.uniform(-3, 3, rng.integers(2, 7, size=2))]
    reference = polynomial(derivative_terms(terms))
    check_function(student, lambda x: reference(x), [{"x": x} for x in xs], name,
                   polynomial_mistakes(terms), rtol=1e-9)


# ---------------------------------------------------------------- choosing delta

def forward_errors(f: Callable, dfdx: Callable, x0: float, deltas: np.ndarray) -> np.ndarray:
    """|forward difference − exact derivative| at x0 for each delta."""
    return difference_errors(f, dfdx, x0, deltas)[0]


def best_delta(f: Callable, dfdx: Callable, x0: float, deltas: np.ndarray) -> float:
    """The delta in deltas whose forward difference at x0 is closest to f'(x0)."""
    return float(deltas[_argmin(forward_errors(f, dfdx, x0, deltas))])


def delta_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """2x² at x0 = 1 over 1e-15..1e-1 (the best is 1e-8), or random functions, points and grids."""
    if rng is None:
        return [{"f": two_x_squared, "dfdx": four_x, "x0": 1.0, "deltas": np.logspace(-15, -1, 15)}]
    cases = []
    for f, df in SMOOTH:
        start = rng.uniform(-16, -13)
        cases.append({"f": f, "dfdx": df, "x0": float(rng.uniform(0.5, 2)),
                      "deltas": rng.permutation(np.logspace(start, start + 14, 29))})
    return cases


def check_best_delta(student: Any, rng: np.random.Generator | None = None) -> None:
    """best_delta(f, dfdx, x0, deltas): any delta whose error is within 2× of the smallest passes.

    Round-off makes errors below ~1e-8 noisy, so two answers computed in a slightly
    different order may pick neighbouring deltas; both are right.
    """
    for case in delta_cases(rng):
        what = f"best_delta({', '.join(f'{k}={describe(v)}' for k, v in case.items())})"
        got = as_float_array(call(student, case, what), what)
        errors, deltas = forward_errors(**case), case["deltas"]
        smallest = float(errors.min())
        if got.shape != () or not np.any(deltas == got):
            hint = " (that looks like an index: return deltas[i], not i)" if got.shape == () and got == int(got) else ""
            raise AssertionError(f"{what} returned {describe(got)}, which is not one of the deltas{hint}")
        error = float(errors[deltas == got][0])
        if error > 2 * smallest:
            if got == deltas.min():
                hint = "the smallest delta is not the most accurate: round-off error grows as delta shrinks"
            else:
                hint = "compare absolute errors |estimate − exact| and pick the smallest"
            raise AssertionError(
                f"{what} returned delta={float(got):.1e} with error {error:.2e}, but delta="
                f"{float(deltas[_argmin(errors)]):.1e} gives {smallest:.2e}\nLikely mistake: {hint}"
            )


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


def check_evaluations_per_update(student: Any, rng: np.random.Generator | None = None) -> None:
    """evaluations_per_update(n_params, method) for 'forward' and 'central'."""
    sizes = [1, 21] if rng is None else [int(n) for n in rng.integers(2, 10**6, size=3)]
    cases = [{"n_params": n, "method": m} for n in sizes for m in ("forward", "central")]
    check_function(student, evaluations_per_update, cases, "evaluations_per_update", EVALUATION_MISTAKES, rtol=0)
