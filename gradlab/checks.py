"""Student-facing checkers whose failure messages diagnose.

A failed check raises AssertionError naming the input, the expected and the returned
value, and, when the answer matches a known wrong variant, the likely mistake.

The numpy functions used for judging are captured here at import time, so a notebook
that rebinds ``np.allclose`` or ``np.isfinite`` does not change what the checks see.
"""
from __future__ import annotations

import numbers
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Sequence

import numpy as np

_array = np.array
_asarray = np.asarray
_isfinite = np.isfinite
_allclose = np.allclose
_abs = np.abs
_argmax = np.argmax
_unravel = np.unravel_index
_array_equal = np.array_equal
_array2string = np.array2string
_float64 = np.float64
_ndarray = np.ndarray


class Mistake(NamedTuple):
    """A plausible wrong answer: its implementation and the hint to show when it matches."""

    hint: str
    answer: Callable[..., Any]


def describe(value: Any) -> str:
    """Short, readable text for an argument or result in a message."""
    if callable(value):
        return getattr(value, "__name__", "a function")
    if isinstance(value, _ndarray):
        text = _array2string(value, precision=6, threshold=8, separator=", ")
        return text if value.ndim < 2 else f"array of shape {value.shape}"
    if isinstance(value, float):
        return f"{value:.1f}" if value.is_integer() else f"{value:.10g}"
    return repr(value)


def as_float_array(got: Any, what: str) -> np.ndarray:
    """A plain float64 copy of a numeric answer; AssertionError for anything else."""
    __tracebackhide__ = True  # students see the message, not these frames
    if got is None:
        raise AssertionError(f"{what} returned None: did you forget the `return` statement?")
    if isinstance(got, (tuple, list)):
        parts = [as_float_array(part, what) for part in got]
        if len({part.shape for part in parts}) > 1:
            raise AssertionError(f"{what} returned parts of different shapes {[p.shape for p in parts]}")
        return _array(parts)
    numeric_array = isinstance(got, _ndarray) and got.dtype.kind in "fiu"
    if not numeric_array and (isinstance(got, (bool, _ndarray)) or not isinstance(got, numbers.Real)):
        kind = f"an array of dtype {got.dtype}" if isinstance(got, _ndarray) else f"a value of type {type(got).__name__}"
        raise AssertionError(f"{what} returned {kind}; expected a number or a numpy array of floats")
    try:
        return _array(got, dtype=_float64)
    except (TypeError, ValueError) as exc:
        raise AssertionError(f"{what} returned something that is not an array of real numbers ({exc})") from None


def split(got: Any, names: Sequence[str], what: str) -> list[Any]:
    """A student's tuple answer split into its len(names) parts; AssertionError for anything else."""
    __tracebackhide__ = True  # students see the message, not these frames
    if got is None:
        raise AssertionError(f"{what} returned None: did you forget the `return` statement?")
    if not isinstance(got, (tuple, list)) or len(got) != len(names):
        count = f"{len(got)} values" if isinstance(got, (tuple, list)) else describe(got)
        raise AssertionError(f"{what} returned {count}; expected the tuple ({', '.join(names)})")
    return list(got)


def call(fn: Any, args: Mapping[str, Any], what: str) -> Any:
    """Call a student's function with keyword args; turn any failure into a clear AssertionError."""
    __tracebackhide__ = True  # students see the message, not these frames
    if not callable(fn):
        raise AssertionError(f"{what}: expected a function, got a value of type {type(fn).__name__}")
    copies = {k: v.copy() if isinstance(v, _ndarray) else v for k, v in args.items()}
    try:
        with np.errstate(all="ignore"):
            got = fn(**copies)
    except NotImplementedError:
        raise AssertionError(f"{what} is not implemented yet: replace `raise NotImplementedError()` with your code") from None
    except AssertionError:
        raise
    except Exception as exc:  # noqa: BLE001 - any student error becomes a readable failure
        raise AssertionError(f"{what} raised {type(exc).__name__}: {exc}") from None
    for key, original in args.items():
        if isinstance(original, _ndarray) and not _array_equal(copies[key], original, equal_nan=original.dtype.kind == "f"):
            raise AssertionError(f"{what} changed its input `{key}` in place; work on a copy instead")
    return got


def close(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> bool:
    """Same shape and all entries within tolerance."""
    return got.shape == expected.shape and bool(_allclose(got, expected, rtol=rtol, atol=atol))


def check_array(got: Any, expected: Any, what: str, rtol: float = 1e-7, atol: float = 1e-12) -> np.ndarray:
    """Check type, shape, finiteness, then values; return the answer as a float64 array."""
    __tracebackhide__ = True  # students see the message, not these frames
    expected = _asarray(expected, dtype=_float64)
    value = as_float_array(got, what)
    if value.shape != expected.shape:
        hint = " (transposed?)" if value.shape == expected.shape[::-1] and value.ndim > 1 else ""
        raise AssertionError(f"{what} returned shape {value.shape}, expected {expected.shape}{hint}")
    if not _isfinite(value).all():
        raise AssertionError(f"{what} returned NaN or infinity: {describe(value)}")
    if not _allclose(value, expected, rtol=rtol, atol=atol):
        error = _abs(value - expected) - rtol * _abs(expected)
        worst = _unravel(_argmax(error), value.shape) if value.ndim else ()
        where = f" at index {tuple(int(i) for i in worst)}" if value.ndim else ""
        raise AssertionError(
            f"{what}{where}: expected {expected[worst]:.10g}, got {value[worst]:.10g}"
            f" (tolerance {rtol:g} relative)"
        )
    return value


def likely_mistake(value: np.ndarray, args: Mapping[str, Any], mistakes: Sequence[Mistake], rtol: float, atol: float,
                   pick: Callable[[Any], Any] = lambda answer: answer) -> str:
    """The hint of the first known wrong answer that gives the same result, or ''; pick(answer) selects
    the part compared when value is one part of a tuple answer."""
    for mistake in mistakes:
        try:
            with np.errstate(all="ignore"):
                wrong = _asarray(pick(mistake.answer(**args)), dtype=_float64)
        except Exception:  # noqa: BLE001 - a mistake that cannot run on these args does not match
            continue
        if close(value, wrong, rtol, atol):
            return mistake.hint
    return ""


def diagnose(got: Any, expected: Any, case: Mapping[str, Any], what: str, mistakes: Sequence[Mistake] = (),
             rtol: float = 1e-7, atol: float = 1e-12, shape_hint: str = "") -> np.ndarray:
    """check_array, plus the hint of the known mistake that gives the same answer (else shape_hint
    when the shape is wrong); returns the answer as a float array."""
    __tracebackhide__ = True  # students see the message, not these frames
    value = as_float_array(got, what)
    try:
        return check_array(value, expected, what, rtol, atol)
    except AssertionError as failure:
        wrong_shape = value.shape != _asarray(expected).shape
        hint = likely_mistake(value, case, mistakes, rtol, atol) or (shape_hint if wrong_shape else "")
        raise AssertionError(f"{failure}\nLikely mistake: {hint}" if hint else str(failure)) from None


def check_function(
    student: Any,
    reference: Callable[..., Any],
    cases: Iterable[Mapping[str, Any]],
    name: str,
    mistakes: Sequence[Mistake] = (),
    rtol: float = 1e-7,
    atol: float = 1e-12,
) -> None:
    """Compare student(**case) with reference(**case) for every case, diagnosing failures."""
    __tracebackhide__ = True  # students see the message, not these frames
    for case in cases:
        what = f"{name}({', '.join(f'{k}={describe(v)}' for k, v in case.items())})"
        diagnose(call(student, case, what), reference(**case), case, what, mistakes, rtol, atol)
