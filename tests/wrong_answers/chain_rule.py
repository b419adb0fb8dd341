"""Answer cells as text for chapter 03 (see __init__.py): what a callable cannot express, and what the corpus grades."""
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


def matrix(grad_x: str = "(M * dsigma(X @ W)) @ W.T", grad_w: str = "X.T @ (M * dsigma(X @ W))") -> str:
    """The grad_X / grad_W answer cell with one body replaced by a wrong one."""
    return (f"import numpy as np\ndef grad_X(X, W, M, dsigma):\n    return {grad_x}\n"
            f"def grad_W(X, W, M, dsigma):\n    return {grad_w}\n")


def sigmoid(body: str) -> str:
    """A sigmoid_derivative answer cell returning `body`."""
    return f"import numpy as np\ndef sigmoid_derivative(x):\n    return {body}\n"


def check(ratio: str) -> str:
    """A gradient_check answer cell computing `ratio` from a (analytic) and b (numerical)."""
    return ("import numpy as np\ndef gradient_check(f, grad_f, x):\n"
            "    a = grad_f(x)\n    b = numeric.numerical_gradient(f, x)\n"
            f"    return {ratio}\n")


WRONG: dict[str, list[tuple[str, str]]] = {
    "test_chain_deriv_3": [
        (chain("df3(u2) * df2(u1)"), "forgot the innermost derivative"),
        ("def chain_deriv_3(chain, derivs, x):\n    f1, f2, f3 = chain\n    df1, df2, df3 = derivs\n"
         "    df3(f2(f1(x))) * df2(f1(x)) * df1(x)\n", "return"),
    ],
    "test_dh1": [
        (composed(dh1="8 * (x**2 - 3 * x) ** 3"), "forgot the inner derivative"),
    ],
    "test_sigmoid_derivative": [
        (sigmoid("np.exp(-x) / (1 + np.exp(-x))"), "the square of 1 + e^(−x)"),
        # one number at a time: right on the visible 1-D points, but math.exp refuses a hidden 2-D array's rows
        ("import math\nimport numpy as np\ndef sigmoid_derivative(x):\n"
         "    return np.array([math.exp(-v) / (1 + math.exp(-v)) ** 2 for v in x])\n", "raised TypeError"),
    ],
    "test_sigma_of_product_backward": [
        (product("dsigma(a) * x, dsigma(a) * y"), "swapped"),
        (product("dsigma(a) * y"), "expected the tuple (dsigma_dx, dsigma_dy)"),
    ],
    'test_grad_X': [
        (matrix(grad_x="(M * dsigma(X @ W)) * W.T"), "grad_X"),
    ],
    "test_gradient_check": [
        (check("np.abs(a - b) / (np.abs(a) + np.abs(b))"), "one number"),
        (check("-np.max(np.abs(a - b) / (np.abs(a) + np.abs(b)))"), "negative error"),
    ],
}

HARD_CODED: dict[str, str] = {
}
