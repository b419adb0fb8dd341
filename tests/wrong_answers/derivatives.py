"""Answer cells as text for chapter 01 (see __init__.py): what a callable cannot express, and what the corpus grades."""
from __future__ import annotations


def choosing(model: str = "abs(f2) * delta / 2 + 2 * EPS * abs(f0) / delta",
             optimal: str = "2 * np.sqrt(EPS * abs(f0) / abs(f2))") -> str:
    """The error_model / optimal_delta answer cell with one body replaced by a wrong one."""
    return ("import numpy as np\nEPS = np.finfo(float).eps\n"
            f"def error_model(delta, f0, f2):\n    delta = np.asarray(delta, dtype=float)\n    return {model}\n"
            f"def optimal_delta(f0, f2):\n    return {optimal}\n")


WRONG: dict[str, list[tuple[str, str]]] = {
    "test_forward_difference": [
        ("def forward_difference(f, x, delta=1e-4):\n    return (f(x + delta) - f(x - delta)) / (2 * delta)",
         "central difference"),
        ("def forward_difference(f, x, delta=1e-4):\n    return [(f(v + delta) - f(v)) / delta for v in x]",
         "forward_difference"),
        ("def forward_difference(f, x, delta=1e-4):\n    x += delta\n    return (f(x) - f(x - delta)) / delta",
         "in place"),
        ("def forward_difference(f, x, delta=1e-4):\n    (f(x + delta) - f(x)) / delta", "return"),
        ("class Always:\n    def __eq__(self, other):\n        return True\n"
         "def forward_difference(f, x, delta=1e-4):\n    return Always()", "type Always"),
        ("import numpy as np\ndef forward_difference(f, x, delta=1e-4):\n    return np.full(np.shape(x), np.nan)",
         "NaN"),
    ],
    "test_central_difference": [
        ("def central_difference(f, x, delta=1e-4):\n    return (f(x + delta) - f(x)) / delta", "forward difference"),
        ("def central_difference(f, x, delta=1e-4):\n    raise ValueError('oops')", "ValueError"),
    ],
    "test_error_model": [
        (choosing(model="abs(f2) * delta + 2 * EPS * abs(f0) / delta"), "/2"),
    ],
    "test_tangent_line": [
        ("def tangent_line(f, dfdx, x0):\n    return dfdx(x0)", "expected the tuple (m, b)"),
    ],
}

HARD_CODED: dict[str, str] = {
    "test_central_difference": "import numpy as np\ndef central_difference(f, x, delta=1e-4):\n"
                               "    return 4 * np.asarray(x, dtype=float)",
}
