"""Answer cells as text for chapter 02 (see __init__.py): what a callable cannot express, and what the corpus grades."""
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


def gradient_g(body: str) -> str:
    return f"import numpy as np\ndef gradient_g(x, y, z):\n    return {body}\n"


def step(body: str) -> str:
    return f"def gradient_step(f_grad, point, lr):\n    {body}\n"


def min_partials(body: str) -> str:
    return f"import numpy as np\ndef min_partials(x, y):\n    return {body}\n"


def clip(body: str) -> str:
    return f"import numpy as np\ndef clip_derivative(x, low, high):\n    return {body}\n"


WRONG: dict[str, list[tuple[str, str]]] = {
    "test_numerical_gradient": [
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
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        point = x.copy()
        point[index] += delta
        grad[index] = (f(point) - f(x - delta)) / (2 * delta)
"""), "return"),
    ],
    "test_h1": [
        (partials(dh1_dx="8 * x - 3"), "constant factor"),
    ],
    "test_clip_derivative": [
        (clip("((x >= low) & (x <= high)).astype(float)"), "not low <= x <= high"),
        (clip("(x > low) & (x < high)"), "astype(float)"),
        (clip("1.0 if low < x < high else 0.0"), "ValueError"),
    ],
    "test_min_partials": [
        (min_partials("(y <= x).astype(float), (x < y).astype(float)"), "swapped"),
        (min_partials("(x < y).astype(float)"), "expected the tuple (dmin_dx, dmin_dy)"),
        (min_partials("x < y, y <= x"), "returned booleans"),
    ],
    "test_gradient_g": [
        (gradient_g("np.array([[2 * x * y + z * np.exp(x) + np.log(y)], [x**2 - 3 * z**3 + x / y], "
                    "[-9 * y * z**2 + np.exp(x)]])"), "returned shape (3, 1)"),
    ],
    "test_gradient_step": [
        (step("point -= lr * f_grad(point)\n    return point"), "changed its input `point` in place"),
    ],
}

HARD_CODED: dict[str, str] = {
}
