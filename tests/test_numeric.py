"""Unit tests for gradlab.numeric: finite differences, numerical gradients and relative error."""
from __future__ import annotations

import numpy as np
import pytest

from gradlab.numeric import central_difference, forward_difference, numerical_gradient, relative_error

pytestmark = pytest.mark.filterwarnings("error")

# name: (f, f', f'', f''', low, high) -- closed forms and a domain to draw points from.
FUNCTIONS = {
    "sin": (np.sin, np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x), -3.0, 3.0),
    "exp": (np.exp, np.exp, np.exp, np.exp, -2.0, 2.0),
    "cube": (lambda x: x**3, lambda x: 3 * x**2, lambda x: 6 * x, lambda x: 6 + 0 * x, -2.0, 2.0),
    "log": (np.log, lambda x: 1 / x, lambda x: -1 / x**2, lambda x: 2 / x**3, 0.5, 3.0),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2, None, None, -2.0, 2.0),
}
SHAPES = [(), (7,), (3, 4), (2, 3, 4)]


def random_points(name: str, shape: tuple[int, ...], seed: int = 0) -> np.ndarray | float:
    """Points in the function's domain; a plain float for shape ()."""
    low, high = FUNCTIONS[name][4:]
    x = np.random.default_rng(seed).uniform(low, high, shape)
    return float(x) if shape == () else x


# ---------------------------------------------------------------- finite differences

@pytest.mark.parametrize("method, delta, tolerance", [(forward_difference, 1e-6, 1e-5), (central_difference, 1e-5, 1e-8)],
                         ids=["forward", "central"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_differences_match_closed_form(name, shape, method, delta, tolerance):
    f, df = FUNCTIONS[name][:2]
    x = random_points(name, shape)
    got = method(f, x, delta=delta)
    assert got.dtype == np.float64 and got.shape == np.shape(x)
    np.testing.assert_allclose(got, df(np.asarray(x)), rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("difference", [forward_difference, central_difference])
def test_integer_input_gives_the_same_float_result(difference):
    square = lambda x: x**2
    got = difference(square, np.arange(5), delta=1e-3)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, difference(square, np.arange(5.0), delta=1e-3))


@pytest.mark.parametrize("difference", [forward_difference, central_difference])
def test_difference_does_not_change_its_input(difference):
    x = np.linspace(-1, 1, 6)
    before = x.copy()
    difference(np.sin, x)
    np.testing.assert_array_equal(x, before)


def test_forward_difference_default_delta_is_1e_minus_4():
    assert forward_difference(lambda x: 2 * x**2, 1.0) == pytest.approx(4.0002, abs=1e-9)


@pytest.mark.parametrize("x, expected", [(1.0, 4.0002), (2.0, 8.0002)])
def test_book_forward_difference_of_two_x_squared(x, expected):
    assert forward_difference(lambda x: 2 * x**2, x, delta=1e-4) == pytest.approx(expected, abs=1e-9)


def test_central_difference_is_exact_for_a_quadratic():
    x = np.arange(5.0)
    np.testing.assert_allclose(central_difference(lambda x: 2 * x**2, x, delta=1e-4), 4 * x, atol=1e-9)


# ---------------------------------------------------------------- accuracy orders

@pytest.mark.parametrize("name", ["exp", "sin", "cube", "log"])
def test_forward_error_is_half_delta_times_second_derivative(name):
    f, df, d2f = FUNCTIONS[name][:3]
    delta = 1e-3
    error = forward_difference(f, 1.0, delta) - df(1.0)
    assert error / (delta / 2 * d2f(1.0)) == pytest.approx(1.0, rel=0.03)


@pytest.mark.parametrize("name", ["exp", "sin", "cube", "log"])
def test_central_error_is_delta_squared_over_six_times_third_derivative(name):
    f, df, _, d3f = FUNCTIONS[name][:4]
    delta = 1e-3
    error = central_difference(f, 1.0, delta) - df(1.0)
    assert error / (delta**2 / 6 * d3f(1.0)) == pytest.approx(1.0, rel=0.03)


def test_forward_error_for_exp_at_one_is_half_delta_times_e():
    delta = 1e-3
    error = abs(forward_difference(np.exp, 1.0, delta) - np.e)
    assert error / (delta / 2 * np.e) == pytest.approx(1.0, rel=0.03)


@pytest.mark.parametrize("name", ["exp", "sin", "cube", "log"])
@pytest.mark.parametrize("difference, factor", [(forward_difference, 2.0), (central_difference, 4.0)],
                         ids=["forward-halves", "central-quarters"])
def test_halving_delta_shrinks_the_error_by_the_order(name, difference, factor):
    f, df = FUNCTIONS[name][:2]
    error = lambda delta: abs(difference(f, 1.0, delta) - df(1.0))
    assert error(1e-2) / error(5e-3) == pytest.approx(factor, rel=0.03)


# ---------------------------------------------------------------- numerical gradient

def test_numerical_gradient_of_sum_of_squares_is_two_x():
    x = np.random.default_rng(1).uniform(0.5, 2.0, (3, 4)) * np.array([1, -1, 1, -1])
    assert relative_error(numerical_gradient(lambda p: np.sum(p**2), x), 2 * x) < 1e-8


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_numerical_gradient_of_weighted_sines(shape):
    rng = np.random.default_rng(2)
    x, W = rng.uniform(-1, 1, shape), rng.uniform(0.5, 2.0, shape)
    grad = numerical_gradient(lambda p: np.sum(np.sin(p) * W), x)
    assert grad.dtype == np.float64 and grad.shape == np.shape(x)
    assert relative_error(grad, np.cos(x) * W) < 1e-8


def test_numerical_gradient_of_a_non_separable_function():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = np.array([0.7, -1.3])
    grad = numerical_gradient(lambda p: 0.5 * p @ A @ p + np.exp(p[0] * p[1]), x)
    exact = A @ x + np.exp(x[0] * x[1]) * x[::-1]
    assert relative_error(grad, exact) < 1e-8


def test_numerical_gradient_does_not_change_its_input():
    x = np.random.default_rng(3).normal(size=(2, 3, 4))
    before = x.copy()
    numerical_gradient(lambda p: np.sum(p**3), x)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_never_touches_the_callers_array_even_during_the_call():
    x = np.array([0.3, -1.2, 2.0])
    before = x.copy()

    def f(p):
        assert p is not x and np.array_equal(x, before)
        return np.sum(p**2)

    numerical_gradient(f, x)


def test_numerical_gradient_accepts_a_read_only_array():
    x = np.array([1.0, 2.0])
    x.flags.writeable = False
    np.testing.assert_allclose(numerical_gradient(lambda p: np.sum(p**2), x), [2.0, 4.0], rtol=1e-9)


def test_numerical_gradient_sees_each_nudge_through_its_argument():
    # f closes over nothing: it only reads the array it is given.
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    seen = []

    def f(p):
        seen.append(p.copy())
        return float(np.sum(p * np.arange(1.0, 5.0).reshape(2, 2)))

    grad = numerical_gradient(f, x, delta=1e-3)
    np.testing.assert_allclose(grad, [[1.0, 2.0], [3.0, 4.0]], rtol=1e-9)
    changed = [np.flatnonzero(p != x) for p in seen]
    assert all(len(c) == 1 for c in changed)  # exactly one entry nudged per call
    assert [int(c[0]) for c in changed] == [0, 0, 1, 1, 2, 2, 3, 3]


def test_numerical_gradient_of_integer_array():
    x = np.array([[1, -2, 3]])
    grad = numerical_gradient(lambda p: np.sum(p**2), x)
    assert grad.dtype == np.float64 and grad.shape == (1, 3)
    np.testing.assert_allclose(grad, 2.0 * x, rtol=1e-9)
    np.testing.assert_array_equal(x, [[1, -2, 3]])


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_numerical_gradient_costs_two_evaluations_per_entry(shape):
    calls = []

    def f(p):
        calls.append(1)
        return np.sum(p**2)

    x = np.ones(shape)
    numerical_gradient(f, x)
    assert len(calls) == 2 * x.size


# ---------------------------------------------------------------- relative error

def test_relative_error_of_equal_inputs_is_zero():
    x = np.random.default_rng(4).normal(size=(3, 5))
    assert relative_error(x, x.copy()) == 0.0


def test_relative_error_is_zero_where_both_are_zero():
    # pytestmark turns any RuntimeWarning (0/0) into a failure.
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(np.zeros((2, 2)), np.zeros((2, 2))) == 0.0
    assert relative_error([0.0, 1.0], [0.0, 3.0]) == 0.5


def test_relative_error_is_symmetric():
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=10), rng.normal(size=10)
    assert relative_error(a, b) == relative_error(b, a)


@pytest.mark.parametrize("a, b, expected", [
    (1, 3, 0.5),
    (1.0, -1.0, 1.0),
    (0.0, 5.0, 1.0),
    (2.0, 2.0, 0.0),
    (-4.0, -6.0, 0.2),
])
def test_relative_error_known_values(a, b, expected):
    assert relative_error(a, b) == pytest.approx(expected, abs=1e-15)


def test_relative_error_takes_the_worst_element():
    assert relative_error([1.0, 1.0, 1.0, 1.0], [1.0, 3.0, 1.1, 0.0]) == 1.0
    assert relative_error([[1.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [3.0, 1.0]]) == 0.5


def test_relative_error_broadcasts():
    assert relative_error(np.ones((2, 3)), 1.0) == 0.0
    assert relative_error([[1.0], [3.0]], [1.0, 3.0]) == 0.5  # (2, 1) with (2,) -> (2, 2)


def test_relative_error_returns_a_python_float():
    assert type(relative_error(np.array([1.0]), np.array([2.0]))) is float


def test_relative_error_never_reports_agreement_with_nan():
    # A gradient check `relative_error(analytic, numeric) < 1e-7` must not pass on a NaN gradient.
    assert not relative_error([1.0, np.nan], [1.0, 2.0]) < 1e-7
