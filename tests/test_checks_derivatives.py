"""Chapter 01 checks (gradlab.exercises.derivatives): references pass, known mistakes fail with their hint, correct
variants never fail."""
from __future__ import annotations

import numpy as np
import pytest
from check_harness import StandardChecks

from gradlab.exercises import derivatives as d
from gradlab.numeric import central_difference

pytestmark = pytest.mark.filterwarnings("error")


def polynomial_check(name):
    def check(student, seed=None):
        d.check_polynomial_derivative(student, name, seed)
    return check


def polynomial_reference(name):
    return d.polynomial(d.derivative_terms(d.POLYNOMIALS[name]))


# exercise: (check, the module's reference answer, the module's known mistakes)
EXERCISES = {
    "forward_difference": (d.check_forward_difference, d.forward_difference, d.FORWARD_MISTAKES),
    "central_difference": (d.check_central_difference, d.central_difference, d.CENTRAL_MISTAKES),
    "tangent_line": (d.check_tangent_line, d.tangent_line, d.TANGENT_MISTAKES),
    **{name: (polynomial_check(name), polynomial_reference(name), d.polynomial_mistakes(d.POLYNOMIALS[name]))
       for name in d.POLYNOMIALS},
    "error_model": (d.check_error_model, d.error_model, d.ERROR_MODEL_MISTAKES),
    "optimal_delta": (d.check_optimal_delta, d.optimal_delta, d.OPTIMAL_DELTA_MISTAKES),
    "evaluations_per_update": (d.check_evaluations_per_update, d.evaluations_per_update, d.EVALUATION_MISTAKES),
}


# ---------------------------------------------------------------- answers tuned to the visible cases

# (exercise, an answer hard-coded to its visible cases)
TUNED = [
    ("forward_difference", lambda f, x, delta: 4 * np.asarray(x) + 2e-4),  # exact for 2x², delta = 1e-4
    ("central_difference", lambda f, x, delta: 4 * np.asarray(x)),
    ("tangent_line", lambda f, dfdx, x0: (4 * np.asarray(x0), -2 * np.asarray(x0) ** 2)),
    ("optimal_delta", lambda f0, f2: {2.0: 2.1073424255447017e-08}.get(f0, 2 * np.sqrt(d.EPS))),
    ("evaluations_per_update",
     lambda n_params, method: {(1, "forward"): 2, (1, "central"): 2, (21, "forward"): 22, (21, "central"): 42}
     .get((n_params, method), 0)),
]


# ---------------------------------------------------------------- correct answers written differently

def forward_over_step(f, x, delta):
    x = np.asarray(x, dtype=float)
    return (f(x + delta) - f(x)) / ((x + delta) - x)


def forward_times_reciprocal(f, x, delta):
    return (f(x + delta) - f(x)) * (1 / delta)


def forward_python_loop(f, x, delta):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    for i in range(x.size):
        out.flat[i] = (f(float(x.flat[i]) + delta) - f(float(x.flat[i]))) / delta
    return out


def central_nditer(f, x, delta):
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    with np.nditer(x, flags=["multi_index"]) as it:
        for value in it:
            out[it.multi_index] = (f(float(value) + delta) - f(float(value) - delta)) / (2 * delta)
    return out


def central_flat_indices(f, x, delta):
    x = np.asarray(x, dtype=float)
    out = np.zeros(x.shape)
    for i in range(x.size):
        out.flat[i] = (f(x.flat[i] + delta) - f(x.flat[i] - delta)) / (2 * delta)
    return out


def central_as_average_of_one_sided(f, x, delta):
    return ((f(x + delta) - f(x)) / delta + (f(x) - f(x - delta)) / delta) / 2


def tangent_as_list(f, dfdx, x0):
    m = dfdx(x0)
    return [m, f(x0) - m * x0]


def tangent_as_array_from_point_slope(f, dfdx, x0):
    m = dfdx(x0)
    return np.array([m, f(x0) + m * (0 - x0)])


def error_model_with_numpy_abs(delta, f0, f2):
    delta = np.asarray(delta, dtype=float)
    return np.abs(f2) / 2 * delta + 2 * np.finfo(float).eps * np.abs(f0) * delta**-1


def optimal_delta_as_sqrt_of_four(f0, f2):
    return np.sqrt(4 * np.finfo(float).eps * abs(f0) / abs(f2))


def evaluations_from_a_dict(n_params, method):
    return {"forward": n_params + 1, "central": n_params * 2}[method]


def coefficients(name):
    terms = d.POLYNOMIALS[name]
    return np.array([terms.get(n, 0.0) for n in range(max(terms), -1, -1)])


def polyder_derivative(name):
    slope = np.polyder(coefficients(name))
    return lambda x: np.polyval(slope, x)


WRITTEN_OUT = {
    "dg1": lambda x: 12 * x * x - 7,
    "dg2": lambda x: x**4 + 12 * x**3 - 2 * x,
    "dg3": lambda x: -2 + 15 * x**2 - 6 * x**5,
}

VARIANTS = [
    pytest.param("forward_difference", forward_over_step, id="forward-divided-by-(x+d)-x"),
    pytest.param("forward_difference", forward_times_reciprocal, id="forward-times-1/delta"),
    pytest.param("forward_difference", forward_python_loop, id="forward-python-loop"),
    pytest.param("central_difference", central_nditer, id="central-nditer"),
    pytest.param("central_difference", central_flat_indices, id="central-flat-indices"),
    pytest.param("central_difference", central_as_average_of_one_sided, id="central-average-of-one-sided"),
    pytest.param("tangent_line", tangent_as_list, id="tangent-list"),
    pytest.param("tangent_line", tangent_as_array_from_point_slope, id="tangent-array-point-slope"),
    *[pytest.param(name, polyder_derivative(name), id=f"{name}-polyder") for name in d.POLYNOMIALS],
    *[pytest.param(name, WRITTEN_OUT[name], id=f"{name}-written-out") for name in d.POLYNOMIALS],
    pytest.param("evaluations_per_update", evaluations_from_a_dict, id="evaluations-dict"),
    pytest.param("error_model", error_model_with_numpy_abs, id="error-model-numpy-abs"),
    pytest.param("optimal_delta", optimal_delta_as_sqrt_of_four, id="optimal-delta-sqrt-of-4"),
]


# ---------------------------------------------------------------- helpers with known values

def test_polynomial_evaluates_its_terms():
    g1 = d.polynomial({3: 4.0, 1: -7.0, 0: 2.0})
    np.testing.assert_array_equal(g1(np.array([-1.0, 0.0, 2.0])), [5.0, 2.0, 20.0])
    assert g1(3) == 4 * 27 - 21 + 2


@pytest.mark.parametrize("terms, slope", [
    ({3: 4.0, 1: -7.0, 0: 2.0}, {2: 12.0, 0: -7.0}),
    ({5: 0.2, 4: 3.0, 2: -1.0, 0: 10.0}, {4: 1.0, 3: 12.0, 1: -2.0}),
    ({0: 6.0, 1: -2.0, 3: 5.0, 6: -1.0}, {0: -2.0, 2: 15.0, 5: -6.0}),
    ({0: 5.0}, {}),
])
def test_derivative_terms_applies_the_power_rule(terms, slope):
    assert d.derivative_terms(terms) == pytest.approx(slope)


@pytest.mark.parametrize("name", d.POLYNOMIALS)
def test_reference_derivatives_agree_with_central_differences(name):
    x = np.linspace(-2, 2, 9)
    np.testing.assert_allclose(polynomial_reference(name)(x),
                               central_difference(d.polynomial(d.POLYNOMIALS[name]), x, 1e-5), atol=1e-6)


@pytest.mark.parametrize("f, df", d.SMOOTH, ids=[f.__name__ for f, _ in d.SMOOTH])
def test_smooth_pairs_are_function_and_derivative(f, df):
    x = np.linspace(-2, 2, 9)
    np.testing.assert_allclose(df(x), central_difference(f, x, 1e-5), atol=1e-8)


def test_backward_difference_of_two_x_squared():
    np.testing.assert_allclose(d.backward_difference(d.two_x_squared, np.array([1.0, 2.0]), 1e-4), [3.9998, 7.9998])


def test_optimal_delta_for_two_x_squared_is_about_2e_minus_8():
    assert d.optimal_delta(2.0, 4.0) == pytest.approx(2.107e-8, rel=1e-3)


def test_optimal_delta_minimises_the_error_model():
    deltas = np.logspace(-12, -4, 8001)
    for f0, f2 in [(2.0, 4.0), (0.3, -7.0), (50.0, 0.01)]:
        best = deltas[np.argmin(d.error_model(deltas, f0, f2))]
        assert d.optimal_delta(f0, f2) == pytest.approx(best, rel=2e-3)


def test_error_model_terms():
    assert d.error_model(1.0, 0.0, 4.0) == pytest.approx(2.0)          # truncation only: |f''|/2 · δ
    assert d.error_model(1e-10, 1.0, 0.0) == pytest.approx(2 * d.EPS / 1e-10)  # round-off only
    assert d.error_model(np.ones((2, 3)), 1.0, 1.0).shape == (2, 3)


@pytest.mark.parametrize("n_params, method, count", [
    (1, "forward", 2), (1, "central", 2), (21, "forward", 22), (21, "central", 42), (1000, "central", 2000),
])
def test_evaluations_per_update(n_params, method, count):
    assert d.evaluations_per_update(n_params, method) == count


def test_random_case_draws_within_its_documented_ranges():
    functions = set()
    for seed in range(100):
        case = d.random_case(np.random.default_rng(seed))
        assert set(case) == {"f", "x", "delta"}
        functions.add(case["f"])
        assert 1 <= case["x"].ndim <= 2 and all(1 <= n <= 4 for n in case["x"].shape)
        assert np.all(np.abs(case["x"]) <= 2)
        assert 1e-4 <= case["delta"] <= 10**-2.5
    assert functions == {f for f, _ in d.SMOOTH}


def test_random_case_is_reproducible():
    a, b = (d.random_case(np.random.default_rng(7)) for _ in range(2))
    assert a["f"] is b["f"] and a["delta"] == b["delta"]
    np.testing.assert_array_equal(a["x"], b["x"])


@pytest.mark.parametrize("x0, slope, intercept", [
    (2.0, 8.0, -8.0), (1.0, 4.0, -2.0), (0.0, 0.0, 0.0), (-1.0, -4.0, -2.0),
])
def test_tangent_line_of_two_x_squared(x0, slope, intercept):
    m, b = d.tangent_line(d.two_x_squared, d.four_x, x0)
    assert (m, b) == (pytest.approx(slope), pytest.approx(intercept))


def test_tangent_line_touches_the_curve_at_x0():
    x0 = np.linspace(-2, 2, 7)
    m, b = d.tangent_line(d.exp, d.exp, x0)
    np.testing.assert_allclose(m * x0 + b, np.exp(x0))
    np.testing.assert_allclose(m, np.exp(x0))


# ---------------------------------------------------------------- the standard tests on this chapter's exercises

class TestStandardChecks(StandardChecks):
    """References, stubs, known mistakes, tuned answers and variants of chapter 01 (tests/check_harness.py)."""
    EXERCISES, TUNED, VARIANTS = EXERCISES, TUNED, VARIANTS
