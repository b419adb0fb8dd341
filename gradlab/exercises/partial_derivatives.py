"""Chapter 02's exercises (partial derivatives and the gradient), each an `Exercise` record (gradlab.checks).

Each ``check_*`` takes the student's function(s). Without ``seed`` it runs the visible cases
(the book's numbers where it prints any); with a ``seed`` it draws random points, shapes and
functions, so a hard-coded answer fails. Every record knows the plausible wrong answers and
names them.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import permutations
from typing import Any, NamedTuple

import numpy as np

from gradlab.checks import Exercise, Mistake, as_float_array, named, random_shape, with_hint
from gradlab.numeric import numerical_gradient

_asarray, _array, _float64 = np.asarray, np.array, np.float64
_sin, _cos, _exp, _log, _sum, _max, _minimum = np.sin, np.cos, np.exp, np.log, np.sum, np.max, np.minimum
_abs, _isfinite, _heaviside, _maximum, _zeros_like = np.abs, np.isfinite, np.heaviside, np.maximum, np.zeros_like
_ndindex, _errstate, _append, _shape = np.ndindex, np.errstate, np.append, np.shape

Terms = dict[tuple[int, int], float]  # {(i, j): c} stands for the sum of the terms c·xⁱ·yʲ


# ---------------------------------------------------------------- partials of two-input polynomials

POLYNOMIALS: dict[str, Terms] = {
    "h1": {(2, 0): 4.0, (1, 1): -3.0, (0, 3): 1.0, (0, 0): 7.0},   # 4x² − 3xy + y³ + 7
    "h2": {(1, 0): 5.0, (0, 4): -2.0, (3, 2): 1.0},                # 5x − 2y⁴ + x³y²
    "h3": {(4, 1): 2.0, (0, 2): -5.0, (1, 1): 3.0, (0, 0): 9.0},   # 2x⁴y − 5y² + 3xy + 9
}
VARIABLES = ("x", "y")


def polynomial2(terms: Terms) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """The function (x, y) ↦ Σ c·xⁱ·yʲ for terms {(i, j): c}; x and y broadcast."""
    def h(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        x, y = _asarray(x, dtype=_float64), _asarray(y, dtype=_float64)
        return sum(c * x**i * y**j for (i, j), c in terms.items()) + 0 * (x + y)
    return h


def _collect(pairs: Iterable[tuple[tuple[int, int], float]]) -> Terms:
    """Terms from (powers, coefficient) pairs, adding the coefficients of equal powers."""
    result: Terms = {}
    for powers, c in pairs:
        result[powers] = result.get(powers, 0.0) + c
    return result


def _lowered(powers: tuple[int, int], wrt: int, keep_other: bool = True) -> tuple[int, int]:
    """The powers after differentiating once in variable wrt; the other power kept or dropped to 0."""
    return tuple(p - 1 if k == wrt else (p if keep_other else 0) for k, p in enumerate(powers))


def partial_terms(terms: Terms, wrt: int) -> Terms:
    """Power rule in one variable (wrt 0: x, 1: y), the other held constant: c·xⁱyʲ → i·c·xⁱ⁻¹yʲ."""
    return _collect((_lowered(pw, wrt), pw[wrt] * c) for pw, c in terms.items() if pw[wrt])


def partial_mistakes(name: str, wrt: int) -> list[Mistake]:
    """The slips of ∂name/∂x (wrt 0) or ∂name/∂y (wrt 1) this exercise guards against."""
    terms = POLYNOMIALS[name]
    this, other = VARIABLES[wrt], VARIABLES[1 - wrt]
    exact = partial_terms(terms, wrt)
    varying = {pw: c for pw, c in terms.items() if pw[wrt]}
    return [
        Mistake(f"that is ∂{name}/∂{other}: for ∂{name}/∂{this} differentiate with respect to {this} "
                f"and hold {other} fixed", polynomial2(partial_terms(terms, 1 - wrt))),
        Mistake(f"{other} is a constant factor, so it stays: c·{this}ⁿ·{other}ᵏ → n·c·{this}ⁿ⁻¹·{other}ᵏ",
                polynomial2(_collect((_lowered(pw, wrt, False), pw[wrt] * c) for pw, c in varying.items()))),
        Mistake(f"a term without {this} is a constant when you differentiate with respect to {this}: it vanishes",
                polynomial2({**exact, **{pw: c for pw, c in terms.items() if not pw[wrt]}})),
        Mistake("power rule: the exponent drops by one, c·xⁿ → n·c·xⁿ⁻¹",
                polynomial2({pw: pw[wrt] * c for pw, c in varying.items()})),
        Mistake("power rule: multiply by the old exponent, c·xⁿ → n·c·xⁿ⁻¹",
                polynomial2(_collect((_lowered(pw, wrt), c) for pw, c in varying.items()))),
        Mistake("sign error: keep each term's sign", polynomial2({pw: -c for pw, c in exact.items()})),
    ]


def partials_points(rng: np.random.Generator | None) -> list[dict[str, np.ndarray]]:
    """Five points (x from −2 to 2), or a random 2-D array of points in [−2.5, 2.5]²."""
    if rng is None:
        return [{"x": np.array([-2.0, -1.0, 0.0, 1.0, 2.0]), "y": np.array([1.0, -0.5, 2.0, 0.5, -1.5])}]
    shape = random_shape(rng, 2, 2, 2, 5)
    return [{"x": rng.uniform(-2.5, 2.5, shape), "y": rng.uniform(-2.5, 2.5, shape)}]


def term_by_term(terms: Terms) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Right, written differently: the polynomial summed in a Python loop, powers as repeated products."""
    def h(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        total = np.zeros(np.broadcast(x, y).shape)
        for (i, j), c in sorted(terms.items(), reverse=True):
            term = c + total * 0
            for _ in range(i):
                term = term * x
            for _ in range(j):
                term = term * y
            total = total + term
        return total
    return h


def partial_exercise(name: str, wrt: int) -> Exercise:
    """∂name/∂x (wrt 0) or ∂name/∂y (wrt 1), judged against the power rule at arrays of points."""
    exact = partial_terms(POLYNOMIALS[name], wrt)
    reference = polynomial2(exact)
    return Exercise(
        f"d{name}_d{VARIABLES[wrt]}", reference, partials_points, partial_mistakes(name, wrt), rtol=1e-9, atol=1e-9,
        test=f"test_{name}", tuned=[lambda x, y: reference(x, y) if x.shape == (5,) else 0 * x],
        variants=[term_by_term(exact)])


PARTIALS = {name: (partial_exercise(name, 0), partial_exercise(name, 1)) for name in POLYNOMIALS}


def check_partials(dx: Any, dy: Any, name: str, seed: int | None = None) -> None:
    """The student's ∂name/∂x and ∂name/∂y (name h1, h2 or h3) against the rules, at arrays of points."""
    __tracebackhide__ = True  # students see the message, not these frames
    for exercise, student in zip(PARTIALS[name], (dx, dy)):
        exercise.check(student, seed)


# ---------------------------------------------------------------- kinks: clip and min

def judge_indicators(exercise: Exercise, got: Any, case: dict[str, Any], what: str) -> None:
    """Exact comparison of 0/1 answers, with a hint for booleans left unconverted."""
    __tracebackhide__ = True  # students see the message, not these frames
    parts = got if isinstance(got, (tuple, list)) else [got]
    if any(_asarray(part).dtype == bool for part in parts):
        raise AssertionError(f"{what} returned booleans (True/False): turn them into 1.0/0.0 with .astype(float)")
    exercise.compare(got, case, what)


def clip_derivative(x: np.ndarray, low: float, high: float) -> np.ndarray:
    """d/dx min(max(x, low), high) = 1(low < x < high), elementwise as floats; 0 at both kinks by convention."""
    x = _asarray(x)
    return ((x > low) & (x < high)).astype(_float64)


def _as_float(condition: np.ndarray) -> np.ndarray:
    return _asarray(condition).astype(_float64)


CLIP_MISTAKES = [
    Mistake("at the kinks the convention is 0, as for ReLU at 0: use low < x < high, not low <= x <= high",
            lambda x, low, high: _as_float((_asarray(x) >= low) & (_asarray(x) <= high))),
    Mistake("at x = low the convention is 0, as for ReLU at 0: use x > low, not x >= low",
            lambda x, low, high: _as_float((_asarray(x) >= low) & (_asarray(x) < high))),
    Mistake("at x = high the convention is 0 too: use x < high, not x <= high",
            lambda x, low, high: _as_float((_asarray(x) > low) & (_asarray(x) <= high))),
    Mistake("that is clip itself, min(max(x, low), high); its derivative is 1 inside (low, high) and 0 outside",
            lambda x, low, high: _minimum(_maximum(x, low), high)),
    Mistake("inside and outside are swapped: clip passes x through (slope 1) only between low and high",
            lambda x, low, high: _as_float((_asarray(x) < low) | (_asarray(x) > high))),
    Mistake("above high, clip is the constant high: its slope there is 0, not 1 (max(x, low) alone is not clip)",
            lambda x, low, high: _as_float(_asarray(x) > low)),
    Mistake("below low, clip is the constant low: its slope there is 0, not 1 (min(x, high) alone is not clip)",
            lambda x, low, high: _as_float(_asarray(x) < high)),
]


def clip_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """Points below, inside and above (low, high) and exactly on both kinks; visible: clip to [−1, 2], then
    [0, 0.5] on a 2-D array; hidden: random bounds and shapes (0-d to 3-D) with the kinks planted."""
    if rng is None:
        return [{"x": np.array([-3.0, -1.0, 0.0, 1.5, 2.0, 4.0]), "low": -1.0, "high": 2.0},
                {"x": np.array([[0.0, 0.25, -1.0], [0.5, 0.75, 0.3]]), "low": 0.0, "high": 0.5}]
    cases = []
    for ndim in (1, 2, 3, 0):
        low = float(rng.uniform(-2, 1))
        high = low + float(rng.uniform(0.5, 2))
        x = rng.uniform(low - 1.5, high + 1.5, random_shape(rng, ndim, ndim, 3, 4) if ndim != 1 else (6,))
        if ndim:  # both kinks, a point inside, one below and one above
            x.flat[:5] = rng.permutation([low, high, (low + high) / 2, low - 0.7, high + 0.7])
        cases.append({"x": x, "low": low, "high": high})
    return cases


def clip_derivative_by_loop(x: np.ndarray, low: float, high: float) -> np.ndarray:
    """Right, written differently: entry by entry."""
    out = np.zeros(np.shape(x))
    for i in np.ndindex(out.shape):
        out[i] = 1.0 if low < x[i] < high else 0.0
    return out


CLIP_DERIVATIVE = Exercise(
    "clip_derivative", clip_derivative, clip_cases, CLIP_MISTAKES, rtol=0, atol=0, judge=judge_indicators,
    tuned=[lambda x, low, high: clip_derivative(x, -1.0, 2.0) if low == -1.0 else clip_derivative(x, 0.0, 0.5)],
    variants=[clip_derivative_by_loop, lambda x, low, high: np.where((x > low) & (x < high), 1, 0),
              lambda x, low, high: np.heaviside(x - low, 0.0) * np.heaviside(high - x, 0.0)])


def min_partials(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(∂min/∂x, ∂min/∂y) = (1(x < y), 1(y <= x)) elementwise as floats: at a tie y gets the 1, as for max."""
    x, y = _asarray(x), _asarray(y)
    return (x < y).astype(_float64), (y <= x).astype(_float64)


def _indicators(dx: np.ndarray, dy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _asarray(dx).astype(_float64), _asarray(dy).astype(_float64)


MIN_MISTAKES = [
    Mistake("those are max's partials: min(x, y) follows the *smaller* input, so ∂min/∂x = 1 where x < y",
            lambda x, y: _indicators(_asarray(x) > y, _asarray(y) >= x)),
    Mistake("swapped: ∂min/∂x is 1 where x is the smaller input (x wins) and ∂min/∂y is 1 where y wins",
            lambda x, y: _indicators(_asarray(y) <= x, _asarray(x) < y)),
    Mistake("at a tie only one input gets the 1 (the two partials add up to 1): here y gets it, "
            "so ∂min/∂x = 1(x < y) and ∂min/∂y = 1(y <= x)",
            lambda x, y: _indicators(_asarray(x) <= y, _asarray(y) <= x)),
    Mistake("at a tie one input still gets the 1 (the two partials add up to 1): here y gets it, "
            "so ∂min/∂y = 1(y <= x)",
            lambda x, y: _indicators(_asarray(x) < y, _asarray(y) < x)),
    Mistake("the tie convention gives the 1 to y, as for max: ∂min/∂x = 1(x < y), ∂min/∂y = 1(y <= x)",
            lambda x, y: _indicators(_asarray(x) <= y, _asarray(y) < x)),
]


def min_cases(rng: np.random.Generator | None) -> list[dict[str, np.ndarray]]:
    """Arrays with ties (x == y) and wins both ways; random shapes (0-d to 3-D) with planted ties for rng."""
    if rng is None:
        return [{"x": np.array([3.0, -1.0, 2.0, 0.5, 0.0]), "y": np.array([1.0, 2.0, 2.0, 0.5, -4.0])},
                {"x": np.array([[1.0, 2.0], [-3.0, 0.0]]), "y": np.array([[1.0, -2.0], [3.0, 0.0]])}]
    cases = []
    for ndim in (1, 2, 3):
        shape = (int(rng.integers(3, 6)), *random_shape(rng, ndim - 1, ndim - 1, 1, 3))
        x = rng.uniform(-3, 3, shape)
        y = rng.uniform(-3, 3, shape)
        ties = rng.random(shape) < 0.3
        y[ties] = x[ties]
        x.flat[0], y.flat[0] = 1.0, 1.0                              # a tie
        x.flat[1], y.flat[1] = 2.0, -1.0                             # y is smaller
        x.flat[2], y.flat[2] = -1.5, 0.5                             # x is smaller
        cases.append({"x": x, "y": y})
    tie = np.array(rng.uniform(-3, 3))
    cases.append({"x": tie, "y": tie.copy()})
    return cases


MIN_PARTIALS = Exercise(
    "min_partials", min_partials, min_cases, MIN_MISTAKES, parts=("dmin_dx", "dmin_dy"), rtol=0, atol=0,
    judge=judge_indicators,
    tuned=[lambda x, y: (np.array([0.0, 1, 0, 0, 0]), np.array([1.0, 0, 1, 1, 1])) if x.ndim == 1
           else (np.array([[0.0, 0], [1, 0]]), np.array([[1.0, 1], [0, 1]]))],
    variants=[lambda x, y: (np.where(x < y, 1.0, 0.0), np.where(x < y, 0.0, 1.0)),
              lambda x, y: np.stack([(x < y) * 1.0, 1.0 - (x < y) * 1.0]),
              lambda x, y: [np.less(x, y).astype(int), np.less_equal(y, x).astype(int)]])


# ---------------------------------------------------------------- a gradient of three inputs

def book_f(x: float, y: float, z: float) -> float:
    """The book's f(x, y, z) = 3x³z − y² + 5z + 2yz (the chapter's worked example)."""
    return 3 * x**3 * z - y**2 + 5 * z + 2 * y * z


def book_gradient(x: float, y: float, z: float) -> np.ndarray:
    """∇f = (9x²z, −2y + 2z, 3x³ + 5 + 2y), shape (3,)."""
    return _array([9 * x**2 * z, -2 * y + 2 * z, 3 * x**3 + 5 + 2 * y], dtype=_float64)


def gradient_g(x: float, y: float, z: float) -> np.ndarray:
    """∇g of the exercise's g(x, y, z) = x²y − 3yz³ + z·eˣ + x·ln y (y > 0): (2xy + z·eˣ + ln y, x² − 3z³ + x/y,
    −9yz² + eˣ), shape (3,)."""
    return _array([2 * x * y + z * _exp(x) + _log(y), x**2 - 3 * z**3 + x / y, -9 * y * z**2 + _exp(x)], dtype=_float64)


def _reordered(order: tuple[int, ...]) -> Callable[..., np.ndarray]:
    return lambda x, y, z: gradient_g(x, y, z)[list(order)]


def _replaced(index: int, partial: Callable[[float, float, float], float]) -> Callable[..., np.ndarray]:
    def wrong(x: float, y: float, z: float) -> np.ndarray:
        grad = gradient_g(x, y, z)
        grad[index] = partial(x, y, z)
        return grad
    return wrong


GRADIENT_MISTAKES = [
    *[Mistake("the components are in the wrong order: return (∂g/∂x, ∂g/∂y, ∂g/∂z)", _reordered(order))
      for order in permutations(range(3)) if order != (0, 1, 2)],
    Mistake("in x²y, y is a constant factor when you differentiate with respect to x, so it stays: 2xy",
            _replaced(0, lambda x, y, z: 2 * x + z * _exp(x) + _log(y))),
    Mistake("x·ln y depends on x: its partial with respect to x is ln y",
            _replaced(0, lambda x, y, z: 2 * x * y + z * _exp(x))),
    Mistake("z·eˣ depends on x through eˣ, whose derivative is eˣ: the term gives z·eˣ",
            _replaced(0, lambda x, y, z: 2 * x * y + _log(y))),
    Mistake("(ln y)' = 1/y, so x·ln y gives x/y when you differentiate with respect to y",
            _replaced(1, lambda x, y, z: x**2 - 3 * z**3 + x * _log(y))),
    Mistake("−3yz³ depends on y: its partial with respect to y is −3z³",
            _replaced(1, lambda x, y, z: x**2 + x / y)),
    Mistake("power rule in ∂g/∂z: −3yz³ → −3y·3z² = −9yz²",
            _replaced(2, lambda x, y, z: -3 * y * z**2 + _exp(x))),
    Mistake("z·eˣ depends on z: its partial with respect to z is eˣ",
            _replaced(2, lambda x, y, z: -9 * y * z**2)),
]


def gradient_points(rng: np.random.Generator | None) -> list[dict[str, float]]:
    """(1, 2, 0.5) and (−1.5, 0.5, 2); or four random points with y in [0.2, 3] (ln y needs y > 0)."""
    if rng is None:
        points = [(1.0, 2.0, 0.5), (-1.5, 0.5, 2.0)]
    else:
        points = [(float(rng.uniform(-2, 2)), float(rng.uniform(0.2, 3)), float(rng.uniform(-2, 2))) for _ in range(4)]
    return [dict(zip("xyz", point)) for point in points]


GRADIENT_G = Exercise(
    "gradient_g", gradient_g, gradient_points, GRADIENT_MISTAKES, rtol=1e-9, atol=1e-9,
    tuned=[lambda x, y, z: gradient_g(1.0, 2.0, 0.5) if x == 1.0 else gradient_g(-1.5, 0.5, 2.0)],
    variants=[lambda x, y, z: [2 * x * y + z * np.exp(x) + np.log(y), x * x - 3 * z**3 + x / y, np.exp(x) - 9 * y * z * z],
              lambda x, y, z: (x * (2 * y + 1 / x * np.log(y) * x / x) + z * np.exp(x), x**2 + x / y - 3 * z**3,
                               -9 * y * z**2 + np.exp(x))])


# ---------------------------------------------------------------- functions of whole arrays

class ArrayFunction(NamedTuple):
    """A scalar function of an array and its exact gradient (shaped like the array)."""

    f: Callable[[np.ndarray], float]
    grad: Callable[[np.ndarray], np.ndarray]


def book_function() -> ArrayFunction:
    """The book's f(x, y, z) = 3x³z − y² + 5z + 2yz with v = [x, y, z]."""
    return ArrayFunction(named(lambda v: float(book_f(*_asarray(v, dtype=_float64))), "f(v) = 3x³z − y² + 5z + 2yz"),
                         lambda v: book_gradient(*_asarray(v, dtype=_float64)))


def cubic_sum_function() -> ArrayFunction:
    """Σx³/3 + (Σx)²/4 of an array of any shape."""
    return ArrayFunction(named(lambda x: float(_sum(x**3) / 3 + _sum(x) ** 2 / 4), "f(x) = Σx³/3 + (Σx)²/4"),
                         lambda x: x**2 + _sum(x) / 2)


def random_function(rng: np.random.Generator, shape: tuple[int, ...]) -> ArrayFunction:
    """One of three smooth functions of an array of this shape, with random weights w of that shape."""
    w = rng.uniform(-2, 2, shape)
    kind = int(rng.integers(3))
    if kind == 0:
        return ArrayFunction(
            named(lambda x: float(_sum(w * _sin(x)) + _sum(x) ** 2 / 4), "f(x) = Σ w·sin(x) + (Σx)²/4"),
            lambda x: w * _cos(x) + _sum(x) / 2)
    if kind == 1:
        def logsumexp(x: np.ndarray) -> float:
            top = _max(w * x)
            return float(top + _log(_sum(_exp(w * x - top))))
        return ArrayFunction(
            named(lambda x: logsumexp(x) + float(_sum(x**2)) / 2, "f(x) = log Σ exp(w·x) + Σx²/2"),
            lambda x: w * _exp(w * x - logsumexp(x)) + x)
    return ArrayFunction(
        named(lambda x: float(_sum(w * x**3) / 3 + _sum(w * x) ** 2 / 2), "f(x) = Σ w·x³/3 + (Σ w·x)²/2"),
        lambda x: w * x**2 + w * _sum(w * x))


# ---------------------------------------------------------------- the numerical gradient

def forward_gradient(f: Callable, x: np.ndarray, delta: float = 1e-5) -> np.ndarray:
    """Forward differences one entry at a time, (f(x + δeᵢ) − f(x)) / δ: a common slip for the central one."""
    point = _array(x, dtype=_float64)
    grad = _zeros_like(point)
    base = float(f(point))
    for index in _ndindex(point.shape):
        original = point[index]
        point[index] = original + delta
        grad[index] = (float(f(point)) - base) / delta
        point[index] = original
    return grad


def unrestored_gradient(f: Callable, x: np.ndarray, delta: float = 1e-5) -> np.ndarray:
    """Central differences on a copy that is never put back: each entry stays nudged by −δ."""
    point = _array(x, dtype=_float64)
    grad = _zeros_like(point)
    for index in _ndindex(point.shape):
        point[index] += delta
        plus = float(f(point))
        point[index] -= 2 * delta
        grad[index] = (plus - float(f(point))) / (2 * delta)
    return grad


def all_at_once_gradient(f: Callable, x: np.ndarray, delta: float = 1e-5) -> np.ndarray:
    """Every entry nudged together: one number, copied into every entry."""
    x = _asarray(x, dtype=_float64)
    return _zeros_like(x) + (float(f(x + delta)) - float(f(x - delta))) / (2 * delta)


NUMERICAL_GRADIENT_MISTAKES = [
    Mistake("looks like the forward difference: nudge each entry both ways, f(x + δ) and f(x − δ), "
            "and divide by 2·delta", forward_gradient),
    Mistake("put each entry back to its original value after nudging it, before you nudge the next one",
            unrestored_gradient),
    Mistake("divide by 2·delta: the two nudged points are 2·delta apart",
            lambda f, x, delta: 2 * numerical_gradient(f, x, delta)),
    Mistake("sign error: compute f(x + δ) − f(x − δ)", lambda f, x, delta: -numerical_gradient(f, x, delta)),
    Mistake("nudge one entry at a time and keep the others fixed: that is what a partial derivative is",
            all_at_once_gradient),
]
SHAPE_HINT = "return an array shaped like x (start from np.zeros_like(x) and fill it entry by entry)"


def numerical_gradient_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """The book's f at (1, 2, 3) and a 2-D input; or random smooth functions of random shapes (0-d to 3-D)."""
    if rng is None:
        return [{"f": book_function().f, "x": np.array([1.0, 2.0, 3.0]), "delta": 1e-5},
                {"f": cubic_sum_function().f, "x": np.array([[-1.0, -0.5, 0.0], [0.5, 1.0, 1.5]]), "delta": 1e-5}]
    cases = []
    for ndim in (2, 0, 1, 3):
        shape = random_shape(rng, ndim, ndim, 2, 3)
        cases.append({"f": random_function(rng, shape).f, "x": rng.uniform(-2, 2, shape),
                      "delta": float(10 ** rng.uniform(-5, -4))})
    return cases


def numerical_gradient_flat(f: Callable, x: np.ndarray, delta: float = 1e-5) -> np.ndarray:
    """Right, written differently: over a flat copy, reshaped for every call."""
    point = np.array(x, dtype=float).reshape(-1)
    grad = np.zeros(point.size)
    for i in range(point.size):
        old = point[i]
        point[i] = old + delta
        plus = f(point.reshape(np.shape(x)))
        point[i] = old - delta
        minus = f(point.reshape(np.shape(x)))
        point[i] = old
        grad[i] = (plus - minus) / (2 * delta)
    return grad.reshape(np.shape(x))


def numerical_gradient_in_place(f: Callable, x: np.ndarray, delta: float = 1e-5) -> np.ndarray:
    """Right, written differently (CS231n's style): nudge x itself and put each entry back exactly."""
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + delta
        plus = f(x)
        x[i] = old - delta
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * delta)
        it.iternext()
    return grad


def numerical_gradient_unit_vectors(f: Callable, x: np.ndarray, delta: float = 1e-5) -> np.ndarray:
    """Right, written differently: x ± delta·eᵢ with a unit vector per entry."""
    grad = np.zeros(np.shape(x))
    for i in np.ndindex(grad.shape):
        e = np.zeros(np.shape(x))
        e[i] = delta
        grad[i] = (f(x + e) - f(x - e)) / (2 * delta)
    return grad


# The book's f at [1, 2, 3] gives about [27, 2, 12].
NUMERICAL_GRADIENT = Exercise(
    "numerical_gradient", numerical_gradient, numerical_gradient_cases, NUMERICAL_GRADIENT_MISTAKES,
    atol=1e-7, scaled_atol=1e-7, shape_hint=SHAPE_HINT,
    tuned=[lambda f, x, delta: np.array([27.0, 2, 12]) if x.ndim == 1 else x**2 + x.sum() / 2],
    variants=[numerical_gradient_flat, numerical_gradient_in_place, numerical_gradient_unit_vectors])


# ---------------------------------------------------------------- one step downhill

BOOK_INPUTS = np.array([1.0, -2.0, 3.0])


def neuron_function() -> ArrayFunction:
    """The book's neuron ReLU(x·w + b) with x = [1, −2, 3], as a function of p = [w0, w1, w2, b]."""
    def output(p: np.ndarray) -> float:
        return max(float(BOOK_INPUTS @ p[:3] + p[3]), 0.0)

    def grad(p: np.ndarray) -> np.ndarray:
        active = float(BOOK_INPUTS @ p[:3] + p[3] > 0)
        return active * _append(BOOK_INPUTS, 1.0)
    return ArrayFunction(named(output, "neuron_output"), named(grad, "neuron_gradient"))


def gradient_step(f_grad: Callable[[np.ndarray], np.ndarray], point: np.ndarray, lr: float) -> np.ndarray:
    """One step against the gradient: point − lr·∇f(point), shaped like point."""
    return _asarray(point, dtype=_float64) - lr * _asarray(f_grad(point), dtype=_float64)


STEP_MISTAKES = [
    Mistake("step against the gradient: the gradient points uphill, so the new point is point − lr·∇f",
            lambda f_grad, point, lr: point + lr * f_grad(point)),
    Mistake("scale the gradient by the learning rate: point − lr·∇f", lambda f_grad, point, lr: point - f_grad(point)),
    Mistake("return the new point, point − lr·∇f, not the change", lambda f_grad, point, lr: -lr * f_grad(point)),
    Mistake("multiply the gradient by the learning rate, don't divide: point − lr·∇f",
            lambda f_grad, point, lr: point - f_grad(point) / lr),
]


def with_objective(fn: ArrayFunction) -> Callable[[np.ndarray], np.ndarray]:
    """fn's gradient, carrying fn's f as its `f` attribute, so a check can see whether a step lowers f."""
    fn.grad.f = fn.f
    return fn.grad


def step_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """The book's neuron (lr 0.001) and f(x, y, z) at (1, 2, 3); or random functions, shapes and rates."""
    if rng is None:
        return [{"f_grad": with_objective(neuron_function()), "point": np.array([-3.0, -1.0, 2.0, 1.0]), "lr": 0.001},
                {"f_grad": with_objective(book_function()), "point": np.array([1.0, 2.0, 3.0]), "lr": 0.01}]
    cases = []
    for ndim in (1, 2, 0):
        shape = random_shape(rng, ndim, ndim, 2, 4)
        fn = random_function(rng, shape)
        fn.grad.__name__ = f"gradient of {fn.f.__name__[5:]}"
        cases.append({"f_grad": with_objective(fn), "point": rng.uniform(-2, 2, shape), "lr": float(10 ** rng.uniform(-3, -2))})
    return cases


def judge_step(exercise: Exercise, got: Any, case: dict[str, Any], what: str) -> None:
    """A step that does not lower f is named as such; then the new point is compared with the reference."""
    __tracebackhide__ = True  # students see the message, not these frames
    value = as_float_array(got, what)
    if value.shape == _shape(case["point"]) and _isfinite(value).all():
        with _errstate(all="ignore"):
            before, after = case["f_grad"].f(case["point"]), case["f_grad"].f(value)
        if not after < before:
            raise AssertionError(with_hint(f"{what}: f went from {before:.10g} to {after:.10g}, but a small step "
                                           "against the gradient must lower f", exercise.likely_mistake(value, case)))
    exercise.compare(got, case, what)


def step_on_a_copy(f_grad: Callable, point: np.ndarray, lr: float) -> np.ndarray:
    """Right, written differently: the step subtracted in place from a copy."""
    new = point.copy()
    new -= lr * np.asarray(f_grad(point))
    return new


# The book's neuron goes from 6.0 to 5.985.
GRADIENT_STEP = Exercise(
    "gradient_step", gradient_step, step_cases, STEP_MISTAKES, rtol=1e-9, judge=judge_step,
    shape_hint="return the new point, shaped like point",
    tuned=[lambda f_grad, point, lr: point - lr * {4: np.array([1.0, -2, 3, 1]), 3: np.array([27.0, 2, 12])}[point.size]],
    variants=[lambda f_grad, point, lr: point - (lr * f_grad(point)), step_on_a_copy,
              lambda f_grad, point, lr: point + (-lr) * f_grad(point)])


EXERCISES = [*(exercise for pair in PARTIALS.values() for exercise in pair), CLIP_DERIVATIVE, MIN_PARTIALS, GRADIENT_G,
             NUMERICAL_GRADIENT, GRADIENT_STEP]
# The checks the notebooks call, one per record.
(check_clip_derivative, check_min_partials, check_gradient_g, check_numerical_gradient, check_gradient_step) = (
    exercise.check for exercise in (CLIP_DERIVATIVE, MIN_PARTIALS, GRADIENT_G, NUMERICAL_GRADIENT, GRADIENT_STEP))
