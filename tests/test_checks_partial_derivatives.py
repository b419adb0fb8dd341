"""Chapter 02's exercise helpers and special messages (gradlab.exercises.partial_derivatives); the records'
standard tests are in tests/test_exercise_records.py."""
from __future__ import annotations

import numpy as np
import pytest
from check_harness import SEEDS, failure

from gradlab.exercises import partial_derivatives as p
from gradlab.numeric import central_difference, numerical_gradient

pytestmark = pytest.mark.filterwarnings("error")


def partials_reference(name, wrt):
    return p.PARTIALS[name][wrt].reference


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
    """(Nudging x and never putting it back: tests/wrong_answers/partial_derivatives.py.)"""
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


def test_clip_derivative_is_zero_on_both_kinks():
    np.testing.assert_array_equal(p.clip_derivative(np.array([-2.0, -1.0, 0.0, 2.0, 3.0]), -1.0, 2.0), [0, 0, 1, 0, 0])
    x = np.linspace(-3, 3, 13) + 0.05   # away from the kinks, a central difference agrees
    np.testing.assert_allclose(p.clip_derivative(x, -1.0, 2.0), central_difference(lambda t: np.clip(t, -1, 2), x, 1e-6))


def test_min_partials_give_the_tie_to_y_and_add_up_to_one():
    dx, dy = p.min_partials(np.array([3.0, 1.0, -1.0]), np.array([1.0, 1.0, 2.0]))
    np.testing.assert_array_equal(dx, [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(dy, [1.0, 1.0, 0.0])


def test_gradient_g_agrees_with_central_differences():
    for case in [*p.gradient_points(None), *p.gradient_points(np.random.default_rng(4))]:
        g = lambda v: v[0] ** 2 * v[1] - 3 * v[1] * v[2] ** 3 + v[2] * np.exp(v[0]) + v[0] * np.log(v[1])
        point = np.array([case["x"], case["y"], case["z"]])
        np.testing.assert_allclose(p.gradient_g(**case), numerical_gradient(g, point), rtol=1e-7, atol=1e-7)


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
        clip = p.clip_cases(rng)
        assert [c["x"].ndim for c in clip] == [1, 2, 3, 0]
        for c in clip[:3]:
            x, low, high = c["x"], c["low"], c["high"]
            assert (x == low).any() and (x == high).any() and (x < low).any() and (x > high).any()
        cases = p.min_cases(rng)
        for case in cases[:-1]:
            x, y = case["x"], case["y"]
            assert (x == y).any() and (x > y).any() and (y > x).any()
        assert cases[-1]["x"] == cases[-1]["y"]


def test_booleans_are_told_to_become_floats():
    assert "returned booleans" in failure(p.check_clip_derivative, lambda x, low, high: (x > low) & (x < high))
    assert "returned booleans" in failure(p.check_min_partials, lambda x, y: (x < y, (y <= x).astype(float)))


def test_partials_check_both_functions_and_names_the_wrong_one():
    dx, dy = (exercise.reference for exercise in p.PARTIALS["h2"])
    p.check_partials(dx, dy, "h2")
    assert failure(lambda student, seed: p.check_partials(dx, student, "h2", seed), dx).startswith("dh2_dy(")
    assert failure(lambda student, seed: p.check_partials(student, dy, "h2", seed), dy, seed=3).startswith("dh2_dx(")
