"""Chapter 01's exercises (derivatives), each an `Exercise` record (gradlab.checks).

Each ``check_*`` takes the student's function. Without ``seed`` it runs the visible cases
(the book's numbers); with a ``seed`` it draws random points, shapes and functions, so a
hard-coded answer fails. Every record knows the plausible wrong answers and names them.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gradlab.checks import Exercise, Mistake
from gradlab.numeric import central_difference, forward_difference

_exp, _sin, _cos, _sqrt, _asarray, _shape, _log = np.exp, np.sin, np.cos, np.sqrt, np.asarray, np.shape, np.log
_linspace = np.linspace
_polyder, _polyval, _float64 = np.polyder, np.polyval, np.float64


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


def forward_over_step(f: Callable, x: np.ndarray, delta: float) -> np.ndarray:
    """Right, written differently: divided by the step as the computer sees it, (x + delta) − x."""
    x = np.asarray(x, dtype=float)
    return (f(x + delta) - f(x)) / ((x + delta) - x)


def forward_entry_by_entry(f: Callable, x: np.ndarray, delta: float) -> np.ndarray:
    """Right, written differently: a Python loop over the entries."""
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    for i in range(x.size):
        out.flat[i] = (f(float(x.flat[i]) + delta) - f(float(x.flat[i]))) / delta
    return out


def central_entry_by_entry(f: Callable, x: np.ndarray, delta: float) -> np.ndarray:
    """Right, written differently: a Python loop over the entries."""
    x = np.asarray(x, dtype=float)
    out = np.zeros(x.shape)
    for i in range(x.size):
        out.flat[i] = (f(x.flat[i] + delta) - f(x.flat[i] - delta)) / (2 * delta)
    return out


# The book gives ≈4.0002 at x = 1 and ≈8.0002 at x = 2; the central difference is exact (up to rounding) for 2x².
FORWARD_DIFFERENCE = Exercise(
    "forward_difference", forward_difference, difference_cases, FORWARD_MISTAKES,
    tuned=[lambda f, x, delta: 4 * _asarray(x) + 2e-4],  # exact for 2x² with delta = 1e-4
    variants=[forward_over_step, lambda f, x, delta: (f(x + delta) - f(x)) * (1 / delta), forward_entry_by_entry])
CENTRAL_DIFFERENCE = Exercise(
    "central_difference", central_difference, difference_cases, CENTRAL_MISTAKES,
    tuned=[lambda f, x, delta: 4 * _asarray(x)],
    variants=[central_entry_by_entry,
              lambda f, x, delta: ((f(x + delta) - f(x)) / delta + (f(x) - f(x - delta)) / delta) / 2])


# ---------------------------------------------------------------- tangent line

def tangent_line(f: Callable, dfdx: Callable, x0: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Slope m = f'(x0) and intercept b = f(x0) − m·x0 of the tangent at x0."""
    m = dfdx(_asarray(x0, dtype=_float64))
    return m, f(x0) - m * x0


# For 2x², the visible cases' function, m·x0 − f(x0) = 2x0² = f(x0): the two wrong intercepts cannot be told apart
# there, so they share a hint naming both.
INTERCEPT_HINT = ("the intercept is b = f(x0) − m·x0: not f(x0) (the line crosses x = 0 elsewhere), and not "
                  "m·x0 − f(x0) (mind the sign)")
TANGENT_MISTAKES = [
    Mistake("sign error in the intercept: from y = m·x + b, b = f(x0) − m·x0",
            lambda f, dfdx, x0: (dfdx(x0), f(x0) + dfdx(x0) * x0)),
    Mistake(INTERCEPT_HINT, lambda f, dfdx, x0: (dfdx(x0), f(x0))),
    Mistake(INTERCEPT_HINT, lambda f, dfdx, x0: (dfdx(x0), dfdx(x0) * x0 - f(x0))),
    Mistake("the slope is f'(x0), not f(x0)",
            lambda f, dfdx, x0: (f(x0), f(x0) - f(x0) * x0)),
    Mistake("return the slope first, then the intercept: (m, b)",
            lambda f, dfdx, x0: (f(x0) - dfdx(x0) * x0, dfdx(x0))),
]


def tangent_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """2x² at x0 = 2 (the book's tangent y = 8x − 8), 1 and 0..4; or every smooth pair at random points."""
    if rng is None:
        return [{"f": two_x_squared, "dfdx": four_x, "x0": x0} for x0 in (2.0, 1.0, np.arange(5.0))]
    return [{"f": f, "dfdx": df, "x0": rng.uniform(-2, 2, rng.integers(1, 6))} for f, df in SMOOTH]


TANGENT_LINE = Exercise(
    "tangent_line", tangent_line, tangent_cases, TANGENT_MISTAKES, parts=("m", "b"),
    tuned=[lambda f, dfdx, x0: (4 * _asarray(x0), -2 * _asarray(x0) ** 2)],
    variants=[lambda f, dfdx, x0: [dfdx(x0), f(x0) - dfdx(x0) * x0],
              lambda f, dfdx, x0: np.array([dfdx(x0), f(x0) + dfdx(x0) * (0 - x0)])])


# ---------------------------------------------------------------- analytical derivatives

# Polynomials as {power: coefficient}; the exercise asks for their derivatives.
POLYNOMIALS = {
    "dg1": {3: 4.0, 1: -7.0, 0: 2.0},            # g1(x) = 4x³ − 7x + 2
    "dg2": {5: 0.2, 4: 3.0, 2: -1.0, 0: 10.0},   # g2(x) = x⁵/5 + 3x⁴ − x² + 10
    "dg3": {0: 6.0, 1: -2.0, 3: 5.0, 6: -1.0},   # g3(x) = 6 − 2x + 5x³ − x⁶
}


def polynomial(terms: dict[int, float]) -> Callable[[np.ndarray], np.ndarray]:
    """The function x ↦ Σ c·x^n for terms {n: c}."""
    return lambda x: sum(c * _asarray(x, dtype=_float64) ** n for n, c in terms.items())


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


def polynomial_points(rng: np.random.Generator | None) -> list[dict[str, np.ndarray]]:
    """Five points from −2 to 2, or a random 2-D array of points in [−3, 3]."""
    return [{"x": np.linspace(-2.0, 2.0, 5) if rng is None else rng.uniform(-3, 3, rng.integers(2, 7, size=2))}]


def polynomial_exercise(name: str) -> Exercise:
    """The derivative `name` (dg1, dg2 or dg3) of a polynomial, judged against the power rule."""
    terms = POLYNOMIALS[name]
    slope = derivative_terms(terms)
    reference = polynomial(slope)
    coefficients = [slope.get(n, 0.0) for n in range(max(slope), -1, -1)]
    whole = [terms.get(n, 0.0) for n in range(max(terms), -1, -1)]
    return Exercise(
        name, reference, polynomial_points, polynomial_mistakes(terms), rtol=1e-9,
        tuned=[lambda x: reference(x) if _shape(x) == (5,) else 0 * x],
        variants=[lambda x: _polyval(coefficients, x), lambda x: _polyval(_polyder(whole), x)])


POLYNOMIAL_EXERCISES = {name: polynomial_exercise(name) for name in POLYNOMIALS}


def check_polynomial_derivative(student: Any, name: str, seed: int | None = None) -> None:
    """The student's derivative `name` (dg1, dg2 or dg3) against the power rule."""
    __tracebackhide__ = True  # students see the message, not these frames
    POLYNOMIAL_EXERCISES[name].check(student, seed)


# ---------------------------------------------------------------- choosing delta
#
# Measured errors near the best delta are round-off noise: which delta "wins" changes with
# the order a student happens to compute in. So the exercise is the error model instead:
# E(delta) = |f''| delta / 2 (truncation) + 2 eps |f| / delta (round-off), and its minimiser.

EPS = float(np.finfo(np.float64).eps)


def error_model(delta: np.ndarray | float, f0: float, f2: float) -> np.ndarray:
    """Forward-difference error bound |f''|·δ/2 + 2ε|f|/δ, elementwise over delta."""
    delta = _asarray(delta, dtype=_float64)
    return abs(f2) * delta / 2 + 2 * EPS * abs(f0) / delta


def optimal_delta(f0: float, f2: float) -> float:
    """The δ that minimises error_model: 2·sqrt(ε|f| / |f''|)."""
    return 2 * float(_sqrt(EPS * abs(f0) / abs(f2)))


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
        return [{"f0": 2.0, "f2": 4.0}, {"f0": float(_sin(1.0)), "f2": -float(_sin(1.0))}]
    signs = rng.choice([-1.0, 1.0], size=(4, 2))
    sizes = 10 ** rng.uniform(-2, 3, size=(4, 2))
    return [{"f0": float(a), "f2": float(b)} for a, b in signs * sizes]


def error_model_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """model_cases over a grid of deltas from 1e-16 to 1 (random ones in that range for rng)."""
    deltas = np.logspace(-16, 0, 17) if rng is None else 10 ** rng.uniform(-16, 0, rng.integers(3, 9))
    return [{"delta": deltas, **case} for case in model_cases(rng)]


ERROR_MODEL = Exercise(
    "error_model", error_model, error_model_cases, ERROR_MODEL_MISTAKES, rtol=1e-9, atol=0,
    tuned=[lambda delta, f0, f2: error_model(delta, f0, f2) if f0 == 2.0 or f2 < 0 else 0 * delta],
    variants=[lambda delta, f0, f2: np.abs(f2) / 2 * _asarray(delta, dtype=_float64)
              + 2 * np.finfo(float).eps * np.abs(f0) * _asarray(delta, dtype=_float64) ** -1])
# optimal_delta is about 2.1e-8 for 2x² at x = 1, where the measured error bottoms out.
OPTIMAL_DELTA = Exercise(
    "optimal_delta", optimal_delta, model_cases, OPTIMAL_DELTA_MISTAKES, rtol=1e-9, atol=0,
    tuned=[lambda f0, f2: {2.0: 2.1073424255447017e-08}.get(f0, 2 * _sqrt(EPS))],
    variants=[lambda f0, f2: _sqrt(4 * np.finfo(float).eps * abs(f0) / abs(f2))])


# ---------------------------------------------------------------- derivatives by the rules for eˣ, ln, sin, products, quotients

def k1(x: np.ndarray) -> np.ndarray:
    """x²·eˣ: a product."""
    return x**2 * _exp(x)


def k2(x: np.ndarray) -> np.ndarray:
    """ln(x) / x, for x > 0: a quotient."""
    return _log(x) / x


def k3(x: np.ndarray) -> np.ndarray:
    """x³·sin x: a product."""
    return x**3 * _sin(x)


RULES = {  # name: (reference, the interval its points come from, known mistakes)
    "dk1": (lambda x: (x**2 + 2 * x) * _exp(x), (-3.0, 2.0), [
        Mistake("product rule: (f·g)' = f'·g + f·g', not f'·g' (here 2x·eˣ)", lambda x: 2 * x * _exp(x)),
        Mistake("that is x²·eˣ, k1 itself (or only its f·g' term): the product rule adds f'·g = 2x·eˣ",
                lambda x: x**2 * _exp(x)),
        Mistake("the product rule adds its two terms: (x²)'·eˣ + x²·(eˣ)' = (2x + x²)·eˣ",
                lambda x: (x**2 - 2 * x) * _exp(x)),
    ]),
    "dk2": (lambda x: (1 - _log(x)) / x**2, (0.2, 5.0), [
        Mistake("quotient rule: (f/g)' = (f'·g − f·g')/g², and the order of the subtraction matters",
                lambda x: (_log(x) - 1) / x**2),
        Mistake("divide by g² = x²: (f/g)' = (f'·g − f·g')/g²", lambda x: 1 - _log(x)),
        Mistake("(f/g)' is not f'/g': use the quotient rule, (f'·g − f·g')/g²", lambda x: 1 / x),
        Mistake("(ln x)' = 1/x, not ln x", lambda x: (x * _log(x) - _log(x)) / x**2),
    ]),
    "dk3": (lambda x: 3 * x**2 * _sin(x) + x**3 * _cos(x), (-3.0, 3.0), [
        Mistake("product rule: (f·g)' = f'·g + f·g', not f'·g' (here 3x²·cos x)", lambda x: 3 * x**2 * _cos(x)),
        Mistake("sign error: (sin x)' = +cos x (it is (cos x)' that is −sin x)",
                lambda x: 3 * x**2 * _sin(x) - x**3 * _cos(x)),
        Mistake("the product rule has two terms: add f·g' = x³·cos x", lambda x: 3 * x**2 * _sin(x)),
        Mistake("the product rule has two terms: add f'·g = 3x²·sin x", lambda x: x**3 * _cos(x)),
    ]),
}


def rule_exercise(name: str) -> Exercise:
    """The derivative `name` (dk1, dk2 or dk3), at seven points of its interval or at random ones."""
    reference, (low, high), mistakes = RULES[name]

    def cases(rng: np.random.Generator | None) -> list[dict[str, np.ndarray]]:
        return [{"x": _linspace(low, high, 7) if rng is None else rng.uniform(low, high, rng.integers(2, 6, size=2))}]

    return Exercise(name, reference, cases, mistakes, rtol=1e-9, atol=1e-12,
                    tuned=[lambda x: reference(x) if _shape(x) == (7,) else 0 * x],
                    variants=[RULE_VARIANTS[name]])


RULE_VARIANTS = {  # right, written differently: factored
    "dk1": lambda x: x * (x + 2) * np.exp(x),
    "dk2": lambda x: (1 / x * x - np.log(x)) / (x * x),
    "dk3": lambda x: x * x * (3 * np.sin(x) + x * np.cos(x)),
}
RULE_EXERCISES = {name: rule_exercise(name) for name in RULES}


def check_rule_derivative(student: Any, name: str, seed: int | None = None) -> None:
    """The student's derivative `name` (dk1, dk2 or dk3) against the rules for eˣ, ln, sin, products and quotients."""
    __tracebackhide__ = True  # students see the message, not these frames
    RULE_EXERCISES[name].check(student, seed)


EXERCISES = [FORWARD_DIFFERENCE, CENTRAL_DIFFERENCE, TANGENT_LINE, *POLYNOMIAL_EXERCISES.values(), ERROR_MODEL,
             OPTIMAL_DELTA, *RULE_EXERCISES.values()]
# The checks the notebooks call, one per record.
(check_forward_difference, check_central_difference, check_tangent_line, check_error_model, check_optimal_delta) = (
    exercise.check for exercise in (FORWARD_DIFFERENCE, CENTRAL_DIFFERENCE, TANGENT_LINE, ERROR_MODEL, OPTIMAL_DELTA))
