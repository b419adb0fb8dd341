"""Chapter 03's exercise helpers and special messages (gradlab.exercises.chain_rule); the records' standard tests
are in tests/test_exercise_records.py."""
from __future__ import annotations

import numpy as np
import pytest
from check_harness import failure, false_failures

from gradlab import numeric
from gradlab.chain import chain_deriv, compose, sigma_sum_forward
from gradlab.exercises import chain_rule as c
from gradlab.functions import DERIVATIVES, leaky_relu, sigmoid, sigmoid_deriv, square, tanh, tanh_deriv

pytestmark = pytest.mark.filterwarnings("error")


def gradient_check_with_numeric(f, grad_f, x):
    return numeric.relative_error(grad_f(x), numeric.numerical_gradient(f, x))


# Right answers made of gradlab's own code: the checks accept their numbers, but graded they are gradlab
# code their exercise does not allow (the guard zeroes the test, the scan flags it), so they are not variants.
MADE_OF_GRADLAB = [("chain_deriv_3", chain_deriv), ("gradient_check", gradient_check_with_numeric)]


@pytest.mark.parametrize("name, answer", MADE_OF_GRADLAB, ids=[n for n, _ in MADE_OF_GRADLAB])
def test_answers_made_of_gradlab_code_are_right_numerically(name, answer):
    check = next(exercise for exercise in c.EXERCISES if exercise.name == name).check
    assert failure(check, answer) == "" and false_failures(check, answer, range(5)) == []


# ---------------------------------------------------------------- messages of the special paths

def test_gradient_check_messages():
    assert "negative error" in failure(c.check_gradient_check, lambda f, grad_f, x: -c.gradient_check(f, grad_f, x))
    assert "expected one number" in failure(c.check_gradient_check, lambda f, grad_f, x: np.zeros(x.shape))
    message = failure(c.check_gradient_check, lambda f, grad_f, x: 1e-3 if grad_f.__name__ == "dLdX"
                      else c.gradient_check(f, grad_f, x))
    assert "this grad_f is right" in message and "numeric.numerical_gradient" in message
    assert "no entry where both gradients are 0" in failure(c.check_gradient_check, lambda f, grad_f, x: float("nan"))


def test_shapes_that_do_not_fit_are_reported():
    def right_only_when_square(X, W, M, dsigma):
        return c.grad_X(X, W, M, dsigma) if W.shape[0] == W.shape[1] else (M * dsigma(X @ W)) @ W

    assert "raised ValueError" in failure(c.check_grad_X, right_only_when_square)
    assert all("raised ValueError" in failure(c.check_grad_X, right_only_when_square, seed) for seed in range(10))


def test_sigmoid_derivative_reference_agrees_with_central_differences():
    x = np.linspace(-8, 8, 33)
    np.testing.assert_allclose(c.sigmoid_deriv(x), numeric.central_difference(sigmoid, x, 1e-6), atol=1e-10)
    assert c.sigmoid_deriv(np.array(0.0)) == 0.25


def test_links_print_as_names():
    assert repr(c.Links([leaky_relu, sigmoid, square])) == "[leaky_relu, sigmoid, square]"


# ---------------------------------------------------------------- helpers with known values

@pytest.mark.parametrize("f, df", [(c.h1, c.dh1), (c.h2, c.dh2)], ids=["h1", "h2"])
def test_composed_references_agree_with_central_differences(f, df):
    x = np.linspace(-1, 3, 17)
    np.testing.assert_allclose(df(x), numeric.central_difference(f, x, 1e-6), rtol=1e-6, atol=1e-6)


def test_chain_deriv_3_reference_agrees_with_a_central_difference():
    chain = [tanh, square, sigmoid]
    x = np.linspace(-2, 2, 9)
    np.testing.assert_allclose(c.chain_deriv_3(chain, [DERIVATIVES[f] for f in chain], x),
                               numeric.central_difference(compose(chain), x, 1e-6), atol=1e-9)


def test_random_chains_never_put_leaky_relu_after_a_nonnegative_link():
    chains = [c.random_chain(np.random.default_rng(seed)) for seed in range(200)]
    assert all(len(set(chain)) == 3 for chain in chains)
    for chain in chains:
        for f, g in zip(chain, chain[1:]):
            assert not (g is leaky_relu and f in (square, sigmoid))
    assert {chain[0] for chain in chains} == {square, sigmoid, leaky_relu, tanh}


def test_both_signs_makes_the_first_entry_negative_and_the_second_positive():
    x = np.array([[1.0, -2.0], [3.0, 4.0]])
    y = c.both_signs(x)
    np.testing.assert_array_equal(y, [[-1.0, 2.0], [3.0, 4.0]])
    assert x[0, 0] == 1.0  # not changed in place


def test_sigma_of_product_backward_agrees_with_nudges():
    x, y = np.array([-1.0, 0.5, 2.0]), np.array([3.0, -2.0, 0.25])
    dsdx, dsdy = c.sigma_of_product_backward(x, y, tanh_deriv)
    np.testing.assert_allclose(dsdx, numeric.central_difference(lambda t: np.tanh(t * y), x, 1e-6), atol=1e-9)
    np.testing.assert_allclose(dsdy, numeric.central_difference(lambda t: np.tanh(x * t), y, 1e-6), atol=1e-9)


def test_book_matrices_are_the_books_numbers():
    X, W = c.book_matrices()
    np.testing.assert_allclose(X[0], [-1.5775, -0.6664, 0.6391], atol=5e-5)
    assert W.shape == (3, 2)
    assert round(sigma_sum_forward(X, W, sigmoid), 4) == 2.3755
    np.testing.assert_allclose(c.grad_X(X, W, np.ones((3, 2)), sigmoid_deriv)[0], [0.2489, -0.3748, 0.0112], atol=5e-5)


@pytest.mark.parametrize("seed", range(10))
def test_matrix_gradients_agree_with_numerical_gradients(seed):
    for case in c.matrix_cases(np.random.default_rng(seed)):
        X, W, M, dsigma = case["X"], case["W"], case["M"], case["dsigma"]
        sigma = sigmoid if dsigma is sigmoid_deriv else np.tanh
        weighted = lambda X_, W_: float(np.sum(M * sigma(X_ @ W_)))
        np.testing.assert_allclose(c.grad_X(X, W, M, dsigma),
                                   numeric.numerical_gradient(lambda X_: weighted(X_, W), X), atol=1e-8)
        np.testing.assert_allclose(c.grad_W(X, W, M, dsigma),
                                   numeric.numerical_gradient(lambda W_: weighted(X, W_), W), atol=1e-8)


def test_matrix_cases_start_square_then_use_shapes_a_transpose_breaks():
    visible = c.matrix_cases(None)
    assert [(v["X"].shape, v["W"].shape) for v in visible] == [((3, 3), (3, 3)), ((3, 3), (3, 2))]
    for seed in range(30):
        cases = c.matrix_cases(np.random.default_rng(seed))
        (n, k), (_, m) = cases[0]["X"].shape, cases[0]["W"].shape
        assert n == k == m
        for case in cases[1:]:
            (n, k), (_, m) = case["X"].shape, case["W"].shape
            assert len({n, k, m}) == 3
        assert {case["dsigma"] for case in cases} == {sigmoid_deriv, tanh_deriv}


@pytest.mark.parametrize("seed", [None, *range(10)])
def test_gradient_check_cases_are_right_or_clearly_wrong(seed):
    cases = c.gradient_check_cases(None if seed is None else np.random.default_rng(seed))
    errors = [c.gradient_check(**case) for case in cases]
    assert [error < c.TINY for error in errors] == [False, False, True, False]
    assert errors[0] == pytest.approx(1.0)  # x has both signs: some entry has a and b of opposite signs
    assert 0.05 < errors[1] < 0.75  # x > 1/4 only: (4x − 1)/(4x + 1) at the largest x
    right = cases[2]
    assert np.abs(right["grad_f"](right["x"])).min() > (0.01 if seed is None else 0.05)  # far above rounding noise


def test_gradient_check_reference_values():
    x = np.array([0.5, 1.0, 1.5])
    assert c.gradient_check(**c.composed_case(x)) == pytest.approx(5 / 7, rel=1e-8)
    a = 15 * (2 * x**2) ** 4
    assert c.gradient_check(**c.composed_case(x)) == pytest.approx(numeric.relative_error(a, 960 * x**9), rel=1e-8)
