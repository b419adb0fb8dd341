"""Answer cells as text for chapter 04 (see __init__.py): what a callable cannot express, and what the corpus grades."""
from __future__ import annotations


def neuron(body: str) -> str:
    """A neuron_backward answer cell: z from a forward pass, then `body`."""
    return f"def neuron_backward(x, w, b, dvalue):\n    z = np.dot(x, w) + b\n{body}"


def dense(dinputs: str = "dvalues @ weights.T", dweights: str = "inputs.T @ dvalues",
          dbiases: str = "dvalues.sum(axis=0, keepdims=True)") -> str:
    """A dense_backward answer cell with some parts replaced by wrong ones."""
    return f"def dense_backward(inputs, weights, dvalues):\n    return {dinputs}, {dweights}, {dbiases}\n"


def relu(body: str) -> str:
    """A relu_backward answer cell returning `body`."""
    return f"import numpy as np\ndef relu_backward(inputs, dvalues):\n    return {body}\n"


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
    "test_neuron_backward": [
        (neuron("    dz = dvalue\n    return dz * w, dz * x, dz\n"), "left out ReLU's local derivative"),
        (neuron("    dz = dvalue * (z > 0)\n    return dz * w, dz * x\n"), "expected the tuple (dx, dw, db)"),
    ],
    "test_dense_backward": [
        (dense(dinputs="dvalues @ weights"), "not dvalues·W"),
        # right on square matrices only: on the visible 3 x 4 weights the product raises, and the message names transposes
        (dense(dinputs="dvalues @ weights.T if weights.shape[0] == weights.shape[1] else dvalues @ weights"),
         "a transpose is missing"),
    ],
    "test_relu_backward": [
        (relu("np.where(inputs >= 0, dvalues, 0.0)"), "not inputs >= 0"),
        ("def relu_backward(inputs, dvalues):\n    dvalues[inputs <= 0] = 0\n    return dvalues\n", "in place"),
    ],
    "test_cross_entropy_backward": [
        ("def cross_entropy_backward(probs, y_true):\n    n, k = probs.shape\n"
         "    return -np.eye(k)[y_true] / np.clip(probs, 1e-7, 1 - 1e-7) / n\n",
         "works with sparse labels but not with one-hot ones"),
    ],
    "test_network_gradients": [
        (network(dz1="da1 * (z1 > 0)[:, :1]"), "['W1'] at index"),
    ],
}

HARD_CODED: dict[str, str] = {
}
