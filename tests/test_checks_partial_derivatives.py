"""Chapter 02 checks (gradlab.exercises.partial_derivatives): references pass, known mistakes fail with their
hint, answers tuned to the visible cases fail the hidden ones, correct variants never fail."""
from __future__ import annotations

import numpy as np
import pytest
from check_harness import SEEDS, StandardChecks, failure

from gradlab.exercises import partial_derivatives as p
from gradlab.numeric import central_difference, numerical_gradient

pytestmark = pytest.mark.filterwarnings("error")


def partials_reference(name, wrt):
    return p.polynomial2(p.partial_terms(p.POLYNOMIALS[name], wrt))


def partials_check(name, wrt):
    """check_partials for one of the two partials, the other one being the reference."""
    def check(student, seed=None):
        pair = [partials_reference(name, 0), partials_reference(name, 1)]
        pair[wrt] = student
        p.check_partials(*pair, name, seed)
    return check


# exercise: (check, the module's reference answer, the module's known mistakes)
EXERCISES = {
    **{f"d{name}_d{var}": (partials_check(name, wrt), partials_reference(name, wrt), p.partial_mistakes(name, wrt))
       for name in p.POLYNOMIALS for wrt, var in enumerate("xy")},
    "relu_derivative": (p.check_relu_derivative, p.relu_derivative, p.RELU_MISTAKES),
    "max_partials": (p.check_max_partials, p.max_partials, p.MAX_MISTAKES),
    "gradient_f": (p.check_gradient_f, p.book_gradient, p.GRADIENT_MISTAKES),
    "numerical_gradient": (p.check_numerical_gradient, numerical_gradient, p.NUMERICAL_GRADIENT_MISTAKES),
    "gradient_step": (p.check_gradient_step, p.gradient_step, p.STEP_MISTAKES),
}


# ---------------------------------------------------------------- known mistakes and special messages

def test_mistakes_of_each_partial_are_all_different_functions():
    x, y = np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-1.5, 2.5, 5))
    for name in p.POLYNOMIALS:
        for wrt in (0, 1):
            answers = [partials_reference(name, wrt)] + [m.answer for m in p.partial_mistakes(name, wrt)]
            values = [a(x, y) for a in answers]
            for i in range(len(values)):
                for j in range(i):
                    assert not np.allclose(values[i], values[j]), (name, wrt, i, j)


def test_flat_gradient_of_a_2d_input_is_told_to_keep_the_shape():
    def flat(f, x, delta=1e-5):
        return numerical_gradient(f, x, delta).ravel()

    message = failure(p.check_numerical_gradient, flat)
    assert "returned shape (6,), expected (2, 3)" in message and p.SHAPE_HINT in message


def nudge_in_place(f, x, delta=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += delta
        plus = f(x)
        x[i] -= 2 * delta
        grad[i] = (plus - f(x)) / (2 * delta)
    return grad


def nudge_and_restore_by_arithmetic(f, x, delta=1e-5):
    """Puts entries back with += delta: round-off can leave them nudged."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += delta
        plus = f(x)
        x[i] -= 2 * delta
        minus = f(x)
        x[i] += delta
        grad[i] = (plus - minus) / (2 * delta)
    return grad


def test_a_numerical_gradient_that_leaves_its_input_nudged_fails():
    assert "changed its input `x` in place" in failure(p.check_numerical_gradient, nudge_in_place)
    messages = [failure(p.check_numerical_gradient, nudge_and_restore_by_arithmetic, seed) for seed in SEEDS]
    assert any("changed its input `x` in place" in m for m in messages)


def test_a_step_that_moves_the_input_in_place_fails():
    def in_place(f_grad, point, lr):
        point -= lr * f_grad(point)
        return point

    assert "changed its input `point` in place" in failure(p.check_gradient_step, in_place)


def test_a_step_uphill_is_reported_as_raising_f():
    message = failure(p.check_gradient_step, p.STEP_MISTAKES[0].answer)
    assert "f went from 6 to 6.015" in message


# ---------------------------------------------------------------- answers tuned to the visible cases

# (exercise, an answer hard-coded to its visible cases)
TUNED = [
    ("dh1_dx", lambda x, y: 8 * x - 3 * y if x.shape == (5,) else 0 * x),
    ("relu_derivative", lambda x: {0: np.array(1.0), 1: np.array([0.0, 0, 0, 1, 1])}.get(
        x.ndim, np.array([[0.0, 1, 0], [1, 0, 0]]))),
    ("max_partials", lambda x, y: (np.array([1.0, 0, 0, 0, 1]), np.array([0.0, 1, 1, 1, 0])) if x.ndim == 1
     else (np.array([[0.0, 1], [0, 0]]), np.array([[1.0, 0], [1, 1]]))),
    ("gradient_f", lambda x, y, z: {1.0: np.array([27.0, 2, 12]), -2.0: np.array([-54.0, -4, -18])}[x]),
    ("numerical_gradient", lambda f, x, delta: np.array([27.0, 2, 12]) if x.ndim == 1 else x**2 + x.sum() / 2),
    ("gradient_step", lambda f_grad, point, lr: point - lr * {4: np.array([1.0, -2, 3, 1]),
                                                               3: np.array([27.0, 2, 12])}[point.size]),
]


# ---------------------------------------------------------------- correct answers written differently

def numerical_gradient_flat(f, x, delta=1e-5):
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


def numerical_gradient_nditer_in_place(f, x, delta=1e-5):
    """CS231n style: nudge x itself, put each entry back exactly."""
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


def numerical_gradient_unit_vectors(f, x, delta=1e-5):
    grad = np.zeros(np.shape(x))
    for i in np.ndindex(grad.shape):
        e = np.zeros(np.shape(x))
        e[i] = delta
        grad[i] = (f(x + e) - f(x - e)) / (2 * delta)
    return grad


def numerical_gradient_average_of_one_sided(f, x, delta=1e-5):
    grad = np.zeros(np.shape(x))
    fx = f(x)
    for i in np.ndindex(grad.shape):
        e = np.zeros(np.shape(x))
        e[i] = delta
        grad[i] = ((f(x + e) - fx) / delta + (fx - f(x - e)) / delta) / 2
    return grad


def relu_derivative_where(x):
    return np.where(x > 0, 1, 0)


def relu_derivative_heaviside(x):
    return np.heaviside(x, 0.0)


def relu_derivative_sign(x):
    return np.maximum(np.sign(x), 0.0)


def relu_derivative_loop(x):
    out = np.zeros(np.shape(x))
    for i in np.ndindex(out.shape):
        out[i] = 1.0 if x[i] > 0 else 0.0
    return out


def max_partials_where(x, y):
    return np.where(x > y, 1.0, 0.0), np.where(x > y, 0.0, 1.0)


def max_partials_stacked(x, y):
    dx = (x > y) * 1.0
    return np.stack([dx, 1.0 - dx])


def max_partials_list(x, y):
    return [np.greater(x, y).astype(int), np.greater_equal(y, x).astype(int)]


def gradient_as_list(x, y, z):
    return [9 * x * x * z, 2 * (z - y), 3 * x**3 + 2 * y + 5]


def gradient_as_tuple(x, y, z):
    dfdx = 9 * x**2 * z
    dfdy = -2 * y + 2 * z
    dfdz = 3 * x**3 + 5 + 2 * y
    return dfdx, dfdy, dfdz


def step_in_two_lines(f_grad, point, lr):
    update = lr * f_grad(point)
    return point - update


def step_on_a_copy(f_grad, point, lr):
    new = point.copy()
    new -= lr * np.asarray(f_grad(point))
    return new


def step_added_negative(f_grad, point, lr):
    return point + (-lr) * f_grad(point)


def written_out(name, wrt):
    forms = {
        ("h1", 0): lambda x, y: 8 * x - 3 * y,
        ("h1", 1): lambda x, y: -3 * x + 3 * y * y,
        ("h2", 0): lambda x, y: 5 + 3 * (x * y) ** 2,
        ("h2", 1): lambda x, y: y * (2 * x**3 - 8 * y**2),
        ("h3", 0): lambda x, y: y * (8 * x**3 + 3),
        ("h3", 1): lambda x, y: 2 * x**4 + 3 * x - 10 * y,
    }
    return forms[(name, wrt)]


VARIANTS = [
    *[pytest.param(f"d{name}_d{var}", written_out(name, wrt), id=f"d{name}_d{var}-written-out")
      for name in p.POLYNOMIALS for wrt, var in enumerate("xy")],
    pytest.param("relu_derivative", relu_derivative_where, id="relu-where-ints"),
    pytest.param("relu_derivative", relu_derivative_heaviside, id="relu-heaviside-0"),
    pytest.param("relu_derivative", relu_derivative_sign, id="relu-sign"),
    pytest.param("relu_derivative", relu_derivative_loop, id="relu-loop"),
    pytest.param("max_partials", max_partials_where, id="max-where"),
    pytest.param("max_partials", max_partials_stacked, id="max-stacked"),
    pytest.param("max_partials", max_partials_list, id="max-list-of-ints"),
    pytest.param("gradient_f", gradient_as_list, id="gradient-list"),
    pytest.param("gradient_f", gradient_as_tuple, id="gradient-tuple"),
    pytest.param("numerical_gradient", numerical_gradient_flat, id="numgrad-flat-loop"),
    pytest.param("numerical_gradient", numerical_gradient_nditer_in_place, id="numgrad-nditer-in-place"),
    pytest.param("numerical_gradient", numerical_gradient_unit_vectors, id="numgrad-unit-vectors"),
    pytest.param("numerical_gradient", numerical_gradient_average_of_one_sided, id="numgrad-average-one-sided"),
    pytest.param("gradient_step", step_in_two_lines, id="step-two-lines"),
    pytest.param("gradient_step", step_on_a_copy, id="step-copy"),
    pytest.param("gradient_step", step_added_negative, id="step-plus-negative"),
]


# ---------------------------------------------------------------- helpers with known values

def test_polynomial2_evaluates_its_terms():
    h1 = p.polynomial2(p.POLYNOMIALS["h1"])
    np.testing.assert_array_equal(h1(np.array([0.0, 1.0, 2.0]), np.array([1.0, 2.0, -1.0])), [8.0, 13.0, 28.0])
    assert p.polynomial2({(0, 0): 5.0})(np.zeros((2, 3)), np.zeros((2, 3))).shape == (2, 3)


@pytest.mark.parametrize("name, wrt, expected", [
    ("h1", 0, {(1, 0): 8.0, (0, 1): -3.0}),
    ("h1", 1, {(1, 0): -3.0, (0, 2): 3.0}),
    ("h2", 0, {(0, 0): 5.0, (2, 2): 3.0}),
    ("h2", 1, {(0, 3): -8.0, (3, 1): 2.0}),
    ("h3", 0, {(3, 1): 8.0, (0, 1): 3.0}),
    ("h3", 1, {(4, 0): 2.0, (0, 1): -10.0, (1, 0): 3.0}),
])
def test_partial_terms_hold_the_other_variable_constant(name, wrt, expected):
    assert p.partial_terms(p.POLYNOMIALS[name], wrt) == pytest.approx(expected)


@pytest.mark.parametrize("name", p.POLYNOMIALS)
def test_reference_partials_agree_with_central_differences(name):
    h = p.polynomial2(p.POLYNOMIALS[name])
    x, y = np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-1.5, 1.5, 4))
    np.testing.assert_allclose(partials_reference(name, 0)(x, y), central_difference(lambda t: h(t, y), x, 1e-5),
                               atol=1e-6)
    np.testing.assert_allclose(partials_reference(name, 1)(x, y), central_difference(lambda t: h(x, t), y, 1e-5),
                               atol=1e-6)


def test_book_partials_of_sums_and_products():
    """The book's worked examples, checked against central differences at a point."""
    x, y = 1.5, -0.5
    assert central_difference(lambda t: 2 * t + 3 * y**2, x, 1e-5) == pytest.approx(2.0)
    assert central_difference(lambda t: 2 * x + 3 * t**2, y, 1e-5) == pytest.approx(6 * y)
    assert central_difference(lambda t: 3 * t**3 - y**2 + 5 * t + 2, x, 1e-5) == pytest.approx(9 * x**2 + 5)
    assert central_difference(lambda t: t * 3.0, 1.0, 1e-5) == pytest.approx(3.0)


def test_book_gradient_and_function():
    np.testing.assert_array_equal(p.book_gradient(1.0, 2.0, 3.0), [27.0, 2.0, 12.0])
    np.testing.assert_array_equal(p.book_gradient(-2.0, 0.5, -1.5), [-54.0, -4.0, -18.0])
    assert p.book_f(1.0, 2.0, 3.0) == 32.0
    v = np.array([0.3, -1.2, 2.1])
    np.testing.assert_allclose(p.book_gradient(*v), numerical_gradient(p.book_function().f, v), rtol=1e-8)


def test_relu_derivative_convention_at_zero():
    np.testing.assert_array_equal(p.relu_derivative(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 1.0])
    assert p.relu_derivative(np.array(6.0)) == 1.0  # the book's drelu_dz at z = 6


def test_max_partials_give_the_tie_to_y_and_add_up_to_one():
    dx, dy = p.max_partials(np.array([3.0, 1.0, -1.0]), np.array([1.0, 1.0, 2.0]))
    np.testing.assert_array_equal(dx, [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(dy, [0.0, 1.0, 1.0])


def test_neuron_reproduces_the_book():
    neuron = p.neuron_function()
    w_b = np.array([-3.0, -1.0, 2.0, 1.0])
    assert neuron.f(w_b) == 6.0
    np.testing.assert_array_equal(neuron.grad(w_b), [1.0, -2.0, 3.0, 1.0])
    new = p.gradient_step(neuron.grad, w_b, 0.001)
    np.testing.assert_allclose(new, [-3.001, -0.998, 1.997, 0.999])
    assert neuron.f(new) == pytest.approx(5.985)
    np.testing.assert_array_equal(neuron.grad(np.array([0.0, 0.0, 0.0, -1.0])), np.zeros(4))


@pytest.mark.parametrize("seed", range(12))
def test_random_functions_have_the_gradients_they_claim(seed):
    rng = np.random.default_rng(seed)
    for shape in [(), (3,), (2, 3), (2, 2, 2)]:
        fn = p.random_function(rng, shape)
        x = rng.uniform(-2, 2, shape)
        np.testing.assert_allclose(fn.grad(x), numerical_gradient(fn.f, x), rtol=1e-6, atol=1e-8)


def test_cubic_sum_function_gradient():
    fn = p.cubic_sum_function()
    x = np.array([[-1.0, 0.5], [2.0, 0.0]])
    np.testing.assert_allclose(fn.grad(x), numerical_gradient(fn.f, x), rtol=1e-8)


def test_mistaken_numerical_gradients_differ_from_the_reference_as_described():
    fn = p.cubic_sum_function()
    x = np.array([[-1.0, -0.5, 0.0], [0.5, 1.0, 1.5]])
    exact = numerical_gradient(fn.f, x, 1e-5)
    assert np.abs(p.forward_gradient(fn.f, x, 1e-5) - exact).max() == pytest.approx(1e-5 / 2 * (2 * 1.5 + 0.5), rel=0.01)
    assert np.all(p.all_at_once_gradient(fn.f, x, 1e-5) == p.all_at_once_gradient(fn.f, x, 1e-5).flat[0])
    restored = p.unrestored_gradient(fn.f, x, 1e-5)
    assert restored.flat[0] == pytest.approx(exact.flat[0], abs=1e-9) and not np.allclose(restored, exact, atol=1e-7)


def test_random_cases_have_the_documented_shapes():
    for seed in range(30):
        rng = np.random.default_rng(seed)
        assert [c["x"].ndim for c in p.numerical_gradient_cases(rng)] == [2, 0, 1, 3]
        relu = p.relu_cases(rng)
        assert [c["x"].ndim for c in relu] == [1, 2, 3, 0] and (relu[0]["x"] == 0).any()
        cases = p.max_cases(rng)
        for case in cases[:-1]:
            x, y = case["x"], case["y"]
            assert (x == y).any() and (x > y).any() and (y > x).any()
        assert cases[-1]["x"] == cases[-1]["y"]


def test_booleans_are_told_to_become_floats():
    assert "returned booleans" in failure(p.check_relu_derivative, lambda x: x > 0)
    assert "returned booleans" in failure(p.check_max_partials, lambda x, y: (x > y, (y >= x).astype(float)))


# ---------------------------------------------------------------- the standard tests on this chapter's exercises

class TestStandardChecks(StandardChecks):
    """References, stubs, known mistakes, tuned answers and variants of chapter 02 (tests/check_harness.py)."""
    EXERCISES, TUNED, VARIANTS = EXERCISES, TUNED, VARIANTS
