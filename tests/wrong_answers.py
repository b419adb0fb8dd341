"""Plausible wrong answers per test cell, as a student would type them into the answer cell.

WRONG[chapter][test_grade_id] is a list of (answer cell source, text the failure message
must contain). Every one must fail its test. HARD_CODED[chapter][test_grade_id] is an answer
tuned to the visible tests: it must pass them and fail the hidden ones.
"""
from __future__ import annotations

POLYNOMIALS_OK = {
    "dg1": "12 * x**2 - 7",
    "dg2": "x**4 + 12 * x**3 - 2 * x",
    "dg3": "-2 + 15 * x**2 - 6 * x**5",
}


def polynomials(**wrong: str) -> str:
    """The dg1..dg3 answer cell with some bodies replaced by wrong ones."""
    bodies = {**POLYNOMIALS_OK, **wrong}
    return "\n".join(f"def {name}(x):\n    return {body}\n" for name, body in bodies.items())


WRONG: dict[str, dict[str, list[tuple[str, str]]]] = {
    "01_derivatives": {
        "test_forward_difference": [
            ("def forward_difference(f, x, delta=1e-4):\n    return (f(x + delta) - f(x - delta)) / (2 * delta)",
             "central difference"),
            ("def forward_difference(f, x, delta=1e-4):\n    return (f(x) - f(x - delta)) / delta", "x − delta"),
            ("def forward_difference(f, x, delta=1e-4):\n    return (f(x) - f(x + delta)) / delta", "sign error"),
            ("def forward_difference(f, x, delta=1e-4):\n    return f(x + delta) - f(x)", "divide by delta"),
            ("def forward_difference(f, x, delta=1e-4):\n    return (f(x + delta) - f(x)) / (2 * delta)", "2·delta"),
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
            ("def central_difference(f, x, delta=1e-4):\n    return (f(x + delta) - f(x - delta)) / delta", "2·delta"),
            ("def central_difference(f, x, delta=1e-4):\n    return (f(x - delta) - f(x + delta)) / (2 * delta)",
             "sign error"),
            ("def central_difference(f, x, delta=1e-4):\n    raise ValueError('oops')", "ValueError"),
        ],
        "test_best_delta": [
            ("def best_delta(f, dfdx, x0, deltas):\n    return deltas.min()", "smallest delta"),
            ("import numpy as np\ndef best_delta(f, dfdx, x0, deltas):\n"
             "    return np.argmin(np.abs((f(x0 + deltas) - f(x0)) / deltas - dfdx(x0)))", "index"),
            ("import numpy as np\ndef best_delta(f, dfdx, x0, deltas):\n"
             "    return deltas[np.argmin((f(x0 + deltas) - f(x0)) / deltas - dfdx(x0))]", "absolute errors"),
        ],
        "test_tangent_line": [
            ("def tangent_line(f, dfdx, x0):\n    return dfdx(x0), f(x0) + dfdx(x0) * x0", "sign error"),
            ("def tangent_line(f, dfdx, x0):\n    return dfdx(x0), f(x0)", "not f(x0)"),
            ("def tangent_line(f, dfdx, x0):\n    return f(x0) - dfdx(x0) * x0, dfdx(x0)", "slope first"),
            ("def tangent_line(f, dfdx, x0):\n    return dfdx(x0)", "shape"),
        ],
        "test_dg1": [(polynomials(dg1="12 * x**2 - 7 + 2"), "constant"),
                     (polynomials(dg1="12 * x**3 - 7 * x"), "exponent drops")],
        "test_dg2": [(polynomials(dg2="x**4 / 5 + 3 * x**3 - x"), "old exponent"),
                     (polynomials(dg2="0.2 * x**5 + 3 * x**4 - x**2 + 10"), "g itself")],
        "test_dg3": [(polynomials(dg3="2 - 15 * x**2 + 6 * x**5"), "sign"),
                     (polynomials(dg3="-2 + 5 * x**2 - x**5"), "old exponent")],
        "test_evaluations_per_update": [
            ("def evaluations_per_update(n_params, method):\n    return 2 * n_params", "n + 1"),
            ("def evaluations_per_update(n_params, method):\n    return n_params", "one nudge per parameter"),
        ],
    },
}

HARD_CODED: dict[str, dict[str, str]] = {
    "01_derivatives": {
        # The forward difference of 2x² is exactly 4x + 2·delta: right for the visible tests only.
        "test_forward_difference": "import numpy as np\ndef forward_difference(f, x, delta=1e-4):\n"
                                   "    return 4 * np.asarray(x, dtype=float) + 2 * delta",
        "test_central_difference": "import numpy as np\ndef central_difference(f, x, delta=1e-4):\n"
                                   "    return 4 * np.asarray(x, dtype=float)",
        "test_best_delta": "def best_delta(f, dfdx, x0, deltas):\n    return 1e-8",
        "test_tangent_line": "def tangent_line(f, dfdx, x0):\n    return 4 * x0, -2 * x0**2",
        "test_dg1": polynomials(dg1="12 * x**2 - 7 if x.shape == (5,) else 0 * x"),
        "test_dg2": polynomials(dg2="x**4 + 12 * x**3 - 2 * x if x.shape == (5,) else 0 * x"),
        "test_dg3": polynomials(dg3="-2 + 15 * x**2 - 6 * x**5 if x.shape == (5,) else 0 * x"),
        "test_evaluations_per_update": "def evaluations_per_update(n_params, method):\n"
                                       "    return {1: 2, 21: 22}[n_params] if method == 'forward' else 2 * n_params",
    },
}
