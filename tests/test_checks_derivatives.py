"""Chapter 01's exercise helpers (gradlab.exercises.derivatives) against known values; the records' standard tests
are in tests/test_exercise_records.py."""
from __future__ import annotations

import numpy as np
import pytest

from gradlab.exercises import derivatives as d
from gradlab.numeric import central_difference

pytestmark = pytest.mark.filterwarnings("error")


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
    np.testing.assert_allclose(d.POLYNOMIAL_EXERCISES[name].reference(x),
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


@pytest.mark.parametrize("name, function", [("dk1", d.k1), ("dk2", d.k2), ("dk3", d.k3)])
def test_rule_references_agree_with_central_differences(name, function):
    reference, (low, high), _ = d.RULES[name]
    x = np.linspace(low, high, 9)
    np.testing.assert_allclose(reference(x), central_difference(function, x, 1e-6), rtol=1e-7, atol=1e-7)


def test_the_two_wrong_intercepts_share_a_hint_because_2x_squared_cannot_tell_them_apart():
    x0 = np.linspace(-2, 2, 5)
    np.testing.assert_allclose(d.four_x(x0) * x0 - d.two_x_squared(x0), d.two_x_squared(x0))
    assert [m.hint for m in d.TANGENT_MISTAKES].count(d.INTERCEPT_HINT) == 2


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
