"""Chapter 05's checks (gradlab.exercises.training): the bug hunt's cases and planted bugs, the training run's
data and verdicts (their stability across CPUs: tests/test_verdict_stability.py); the records' standard tests
are in tests/test_exercise_records.py, the notebook-level wrong answers in tests/wrong_answers/training.py."""
from __future__ import annotations

import numpy as np
import pytest
from check_harness import failure
from margins import LOOPS, student_train

from gradlab import numeric, training
from gradlab.datasets import held_out_split, spiral_data
from gradlab.exercises import training as c
from gradlab.network import PARAMETER_NAMES

pytestmark = pytest.mark.filterwarnings("error")


def find_bugs(loss, gradients, params):
    """A right answer: each parameter against its own numerical gradient."""
    grads = gradients(params)
    return {name for name in params if numeric.relative_error(grads[name], numeric.numerical_gradient(
        lambda value: loss({**params, name: value}), params[name])) > 1e-5}


# ---------------------------------------------------------------- the bug hunt

def test_the_suspect_is_the_reference_with_its_three_bugs_planted():
    X, y = spiral_data(100, 3)
    point = c.check_point()
    suspect = c.suspect_gradients(point, X, y, 0.01)
    planted = c.planted_gradients(point, X, y, 0.01, c.SUSPECT_BUGS)
    assert all(np.allclose(suspect[name], planted[name], rtol=1e-12, atol=0) for name in PARAMETER_NAMES)
    assert set(c.bug_cases(None)[0]["wrong"]) == {"b1", "W2", "b2"}


@pytest.mark.parametrize("bug, reaches", [("no 1/n", set(PARAMETER_NAMES)), ("no ReLU mask", {"W1", "b1"}),
                                          ("W1 unpenalised", {"W1"}), ("b1 penalised", {"b1"}),
                                          ("half W2 penalty", {"W2"}), ("b2 a mean", {"b2"})])
def test_each_planted_bug_reaches_the_parameters_it_names(bug, reaches):
    case = c.small_network(np.random.default_rng(11), (3, 5, 4))
    right = c.loss_and_gradients(**case, lam=0.2)[1]
    planted = c.planted_gradients(**case, lam=0.2, bugs=frozenset({bug}))
    assert {name for name in PARAMETER_NAMES if not np.allclose(planted[name], right[name])} == reaches


def test_the_check_point_keeps_every_spiral_sample_away_from_the_kinks():
    assert c.away_from_kinks(c.check_point(), spiral_data(100, 3)[0])
    assert not c.away_from_kinks(training.init_params(2, 64, 3, seed=0), spiral_data(100, 3)[0])  # zero biases


@pytest.mark.parametrize("seed", [None, *range(10)])
def test_bug_cases_are_clear_cut_and_vary(seed):
    cases = c.bug_cases(None if seed is None else np.random.default_rng(seed))
    assert all(c.clear_cut(case) for case in cases)
    assert all(find_bugs(**case["args"]) == set(case["wrong"]) for case in cases)
    if seed is not None:
        assert sorted(len(case["wrong"]) > 0 for case in cases).count(True) >= 1


def test_find_bugs_answers_that_are_not_sets_of_names_are_reported():
    assert "expected a set of parameter names" in failure(lambda s, rng: c.check_find_bugs(s), lambda **a: "W2")
    assert "not parameter names" in failure(lambda s, rng: c.check_find_bugs(s), lambda **a: {"w2"})
    assert "returned None" in failure(lambda s, rng: c.check_find_bugs(s), lambda **a: None)
    assert failure(lambda s, rng: c.check_find_bugs(s, seed=3), find_bugs) == ""
    assert failure(lambda s, rng: c.check_find_bugs(s), lambda **a: tuple(find_bugs(**a))) == ""


def test_missing_a_bug_names_it_with_its_error():
    def misses_b2(loss, gradients, params):
        return find_bugs(loss, gradients, params) - {"b2"}

    message = failure(lambda s, rng: c.check_find_bugs(s), misses_b2)
    assert "missed b2 (relative error" in message and "threshold too loose" in message


# ---------------------------------------------------------------- the training run

# The notebook's answer: mini-batches of 40, momentum 0.9, rate 0.2 decaying with 2e-3, λ = 1e-5.
reference_train = student_train(*LOOPS["the reference (batches of 40, rate 0.2)"])


def test_held_out_split_takes_per_class_points_of_each_class_and_keeps_the_rest_in_order():
    y = spiral_data(100, 3)[1]
    ids_train, y_train, ids_held, y_held = held_out_split(np.arange(300), y, 20, seed=0)  # each row its number
    assert len(ids_train) == 240 and np.bincount(y_held).tolist() == [20, 20, 20]
    assert sorted([*ids_train, *ids_held]) == list(range(300)) and (np.diff(ids_train) > 0).all()
    assert (y[ids_held] == y_held).all() and (y[ids_train] == y_train).all()


def test_the_hidden_spiral_is_turned_and_relabelled_but_as_far_apart():
    X, y = spiral_data(100, 3, 4504)
    turned, labels = c.turned(X, y, np.random.default_rng(4504))
    assert np.allclose(np.linalg.norm(turned, axis=1), np.linalg.norm(X, axis=1))
    assert not np.allclose(turned, X) and sorted(set(zip(y.tolist(), labels.tolist()))) != [(0, 0), (1, 1), (2, 2)]


def test_the_reference_passes_and_memorised_weights_fail_the_hidden_spiral():
    memorised = reference_train(*c.train_data(None)[:2], 0)
    c.check_train(reference_train)
    c.check_train(reference_train, seed=4504)
    c.check_train(lambda X, y, seed: memorised)
    assert "required: at least 80% and 60%" in failure(lambda s, rng: c.check_train(s, seed=4504),
                                                         lambda X, y, seed: memorised)


def test_training_answers_of_the_wrong_kind_are_reported():
    params = training.init_params(2, 64, 3, 0)
    assert "expected a dict" in failure(lambda s, rng: c.check_train(s), lambda X, y, seed: (params, [1.0]))
    assert "has shape (64, 2), expected (2, 64)" in failure(
        lambda s, rng: c.check_train(s), lambda X, y, seed: {**params, "W1": params["W1"].T})
    assert "NaN or infinity" in failure(lambda s, rng: c.check_train(s),
                                        lambda X, y, seed: {**params, "W2": params["W2"] * np.nan})
    assert "leave the network guessing" in failure(lambda s, rng: c.check_train(s), lambda X, y, seed: params)
