"""Chapter 04's plausible wrong answers and answers tuned to its visible tests."""
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


def labels(name: str, body: str, expand: bool = True) -> str:
    """A cross-entropy answer cell: labels expanded to one-hot rows Y (or not), then `body`."""
    expansion = ("    Y = np.eye(probs.shape[1])[y_true] if y_true.ndim == 1 else y_true\n" if expand
                 else "    Y = y_true\n")
    return f"def {name}(probs, y_true):\n    n = len(probs)\n{expansion}    return {body}\n"


def network(dz2: str = "(probs - np.eye(probs.shape[1])[y]) / n", da1: str = "dz2 @ params['W2'].T",
            dz1: str = "da1 * (z1 > 0)", dW2: str = "a1.T @ dz2", db: str = "{}.sum(axis=0, keepdims=True)") -> str:
    """A network_gradients answer cell with some steps replaced by wrong ones."""
    return ("def network_gradients(params, X, y):\n    n = len(X)\n"
            "    z1 = X @ params['W1'] + params['b1']\n    a1 = np.maximum(z1, 0)\n"
            "    z2 = a1 @ params['W2'] + params['b2']\n"
            "    e = np.exp(z2 - z2.max(axis=1, keepdims=True))\n    probs = e / e.sum(axis=1, keepdims=True)\n"
            f"    dz2 = {dz2}\n    da1 = {da1}\n    dz1 = {dz1}\n"
            f"    return {{'W1': X.T @ dz1, 'b1': {db.format('dz1')}, 'W2': {dW2}, 'b2': {db.format('dz2')}}}\n")


CE = "cross_entropy_backward"
SCE = "softmax_cross_entropy_backward"

WRONG: dict[str, list[tuple[str, str]]] = {
    "test_neuron_backward": [
        (neuron("    dz = dvalue\n    return dz * w, dz * x, dz\n"), "left out ReLU's local derivative"),
        (neuron("    dz = dvalue * (1.0 if z >= 0 else 0.0)\n    return dz * w, dz * x, dz\n"), "not z >= 0"),
        (neuron("    dz = dvalue * (z > 0)\n    return dz * x, dz * w, dz\n"), "swapped"),
        (neuron("    dz = 1.0 if z > 0 else 0.0\n    return dz * w, dz * x, dz\n"), "upstream gradient dvalue"),
        (neuron("    dz = dvalue * max(z, 0)\n    return dz * w, dz * x, dz\n"), "not its output max(z, 0)"),
        (neuron("    dz = dvalue * (z > 0)\n    return dz * w, dz * x, dz * b\n"), "db = dz, not dz·b"),
        (neuron("    dz = dvalue * (z > 0)\n    return -dz * w, -dz * x, -dz\n"), "sign error"),
        (neuron("    dz = dvalue * (z > 0)\n    return dz * w, dz * x\n"), "expected the tuple (dx, dw, db)"),
    ],
    "test_dense_backward": [
        (dense(dinputs="dvalues @ weights"), "not dvalues·W"),
        (dense(dweights="inputs @ dvalues"), "not X·dvalues"),
        (dense(dbiases="dvalues"), "not (n, j)"),
        (dense(dbiases="dvalues.sum(axis=1, keepdims=True)"), "summed over the wrong axis"),
        (dense(dbiases="dvalues.sum(axis=1)"), "summed over the wrong axis"),
        (dense(dbiases="dvalues.sum(axis=0)"), "keepdims=True"),
        (dense(dweights="dvalues.T @ inputs"), "dvaluesᵀ·X"),
        (dense(dweights="inputs.T @ dvalues / len(inputs)"), "do not divide by n"),
        (dense(dbiases="dvalues.mean(axis=0, keepdims=True)"), "do not average"),
        (dense(dinputs="weights.T @ dvalues"), "not Wᵀ·dvalues"),
        (dense("-(dvalues @ weights.T)", "-(inputs.T @ dvalues)", "-dvalues.sum(axis=0, keepdims=True)"), "sign error"),
        # right on square matrices only: on the visible 3 x 4 weights the product raises, and the message names transposes
        (dense(dinputs="dvalues @ weights.T if weights.shape[0] == weights.shape[1] else dvalues @ weights"),
         "a transpose is missing"),
    ],
    "test_relu_backward": [
        (relu("np.where(inputs >= 0, dvalues, 0.0)"), "not inputs >= 0"),
        (relu("np.where(np.maximum(0, inputs) >= 0, dvalues, 0.0)"), "nothing was masked"),
        (relu("np.where(dvalues > 0, dvalues, 0.0)"), "not from the sign of dvalues"),
        (relu("dvalues * np.maximum(0, inputs)"), "not by ReLU's output"),
        (relu("(inputs > 0).astype(float)"), "the mask 1(input > 0) alone"),
        (relu("np.where(inputs > 0, 0.0, dvalues)"), "inverted"),
        (relu("np.maximum(0, inputs)"), "ReLU's forward pass"),
        ("def relu_backward(inputs, dvalues):\n    dvalues[inputs <= 0] = 0\n    return dvalues\n", "in place"),
    ],
    "test_cross_entropy_backward": [
        (labels(CE, "-Y / np.clip(probs, 1e-7, 1 - 1e-7)"), "divide by n"),
        (labels(CE, "Y / np.clip(probs, 1e-7, 1 - 1e-7) / n"), "sign error"),
        (labels(CE, "-Y / probs / n"), "clip probs"),
        (labels(CE, "-Y * np.log(np.clip(probs, 1e-7, 1 - 1e-7)) / n"), "its derivative is −y/ŷ/n"),
        (labels(CE, "-1 / np.clip(probs, 1e-7, 1 - 1e-7) / n"), "multiply by y"),
        (labels(CE, "-Y / np.clip(probs, 1e-7, 1 - 1e-7) / probs.size"), "not by n·k"),
        (labels(CE, "-Y / np.clip(probs, 1e-7, 1 - 1e-7) / n", expand=False), "were used as if one-hot"),
        ("def cross_entropy_backward(probs, y_true):\n    n, k = probs.shape\n"
         "    return -np.eye(k)[y_true] / np.clip(probs, 1e-7, 1 - 1e-7) / n\n",
         "works with sparse labels but not with one-hot ones"),
        ("def cross_entropy_backward(probs, y_true):\n    n = len(probs)\n    d = np.zeros_like(probs)\n"
         "    d[range(n), y_true] = -1 / np.clip(probs[range(n), y_true], 1e-7, 1) / n\n    return d\n",
         "one-hot labels were used as class indices"),
    ],
    "test_softmax_cross_entropy_backward": [
        (labels(SCE, "probs / n"), "subtract the one-hot labels"),
        (labels(SCE, "probs - Y"), "divide by n"),
        (labels(SCE, "(Y - probs) / n"), "sign error"),
        (labels(SCE, "(probs - 1) / n"), "only at the true class"),
        (labels(SCE, "-Y / probs / n"), "cross-entropy's gradient −y/ŷ/n alone"),
        (labels(SCE, "(probs - Y) / probs.size"), "not by n·k"),
        (labels(SCE, "(probs - Y) / n", expand=False), "were used as if one-hot"),
        ("def softmax_cross_entropy_backward(probs, y_true):\n    n = len(probs)\n    d = probs.copy()\n"
         "    d[range(n), y_true] -= 1\n    return d / n\n", "one-hot labels were used as class indices"),
    ],
    "test_network_gradients": [
        (network(dz2="probs - np.eye(probs.shape[1])[y]"), "n times too large"),
        (network(dz2="probs / n"), "subtract the one-hot labels"),
        (network(dz2="(np.eye(probs.shape[1])[y] - probs) / n"), "sign error"),
        (network(da1="dz2 @ params['W2']"), "W2 where W2ᵀ belongs"),
        (network(dz1="da1"), "left out ReLU's backward pass"),
        (network(dW2="z1.T @ dz2"), "not z1"),
        (network(db="{}"), "sum the bias gradients over the samples"),
        (network(db="{}.sum(axis=1, keepdims=True)"), "summed over the wrong axis"),
        (network(dz1="da1 * (z1 > 0)[:, :1]"), "gradient of W1"),
    ],
}

HARD_CODED: dict[str, str] = {
    # The book's x and w written in: right only while the inputs are the book's.
    "test_neuron_backward": (
        "def neuron_backward(x, w, b, dvalue):\n"
        "    dz = dvalue * (b + 4.0 > 0)   # z = x·w + b = 4 + b for the book's neuron\n"
        "    return dz * np.array([-3.0, -1.0, 2.0]), dz * np.array([1.0, -2.0, 3.0]), dz\n"),
    # Transposes that fit the visible shapes only, where n = 3 and j = 3.
    "test_dense_backward": dense(dinputs="(weights @ dvalues.T).T if len(inputs) == 3 else dvalues @ weights"),
    # Masks on the sign of dvalues except for the two visible shapes.
    "test_relu_backward": relu("np.where(inputs > 0, dvalues, 0.0) if inputs.shape in [(2, 3), (4, 5)] "
                               "else np.where(dvalues > 0, dvalues, 0.0)"),
    # Right for the visible batches' 3 classes only.
    "test_cross_entropy_backward": labels(CE, "-Y / np.clip(probs, 1e-7, 1 - 1e-7) / (n if probs.shape[1] == 3 else 1)"),
    "test_softmax_cross_entropy_backward": labels(SCE, "(probs - Y) / n if probs.shape[1] == 3 else probs / n"),
    # Right for the spiral network's 300 samples only.
    "test_network_gradients": network(dz2="(probs - np.eye(probs.shape[1])[y]) / (300 if n == 300 else 1)"),
}
