"""Chapter 04's exercises (backpropagation), each an `Exercise` record (gradlab.checks).

Each ``check_*`` takes the student's function. Without ``seed`` it runs the visible cases (the
book's neuron and probabilities, the notebook's examples); with a ``seed`` it draws random batch
sizes, widths, values and labels, with n, i and j all different wherever a transpose could hide,
so a hard-coded answer fails. Every record knows the plausible wrong answers and names them.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from gradlab import network
from gradlab.backprop import init_network, network_gradients, network_loss, neuron_backward
from gradlab.checks import Exercise, Mistake, with_hint
from gradlab.datasets import spiral_data
from gradlab.network import PARAMETER_NAMES
from gradlab.nn import CLIP, Dense, ReLU, Softmax, one_hot
from gradlab.numeric import numerical_gradient, relative_error

_abs, _clip, _log, _eye, _where, _sum, _all, _round = np.abs, np.clip, np.log, np.eye, np.where, np.sum, np.all, np.round
_maximum, _asarray, _float64 = np.maximum, np.asarray, np.float64

# Analytic gradients are exact up to rounding: 1e-9 relative, plus 1e-10 of the part's largest entry
# (a sum whose terms cancel may land near 0, where only an absolute tolerance makes sense).
EXACT = {"rtol": 1e-9, "atol": 1e-15, "scaled_atol": 1e-10}
LABEL_ATOL = 1e-13  # cross-entropy gradients are quotients and differences of numbers ≤ 1: no cancellation

SHAPE_HINT = ("the shapes do not fit, so a transpose is missing or misplaced: dinputs = dvalues·Wᵀ, "
              "(n, j)·(j, i) → (n, i); dweights = Xᵀ·dvalues, (i, n)·(n, j) → (i, j)")


# ---------------------------------------------------------------- one neuron's backward pass

def _relu_mask(x: np.ndarray, w: np.ndarray, b: float) -> float:
    """1(z > 0) for z = x·w + b."""
    return 1.0 if float(_sum(_asarray(x) * _asarray(w)) + b) > 0 else 0.0


def _neuron(x: np.ndarray, w: np.ndarray, dz: float, db: float | None = None) -> tuple[np.ndarray, np.ndarray, float]:
    """(dz·w, dz·x, db or dz): the backward pass below the ReLU node for a given dz."""
    x, w = _asarray(x, dtype=_float64), _asarray(w, dtype=_float64)
    return dz * w, dz * x, dz if db is None else db


NEURON_MISTAKES = [
    Mistake("ReLU's derivative at z = 0 is taken as 0: use 1(z > 0), not z >= 0",
            lambda x, w, b, dvalue: _neuron(x, w, dvalue * (1.0 if float(_sum(x * w) + b) >= 0 else 0.0))),
    Mistake("you left out ReLU's local derivative 1(z > 0): when z ≤ 0 the output does not move, so every gradient is 0",
            lambda x, w, b, dvalue: _neuron(x, w, dvalue)),
    Mistake("dx and dw are swapped: ∂(x·w)/∂x = w, so dx = dz·w and dw = dz·x",
            lambda x, w, b, dvalue: _neuron(w, x, dvalue * _relu_mask(x, w, b))),
    Mistake("multiply by the upstream gradient dvalue too (chain rule: dz = dvalue · 1(z > 0))",
            lambda x, w, b, dvalue: _neuron(x, w, _relu_mask(x, w, b))),
    Mistake("ReLU's local derivative is 1(z > 0), not its output max(z, 0)",
            lambda x, w, b, dvalue: _neuron(x, w, dvalue * max(float(_sum(x * w) + b), 0.0))),
    Mistake("the bias enters the sum with local derivative 1, so db = dz, not dz·b",
            lambda x, w, b, dvalue: _neuron(x, w, dvalue * _relu_mask(x, w, b), dvalue * _relu_mask(x, w, b) * b)),
    Mistake("sign error: these are derivatives of the output, not steps downhill; no minus sign",
            lambda x, w, b, dvalue: _neuron(x, w, -dvalue * _relu_mask(x, w, b))),
]

BOOK_X, BOOK_W, BOOK_B = np.array([1.0, -2.0, 3.0]), np.array([-3.0, -1.0, 2.0]), 1.0


def neuron_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """z > 0, z > 0 with another bias and upstream gradient, z < 0, then z = 0 exactly.

    Hidden cases use integers for x, w and b, so z is exact in any order of summation and z = 0 is
    really 0; z is ±2 or ±3 (never 1, where ReLU's output equals its derivative) and b is never 1.
    """
    if rng is None:
        return [{"x": BOOK_X, "w": BOOK_W, "b": BOOK_B, "dvalue": 1.0},
                {"x": BOOK_X, "w": BOOK_W, "b": 2.5, "dvalue": -0.5},
                {"x": BOOK_X, "w": BOOK_W, "b": -7.0, "dvalue": 1.0},
                {"x": BOOK_X, "w": BOOK_W, "b": -5.0, "dvalue": 1.0}]
    m = int(rng.integers(2, 6))
    cases = []
    for target in (1, -1, 0):  # the sign of z
        while True:
            x = rng.integers(-3, 4, m).astype(float)
            w = rng.integers(-3, 4, m).astype(float)
            b = float(target * rng.integers(2, 4)) - float(_sum(x * w))  # z = x·w + b = target · (2 or 3)
            if _all(x != w) and _all(x != 0) and _all(w != 0) and b != 1.0:  # every mistake shows
                break
        dvalue = float(rng.choice([-1, 1]) * rng.uniform(0.5, 2.0))
        cases.append({"x": x, "w": w, "b": b, "dvalue": dvalue})
    return cases


def book_neuron_only(x: np.ndarray, w: np.ndarray, b: float, dvalue: float) -> tuple:
    """Tuned: hard-codes the book's x and w; right only while they are the inputs."""
    dz = dvalue * (np.dot([1.0, -2.0, 3.0], [-3.0, -1.0, 2.0]) + b > 0)
    return dz * np.array([-3.0, -1.0, 2.0]), dz * np.array([1.0, -2.0, 3.0]), dz


def neuron_book_style(x: np.ndarray, w: np.ndarray, b: float, dvalue: float) -> tuple:
    """Right, written differently: lists, as the book's first version."""
    z = sum(x[i] * w[i] for i in range(len(x))) + b
    drelu_dz = dvalue * (1.0 if z > 0 else 0.0)
    return [drelu_dz * wi for wi in w], [drelu_dz * xi for xi in x], drelu_dz


# The book's neuron gives dx = [−3, −1, 2], dw = [1, −2, 3] and db = 1.
NEURON_BACKWARD = Exercise(
    "neuron_backward", neuron_backward, neuron_cases, NEURON_MISTAKES, parts=("dx", "dw", "db"), **EXACT,
    tuned=[book_neuron_only],
    variants=[neuron_book_style, lambda x, w, b, dvalue: (dvalue * np.heaviside(x @ w + b, 0.0) * w,
                                                          dvalue * np.heaviside(x @ w + b, 0.0) * x,
                                                          np.float64(dvalue * np.heaviside(x @ w + b, 0.0)))])


# ---------------------------------------------------------------- a dense layer's backward pass

def dense_backward(inputs: np.ndarray, weights: np.ndarray, dvalues: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The reference: (dinputs (n, i), dweights (i, j), dbiases (1, j)) for inputs (n, i), weights (i, j), dvalues (n, j)."""
    layer = Dense(*weights.shape)
    layer.weights = weights
    layer.forward(inputs)
    dinputs = layer.backward(dvalues)
    return dinputs, layer.dweights, layer.dbiases


def _dense(inputs: np.ndarray, weights: np.ndarray, dvalues: np.ndarray, dinputs: Any = None, dweights: Any = None,
           dbiases: Any = None) -> tuple[Any, Any, Any]:
    """The reference with some parts replaced by wrong ones."""
    right = dense_backward(inputs, weights, dvalues)
    return tuple(right[k] if part is None else part for k, part in enumerate((dinputs, dweights, dbiases)))


DENSE_MISTAKES = [
    Mistake("dinputs = dvalues·Wᵀ, not dvalues·W: (n, j)·(j, i) gives the inputs' shape (n, i)",
            lambda inputs, weights, dvalues: _dense(inputs, weights, dvalues, dinputs=dvalues @ weights)),
    Mistake("the order of the product: dinputs = dvalues·Wᵀ, not Wᵀ·dvalues",
            lambda inputs, weights, dvalues: _dense(inputs, weights, dvalues, dinputs=weights.T @ dvalues)),
    Mistake("that is dweights = Xᵀ·dvalues; for dinputs use dvalues·Wᵀ",
            lambda inputs, weights, dvalues: _dense(inputs, weights, dvalues, dinputs=inputs.T @ dvalues)),
    Mistake("dweights = Xᵀ·dvalues, not X·dvalues: (i, n)·(n, j) gives the weights' shape (i, j)",
            lambda inputs, weights, dvalues: _dense(inputs, weights, dvalues, dweights=inputs @ dvalues)),
    Mistake("the order of the product: dweights = Xᵀ·dvalues, not dvaluesᵀ·X (that is its transpose)",
            lambda inputs, weights, dvalues: _dense(inputs, weights, dvalues, dweights=dvalues.T @ inputs)),
    Mistake("the layer sums over samples; do not divide by n here (the loss's 1/n is already inside dvalues)",
            lambda inputs, weights, dvalues: _dense(inputs, weights, dvalues, dweights=inputs.T @ dvalues / len(inputs))),
    Mistake("that is dinputs = dvalues·Wᵀ; for dweights use Xᵀ·dvalues",
            lambda inputs, weights, dvalues: _dense(inputs, weights, dvalues, dweights=dvalues @ weights.T)),
    Mistake("sum the bias gradient over the samples: dbiases = dvalues.sum(axis=0, keepdims=True), shape (1, j), not (n, j)",
            lambda inputs, weights, dvalues: _dense(inputs, weights, dvalues, dbiases=dvalues)),
    Mistake("the bias gradient is summed over the wrong axis: sum the samples (axis=0), one entry per neuron",
            lambda inputs, weights, dvalues: _dense(inputs, weights, dvalues, dbiases=dvalues.sum(axis=1, keepdims=True))),
    Mistake("the bias gradient is summed over the wrong axis: sum the samples (axis=0, keepdims=True), one entry per neuron",
            lambda inputs, weights, dvalues: _dense(inputs, weights, dvalues, dbiases=dvalues.sum(axis=1))),
    Mistake("keep the biases' shape (1, j): dvalues.sum(axis=0, keepdims=True)",
            lambda inputs, weights, dvalues: _dense(inputs, weights, dvalues, dbiases=dvalues.sum(axis=0))),
    Mistake("sum the bias gradient over the samples, do not average it (the loss's 1/n is already inside dvalues)",
            lambda inputs, weights, dvalues: _dense(inputs, weights, dvalues, dbiases=dvalues.mean(axis=0, keepdims=True))),
    Mistake("sign error: the backward pass multiplies local derivatives; no minus sign",
            lambda inputs, weights, dvalues: tuple(-part for part in dense_backward(inputs, weights, dvalues))),
]


def dense_cases(rng: np.random.Generator | None) -> list[dict[str, np.ndarray]]:
    """A square case first (a misplaced transpose still runs there, so it can be named), then shapes a transpose breaks.

    Visible: n = i = j = 3, then 3 samples of 4 features into 3 neurons. Hidden: one square case
    and two with n, i, j all different.
    """
    if rng is None:
        square = np.random.default_rng(404)
        return [{"inputs": square.standard_normal((3, 3)), "weights": square.standard_normal((3, 3)),
                 "dvalues": square.standard_normal((3, 3))},
                {"inputs": LAYER_INPUTS, "weights": LAYER_WEIGHTS, "dvalues": LAYER_DVALUES}]
    s = int(rng.integers(2, 6))
    shapes = [(s, s, s)] + [tuple(int(v) for v in rng.choice(np.arange(2, 8), 3, replace=False)) for _ in range(2)]
    return [{"inputs": rng.standard_normal((n, i)), "weights": rng.standard_normal((i, j)),
             "dvalues": rng.standard_normal((n, j))} for n, i, j in shapes]


# The notebook's layer example: a batch of 3 samples with 4 features each, a layer of 3 neurons.
LAYER_INPUTS = np.array([[1.0, 2.0, -1.0, 0.5],
                         [0.0, -1.5, 2.0, 1.0],
                         [2.5, 0.5, 1.0, -2.0]])
LAYER_WEIGHTS = np.array([[0.2, -0.5, 0.1],
                          [0.4, 0.3, -0.2],
                          [-0.6, 0.1, 0.5],
                          [0.3, -0.4, 0.2]])
LAYER_DVALUES = np.array([[1.0, 0.0, -1.0],
                          [0.5, 2.0, 0.0],
                          [-1.0, 1.0, 0.5]])


def dense_by_samples(inputs: np.ndarray, weights: np.ndarray, dvalues: np.ndarray) -> tuple:
    """Right, written differently: one sample at a time, summing the weight gradients."""
    dinputs, dweights = np.zeros(inputs.shape), np.zeros(weights.shape)
    for n in range(len(inputs)):
        dinputs[n] = np.dot(weights, dvalues[n])
        dweights += np.outer(inputs[n], dvalues[n])
    return dinputs, dweights, np.sum(dvalues, axis=0, keepdims=True)


DENSE_BACKWARD = Exercise(
    "dense_backward", dense_backward, dense_cases, DENSE_MISTAKES, parts=("dinputs", "dweights", "dbiases"), **EXACT,
    shape_hint=SHAPE_HINT,
    variants=[lambda inputs, weights, dvalues: (np.einsum("nj,ij->ni", dvalues, weights),
                                                np.einsum("ni,nj->ij", inputs, dvalues),
                                                np.ones((1, len(dvalues))) @ dvalues),
              dense_by_samples])


# ---------------------------------------------------------------- ReLU's backward pass

def relu_backward(inputs: np.ndarray, dvalues: np.ndarray) -> np.ndarray:
    """The reference: dvalues where the layer's input is > 0, else 0; shape of inputs."""
    relu = ReLU()
    relu.forward(inputs)
    return relu.backward(dvalues)


RELU_MISTAKES = [
    Mistake("ReLU's derivative at an input of exactly 0 is taken as 0: mask with inputs > 0, not inputs >= 0",
            lambda inputs, dvalues: _where(inputs >= 0, dvalues, 0.0)),
    Mistake("nothing was masked: zero the gradient wherever the input was ≤ 0 (an output >= 0 test is always true)",
            lambda inputs, dvalues: dvalues + 0.0),
    Mistake("the mask comes from the layer's input (inputs > 0), not from the sign of dvalues",
            lambda inputs, dvalues: _where(dvalues > 0, dvalues, 0.0)),
    Mistake("multiply dvalues by the 0/1 mask 1(input > 0), not by ReLU's output max(0, input)",
            lambda inputs, dvalues: dvalues * _maximum(0.0, inputs)),
    Mistake("that is the mask 1(input > 0) alone: multiply it by dvalues (chain rule)",
            lambda inputs, dvalues: (inputs > 0).astype(float)),
    Mistake("the mask is inverted: keep dvalues where the input is > 0, zero them where it is ≤ 0",
            lambda inputs, dvalues: _where(inputs > 0, 0.0, dvalues)),
    Mistake("that is ReLU's forward pass max(0, input); the backward pass passes dvalues through a mask",
            lambda inputs, dvalues: _maximum(0.0, inputs)),
    Mistake("sign error: ReLU's local derivative is 1 or 0, never −1",
            lambda inputs, dvalues: -relu_backward(inputs, dvalues)),
]


def relu_case(inputs: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """inputs with dvalues such that every known mistake shows: where the input is 0, where dvalues and input
    have opposite signs (both ways), and where the input is positive but not 1."""
    dvalues = rng.choice([-1.0, 1.0], inputs.shape) * rng.uniform(0.2, 2.0, inputs.shape)
    picks = rng.choice(inputs.size, 4, replace=False)
    inputs, flat_d = inputs.copy(), dvalues.reshape(-1)
    flat_x = inputs.reshape(-1)
    flat_x[picks[0]], flat_d[picks[0]] = 0.0, abs(flat_d[picks[0]])            # exactly on the kink
    flat_x[picks[1]], flat_d[picks[1]] = abs(flat_x[picks[1]]) + 1.3, -abs(flat_d[picks[1]])  # x > 1, dvalue < 0
    flat_x[picks[2]], flat_d[picks[2]] = -abs(flat_x[picks[2]]) - 0.3, abs(flat_d[picks[2]])  # x < 0, dvalue > 0
    flat_x[picks[3]], flat_d[picks[3]] = -abs(flat_x[picks[3]]) - 0.3, -abs(flat_d[picks[3]])  # x < 0, dvalue < 0
    return {"inputs": inputs, "dvalues": dvalues}


def relu_cases(rng: np.random.Generator | None) -> list[dict[str, np.ndarray]]:
    """Visible: a small batch with zeros, then a random one (seed 405). Hidden: two random batches."""
    if rng is None:
        first = {"inputs": np.array([[1.5, -2.0, 0.0], [0.0, 3.0, -0.5]]),
                 "dvalues": np.array([[-1.0, 2.0, 0.5], [1.0, 0.25, 3.0]])}
        visible = np.random.default_rng(405)
        return [first, relu_case(_round(visible.normal(0, 2, (4, 5)), 1), visible)]
    cases = []
    for _ in range(2):
        shape = tuple(int(v) for v in rng.integers(2, 7, 2))
        cases.append(relu_case(_round(rng.normal(0, 2, shape), 1), rng))
    return cases


def relu_book_style(inputs: np.ndarray, dvalues: np.ndarray) -> np.ndarray:
    """Right, written differently: the book's copy-and-zero."""
    dinputs = dvalues.copy()
    dinputs[inputs <= 0] = 0
    return dinputs


RELU_BACKWARD = Exercise(
    "relu_backward", relu_backward, relu_cases, RELU_MISTAKES, **EXACT,
    variants=[relu_book_style, lambda inputs, dvalues: dvalues * (inputs > 0)])


# ---------------------------------------------------------------- cross-entropy, sparse and one-hot labels

def cross_entropy_backward(probs: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """The reference: dL/dprobs (n, k) = −y/clip(ŷ)/n for y_true sparse (n,) or one-hot (n, k)."""
    return -one_hot(y_true, probs.shape[1]) / _clip(probs, CLIP, 1 - CLIP) / len(probs)


def softmax_cross_entropy_backward(probs: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """The reference: dL/dlogits (n, k) = (ŷ − y)/n for y_true sparse (n,) or one-hot (n, k)."""
    return (probs - one_hot(y_true, probs.shape[1])) / len(probs)


def _targets(probs: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """y as one-hot rows (n, k)."""
    return one_hot(y_true, probs.shape[1])


def _onehot_indexed_as_sparse(probs: np.ndarray, y_true: np.ndarray, combined: bool) -> np.ndarray:
    """What `d[range(n), y_true]` code computes when y_true is one-hot: the 0/1 entries taken as class indices."""
    n = len(probs)
    if combined:
        d = probs.copy()
        d[range(n), y_true] -= 1
        return d / n
    d = np.zeros_like(probs)
    d[range(n), y_true] = -1 / _clip(probs[range(n), y_true], CLIP, 1 - CLIP) / n
    return d


def _sparse_taken_as_onehot(probs: np.ndarray, y_true: np.ndarray, combined: bool) -> np.ndarray:
    """What code written for one-hot labels computes when y_true holds class indices (broadcast along the rows)."""
    n = len(probs)
    return (probs - y_true) / n if combined else -y_true / _clip(probs, CLIP, 1 - CLIP) / n


def label_mistakes(reference: Callable[..., np.ndarray], combined: bool) -> list[Mistake]:
    """The slips both label exercises share: dividing by n·k, and the two forms of labels confused."""
    return [
        Mistake("divide by n (samples), not by n·k (all entries): the loss averages over samples only",
                lambda probs, y_true: reference(probs, y_true) / probs.shape[1]),
        Mistake("one-hot labels were used as class indices: with one-hot y_true (2-D), use it directly (or take argmax)",
                lambda probs, y_true: _onehot_indexed_as_sparse(probs, y_true, combined)),
        Mistake("sparse labels (class indices, 1-D) were used as if one-hot: expand them first, np.eye(k)[y_true]",
                lambda probs, y_true: _sparse_taken_as_onehot(probs, y_true, combined)),
    ]


CROSS_ENTROPY_MISTAKES = [
    Mistake("divide by n, the number of samples: the loss is a mean over the batch",
            lambda probs, y_true: -_targets(probs, y_true) / _clip(probs, CLIP, 1 - CLIP)),
    Mistake("sign error: d(−log ŷ)/dŷ = −1/ŷ, so dprobs = −y/ŷ/n",
            lambda probs, y_true: -cross_entropy_backward(probs, y_true)),
    Mistake("clip probs to [1e-7, 1 − 1e-7] first, as the forward pass does: a probability of 0 gives −∞",
            lambda probs, y_true: -_targets(probs, y_true) / probs / len(probs)),
    Mistake("that is the loss per entry, −y·log(ŷ)/n; its derivative is −y/ŷ/n",
            lambda probs, y_true: -_targets(probs, y_true) * _log(_clip(probs, CLIP, 1 - CLIP)) / len(probs)),
    Mistake("multiply by y: only the true class's log enters the loss, so the other entries are 0",
            lambda probs, y_true: -1 / _clip(probs, CLIP, 1 - CLIP) / len(probs)),
    *label_mistakes(cross_entropy_backward, combined=False),
]

SOFTMAX_CROSS_ENTROPY_MISTAKES = [
    Mistake("divide by n, the number of samples: the loss is a mean over the batch",
            lambda probs, y_true: probs - _targets(probs, y_true)),
    Mistake("subtract the one-hot labels: the gradient is (ŷ − y)/n, not ŷ/n",
            lambda probs, y_true: probs / len(probs)),
    Mistake("sign error: the gradient is (ŷ − y)/n, not (y − ŷ)/n",
            lambda probs, y_true: -softmax_cross_entropy_backward(probs, y_true)),
    Mistake("subtract 1 only at the true class (y is one-hot), not from every entry",
            lambda probs, y_true: (probs - 1) / len(probs)),
    Mistake("that is the cross-entropy's gradient −y/ŷ/n alone; through softmax it simplifies to (ŷ − y)/n",
            lambda probs, y_true: cross_entropy_backward(probs, y_true)),
    *label_mistakes(softmax_cross_entropy_backward, combined=True),
]

FORMAT_HINTS = {
    "one-hot": ("it works with sparse labels but not with one-hot ones: when y_true is 2-D (n, k) it is already "
                "one-hot, so use it as it is (check y_true.ndim)"),
    "sparse": ("it works with one-hot labels but not with sparse ones: when y_true is 1-D it holds class indices, "
               "so expand it first, np.eye(k)[y_true] (check y_true.ndim)"),
}

# The book's batch of three softmax outputs (Neural Networks from Scratch, ch. 5) and its labels dog, cat, cat.
BOOK_PROBS = np.array([[0.7, 0.1, 0.2], [0.1, 0.5, 0.4], [0.02, 0.9, 0.08]])
BOOK_LABELS = np.array([0, 1, 1])


def softmax_rows(logits: np.ndarray) -> np.ndarray:
    """Softmax of each row (n, k)."""
    return Softmax().forward(logits)


def label_cases(rng: np.random.Generator | None, with_zero: bool) -> list[tuple[np.ndarray, np.ndarray]]:
    """(probs, sparse labels) pairs: the book's batch, then one with n ≠ k; hidden: random, n = k then n ≠ k.

    with_zero puts a probability of exactly 0 at one sample's true class (clipping must keep
    the gradient finite); that sample's other probabilities stay positive.
    """
    if rng is None:
        probs = np.array([[0.0, 0.6, 0.4], [0.25, 0.25, 0.5], [0.1, 0.3, 0.6], [0.8, 0.15, 0.05]])
        if not with_zero:
            probs[0] = [0.05, 0.55, 0.4]
        return [(BOOK_PROBS, BOOK_LABELS), (probs, np.array([0, 2, 1, 0]))]
    cases = []
    for square in (True, False):  # n = k first: code that confuses the label forms still runs there
        k = int(rng.integers(2, 6))
        n = k if square else int(rng.choice([v for v in range(2, 8) if v != k]))
        probs, labels = softmax_rows(rng.normal(0, 1.5, (n, k))), rng.integers(0, k, n)
        if with_zero:
            row = int(rng.integers(n))
            probs[row, labels[row]] = 0.0
            probs[row] /= probs[row].sum()
        cases.append((probs, labels))
    return cases


def label_forms(pairs: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[dict[str, np.ndarray]]:
    """Each batch twice: with sparse labels, then with the same labels one-hot (0/1 integers)."""
    return [{"probs": probs, "y_true": y_true} for probs, labels in pairs
            for y_true in (labels, _eye(probs.shape[1], dtype=int)[labels])]


def label_verdict(cases: Sequence[dict[str, Any]], messages: Sequence[str]) -> str:
    """The first batch's failure; when only one form of its labels fails, with a hint saying which."""
    for sparse, onehot in zip(messages[::2], messages[1::2]):
        if sparse and onehot:
            return sparse
        if sparse or onehot:
            message, form = (sparse, "sparse") if sparse else (onehot, "one-hot")
            return message if "Likely mistake" in message else with_hint(message, FORMAT_HINTS[form])
    return ""


def cross_entropy_by_indexing(probs: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """Right, written differently: only the true class's entry, set by index."""
    if y_true.ndim == 2:
        y_true = y_true.argmax(axis=1)
    n = len(probs)
    dprobs = np.zeros_like(probs)
    dprobs[np.arange(n), y_true] = -1.0 / (n * np.maximum(probs[np.arange(n), y_true], 1e-7))
    return dprobs


def softmax_cross_entropy_book_style(probs: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """Right, written differently: the book's copy, subtract 1 at the true class, divide by n."""
    if len(y_true.shape) == 2:
        y_true = np.argmax(y_true, axis=1)
    dinputs = probs.copy()
    dinputs[range(len(probs)), y_true] -= 1
    return dinputs / len(probs)


CROSS_ENTROPY_BACKWARD = Exercise(
    "cross_entropy_backward", cross_entropy_backward, lambda rng: label_forms(label_cases(rng, with_zero=True)),
    CROSS_ENTROPY_MISTAKES, rtol=1e-9, atol=LABEL_ATOL, verdict=label_verdict,
    variants=[lambda probs, y_true: -(np.eye(len(probs[0]))[y_true] if y_true.ndim == 1 else y_true)
              / np.clip(probs, 1e-7, 1 - 1e-7) / len(probs),
              cross_entropy_by_indexing])
SOFTMAX_CROSS_ENTROPY_BACKWARD = Exercise(
    "softmax_cross_entropy_backward", softmax_cross_entropy_backward,
    lambda rng: label_forms(label_cases(rng, with_zero=False)), SOFTMAX_CROSS_ENTROPY_MISTAKES,
    rtol=1e-9, atol=LABEL_ATOL, verdict=label_verdict,
    variants=[softmax_cross_entropy_book_style,
              lambda probs, y_true: probs / len(probs) - (y_true if y_true.ndim == 2 else
                                                          np.arange(probs.shape[1]) == y_true[:, None]) / len(probs)])


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


EXERCISES = [NEURON_BACKWARD, DENSE_BACKWARD, RELU_BACKWARD, CROSS_ENTROPY_BACKWARD, SOFTMAX_CROSS_ENTROPY_BACKWARD,
             NETWORK_GRADIENTS]
# The checks the notebooks call, one per record.
(check_neuron_backward, check_dense_backward, check_relu_backward, check_cross_entropy_backward,
 check_softmax_cross_entropy_backward, check_network_gradients) = (exercise.check for exercise in EXERCISES)
