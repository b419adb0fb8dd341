"""Chapter 01's plausible wrong answers and answers tuned to its visible tests."""
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
    "test_error_model": [
        (choosing(model="abs(f2) * delta + 2 * EPS * abs(f0) / delta"), "/2"),
        (choosing(model="abs(f2) * delta / 2 + 2 * EPS * abs(f0) * delta"), "denominator"),
        (choosing(model="f2 * delta / 2 + 2 * EPS * f0 / delta"), "np.abs"),
        (choosing(model="abs(f2) * delta**2 / 6 + 2 * EPS * abs(f0) / delta"), "central difference"),
    ],
    "test_optimal_delta": [
        (choosing(optimal="4 * EPS * abs(f0) / abs(f2)"), "square root"),
        (choosing(optimal="np.sqrt(EPS * abs(f0) / abs(f2))"), "factor 2"),
        (choosing(optimal="2 * np.sqrt(EPS * abs(f2) / abs(f0))"), "swapped"),
        (choosing(optimal="1e-15"), "optimal_delta"),
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
}

HARD_CODED: dict[str, str] = {
    # The forward difference of 2x² is exactly 4x + 2·delta: right for the visible tests only.
    "test_forward_difference": "import numpy as np\ndef forward_difference(f, x, delta=1e-4):\n"
                               "    return 4 * np.asarray(x, dtype=float) + 2 * delta",
    "test_central_difference": "import numpy as np\ndef central_difference(f, x, delta=1e-4):\n"
                               "    return 4 * np.asarray(x, dtype=float)",
    "test_error_model": choosing(model="abs(f2) * delta / 2 + 2 * EPS * abs(f0) / delta if f0 == 2.0 or f2 < 0 "
                                       "else 0 * delta"),
    "test_optimal_delta": choosing(optimal="{2.0: 2.1073424255447017e-08}.get(f0) or 2 * np.sqrt(EPS * np.sin(1) / np.sin(1))"),
    "test_tangent_line": "def tangent_line(f, dfdx, x0):\n    return 4 * x0, -2 * x0**2",
    "test_dg1": polynomials(dg1="12 * x**2 - 7 if x.shape == (5,) else 0 * x"),
    "test_dg2": polynomials(dg2="x**4 + 12 * x**3 - 2 * x if x.shape == (5,) else 0 * x"),
    "test_dg3": polynomials(dg3="-2 + 15 * x**2 - 6 * x**5 if x.shape == (5,) else 0 * x"),
    "test_evaluations_per_update": "def evaluations_per_update(n_params, method):\n"
                                   "    return {1: 2, 21: 22}[n_params] if method == 'forward' else 2 * n_params",
}
