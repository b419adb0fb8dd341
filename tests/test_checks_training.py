"""Chapter 05's checks (gradlab.exercises.training): the update and iteration records' special messages (their
standard tests are in tests/test_exercise_records.py); the training-run checks pass the reference on the visible
and hidden seeds, and reject the rest with a reason. The notebook-level wrong answers
(tests/wrong_answers/training.py) cover the training runs' diagnoses."""
from __future__ import annotations

import numpy as np
import pytest
from check_harness import failure

from gradlab import training
from gradlab.datasets import spiral_data
from gradlab.exercises import training as c

pytestmark = pytest.mark.filterwarnings("error")

def test_changing_the_given_dicts_is_reported():
    def in_place(params, grads, velocity, learning_rate, momentum):
        for name in params:
            velocity[name] *= momentum
            velocity[name] -= learning_rate * grads[name]
            params[name] += velocity[name]
        return params, velocity

    assert "changed its input `params['W1']` in place" in failure(c.check_momentum_step, in_place)


def test_a_missing_key_or_a_non_dict_is_reported():
    assert "no key(s) b2" in failure(c.check_momentum_step, lambda **case: tuple(
        {k: v for k, v in part.items() if k != "b2"} for part in training.momentum_step(**case)))
    assert "expected a dict" in failure(c.check_momentum_step, lambda **case: (1.0, 2.0))


# ---------------------------------------------------------------- training runs (exercises 3 and 4)
# Whether these verdicts hold under other CPUs' arithmetic and nudged inputs: tests/test_verdict_stability.py.

def reference_train(X, y, epochs, seed):
    """The notebook's answer: momentum 0.9, learning rate 0.5 decaying with 1e-3."""
    run = training.train(X, y, epochs, 0.5, 0.9, 1e-3, hidden=64, seed=seed)
    return run.params, run.loss


def test_a_loop_that_remembers_seed_0_fails_the_hidden_seed():
    remembered = reference_train(*spiral_data(100, 3, 0), 3000, 0)
    c.check_train(lambda X, y, epochs, seed: remembered)
    assert "the first loss is" in failure(lambda student, rng: c.check_train(student, (3,)),
                                          lambda X, y, epochs, seed: remembered)


def test_params_that_do_not_match_the_losses_are_reported():
    def stale_params(X, y, epochs, seed):
        _, losses = reference_train(X, y, epochs, seed)
        return training.init_params(2, 64, 3, seed), losses

    assert "return the params your loop ended with" in failure(lambda s, rng: c.check_train(s), stale_params)


def rate(value):
    return lambda: value


@pytest.mark.parametrize("value, visible, hidden", [
    (0.5, "", ""), (0.4, "", ""), (0.7, "", ""),
    (0.3, "", "near the edge"), (1.0, "", "near the edge"), (1.2, "", "near the edge"),
    (0.2, "too small", "too small"), (0.01, "too small", "too small"),
    (1.5, "too large", "too large"), (10.0, "too large", "too large")])
def test_a_learning_rate_is_judged_by_the_measured_ranges(value, visible, hidden):
    """This chapter's draw accepts 0.3 to 1.2; the hidden test, only the middle, 0.4 to 0.7."""
    assert visible in failure(lambda student, rng: c.check_learning_rate(student), rate(value))
    assert hidden in failure(lambda student, rng: c.check_learning_rate(student, every_draw=True), rate(value))
    assert bool(failure(lambda student, rng: c.check_learning_rate(student), rate(value))) == bool(visible)


@pytest.mark.parametrize("value, message", [
    (-0.5, "does not go downhill"), ("0.5", "expected a positive number"), (None, "expected a positive number"),
    (np.nan, "expected a positive number"), (True, "expected a positive number")])
def test_a_learning_rate_that_is_not_a_positive_number_is_rejected_at_once(value, message):
    assert message in failure(lambda student, rng: c.check_learning_rate(student), rate(value))


def test_an_unanswered_learning_rate_is_reported():
    def stub():
        raise NotImplementedError()

    assert "is not implemented yet" in failure(lambda student, rng: c.check_learning_rate(student), stub)
