"""Chapter 02's plausible wrong answers and answers tuned to its visible tests."""
from __future__ import annotations

PARTIALS_OK = {
    "dh1_dx": "8 * x - 3 * y",
    "dh1_dy": "-3 * x + 3 * y**2",
    "dh2_dx": "5 + 3 * x**2 * y**2",
    "dh2_dy": "-8 * y**3 + 2 * x**3 * y",
    "dh3_dx": "8 * x**3 * y + 3 * y",
    "dh3_dy": "2 * x**4 - 10 * y + 3 * x",
}


def partials(**wrong: str) -> str:
    """The answer cell of exercise 1 with some bodies replaced by wrong ones."""
    bodies = {**PARTIALS_OK, **wrong}
    return "\n".join(f"def {name}(x, y):\n    return {body}\n" for name, body in bodies.items())


def numerical_gradient(body: str) -> str:
    """A numerical_gradient answer cell with this body."""
    return "import numpy as np\ndef numerical_gradient(f, x, delta=1e-5):\n" + body


def gradient_f(body: str) -> str:
    return f"import numpy as np\ndef gradient_f(x, y, z):\n    return {body}\n"


def step(body: str) -> str:
    return f"def gradient_step(f_grad, point, lr):\n    {body}\n"


def max_partials(body: str) -> str:
    return f"import numpy as np\ndef max_partials(x, y):\n    return {body}\n"


def relu(body: str) -> str:
    return f"import numpy as np\ndef relu_derivative(x):\n    return {body}\n"


WRONG: dict[str, list[tuple[str, str]]] = {
    "test_numerical_gradient": [
        (numerical_gradient("""\
    point = np.array(x, dtype=float)
    grad = np.zeros_like(point)
    base = f(point)
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + delta
        grad[index] = (f(point) - base) / delta
        point[index] = original
    return grad
"""), "forward difference"),
        # works on x itself and never puts the entries back: the caller's x is left nudged
        (numerical_gradient("""\
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        x[index] += delta
        f_plus = f(x)
        x[index] -= 2 * delta
        grad[index] = (f_plus - f(x)) / (2 * delta)
    return grad
"""), "changed its input `x` in place"),
        # the same on a copy: x survives, but every later entry is nudged at a shifted point
        (numerical_gradient("""\
    point = np.array(x, dtype=float)
    grad = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        point[index] += delta
        f_plus = f(point)
        point[index] -= 2 * delta
        grad[index] = (f_plus - f(point)) / (2 * delta)
    return grad
"""), "put each entry back"),
        (numerical_gradient("""\
    point = np.array(x, dtype=float).ravel()
    grad = np.zeros(point.size)
    for i in range(point.size):
        original = point[i]
        point[i] = original + delta
        f_plus = f(point.reshape(np.shape(x)))
        point[i] = original - delta
        f_minus = f(point.reshape(np.shape(x)))
        point[i] = original
        grad[i] = (f_plus - f_minus) / (2 * delta)
    return grad
"""), "shaped like x"),
        (numerical_gradient("""\
    point = np.array(x, dtype=float)
    grad = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + delta
        f_plus = f(point)
        point[index] = original - delta
        f_minus = f(point)
        point[index] = original
        grad[index] = (f_plus - f_minus) / delta
    return grad
"""), "2·delta"),
        (numerical_gradient("""\
    x = np.asarray(x, dtype=float)
    return np.zeros_like(x) + (f(x + delta) - f(x - delta)) / (2 * delta)
"""), "one entry at a time"),
        (numerical_gradient("""\
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        point = x.copy()
        point[index] += delta
        grad[index] = (f(point) - f(x - delta)) / (2 * delta)
"""), "return"),
    ],
    "test_h1": [
        (partials(dh1_dx="8 * x - 3"), "constant factor"),
        (partials(dh1_dx="-3 * x + 3 * y**2", dh1_dy="8 * x - 3 * y"), "that is ∂h1/∂y"),
        (partials(dh1_dy="3 * x - 3 * y**2"), "sign error"),
        (partials(dh1_dy="-3 * x + y**2"), "old exponent"),
    ],
    "test_h2": [
        (partials(dh2_dx="5 + 3 * x**2"), "constant factor"),
        (partials(dh2_dy="-8 * y**3 + 2 * x**3 * y + 5 * x"), "vanishes"),
        (partials(dh2_dx="5 * x + 3 * x**3 * y**2"), "exponent drops"),
    ],
    "test_h3": [
        (partials(dh3_dy="2 * x**4 - 10 * y + 3 * x + 9"), "vanishes"),
        (partials(dh3_dx="8 * x**4 * y + 3 * x * y"), "exponent drops"),
        (partials(dh3_dx="2 * x**4 - 10 * y + 3 * x"), "that is ∂h3/∂y"),
    ],
    "test_relu_derivative": [
        (relu("(x >= 0).astype(float)"), "x > 0, not x >= 0"),
        (relu("x > 0"), "astype(float)"),
        (relu("np.maximum(x, 0)"), "ReLU itself"),
        (relu("np.heaviside(x, 0.5)"), "not 0.5"),
        (relu("1.0 if x > 0 else 0.0"), "ValueError"),
    ],
    "test_max_partials": [
        (max_partials("(y >= x).astype(float), (x > y).astype(float)"), "swapped"),
        (max_partials("(x >= y).astype(float), (y >= x).astype(float)"), "only one input gets the 1"),
        (max_partials("(x > y).astype(float), (y > x).astype(float)"), "one input still gets the 1"),
        (max_partials("(x > y).astype(float)"), "returned shape"),
        (max_partials("x > y, y >= x"), "returned booleans"),
        (max_partials("np.maximum(x, y)"), "returned shape"),
    ],
    "test_gradient_f": [
        (gradient_f("np.array([3 * x**3 + 5 + 2 * y, -2 * y + 2 * z, 9 * x**2 * z])"), "wrong order"),
        (gradient_f("np.array([9 * x**2 * z, 2 * y + 2 * z, 3 * x**3 + 5 + 2 * y])"), "sign error"),
        (gradient_f("np.array([9 * x**2, -2 * y + 2 * z, 3 * x**3 + 5 + 2 * y])"), "constant factor"),
        (gradient_f("np.array([9 * x**2 * z, -2 * y + 2 * z, 3 * x**3 + 2 * y])"), "5z gives 5"),
        (gradient_f("np.array([[9 * x**2 * z], [-2 * y + 2 * z], [3 * x**3 + 5 + 2 * y]])"), "returned shape (3, 1)"),
    ],
    "test_gradient_step": [
        (step("return point + lr * f_grad(point)"), "against the gradient"),
        (step("return point - f_grad(point)"), "learning rate"),
        (step("point -= lr * f_grad(point)\n    return point"), "changed its input `point` in place"),
        (step("return -lr * f_grad(point)"), "not the change"),
    ],
}

HARD_CODED: dict[str, str] = {
    # The visible functions' exact gradients: right for the visible inputs only.
    "test_numerical_gradient": numerical_gradient("""\
    if np.shape(x) == (3,):
        return np.array([27.0, 2.0, 12.0])
    return x**2 + x.sum() / 2
"""),
    "test_h1": partials(dh1_dx="8 * x - 3 * y if x.shape == (5,) else 0 * x"),
    "test_h2": partials(dh2_dy="-8 * y**3 + 2 * x**3 * y if x.shape == (5,) else 0 * x"),
    "test_h3": partials(dh3_dx="8 * x**3 * y + 3 * y if x.shape == (5,) else 0 * x"),
    "test_relu_derivative": relu("{0: np.array(1.0), 1: np.array([0.0, 0.0, 0.0, 1.0, 1.0])}.get("
                                 "x.ndim, np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]))"),
    "test_max_partials": max_partials("(np.array([1.0, 0, 0, 0, 1]), np.array([0.0, 1, 1, 1, 0])) if x.ndim == 1 "
                                      "else (np.array([[0.0, 1], [0, 0]]), np.array([[1.0, 0], [1, 1]]))"),
    "test_gradient_f": gradient_f("{1.0: np.array([27.0, 2, 12]), -2.0: np.array([-54.0, -4, -18])}[x]"),
    "test_gradient_step": "import numpy as np\n" + step(
        "return point - lr * {4: np.array([1.0, -2, 3, 1]), 3: np.array([27.0, 2, 12])}[point.size]"),
}
