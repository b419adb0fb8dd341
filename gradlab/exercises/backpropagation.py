"""Chapter 04's exercises (backpropagation), each an `Exercise` record (gradlab.checks).

The chapter works through a ReLU neuron, a dense layer, ReLU, cross-entropy and softmax; each exercise
asks for a relative the page has not shown: a sigmoid neuron, a linear layer stored the other way round,
ELU, softmax's backward pass as a vector-Jacobian product, a sigmoid output with binary cross-entropy
(judged by a gradient check alone), and the whole network. Without ``seed`` a check runs the visible
cases (the book's neuron and batch, the notebook's examples); with a ``seed`` it draws random batch
sizes, widths and values, with n, i and j all different wherever a transpose could hide, so a
hard-coded answer fails. Every record knows the plausible wrong answers and names them.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gradlab import network
from gradlab.backprop import init_network, network_gradients, network_loss
from gradlab.checks import Exercise, Mistake, as_float_array, with_hint
from gradlab.datasets import spiral_data
from gradlab.functions import sigmoid
from gradlab.network import PARAMETER_NAMES
from gradlab.nn import CLIP, Softmax, one_hot
from gradlab.numeric import numerical_gradient, relative_error

_abs, _clip, _log, _exp, _where, _sum = np.abs, np.clip, np.log, np.exp, np.where, np.sum
_asarray, _float64, _isfinite, _mean = np.asarray, np.float64, np.isfinite, np.mean

# Analytic gradients are exact up to rounding: 1e-9 relative, plus 1e-10 of the part's largest entry
# (a sum whose terms cancel may land near 0, where only an absolute tolerance makes sense).
EXACT = {"rtol": 1e-9, "atol": 1e-15, "scaled_atol": 1e-10}
GRADIENT_CHECK_LIMIT = 1e-6  # a right gradient's relative error against central differences is far below this


# ---------------------------------------------------------------- a sigmoid neuron's backward pass

def sigmoid_neuron_backward(x: np.ndarray, w: np.ndarray, b: float, dvalue: float) -> tuple[np.ndarray, np.ndarray, float]:
    """(dx (m,), dw (m,), db) of y = σ(x·w + b) for the upstream gradient dvalue; x and w (m,)."""
    x, w = _asarray(x, dtype=_float64), _asarray(w, dtype=_float64)
    s = float(sigmoid(_sum(x * w) + b))
    dz = dvalue * s * (1 - s)
    return dz * w, dz * x, dz


def _neuron(x: np.ndarray, w: np.ndarray, dz: float, db: float | None = None) -> tuple[np.ndarray, np.ndarray, float]:
    """(dz·w, dz·x, db or dz): the backward pass below the sigmoid for a given dz."""
    x, w = _asarray(x, dtype=_float64), _asarray(w, dtype=_float64)
    return dz * w, dz * x, dz if db is None else db


def _s(x: np.ndarray, w: np.ndarray, b: float) -> float:
    """σ(z) for z = x·w + b."""
    return float(sigmoid(_sum(_asarray(x) * _asarray(w)) + b))


SIGMOID_NEURON_MISTAKES = [
    Mistake("you left out the sigmoid's local derivative σ'(z) = σ(z)(1 − σ(z)): multiply dvalue by it first",
            lambda x, w, b, dvalue: _neuron(x, w, dvalue)),
    Mistake("that is σ(z), the sigmoid's output; its local derivative is σ(z)(1 − σ(z))",
            lambda x, w, b, dvalue: _neuron(x, w, dvalue * _s(x, w, b))),
    Mistake("σ'(z) = σ(z)(1 − σ(z)), not σ(z)(1 + σ(z))",
            lambda x, w, b, dvalue: _neuron(x, w, dvalue * _s(x, w, b) * (1 + _s(x, w, b)))),
    Mistake("that is ReLU's gate 1(z > 0); a sigmoid neuron passes dvalue · σ(z)(1 − σ(z))",
            lambda x, w, b, dvalue: _neuron(x, w, dvalue * float(_sum(_asarray(x) * _asarray(w)) + b > 0))),
    Mistake("dx and dw are swapped: ∂(x·w)/∂x = w, so dx = dz·w and dw = dz·x",
            lambda x, w, b, dvalue: _neuron(w, x, dvalue * _s(x, w, b) * (1 - _s(x, w, b)))),
    Mistake("multiply by the upstream gradient dvalue too (chain rule: dz = dvalue · σ'(z))",
            lambda x, w, b, dvalue: _neuron(x, w, _s(x, w, b) * (1 - _s(x, w, b)))),
    Mistake("the bias enters the sum with local derivative 1, so db = dz, not dz·b",
            lambda x, w, b, dvalue: _neuron(x, w, dvalue * _s(x, w, b) * (1 - _s(x, w, b)),
                                            dvalue * _s(x, w, b) * (1 - _s(x, w, b)) * b)),
    Mistake("sign error: these are derivatives of the output, not steps downhill; no minus sign",
            lambda x, w, b, dvalue: _neuron(x, w, -dvalue * _s(x, w, b) * (1 - _s(x, w, b)))),
]

BOOK_X, BOOK_W, BOOK_B = np.array([1.0, -2.0, 3.0]), np.array([-3.0, -1.0, 2.0]), 1.0


def sigmoid_neuron_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """The book's x and w (x·w = 5) with b = −5.5 and dvalue = 2 (z = −0.5), then b = −4 (z = 1), then b = −5 (z = 0);
    hidden: z
    negative then positive, |z| in [0.3, 2.5] (σ' well away from 0), every entry of x, w and b away from 0 and
    from each other. (A negative z first: there ReLU's gate, a likely slip, gives 0 and is told apart.)"""
    if rng is None:
        return [{"x": BOOK_X, "w": BOOK_W, "b": -5.5, "dvalue": 2.0},
                {"x": BOOK_X, "w": BOOK_W, "b": -4.0, "dvalue": 1.0},
                {"x": BOOK_X, "w": BOOK_W, "b": -5.0, "dvalue": -0.5}]
    m = int(rng.integers(2, 6))
    cases = []
    for sign in (-1.0, 1.0):
        while True:
            x, w = rng.uniform(-2, 2, m), rng.uniform(-2, 2, m)
            b = sign * float(rng.uniform(0.3, 2.5)) - float(_sum(x * w))
            if min(_abs(x).min(), _abs(w).min(), _abs(x - w).min(), abs(b), abs(b - 1)) > 0.2:
                break
        cases.append({"x": x, "w": w, "b": b, "dvalue": float(rng.choice([-1, 1]) * rng.uniform(0.5, 2.0))})
    return cases


def sigmoid_neuron_by_nodes(x: np.ndarray, w: np.ndarray, b: float, dvalue: float) -> tuple:
    """Right, written differently: node by node, σ' from e^(−z)."""
    z = float(np.dot(x, w) + b)
    dsigma_dz = np.exp(-z) / (1 + np.exp(-z)) ** 2
    dz = dvalue * dsigma_dz
    return [dz * wi for wi in w], [dz * xi for xi in x], dz


SIGMOID_NEURON_BACKWARD = Exercise(
    "sigmoid_neuron_backward", sigmoid_neuron_backward, sigmoid_neuron_cases, SIGMOID_NEURON_MISTAKES,
    parts=("dx", "dw", "db"), **EXACT,
    tuned=[lambda x, w, b, dvalue: _neuron(BOOK_X, BOOK_W, dvalue * _s(BOOK_X, BOOK_W, b) * (1 - _s(BOOK_X, BOOK_W, b)))],
    variants=[sigmoid_neuron_by_nodes])


# ---------------------------------------------------------------- a linear layer stored the other way round

def linear_backward(inputs: np.ndarray, weights: np.ndarray, dvalues: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dinputs (n, i), dweights (j, i), dbiases (1, j)) of outputs = inputs·weightsᵀ + biases, for inputs (n, i),
    weights (j, i) (one row per neuron, as PyTorch stores them) and dvalues (n, j)."""
    return dvalues @ weights, dvalues.T @ inputs, dvalues.sum(axis=0, keepdims=True)


def _linear(inputs: np.ndarray, weights: np.ndarray, dvalues: np.ndarray, dinputs: Any = None, dweights: Any = None,
            dbiases: Any = None) -> tuple[Any, Any, Any]:
    """The reference with some parts replaced by wrong ones."""
    right = linear_backward(inputs, weights, dvalues)
    return tuple(right[k] if part is None else part for k, part in enumerate((dinputs, dweights, dbiases)))


LINEAR_MISTAKES = [
    Mistake("that is the Dense layer's dvalues·Wᵀ; here the weights are stored (j, i), so dinputs = dvalues·W",
            lambda inputs, weights, dvalues: _linear(inputs, weights, dvalues, dinputs=dvalues @ weights.T)),
    Mistake("that is the Dense layer's Xᵀ·dvalues, of shape (i, j); these weights are (j, i): dweights = dvaluesᵀ·X",
            lambda inputs, weights, dvalues: _linear(inputs, weights, dvalues, dweights=inputs.T @ dvalues)),
    Mistake("the order of the product: dinputs = dvalues·W, not Wᵀ·dvalues",
            lambda inputs, weights, dvalues: _linear(inputs, weights, dvalues, dinputs=weights.T @ dvalues)),
    Mistake("the layer sums over samples; do not divide by n here (the loss's 1/n is already inside dvalues)",
            lambda inputs, weights, dvalues: _linear(inputs, weights, dvalues, dweights=dvalues.T @ inputs / len(inputs))),
    Mistake("sum the bias gradient over the samples: dbiases = dvalues.sum(axis=0, keepdims=True), shape (1, j)",
            lambda inputs, weights, dvalues: _linear(inputs, weights, dvalues, dbiases=dvalues)),
    Mistake("the bias gradient is summed over the wrong axis: sum the samples (axis=0), one entry per neuron",
            lambda inputs, weights, dvalues: _linear(inputs, weights, dvalues, dbiases=dvalues.sum(axis=1, keepdims=True))),
    Mistake("keep the biases' shape (1, j): dvalues.sum(axis=0, keepdims=True)",
            lambda inputs, weights, dvalues: _linear(inputs, weights, dvalues, dbiases=dvalues.sum(axis=0))),
    Mistake("sign error: the backward pass multiplies local derivatives; no minus sign",
            lambda inputs, weights, dvalues: tuple(-part for part in linear_backward(inputs, weights, dvalues))),
]
LINEAR_SHAPE_HINT = ("the shapes do not fit: here weights are (j, i), one row per neuron, and outputs = X·Wᵀ; "
                     "every gradient has the shape of what it is the gradient of")


def linear_cases(rng: np.random.Generator | None) -> list[dict[str, np.ndarray]]:
    """A square case first (a misplaced transpose still runs there, so it can be named), then shapes a transpose
    breaks. Visible: n = i = j = 3, then 3 samples of 4 features into 2 neurons. Hidden: one square case, two with
    n, i and j all different."""
    if rng is None:
        square = np.random.default_rng(404)
        return [{"inputs": square.standard_normal((3, 3)), "weights": square.standard_normal((3, 3)),
                 "dvalues": square.standard_normal((3, 3))},
                {"inputs": LAYER_INPUTS, "weights": LINEAR_WEIGHTS, "dvalues": LINEAR_DVALUES}]
    s = int(rng.integers(2, 6))
    shapes = [(s, s, s)] + [tuple(int(v) for v in rng.choice(np.arange(2, 8), 3, replace=False)) for _ in range(2)]
    return [{"inputs": rng.standard_normal((n, i)), "weights": rng.standard_normal((j, i)),
             "dvalues": rng.standard_normal((n, j))} for n, i, j in shapes]


# The notebook's batch: 3 samples with 4 features each; a linear layer of 2 neurons, weights stored (2, 4).
LAYER_INPUTS = np.array([[1.0, 2.0, -1.0, 0.5],
                         [0.0, -1.5, 2.0, 1.0],
                         [2.5, 0.5, 1.0, -2.0]])
LINEAR_WEIGHTS = np.array([[0.2, 0.4, -0.6, 0.3],
                           [-0.5, 0.3, 0.1, -0.4]])
LINEAR_DVALUES = np.array([[1.0, -1.0],
                           [0.5, 2.0],
                           [-1.0, 0.5]])


def linear_by_samples(inputs: np.ndarray, weights: np.ndarray, dvalues: np.ndarray) -> tuple:
    """Right, written differently: one sample at a time, summing the weight gradients."""
    dinputs, dweights = np.zeros(inputs.shape), np.zeros(weights.shape)
    for n in range(len(inputs)):
        dinputs[n] = dvalues[n] @ weights
        dweights += np.outer(dvalues[n], inputs[n])
    return dinputs, dweights, np.sum(dvalues, axis=0, keepdims=True)


LINEAR_BACKWARD = Exercise(
    "linear_backward", linear_backward, linear_cases, LINEAR_MISTAKES, parts=("dinputs", "dweights", "dbiases"),
    **EXACT, shape_hint=LINEAR_SHAPE_HINT,
    variants=[lambda inputs, weights, dvalues: (np.einsum("nj,ji->ni", dvalues, weights),
                                                np.einsum("nj,ni->ji", dvalues, inputs),
                                                np.ones((1, len(dvalues))) @ dvalues),
              linear_by_samples])


# ---------------------------------------------------------------- ELU's backward pass

def elu_backward(inputs: np.ndarray, dvalues: np.ndarray, alpha: float) -> np.ndarray:
    """dL/dinputs of ELU(x) = x for x > 0, alpha·(eˣ − 1) otherwise: dvalues·1 where x > 0, dvalues·alpha·eˣ
    elsewhere (at exactly 0 the left slope, alpha, as ReLU takes 0 there)."""
    return dvalues * _where(inputs > 0, 1.0, alpha * _exp(np.minimum(inputs, 0.0)))


ELU_MISTAKES = [
    Mistake("at exactly 0 take the left slope, alpha·e⁰ = alpha, as ReLU takes 0 there: use inputs > 0, not >= 0",
            lambda inputs, dvalues, alpha: dvalues * _where(inputs >= 0, 1.0, alpha * _exp(np.minimum(inputs, 0.0)))),
    Mistake("that is ELU's output alpha·(eˣ − 1) for x ≤ 0; its derivative there is alpha·eˣ (the −1 is a constant)",
            lambda inputs, dvalues, alpha: dvalues * _where(inputs > 0, 1.0, alpha * (_exp(np.minimum(inputs, 0.0)) - 1))),
    Mistake("the derivative of alpha·(eˣ − 1) is alpha·eˣ: keep the factor alpha",
            lambda inputs, dvalues, alpha: dvalues * _where(inputs > 0, 1.0, _exp(np.minimum(inputs, 0.0)))),
    Mistake("that is ReLU's backward pass: for x ≤ 0 ELU still has slope alpha·eˣ, not 0",
            lambda inputs, dvalues, alpha: dvalues * (inputs > 0)),
    Mistake("multiply by dvalues too (chain rule): dinputs = dvalues · ELU'(x)",
            lambda inputs, dvalues, alpha: _where(inputs > 0, 1.0, alpha * _exp(np.minimum(inputs, 0.0)))),
    Mistake("the slope follows the layer's input (x > 0), not the sign of dvalues",
            lambda inputs, dvalues, alpha: dvalues * _where(dvalues > 0, 1.0, alpha * _exp(np.minimum(inputs, 0.0)))),
    Mistake("e^(−x) where eˣ belongs: d/dx alpha·(eˣ − 1) = alpha·eˣ",
            lambda inputs, dvalues, alpha: dvalues * _where(inputs > 0, 1.0, alpha * _exp(-np.minimum(inputs, 0.0)))),
]


def elu_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """Batches with inputs of both signs, exact zeros, and dvalues of both signs; alpha 1.0 and 0.5 (visible) or
    random in [0.2, 2] away from 1 (hidden)."""
    if rng is None:
        first = {"inputs": np.array([[1.5, -2.0, 0.0], [0.0, 3.0, -0.5]]),
                 "dvalues": np.array([[-1.0, 2.0, 0.5], [1.0, 0.25, 3.0]]), "alpha": 1.0}
        visible = np.random.default_rng(405)
        second = _with_kinks(np.round(visible.normal(0, 1.5, (4, 5)), 1), visible)
        return [first, {**second, "alpha": 0.5}]
    cases = []
    for _ in range(2):
        shape = tuple(int(v) for v in rng.integers(2, 7, 2))
        alpha = float(rng.choice([rng.uniform(0.2, 0.8), rng.uniform(1.3, 2.0)]))
        cases.append({**_with_kinks(np.round(rng.normal(0, 1.5, shape), 1), rng), "alpha": alpha})
    return cases


def _with_kinks(inputs: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """inputs with dvalues such that every known mistake shows: an input of exactly 0, inputs of both signs where
    dvalues has the other sign."""
    dvalues = rng.choice([-1.0, 1.0], inputs.shape) * rng.uniform(0.2, 2.0, inputs.shape)
    picks = rng.choice(inputs.size, 3, replace=False)
    inputs, flat_d = inputs.copy(), dvalues.reshape(-1)
    flat_x = inputs.reshape(-1)
    flat_x[picks[0]], flat_d[picks[0]] = 0.0, abs(flat_d[picks[0]])                          # on the kink
    flat_x[picks[1]], flat_d[picks[1]] = abs(flat_x[picks[1]]) + 0.3, -abs(flat_d[picks[1]])  # x > 0, dvalue < 0
    flat_x[picks[2]], flat_d[picks[2]] = -abs(flat_x[picks[2]]) - 0.3, abs(flat_d[picks[2]])  # x < 0, dvalue > 0
    return {"inputs": inputs, "dvalues": dvalues}


def elu_from_outputs(inputs: np.ndarray, dvalues: np.ndarray, alpha: float) -> np.ndarray:
    """Right, written differently: for x ≤ 0, ELU'(x) = ELU(x) + alpha."""
    outputs = np.where(inputs > 0, inputs, alpha * (np.exp(np.minimum(inputs, 0)) - 1))
    return dvalues * np.where(inputs > 0, 1.0, outputs + alpha)


ELU_BACKWARD = Exercise(
    "elu_backward", elu_backward, elu_cases, ELU_MISTAKES, **EXACT,
    tuned=[lambda inputs, dvalues, alpha: elu_backward(inputs, dvalues, 1.0 if alpha == 1.0 else 0.5)],
    variants=[elu_from_outputs, lambda inputs, dvalues, alpha: dvalues * np.piecewise(
        inputs, [inputs > 0], [1.0, lambda v: alpha * np.exp(v)])])


# ---------------------------------------------------------------- softmax's backward pass, a batch of VJPs

def softmax_backward(probs: np.ndarray, dvalues: np.ndarray) -> np.ndarray:
    """dL/dlogits (n, k) from dL/dprobs (n, k), probs (n, k) the softmax outputs: each row dvalues·J with
    J = diag(s) − s sᵀ, without building J: s ⊙ (dvalues − (dvalues·s) summed over the row)."""
    return probs * (dvalues - _sum(dvalues * probs, axis=1, keepdims=True))


SOFTMAX_MISTAKES = [
    Mistake("that is the diagonal of J alone, s(1 − s): the off-diagonal −sᵢsⱼ terms add −s ⊙ Σⱼ dvaluesⱼ sⱼ",
            lambda probs, dvalues: dvalues * probs * (1 - probs)),
    Mistake("subtract the row's weighted sum Σⱼ dvaluesⱼ sⱼ from dvalues before multiplying by s: "
            "dlogits = s ⊙ (dvalues − Σⱼ dvaluesⱼ sⱼ)",
            lambda probs, dvalues: probs * dvalues),
    Mistake("sum over each sample's classes (axis=1, keepdims=True), not over the samples",
            lambda probs, dvalues: probs * (dvalues - _sum(dvalues * probs, axis=0, keepdims=True))),
    Mistake("the weighted sum is Σⱼ dvaluesⱼ sⱼ, with the probabilities as weights, not the plain Σⱼ dvaluesⱼ",
            lambda probs, dvalues: probs * (dvalues - _sum(dvalues, axis=1, keepdims=True))),
    Mistake("multiply by s: each row is s ⊙ (dvalues − Σⱼ dvaluesⱼ sⱼ)",
            lambda probs, dvalues: dvalues - _sum(dvalues * probs, axis=1, keepdims=True)),
    Mistake("sign error: J = diag(s) − s sᵀ, so the weighted sum is subtracted",
            lambda probs, dvalues: probs * (dvalues + _sum(dvalues * probs, axis=1, keepdims=True))),
]


def softmax_cases(rng: np.random.Generator | None) -> list[dict[str, np.ndarray]]:
    """Visible: the book's batch with cross-entropy's gradient as dvalues (the answer is then (ŷ − y)/n), then a
    4 × 3 batch with arbitrary dvalues. Hidden: random n and k (n ≠ k, so a wrong axis breaks the shape), random
    logits and dvalues, then again with cross-entropy's gradient."""
    if rng is None:
        probs = np.array([[0.1, 0.6, 0.3], [0.25, 0.25, 0.5], [0.7, 0.2, 0.1], [0.3, 0.3, 0.4]])
        return [{"probs": BOOK_PROBS, "dvalues": -one_hot(BOOK_LABELS, 3) / BOOK_PROBS / 3},
                {"probs": probs, "dvalues": np.array([[1.0, -2.0, 0.5], [0.0, 1.0, -1.0], [2.0, 0.5, 0.5],
                                                      [-1.0, 0.0, 3.0]])}]
    k = int(rng.integers(2, 6))
    n = int(rng.choice([v for v in range(2, 8) if v != k]))
    probs = softmax_rows(rng.normal(0, 1.5, (n, k)))
    labels = rng.integers(0, k, n)
    return [{"probs": probs, "dvalues": rng.normal(0, 1, (n, k))},
            {"probs": probs, "dvalues": -one_hot(labels, k) / _clip(probs, CLIP, 1 - CLIP) / n}]


# The book's batch of three softmax outputs (Neural Networks from Scratch, ch. 5) and its labels dog, cat, cat.
BOOK_PROBS = np.array([[0.7, 0.1, 0.2], [0.1, 0.5, 0.4], [0.02, 0.9, 0.08]])
BOOK_LABELS = np.array([0, 1, 1])


def softmax_rows(logits: np.ndarray) -> np.ndarray:
    """Softmax of each row (n, k)."""
    return Softmax().forward(logits)


def softmax_by_jacobians(probs: np.ndarray, dvalues: np.ndarray) -> np.ndarray:
    """Right, written differently (the slow way): every sample's Jacobian built, then multiplied."""
    out = np.empty_like(dvalues)
    for row, (s, d) in enumerate(zip(probs, dvalues)):
        out[row] = (np.diagflat(s) - np.outer(s, s)) @ d
    return out


SOFTMAX_BACKWARD = Exercise(
    "softmax_backward", softmax_backward, softmax_cases, SOFTMAX_MISTAKES, **EXACT,
    variants=[softmax_by_jacobians,
              lambda probs, dvalues: probs * dvalues - probs * np.einsum("nk,nk->n", probs, dvalues)[:, None]])


# ---------------------------------------------------------------- a sigmoid output with binary cross-entropy

def sigmoid_bce_loss(logits: np.ndarray, y_true: np.ndarray) -> float:
    """Mean binary cross-entropy of σ(logits) (n,) against 0/1 labels (n,), probabilities clipped as for softmax."""
    p = _clip(sigmoid(logits), CLIP, 1 - CLIP)
    return float(-_mean(y_true * _log(p) + (1 - y_true) * _log(1 - p)))


def sigmoid_bce_backward(logits: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """dL/dlogits (n,) of sigmoid_bce_loss: (σ(z) − y)/n."""
    return (sigmoid(logits) - y_true) / len(logits)


def judge_by_gradient_check(exercise: Exercise, got: Any, case: dict[str, Any], what: str) -> None:
    """The answer's shape, then its relative error against central differences of the loss (no formula compared)."""
    __tracebackhide__ = True  # students see the message, not these frames
    value = as_float_array(got, what)
    shape = _asarray(case["logits"]).shape
    if value.shape != shape:
        raise AssertionError(f"{what} returned shape {value.shape}, expected {shape}: one gradient per logit")
    if not _isfinite(value).all():
        raise AssertionError(f"{what} returned NaN or infinity")
    numerical = numerical_gradient(lambda z: sigmoid_bce_loss(z, case["y_true"]), case["logits"])
    error = relative_error(value, numerical)
    if not error < GRADIENT_CHECK_LIMIT:
        raise AssertionError(with_hint(
            f"{what}: gradient check failed, relative error {error:.1e} against central differences of the loss "
            f"(a right gradient is below {GRADIENT_CHECK_LIMIT:g})", exercise.likely_mistake(value, case)))


BCE_MISTAKES = [
    Mistake("divide by n, the number of samples: the loss is a mean", lambda logits, y_true: sigmoid(logits) - y_true),
    Mistake("sign error: dL/dz = (σ(z) − y)/n", lambda logits, y_true: (y_true - sigmoid(logits)) / len(logits)),
    Mistake("that is dL/dp, the gradient with respect to the probability; chain it through σ'(z) = p(1 − p)",
            lambda logits, y_true: -(y_true / sigmoid(logits) - (1 - y_true) / (1 - sigmoid(logits))) / len(logits)),
    Mistake("σ'(z) = p(1 − p) cancels against dL/dp's denominator: (σ(z) − y)/n, with no extra factor p(1 − p)",
            lambda logits, y_true: (sigmoid(logits) - y_true) * sigmoid(logits) * (1 - sigmoid(logits)) / len(logits)),
    Mistake("use σ(z), the probability, not the logit z itself: (σ(z) − y)/n",
            lambda logits, y_true: (logits - y_true) / len(logits)),
]


def bce_cases(rng: np.random.Generator | None) -> list[dict[str, np.ndarray]]:
    """Logits of both signs and both labels: five visible samples, then random batches of 3 to 12."""
    if rng is None:
        return [{"logits": np.array([2.0, -1.0, 0.5, -3.0, 0.0]), "y_true": np.array([1.0, 0.0, 0.0, 1.0, 1.0])}]
    cases = []
    for _ in range(2):
        n = int(rng.integers(3, 13))
        y = rng.integers(0, 2, n).astype(float)
        y[:2] = (0.0, 1.0)
        cases.append({"logits": rng.uniform(-4, 4, n), "y_true": y})
    return cases


SIGMOID_BCE_BACKWARD = Exercise(
    "sigmoid_bce_backward", sigmoid_bce_backward, bce_cases, BCE_MISTAKES, rtol=1e-5, atol=1e-9,
    judge=judge_by_gradient_check,
    tuned=[lambda logits, y_true: sigmoid_bce_backward(logits, y_true) * (len(logits) == 5)],
    variants=[lambda logits, y_true: (1 / (1 + np.exp(-logits)) - y_true) / logits.size,
              lambda logits, y_true: -(y_true * (1 - 1 / (1 + np.exp(-logits)))
                                       - (1 - y_true) / (1 + np.exp(-logits))) / len(logits)])


# ---------------------------------------------------------------- the whole network

def _network(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray, *, scale: float = 1.0,
             mask: bool = True, subtract_y: bool = True, w2_transposed: bool = True, dw2_from_output: bool = True,
             bias_sum: Callable[[np.ndarray], np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """The network's backward pass with one step done wrong (every keyword at its default: the right one)."""
    z1, a1, _, probs = network.forward(params, X)
    dz2 = (probs - (one_hot(y, probs.shape[1]) if subtract_y else 0.0)) / len(X) * scale
    da1 = dz2 @ (params["W2"].T if w2_transposed else params["W2"])
    dz1 = da1 * (z1 > 0) if mask else da1
    bias = bias_sum or (lambda d: d.sum(axis=0, keepdims=True))
    return {"W1": X.T @ dz1, "b1": bias(dz1), "W2": (a1 if dw2_from_output else z1).T @ dz2, "b2": bias(dz2)}


NETWORK_MISTAKES = [
    Mistake("divide the softmax + cross-entropy gradient by n: every gradient here is n times too large",
            lambda params, X, y: _network(params, X, y, scale=len(X))),
    Mistake("subtract the one-hot labels: dlogits = (ŷ − y)/n, not ŷ/n",
            lambda params, X, y: _network(params, X, y, subtract_y=False)),
    Mistake("sign error: dlogits = (ŷ − y)/n, and no minus signs after it",
            lambda params, X, y: _network(params, X, y, scale=-1.0)),
    Mistake("W2 where W2ᵀ belongs: the gradient reaching the hidden layer is dlogits·W2ᵀ",
            lambda params, X, y: _network(params, X, y, w2_transposed=False)),
    Mistake("you left out ReLU's backward pass: zero the hidden gradient where z1 = X·W1 + b1 is ≤ 0",
            lambda params, X, y: _network(params, X, y, mask=False)),
    Mistake("dW2 = a1ᵀ·dlogits with a1 = ReLU(z1), the input of the second layer, not z1",
            lambda params, X, y: _network(params, X, y, dw2_from_output=False)),
    Mistake("sum the bias gradients over the samples: shape (1, width), not (n, width)",
            lambda params, X, y: _network(params, X, y, bias_sum=lambda d: d)),
    Mistake("the bias gradients are summed over the wrong axis: sum the samples (axis=0, keepdims=True)",
            lambda params, X, y: _network(params, X, y, bias_sum=lambda d: d.sum(axis=1, keepdims=True))),
]

NETWORK_SHAPE_HINT = ("the shapes do not fit: backward through a dense layer, dW = inputᵀ·d(output), "
                      "db = d(output) summed over samples, d(input) = d(output)·Wᵀ")


def book_network() -> dict[str, Any]:
    """The visible case: spiral_data(100, 3) and a Dense(2, 3)–ReLU–Dense(3, 3) network from init_network(seed 0)."""
    X, y = spiral_data(100, 3)
    return {"params": init_network(2, 3, 3, np.random.default_rng(0)), "X": X, "y": y}


def numerical_errors(gradients: dict[str, np.ndarray], params: dict[str, np.ndarray], X: np.ndarray,
                     y: np.ndarray) -> dict[str, float]:
    """Relative error of each gradient against gradlab.numeric.numerical_gradient of the loss."""
    return {name: relative_error(gradients[name], numerical_gradient(
        lambda value: network_loss({**params, name: value}, X, y), params[name])) for name in PARAMETER_NAMES}


def well_conditioned(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray) -> bool:
    """No sample near ReLU's kink and every parameter's numerical gradient within 1e-8 of the analytic one."""
    if _abs(X @ params["W1"] + params["b1"]).min() < 1e-3:
        return False
    return max(numerical_errors(network_gradients(params, X, y), params, X, y).values()) < 1e-8


def network_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """Visible: the spiral network. Hidden: hidden width = classes (a missing transpose still runs), then
    n, inputs, hidden width and classes all different; drawn again until the numerical check is clean."""
    if rng is None:
        return [book_network()]
    cases = []
    for equal_widths in (True, False):
        while True:
            i, h, k = (int(v) for v in rng.choice(np.arange(2, 7), 3, replace=False))
            if equal_widths:
                h = k
            n = int(rng.integers(8, 30))
            params = init_network(i, h, k, rng)
            X, y = rng.normal(0, 1, (n, i)), rng.integers(0, k, n)
            if well_conditioned(params, X, y):
                break
        cases.append({"params": params, "X": X, "y": y})
    return cases


def network_by_hand(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray) -> tuple:
    """Right, written differently: every step inline, returned as a tuple in the order W1, b1, W2, b2."""
    W1, b1, W2, b2 = (params[name] for name in PARAMETER_NAMES)
    z1 = X @ W1 + b1
    a1 = np.maximum(z1, 0)
    logits = a1 @ W2 + b2
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    dlogits = e / e.sum(axis=1, keepdims=True)
    dlogits[np.arange(len(X)), y] -= 1
    dlogits /= len(X)
    dz1 = (dlogits @ W2.T) * (z1 > 0)
    return X.T @ dz1, dz1.sum(axis=0, keepdims=True), a1.T @ dlogits, dlogits.sum(axis=0, keepdims=True)


# The gradients are a dict keyed W1, b1, W2, b2 (a tuple in that order is accepted too).
NETWORK_GRADIENTS = Exercise(
    "network_gradients", network_gradients, network_cases, NETWORK_MISTAKES, **EXACT, shape_hint=NETWORK_SHAPE_HINT,
    variants=[network_by_hand])


EXERCISES = [SIGMOID_NEURON_BACKWARD, LINEAR_BACKWARD, ELU_BACKWARD, SOFTMAX_BACKWARD, SIGMOID_BCE_BACKWARD,
             NETWORK_GRADIENTS]
# The checks the notebooks call, one per record.
(check_sigmoid_neuron_backward, check_linear_backward, check_elu_backward, check_softmax_backward,
 check_sigmoid_bce_backward, check_network_gradients) = (exercise.check for exercise in EXERCISES)
