"""Answer cells as text for chapter 04 (see __init__.py): what a callable cannot express, and what the corpus grades."""
from __future__ import annotations


def neuron(body: str) -> str:
    """A sigmoid_neuron_backward answer cell: z and s = σ(z) from a forward pass, then `body`."""
    return f"def sigmoid_neuron_backward(x, w, b, dvalue):\n    z = np.dot(x, w) + b\n    s = 1 / (1 + np.exp(-z))\n{body}"


def linear(dinputs: str = "dvalues @ weights", dweights: str = "dvalues.T @ inputs",
           dbiases: str = "dvalues.sum(axis=0, keepdims=True)") -> str:
    """A linear_backward answer cell with some parts replaced by wrong ones."""
    return f"def linear_backward(inputs, weights, dvalues):\n    return {dinputs}, {dweights}, {dbiases}\n"


def elu(body: str) -> str:
    """An elu_backward answer cell returning `body`."""
    return f"import numpy as np\ndef elu_backward(inputs, dvalues, alpha):\n    return {body}\n"


def network(dz2: str = "(probs - np.eye(probs.shape[1])[y]) / n", da1: str = "dz2 @ params['W2'].T",
            dz1: str = "da1 * (z1 > 0)", dW2: str = "a1.T @ dz2", db: str = "{}.sum(axis=0, keepdims=True)") -> str:
    """A network_gradients answer cell with some steps replaced by wrong ones."""
    return ("def network_gradients(params, X, y):\n    n = len(X)\n"
            "    z1 = X @ params['W1'] + params['b1']\n    a1 = np.maximum(z1, 0)\n"
            "    z2 = a1 @ params['W2'] + params['b2']\n"
            "    e = np.exp(z2 - z2.max(axis=1, keepdims=True))\n    probs = e / e.sum(axis=1, keepdims=True)\n"
            f"    dz2 = {dz2}\n    da1 = {da1}\n    dz1 = {dz1}\n"
            f"    return {{'W1': X.T @ dz1, 'b1': {db.format('dz1')}, 'W2': {dW2}, 'b2': {db.format('dz2')}}}\n")


WRONG: dict[str, list[tuple[str, str]]] = {
    "test_sigmoid_neuron_backward": [
        (neuron("    dz = dvalue\n    return dz * w, dz * x, dz\n"), "left out the sigmoid's local derivative"),
        (neuron("    dz = dvalue * s * (1 - s)\n    return dz * w, dz * x\n"), "expected the tuple (dx, dw, db)"),
        (neuron("    dz = dvalue * s * (1 - s)\n    return dz * w, dz * x, [dz]\n"), "db"),
    ],
    "test_linear_backward": [
        (linear(dinputs="dvalues @ weights.T"), "the Dense layer's dvalues·Wᵀ"),
        # right on square matrices only: on the visible 4-feature batch the product raises, and the message says why
        (linear(dinputs="dvalues @ weights if weights.shape[0] == weights.shape[1] else dvalues @ weights.T"),
         "here weights are (j, i)"),
    ],
    "test_elu_backward": [
        (elu("dvalues * np.where(inputs >= 0, 1.0, alpha * np.exp(inputs))"), "not >= 0"),
        ("def elu_backward(inputs, dvalues, alpha):\n    dvalues[inputs <= 0] *= alpha * np.exp(inputs[inputs <= 0])\n"
         "    return dvalues\n", "in place"),
    ],
    "test_softmax_backward": [
        ("def softmax_backward(probs, dvalues):\n    J = np.diag(probs[0]) - np.outer(probs[0], probs[0])\n"
         "    return dvalues @ J\n", "softmax_backward"),
    ],
    "test_sigmoid_bce_backward": [
        ("def sigmoid_bce_backward(logits, y_true):\n    p = 1 / (1 + np.exp(-logits))\n"
         "    return ((p - y_true) / len(logits))[:, None]\n", "one gradient per logit"),
    ],
    "test_network_gradients": [
        (network(dz1="da1 * (z1 > 0)[:, :1]"), "['W1'] at index"),
    ],
}

HARD_CODED: dict[str, str] = {}
