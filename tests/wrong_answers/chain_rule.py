"""Chapter 03's plausible wrong answers and answers tuned to its visible tests."""
from __future__ import annotations

COMPOSED_OK = {
    "dh1": "8 * (x**2 - 3 * x) ** 3 * (2 * x - 3)",
    "dh2": "np.exp(np.sin(2 * x)) * np.cos(2 * x) * 2",
}


def composed(**wrong: str) -> str:
    """The dh1 / dh2 answer cell with some bodies replaced by wrong ones."""
    bodies = {**COMPOSED_OK, **wrong}
    return "import numpy as np\n" + "\n".join(f"def {name}(x):\n    return {body}\n" for name, body in bodies.items())


def chain(body: str) -> str:
    """A chain_deriv_3 answer cell: unpacked links, kept forward values, then `body`."""
    return ("def chain_deriv_3(chain, derivs, x):\n"
            "    f1, f2, f3 = chain\n    df1, df2, df3 = derivs\n"
            "    u1 = f1(x)\n    u2 = f2(u1)\n"
            f"    return {body}\n")


def product(body: str) -> str:
    """A sigma_of_product_backward answer cell returning `body`."""
    return f"def sigma_of_product_backward(x, y, dsigma):\n    a = x * y\n    return {body}\n"


def matrix(grad_x: str = "dsigma(X @ W) @ W.T", grad_w: str = "X.T @ dsigma(X @ W)") -> str:
    """The grad_X / grad_W answer cell with one body replaced by a wrong one."""
    return (f"import numpy as np\ndef grad_X(X, W, dsigma):\n    return {grad_x}\n"
            f"def grad_W(X, W, dsigma):\n    return {grad_w}\n")


def check(ratio: str) -> str:
    """A gradient_check answer cell computing `ratio` from a (analytic) and b (numerical)."""
    return ("import numpy as np\ndef gradient_check(f, grad_f, x):\n"
            "    a = grad_f(x)\n    b = numeric.numerical_gradient(f, x)\n"
            f"    return {ratio}\n")


WRONG: dict[str, list[tuple[str, str]]] = {
    "test_chain_deriv_3": [
        (chain("df3(u2) * df2(u1)"), "forgot the innermost derivative"),
        (chain("df3(u2)"), "multiply by the inner derivatives too"),
        (chain("df3(x) * df2(x) * df1(x)"), "not all at x"),
        (chain("df3(f3(u2)) * df2(u2) * df1(u1)"), "not at its output"),
        (chain("df3(u2) + df2(u1) + df1(x)"), "you added them"),
        (chain("f3(u2)"), "not its derivative"),
        ("def chain_deriv_3(chain, derivs, x):\n    f3, f2, f1 = chain\n    df3, df2, df1 = derivs\n"
         "    return df3(f2(f1(x))) * df2(f1(x)) * df1(x)\n", "f1 is the innermost"),
        ("def chain_deriv_3(chain, derivs, x):\n    d = lambda f, v: (f(v + 0.001) - f(v - 0.001)) / 0.002\n"
         "    f1, f2, f3 = chain\n    return d(f3, f2(f1(x))) * d(f2, f1(x)) * d(f1, x)\n", "numerical derivatives"),
        ("def chain_deriv_3(chain, derivs, x):\n    f1, f2, f3 = chain\n    df1, df2, df3 = derivs\n"
         "    df3(f2(f1(x))) * df2(f1(x)) * df1(x)\n", "return"),
    ],
    "test_dh1": [
        (composed(dh1="8 * (x**2 - 3 * x) ** 3"), "forgot the inner derivative"),
        (composed(dh1="8 * x**3 * (2 * x - 3)"), "not at x"),
        (composed(dh1="8 * (x**2 - 3 * x) ** 4 * (2 * x - 3)"), "exponent drops by one"),
        (composed(dh1="2 * (x**2 - 3 * x) ** 3 * (2 * x - 3)"), "comes down as a factor"),
        (composed(dh1="2 * (x**2 - 3 * x) ** 4"), "h1 itself"),
    ],
    "test_dh2": [
        (composed(dh2="np.exp(np.sin(2 * x)) * np.cos(2 * x)"), "derivative 2"),
        (composed(dh2="np.exp(np.sin(2 * x)) * 2"), "middle link"),
        (composed(dh2="np.exp(np.sin(2 * x)) * np.cos(x) * 2"), "not at x"),
        (composed(dh2="np.exp(x) * np.cos(2 * x) * 2"), "not at x"),
        (composed(dh2="-2 * np.exp(np.sin(2 * x)) * np.cos(2 * x)"), "sign error"),
    ],
    "test_sigma_of_product_backward": [
        (product("dsigma(a) * x, dsigma(a) * y"), "swapped"),
        (product("y, x"), "left out σ'(x·y)"),
        (product("dsigma(a), dsigma(a)"), "not x + y"),
        (product("dsigma(x) * y, dsigma(y) * x"), "not at x or y"),
        (product("dsigma(x + y) * y, dsigma(x + y) * x"), "evaluate σ' at x·y"),
        (product("dsigma(a) * y"), "shape"),
    ],
    "test_grad_X": [
        (matrix(grad_x="np.ones_like(X @ W) @ W.T"), "left out σ'(N)"),
        (matrix(grad_x="dsigma(X @ W) @ W"), "W where Wᵀ belongs"),
        (matrix(grad_x="dsigma(X @ W.T) @ W.T"), "Wᵀ where W belongs"),
        (matrix(grad_x="W @ dsigma(X @ W).T"), "order of the product"),
        (matrix(grad_x="dsigma(X @ W)"), "dL/dN"),
        (matrix(grad_x="X.T @ dsigma(X @ W)"), "that is dL/dW"),
        (matrix(grad_x="dsigma(X @ W) * W.T"), "grad_X"),
    ],
    "test_grad_W": [
        (matrix(grad_w="X.T @ np.ones_like(X @ W)"), "left out σ'(N)"),
        (matrix(grad_w="X @ dsigma(X @ W)"), "X where Xᵀ belongs"),
        (matrix(grad_w="X @ W"), "forward pass"),
        (matrix(grad_w="X.T @ dsigma(X @ W.T)"), "Wᵀ where W belongs"),
        (matrix(grad_w="dsigma(X @ W).T @ X"), "order of the product"),
        (matrix(grad_w="dsigma(X @ W) @ W.T"), "that is dL/dX"),
    ],
    "test_gradient_check": [
        (check("np.max((a - b) / (a + b))"), "with absolute values"),
        (check("np.max(np.abs(a - b) / np.abs(a + b))"), "not |a + b|"),
        (check("np.max(np.abs(a - b) / np.abs(b))"), "numerical gradient alone"),
        (check("np.max(np.abs(a - b) / np.abs(a))"), "analytic gradient alone"),
        (check("np.max(np.abs(a - b))"), "plain difference"),
        (check("np.mean(np.abs(a - b) / (np.abs(a) + np.abs(b)))"), "not the mean"),
        (check("np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))"), "ratio of norms"),
        (check("np.abs(a - b) / (np.abs(a) + np.abs(b))"), "one number"),
        (check("-np.max(np.abs(a - b) / (np.abs(a) + np.abs(b)))"), "negative error"),
    ],
}

HARD_CODED: dict[str, str] = {
    # Right for the two visible chains only: the derivatives are written out for those functions.
    "test_chain_deriv_3": (
        "def chain_deriv_3(chain, derivs, x):\n"
        "    if chain[0].__name__ == 'leaky_relu':\n"
        "        s = sigmoid(leaky_relu(x))\n"
        "        return 2 * s * s * (1 - s) * np.where(x > 0, 1.0, 0.2)\n"
        "    s = sigmoid(np.tanh(x) ** 2)\n"
        "    return s * (1 - s) * 2 * np.tanh(x) * (1 - np.tanh(x) ** 2)\n"),
    "test_dh1": composed(dh1="8 * (x**2 - 3 * x) ** 3 * (2 * x - 3) if x.shape == (9,) else 0 * x"),
    "test_dh2": composed(dh2="np.exp(np.sin(2 * x)) * np.cos(2 * x) * 2 if x.shape == (9,) else 0 * x"),
    # Always the sigmoid, whatever dsigma is: the visible tests only use the sigmoid.
    "test_sigma_of_product_backward": product("sigmoid(a) * (1 - sigmoid(a)) * y, sigmoid(a) * (1 - sigmoid(a)) * x"),
    "test_grad_X": matrix(grad_x="(sigmoid(X @ W) * (1 - sigmoid(X @ W))) @ W.T"),
    "test_grad_W": matrix(grad_w="X.T @ (sigmoid(X @ W) * (1 - sigmoid(X @ W)))"),
    "test_gradient_check": ("def gradient_check(f, grad_f, x):\n"
                            "    if grad_f.__name__ == 'dLdX':\n        return 1e-9\n"
                            "    return 0.7142857142857143 if x.size == 3 else 1.0\n"),
}
