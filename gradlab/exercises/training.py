"""Chapter 05's exercises: training with the student's own gradient code.

``check_loss_and_gradients`` and ``check_minibatch_epoch`` are `Exercise` records' checks
(gradlab.checks): the network's loss with an L2 penalty and its gradients, and one epoch of mini-batch
gradient descent with momentum. ``check_find_bugs`` plants bugs in the network's gradients and asks
which parameters they reach, as a per-parameter gradient check finds them. ``check_train`` runs the
student's whole training on the training part of a spiral and judges what it learned: at least 80 %
training and 60 % held-out accuracy. Measured over eleven draws, two CPUs' arithmetic and nudged inputs
(tests/margins.py), the reference reaches 83-95 % and 70-88 %, a loop without momentum 61-75 % and
33-60 %, a sign error or a loop that drops its updates at most 49 %; tests/test_verdict_stability.py
checks the verdicts on the two draws the tests use.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gradlab import network, training
from gradlab.checks import Exercise, Mistake, as_float_array, call, call_each, describe, generator, keyed, named, with_hint
from gradlab.datasets import held_out_split, spiral_data
from gradlab.network import PARAMETER_NAMES, Params
from gradlab.numeric import numerical_gradient, relative_error

_sum, _array, _arange, _isfinite, _errstate = np.sum, np.array, np.arange, np.isfinite, np.errstate
_abs, _cos, _sin, _pi = np.abs, np.cos, np.sin, np.pi

EXACT = {"rtol": 1e-9, "atol": 1e-15, "scaled_atol": 1e-12}  # a few products and sums per entry
HIDDEN = 64
TRAIN_ACCURACY, HELD_OUT_ACCURACY = 0.80, 0.60   # what check_train requires
HELD_OUT_PER_CLASS = 20                            # of spiral_data(100, 3): 240 to train on, 60 held out


# ---------------------------------------------------------------- shared case material

def _widths(rng: np.random.Generator) -> tuple[int, int, int]:
    """Inputs, hidden width and classes, all different."""
    n_in, hidden, k = (int(v) for v in rng.choice(np.arange(2, 9), 3, replace=False))
    return n_in, hidden, k


def _random_dict(rng: np.random.Generator, n_in: int, hidden: int, k: int, scale: float) -> Params:
    """scale·N(0, 1) entries, shaped like the network's parameters."""
    return {name: scale * rng.standard_normal(shape) for name, shape in network.shapes(n_in, hidden, k).items()}


def away_from_kinks(params: Params, X: np.ndarray) -> bool:
    """No sample within 1e-4 of a hidden ReLU's kink, where a nudge of 1e-5 could step over it."""
    return bool(_abs(X @ params["W1"] + params["b1"]).min() > 1e-4)


def check_point(seed: int = 23) -> Params:
    """The spiral network's parameters at a point for gradient checks: weights 0.5·N(0, 1), biases
    0.5·N(0, 1) (zero biases put the spiral's centre points on ReLU's kink); seed 23 keeps every sample away
    from the kinks (tests/test_checks_training.py)."""
    return network.init(2, HIDDEN, 3, np.random.default_rng(seed), scale=0.5, bias_scale=0.5)


def small_network(rng: np.random.Generator, widths: tuple[int, int, int]) -> dict[str, Any]:
    """params, X, y of a random network and data, drawn again until no sample sits near a kink."""
    n_in, hidden, k = widths
    while True:
        n = int(rng.integers(8, 30))
        params = _random_dict(rng, n_in, hidden, k, 0.5)
        X, y = rng.standard_normal((n, n_in)), rng.integers(0, k, n)
        if away_from_kinks(params, X):
            return {"params": params, "X": X, "y": y}


# ---------------------------------------------------------------- exercise 2: the L2 penalty's gradients

def l2_penalty(params: Params, lam: float) -> float:
    """λ·(ΣW1² + ΣW2²): the weights only, not the biases."""
    return lam * (float(_sum(params["W1"] ** 2)) + float(_sum(params["W2"] ** 2)))


def loss_and_gradients(params: Params, X: np.ndarray, y: np.ndarray, lam: float) -> tuple[float, Params]:
    """(loss, grads) of mean cross-entropy + λ·(ΣW1² + ΣW2²) on X (n, n_in), y (n,) ints; grads shaped like params."""
    loss, _, grads = network.forward_backward(params, X, y)
    return loss + l2_penalty(params, lam), {name: grad + 2 * lam * params[name] if name[0] == "W" else grad
                                            for name, grad in grads.items()}


def _penalised(params: Params, X: np.ndarray, y: np.ndarray, lam: float, factor: float = 2.0, biases: bool = False,
               in_loss: bool = True, data_scale: float = 1.0) -> tuple[float, Params]:
    """loss_and_gradients with one step done wrong (every keyword at its default: the right one)."""
    loss, _, grads = network.forward_backward(params, X, y)
    names = [name for name in PARAMETER_NAMES if name[0] == "W" or biases]
    penalty = lam * sum(float(_sum(params[name] ** 2)) for name in names)
    return loss + penalty * in_loss, {name: data_scale * grad + (factor * lam * params[name] if name in names else 0.0)
                                      for name, grad in grads.items()}


L2_MISTAKES = [
    Mistake("the derivative of λw² is 2λw: the penalty adds 2λ·W to a weight's gradient, not λ·W",
            lambda params, X, y, lam: _penalised(params, X, y, lam, factor=1.0)),
    Mistake("the penalty is in the loss but not in the gradients: add its derivative to dW1 and dW2",
            lambda params, X, y, lam: _penalised(params, X, y, lam, factor=0.0)),
    Mistake("sign error: the penalty grows with |w|, so its gradient +2λ·W points away from 0",
            lambda params, X, y, lam: _penalised(params, X, y, lam, factor=-2.0)),
    Mistake("only the weights are penalised: the biases get nothing from λ(ΣW1² + ΣW2²)",
            lambda params, X, y, lam: _penalised(params, X, y, lam, biases=True)),
    Mistake("the loss includes the penalty: mean cross-entropy + λ(ΣW1² + ΣW2²)",
            lambda params, X, y, lam: _penalised(params, X, y, lam, in_loss=False)),
    Mistake("the penalty is added once, not averaged over the samples: λ(ΣW1² + ΣW2²), no 1/n",
            lambda params, X, y, lam: _penalised(params, X, y, lam / len(X))),
    Mistake("divide the data gradients by n: the cross-entropy is a mean over the samples",
            lambda params, X, y, lam: _penalised(params, X, y, lam, data_scale=float(len(X)))),
    Mistake("sign error in the data gradients: dlogits = (ŷ − y)/n",
            lambda params, X, y, lam: _penalised(params, X, y, lam, data_scale=-1.0)),
]

L2_SHAPE_HINT = ("the shapes do not fit: backward through a dense layer, dW = inputᵀ·d(output), "
                 "db = d(output) summed over samples, d(input) = d(output)·Wᵀ")


def l2_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """Visible: the spiral network at the check point with λ = 0.001, then a 3-4-2 network with λ = 0.1.
    Hidden: two networks of random widths (all different) and data, λ in [0.01, 0.5]."""
    if rng is None:
        X, y = spiral_data(100, 3)
        return [{"params": check_point(), "X": X, "y": y, "lam": 0.001},
                {**small_network(np.random.default_rng(505), (3, 4, 2)), "lam": 0.1}]
    return [{**small_network(rng, _widths(rng)), "lam": float(rng.uniform(0.01, 0.5))} for _ in range(2)]


def l2_by_hand(params: Params, X: np.ndarray, y: np.ndarray, lam: float) -> tuple:
    """Right, written differently: log-sum-exp loss, einsum products, the gradients as a tuple-free dict."""
    W1, b1, W2, b2 = (params[name] for name in PARAMETER_NAMES)
    z1 = X @ W1 + b1
    a1 = np.maximum(z1, 0)
    logits = a1 @ W2 + b2
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(len(X)), y].mean() + lam * (np.sum(W1 * W1) + np.sum(W2 * W2))
    dlogits = (np.exp(log_probs) - np.eye(W2.shape[1])[y]) / len(X)
    dz1 = np.einsum("nk,hk->nh", dlogits, W2) * (z1 > 0)
    return loss, {"W1": np.einsum("ni,nh->ih", X, dz1) + 2 * lam * W1, "b1": dz1.sum(axis=0, keepdims=True),
                  "W2": np.einsum("nh,nk->hk", a1, dlogits) + 2 * lam * W2, "b2": dlogits.sum(axis=0, keepdims=True)}


def visible_shapes_only(reference: Callable[..., Any], shapes: set[tuple[int, int]],
                        otherwise: Callable[..., Any]) -> Callable[..., Any]:
    """Tuned: the reference where W1 has a visible case's shape, otherwise's answer elsewhere."""
    return lambda **case: (reference if case["params"]["W1"].shape in shapes else otherwise)(**case)


LOSS_AND_GRADIENTS = Exercise(
    "loss_and_gradients", loss_and_gradients, l2_cases, L2_MISTAKES, parts=("loss", "grads"), order=(1, 0), **EXACT,
    shape_hint=L2_SHAPE_HINT,
    tuned=[visible_shapes_only(loss_and_gradients, {(2, HIDDEN), (3, 4)},
                               lambda params, X, y, lam: _penalised(params, X, y, lam, factor=1.0))],
    variants=[l2_by_hand])


# ---------------------------------------------------------------- exercise 3: one epoch of mini-batches

def minibatch_epoch(params: Params, velocity: Params, X: np.ndarray, y: np.ndarray, order: np.ndarray,
                    batch_size: int, learning_rate: float, momentum: float,
                    loss_and_grads: Callable[[Params, np.ndarray, np.ndarray], tuple[float, Params]]
                    ) -> tuple[Params, Params, np.ndarray]:
    """(params, velocity, losses (number of batches,)): one pass over the samples in the given order,
    batch_size of them per momentum update (the last batch may be smaller); each batch's loss is the
    one before its update."""
    losses = []
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        loss, grads = loss_and_grads(params, X[batch], y[batch])
        params, velocity = training.momentum_step(params, grads, velocity, learning_rate, momentum)
        losses.append(loss)
    return params, velocity, _array(losses)


def _epoch(params: Params, velocity: Params, X: np.ndarray, y: np.ndarray, order: np.ndarray, batch_size: int,
           learning_rate: float, momentum: float, loss_and_grads: Callable, ordered: bool = True,
           keep_last: bool = True, carry_velocity: bool = True, whole: bool = False,
           sign: float = 1.0) -> tuple[Params, Params, np.ndarray]:
    """minibatch_epoch with one step done wrong (every keyword at its default: the right one)."""
    order = order if ordered else _arange(len(X))
    stop = len(order) if keep_last else len(order) - len(order) % batch_size
    start_velocity, losses = velocity, []
    for start in range(0, stop, batch_size):
        batch = _arange(len(X)) if whole else order[start:start + batch_size]
        loss, grads = loss_and_grads(params, X[batch], y[batch])
        params, velocity = training.momentum_step(params, {n: sign * g for n, g in grads.items()},
                                                  velocity if carry_velocity else start_velocity,
                                                  learning_rate, momentum)
        losses.append(loss)
    return params, velocity, _array(losses)


EPOCH_MISTAKES = [
    Mistake("take the samples in the given order: batch i is X[order[i·batch_size:(i + 1)·batch_size]]",
            lambda **case: _epoch(**case, ordered=False)),
    Mistake("the last batch is smaller when n is not a multiple of batch_size: use it too",
            lambda **case: _epoch(**case, keep_last=False)),
    Mistake("the velocity carries over from batch to batch: pass each update the velocity the last one returned",
            lambda **case: _epoch(**case, carry_velocity=False)),
    Mistake("each update uses one batch of samples, not all of X",
            lambda **case: _epoch(**case, whole=True)),
    Mistake("sign error: step against the gradient, v = momentum·v − learning_rate·grad",
            lambda **case: _epoch(**case, sign=-1.0)),
]


def penalised_by(lam: float) -> Callable[[Params, np.ndarray, np.ndarray], tuple[float, Params]]:
    """loss_and_grads(params, X, y): loss_and_gradients with this λ."""
    return named(lambda params, X, y: loss_and_gradients(params, X, y, lam), "loss_and_grads")


def epoch_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """Visible: 10 spiral samples in batches of 4 (the last holds 2) on a 2-3-3 network, then the
    spiral network on all 300 samples in batches of 64. Hidden: random widths, 10-40 samples, batches of
    3-12 that do not divide them, velocity, learning rate, momentum and λ."""
    if rng is None:
        X, y = spiral_data(100, 3)
        small = np.random.default_rng(707)
        pick = small.choice(len(X), 10, replace=False)
        params, spiral = _random_dict(small, 2, 3, 3, 0.5), training.init_params(2, HIDDEN, 3, seed=0)
        return [dict(params=params, velocity=training.zeros_like(params), X=X[pick], y=y[pick],
                     order=small.permutation(10), batch_size=4, learning_rate=0.5, momentum=0.9,
                     loss_and_grads=penalised_by(0.001)),
                dict(params=spiral, velocity=training.zeros_like(spiral), X=X, y=y, order=small.permutation(len(X)),
                     batch_size=64, learning_rate=0.2, momentum=0.9, loss_and_grads=penalised_by(0.001))]
    cases = []
    for _ in range(2):
        widths = _widths(rng)
        n = int(rng.integers(10, 41))
        batch_size = int(rng.choice([b for b in range(3, 13) if n % b]))
        cases.append(dict(params=_random_dict(rng, *widths, 0.5), velocity=_random_dict(rng, *widths, 0.1),
                          X=rng.standard_normal((n, widths[0])), y=rng.integers(0, widths[2], n),
                          order=rng.permutation(n), batch_size=batch_size,
                          learning_rate=float(rng.uniform(0.05, 0.9)), momentum=float(rng.uniform(0.5, 0.95)),
                          loss_and_grads=penalised_by(float(rng.uniform(0.001, 0.1)))))
    return cases


def epoch_by_count(params, velocity, X, y, order, batch_size, learning_rate, momentum, loss_and_grads):
    """Right, written differently: the number of batches first, the update written out."""
    count = -(-len(order) // batch_size)
    losses = np.zeros(count)
    for i in range(count):
        rows = order[i * batch_size:(i + 1) * batch_size]
        losses[i], grads = loss_and_grads(params, X[rows], y[rows])
        velocity = {name: momentum * velocity[name] - learning_rate * grads[name] for name in params}
        params = {name: params[name] + velocity[name] for name in params}
    return params, velocity, losses


MINIBATCH_EPOCH = Exercise(
    "minibatch_epoch", minibatch_epoch, epoch_cases, EPOCH_MISTAKES, parts=("params", "velocity", "losses"),
    order=(2, 1, 0), **EXACT,
    tuned=[lambda **case: (minibatch_epoch if case["batch_size"] in (4, 64) else
                           lambda **c: _epoch(**c, keep_last=False))(**case)],
    variants=[epoch_by_count])


# ---------------------------------------------------------------- exercise 1: the bug hunt

def planted_gradients(params: Params, X: np.ndarray, y: np.ndarray, lam: float, bugs: frozenset[str]) -> Params:
    """loss_and_gradients' gradients with the named BUGS planted."""
    values = network.forward(params, X)
    dZ2 = values.probs.copy()
    dZ2[_arange(len(X)), y] -= 1.0
    dZ2 = dZ2 if "no 1/n" in bugs else dZ2 / len(X)
    dA1 = dZ2 @ params["W2"].T
    dZ1 = dA1 if "no ReLU mask" in bugs else dA1 * (values.Z1 > 0)
    return {"W1": X.T @ dZ1 + (0.0 if "W1 unpenalised" in bugs else 2 * lam * params["W1"]),
            "b1": dZ1.sum(axis=0, keepdims=True) + (2 * lam * params["b1"] if "b1 penalised" in bugs else 0.0),
            "W2": values.A1.T @ dZ2 + (1.0 if "half W2 penalty" in bugs else 2.0) * lam * params["W2"],
            "b2": dZ2.mean(axis=0, keepdims=True) if "b2 a mean" in bugs else dZ2.sum(axis=0, keepdims=True)}


BUGS = ("no 1/n", "no ReLU mask", "W1 unpenalised", "b1 penalised", "half W2 penalty", "b2 a mean")


def suspect_gradients(params: Params, X: np.ndarray, y: np.ndarray, lam: float) -> Params:
    """The gradients of mean cross-entropy + lam·(ΣW1² + ΣW2²), as a colleague wrote them. Some are wrong."""
    n = len(X)
    z1 = X @ params["W1"] + params["b1"]
    a1 = np.maximum(z1, 0.0)
    logits = a1 @ params["W2"] + params["b2"]
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    dlogits = exp / exp.sum(axis=1, keepdims=True)
    dlogits[np.arange(n), y] -= 1.0
    dlogits /= n
    dz1 = (dlogits @ params["W2"].T) * (z1 > 0)
    return {"W1": X.T @ dz1 + 2 * lam * params["W1"],
            "b1": dz1.sum(axis=0, keepdims=True) + 2 * lam * params["b1"],
            "W2": a1.T @ dlogits + lam * params["W2"],
            "b2": dlogits.mean(axis=0, keepdims=True)}


SUSPECT_BUGS = frozenset({"b1 penalised", "half W2 penalty", "b2 a mean"})  # tests/test_checks_training.py


def _bug_case(params: Params, X: np.ndarray, y: np.ndarray, lam: float,
              gradients: Callable[[Params], Params], name: str) -> dict[str, Any]:
    """find_bugs' arguments (loss, gradients, params) and the names whose gradients are wrong, by comparing
    them with loss_and_gradients': {'args': ..., 'wrong': {name: relative error}}."""
    right = loss_and_gradients(params, X, y, lam)[1]
    given = gradients(params)
    errors = {key: relative_error(given[key], right[key]) for key in PARAMETER_NAMES}
    loss = named(lambda p: loss_and_gradients(p, X, y, lam)[0], "loss")
    return {"args": {"loss": loss, "gradients": named(gradients, name), "params": params},
            "wrong": {key: error for key, error in errors.items() if error > 1e-9}}


def clear_cut(case: dict[str, Any]) -> bool:
    """Every wrong gradient off by more than 1e-3 relative, every right one within 1e-6 of a numerical gradient
    (its rounding noise: up to about 2e-7 on the spiral network)."""
    loss, params = case["args"]["loss"], case["args"]["params"]
    right = case["args"]["gradients"](params)
    for name in PARAMETER_NAMES:
        if name in case["wrong"]:
            if case["wrong"][name] < 1e-3:
                return False
        elif relative_error(right[name], numerical_gradient(lambda v: loss({**params, name: v}), params[name])) > 1e-6:
            return False
    return True


def bug_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """Visible: the chapter's suspect at the spiral's check point, loss_and_gradients' own there, and a
    3-4-2 network without ReLU's mask. Hidden: three random networks, each with 0-2 bugs drawn from BUGS."""
    if rng is None:
        X, y = spiral_data(100, 3)
        small = small_network(np.random.default_rng(909), (3, 4, 2))
        return [_bug_case(check_point(), X, y, 0.01, lambda p: suspect_gradients(p, X, y, 0.01), "suspect"),
                _bug_case(check_point(), X, y, 0.01, lambda p: loss_and_gradients(p, X, y, 0.01)[1], "right_ones"),
                _bug_case(**small, lam=0.1, gradients=lambda p: planted_gradients(
                    p, small["X"], small["y"], 0.1, frozenset({"no ReLU mask"})), name="no_relu_mask")]
    cases = []
    for count in rng.permutation([0, 1, 2]):
        while True:
            network_ = small_network(rng, _widths(rng))
            bugs = frozenset(str(bug) for bug in rng.choice(BUGS, int(count), replace=False))
            X, y, lam = network_["X"], network_["y"], float(rng.uniform(0.05, 0.5))
            case = _bug_case(network_["params"], X, y, lam,
                             lambda p, X=X, y=y, lam=lam, bugs=bugs: planted_gradients(p, X, y, lam, bugs), "planted")
            if clear_cut(case):
                cases.append(case)
                break
    return cases


def _names(got: Any, what: str) -> set[str]:
    """The student's answer as a set of parameter names; AssertionError for anything else."""
    __tracebackhide__ = True  # students see the message, not these frames
    if got is None:
        raise AssertionError(f"{what} returned None: did you forget the `return` statement?")
    if isinstance(got, str) or not isinstance(got, (list, tuple)) or not all(isinstance(n, str) for n in got):
        raise AssertionError(f"{what} returned {describe(got)}; expected a set of parameter names such as "
                             "{'W1', 'b2'} (an empty set when every gradient is right)")
    unknown = sorted(set(got) - set(PARAMETER_NAMES))
    if unknown:
        raise AssertionError(f"{what} returned {unknown}, which are not parameter names: {', '.join(PARAMETER_NAMES)}")
    return set(got)


def check_find_bugs(student: Any, seed: int | None = None) -> None:
    """find_bugs(loss, gradients, params) -> the names of the parameters whose gradients are wrong."""
    __tracebackhide__ = True  # students see the message, not these frames
    cases = bug_cases(generator(seed))
    whats = [f"find_bugs(loss, {case['args']['gradients'].__name__}, params of a "
             f"{'-'.join(str(s) for s in (*case['args']['params']['W1'].shape, case['args']['params']['W2'].shape[1]))}"
             " network)" for case in cases]
    for case, what, (got, failure) in zip(cases, whats, call_each(student, [case["args"] for case in cases], whats)):
        if failure:
            raise AssertionError(failure)
        found, wrong = _names(got, what), case["wrong"]
        missed, false = sorted(set(wrong) - found, key=PARAMETER_NAMES.index), sorted(found - set(wrong))
        if missed and false and found == set(PARAMETER_NAMES) - set(wrong):
            raise AssertionError(with_hint(f"{what} returned {', '.join(false)}, exactly the parameters whose gradients "
                                           f"are right, and missed {', '.join(missed)}",
                                           "the comparison is the wrong way round: a large error marks a bug"))
        if missed and not found:
            raise AssertionError(with_hint(
                f"{what} returned no names, but {', '.join(missed)} {'is' if len(missed) == 1 else 'are'} wrong",
                "compare each parameter's gradient with a numerical one of loss, nudging that parameter alone"))
        if missed:
            errors = ", ".join(f"{name} (relative error {wrong[name]:.1e})" for name in missed)
            raise AssertionError(with_hint(
                f"{what} missed {errors}: its gradient disagrees with the numerical one",
                "a threshold too loose, or one check over all parameters at once, where a large gradient hides "
                "a small one's error: compare each parameter on its own, relative error above about 1e-5 is a bug"))
        if false and len(found) == len(PARAMETER_NAMES):
            raise AssertionError(with_hint(
                f"{what} reported every parameter, but only {', '.join(sorted(wrong)) or 'none'} "
                f"{'is' if len(wrong) == 1 else 'are'} wrong", "a threshold too tight for a numerical gradient's rounding "
                "(errors below about 1e-6 are noise), or one check over all parameters at once, which condemns them "
                "all: nudge and compare each parameter on its own"))
        if false:
            raise AssertionError(with_hint(
                f"{what} reported {', '.join(false)}, whose gradient is right (within 1e-6 of a numerical gradient)",
                "a threshold too tight for a numerical gradient's rounding (errors below about 1e-6 are noise), "
                "or a nudge that was not put back before the next"))


# ---------------------------------------------------------------- exercise 4: the whole training

def turned(X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The spiral turned by a random angle, its classes renamed: as hard to learn, but another answer."""
    angle = rng.uniform(0, 2 * _pi)
    rotation = _array([[_cos(angle), -_sin(angle)], [_sin(angle), _cos(angle)]])
    return X @ rotation, rng.permutation(int(y.max()) + 1)[y]


def train_data(seed: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, X_held, y_held): the chapter's spiral (seed None), or the draw seed turned and relabelled."""
    X, y = spiral_data(100, 3, 0 if seed is None else seed)
    if seed is not None:
        X, y = turned(X, y, np.random.default_rng(seed))
    return held_out_split(X, y, HELD_OUT_PER_CLASS, 0 if seed is None else seed)


def accuracy_of(params: Params, X: np.ndarray, y: np.ndarray) -> float:
    """The share of X's rows the network classifies as y says."""
    with _errstate(all="ignore"):
        return float((network.predict(params, X) == y).mean())


TRAIN_ADVICE = {
    "guessing": "Did the loss fall at all? A sign error in a gradient or the update, or params that are not "
                "carried from one update to the next, leave the network guessing.",
    "slow": "Training stopped early: more epochs, momentum 0.9 and a learning rate around 0.2 with batches of 40 "
            "get there in about a second.",
    "overfit": "It fits the training samples but not the held-out ones: a larger λ smooths the boundaries.",
}


def check_train(student: Any, seed: int | None = None) -> None:
    """train(X, y, seed) -> params of the 2-h-3 network: at least 80 % accuracy on X, y and 60 % on the
    held-out samples. Visible: the chapter's spiral; hidden: another draw, turned and relabelled."""
    __tracebackhide__ = True  # students see the message, not these frames
    X, y, X_held, y_held = train_data(seed)
    what = f"train(X, y, seed={0 if seed is None else seed})" + ("" if seed is None else " on another spiral")
    params = keyed(call(student, {"X": X, "y": y, "seed": 0 if seed is None else seed}, what), PARAMETER_NAMES,
                   f"what {what} returned", in_order=False)
    params = {name: as_float_array(params[name], f"{what}: params[{name!r}]") for name in PARAMETER_NAMES}
    for name, shape in network.shapes(2, params["b1"].shape[-1], 3).items():
        if params[name].shape != shape:
            raise AssertionError(f"{what}: params[{name!r}] has shape {params[name].shape}, expected {shape}")
    if not all(_isfinite(value).all() for value in params.values()):
        raise AssertionError(f"{what} returned params holding NaN or infinity: training diverged. "
                             f"{TRAIN_ADVICE['guessing']} Or the learning rate is too large.")
    fit, held = accuracy_of(params, X, y), accuracy_of(params, X_held, y_held)
    if fit < TRAIN_ACCURACY or held < HELD_OUT_ACCURACY:
        advice = ("guessing" if fit < 0.5 else "slow" if fit < TRAIN_ACCURACY else "overfit")
        raise AssertionError(f"{what}: training accuracy {fit:.1%}, held-out accuracy {held:.1%}; required: at least "
                             f"{TRAIN_ACCURACY:.0%} and {HELD_OUT_ACCURACY:.0%}. {TRAIN_ADVICE[advice]}")


EXERCISES = [LOSS_AND_GRADIENTS, MINIBATCH_EPOCH]
# The checks the notebooks call, one per record.
(check_loss_and_gradients, check_minibatch_epoch) = (exercise.check for exercise in EXERCISES)
