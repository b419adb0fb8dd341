"""Student-facing checkers whose failure messages diagnose.

A failed check raises AssertionError naming the input, the expected and the returned
value, and, when the answer matches a known wrong variant, the likely mistake.

The numpy functions used for judging are captured here at import time, so a notebook
that rebinds ``np.allclose`` or ``np.isfinite`` does not change what the checks see.

`call` is the only place a check runs a student's code. It hands back the answer as plain data
(float arrays, numbers, strings, tuples, lists, dicts), so judging never runs student code, and it
marks the span in which student code runs with two audit events ("gradlab.call"), which the
grader's guard watches (grader/guard.py). Outside grading nothing listens to them.
"""
from __future__ import annotations

import linecache
import numbers
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

import numpy as np

# numpy as it was at import: a student who rebinds np.allclose does not change what the checks see
_array, _asarray, _isfinite, _allclose, _abs, _argmax = np.array, np.asarray, np.isfinite, np.allclose, np.abs, np.argmax
_unravel, _array_equal, _array2string, _errstate = np.unravel_index, np.array_equal, np.array2string, np.errstate
_max, _size, _ravel, _shape, _default_rng = np.max, np.size, np.ravel, np.shape, np.random.default_rng
_float64, _ndarray = np.float64, np.ndarray
_traceback_of = BaseException.__traceback__.__get__   # a student's exception class cannot override this
LIBRARIES = (str(Path(__file__).resolve().parent), sys.prefix, sys.base_prefix)   # frames that are not the student's
# Immutable values a student may return as they are: Python's and numpy's scalar types.
ATOMS = (type(None), bool, int, float, complex, str, *sorted(set(np.sctypeDict.values()), key=str))
MAX_DEPTH = 8  # nesting kept in an answer (tuples of dicts of arrays need 3)


class Mistake(NamedTuple):
    """A plausible wrong answer: its implementation and the hint to show when it matches."""

    hint: str
    answer: Callable[..., Any]


class Opaque:
    """Stands for an answer that is not plain data (an object of the student's own class, say)."""

    __slots__ = ("type_name",)

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"a value of type {self.type_name}"


def generator(seed: int | None) -> np.random.Generator | None:
    """The random generator of a check's hidden cases (None: the visible cases)."""
    return None if seed is None else _default_rng(seed)


def random_shape(rng: np.random.Generator, min_ndim: int, max_ndim: int, low: int = 1, high: int = 4) -> tuple[int, ...]:
    """A shape for a hidden case: min_ndim..max_ndim axes of low..high entries each."""
    return tuple(int(n) for n in rng.integers(low, high + 1, size=rng.integers(min_ndim, max_ndim + 1)))


def named(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    """fn, renamed for failure messages (which name a function argument by its __name__)."""
    fn.__name__ = name
    return fn


def describe(value: Any) -> str:
    """Short, readable text for an argument or result in a message."""
    if isinstance(value, Opaque):
        return repr(value)
    if callable(value):
        return getattr(value, "__name__", "a function")
    if isinstance(value, _ndarray):
        text = _array2string(value, precision=6, threshold=8, separator=", ")
        return text if value.ndim < 2 else f"array of shape {value.shape}"
    if isinstance(value, dict):  # parameters: one-entry arrays by their value, others by their shape
        return "{" + ", ".join(f"{key}: {float(_ravel(part)[0]):g}" if _size(part) == 1 else f"{key}: shape {_shape(part)}"
                               for key, part in value.items()) + "}"
    if isinstance(value, float):
        return f"{value:.1f}" if value.is_integer() else f"{value:.10g}"
    return repr(value)


# ---------------------------------------------------------------- running the student's code

def type_name(value: Any) -> str:
    """The name of value's class, read without running code of the class's own (a metaclass's __name__)."""
    return str.__getitem__(type.__dict__["__name__"].__get__(type(value)), slice(None))


def plain(value: Any, depth: int = 0) -> Any:
    """A copy of a student's answer made of plain data only: scalars and strings as they are, arrays
    as float-or-other base ndarrays, tuples, lists and dicts rebuilt, other reals as floats, anything
    else an Opaque naming its type; a node of gradlab.autodiff's graphs becomes "node <its label>". Runs
    while student code may still run (its __iter__, __float__)."""
    kind = type(value)
    if any(kind is atom for atom in ATOMS):
        return value
    if kind is getattr(sys.modules.get("gradlab.autodiff"), "Value", None):
        label = object.__getattribute__(value, "__dict__").get("label")
        return f"node {str.__getitem__(label, slice(None)) if isinstance(label, str) else '?'}"
    if isinstance(value, _ndarray):
        copy = _array(value, copy=True, subok=False)
        return Opaque("ndarray of objects") if copy.dtype.hasobject else copy
    if depth < MAX_DEPTH and isinstance(value, (tuple, list)):
        parts = [plain(part, depth + 1) for part in value]
        return tuple(parts) if isinstance(value, tuple) else parts
    if depth < MAX_DEPTH and isinstance(value, (set, frozenset)):  # a set of names: as a list, in a fixed order
        return sorted((plain(part, depth + 1) for part in value), key=repr)
    if depth < MAX_DEPTH and isinstance(value, Mapping):
        return {key if type(key) is str else Opaque(type_name(key)): plain(part, depth + 1)
                for key, part in value.items()}
    if isinstance(value, numbers.Real):
        return float(value)
    return Opaque(type_name(value))


def is_plain(value: Any, depth: int = 0) -> bool:
    """Whether value is what `plain` makes, by exact type (so checking it runs no student code)."""
    kind = type(value)
    if any(kind is atom for atom in ATOMS):
        return True
    if kind is Opaque:
        return type(value.type_name) is str
    if kind is _ndarray:
        return not value.dtype.hasobject
    if depth > MAX_DEPTH:
        return False
    if kind is tuple or kind is list:
        return all(is_plain(part, depth + 1) for part in value)
    if kind is dict:
        return all((type(key) is str or type(key) is Opaque) and is_plain(part, depth + 1) for key, part in value.items())
    return False


def copied(value: Any) -> Any:
    """A copy of an argument deep enough that the student's code cannot change the original:
    arrays copied, dicts, lists and tuples of them rebuilt."""
    if isinstance(value, _ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {key: copied(part) for key, part in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(copied(part) for part in value)
    return value


def changed(original: Any, copy: Any, path: str) -> str:
    """The path of the first entry of copy that no longer equals original ('' if none), compared by
    exact type first, so a student's object put in its place runs no code here."""
    if isinstance(original, _ndarray):
        same = (type(copy) is _ndarray and copy.shape == original.shape and copy.dtype == original.dtype
                and _array_equal(copy, original, equal_nan=original.dtype.kind == "f"))
        return "" if same else path
    if isinstance(original, dict):
        if type(copy) is not dict or len(copy) != len(original) or not all(type(key) is str for key in copy):
            return path
        for key, part in original.items():
            where = changed(part, copy[key], f"{path}[{key!r}]") if key in copy else path
            if where:
                return where
        return ""
    if isinstance(original, (list, tuple)):
        if type(copy) is not type(original) or len(copy) != len(original):
            return path
        return next((where for index, part in enumerate(original)
                     if (where := changed(part, copy[index], f"{path}[{index}]"))), "")
    return ""


def text_of(error: BaseException) -> str:
    """str(error) as an exact str (a student's __str__ may return a subclass)."""
    text = str(error)
    return str.__getitem__(text, slice(None)) if isinstance(text, str) else "?"


def run(fn: Any, copies: dict[str, Any], what: str) -> tuple[Any, str, BaseException | None]:
    """Student time: call fn(**copies); (its answer as plain data, '', None) or (None, what went wrong, the
    student's exception when their code raised one)."""
    if not callable(fn):
        return None, f"{what}: expected a function, got a value of type {type_name(fn)}", None
    try:
        with _errstate(all="ignore"):
            return plain(fn(**copies)), "", None
    except NotImplementedError:
        return None, f"{what} is not implemented yet: replace `raise NotImplementedError()` with your code", None
    except AssertionError as error:  # the student's own assert: its message as it is
        return None, text_of(error), None
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # any student error becomes a readable failure
        return None, f"{what} raised {type_name(error)}: {text_of(error)}", error


def student_line(error: BaseException) -> str:
    """Where the student's own code raised error: the last frame outside gradlab and the installed libraries,
    as a line of the message (read after student time, through BaseException's own descriptor, so no code
    of a student's exception class runs), or ''."""
    tb, found = _traceback_of(error), None
    while type(tb) is TracebackType:
        code = tb.tb_frame.f_code
        if not code.co_filename.startswith(LIBRARIES):
            found = (code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    line = linecache.getline(*found).strip() if found else ""
    return f"\n  in your code, line {found[1]}: {line}" if line else ""


def call_each(fn: Any, cases: Sequence[Mapping[str, Any]], whats: Sequence[str],
              _audit: Callable[..., None] = sys.audit) -> list[tuple[Any, str]]:
    """Call a student's function on copies of each case's keyword args, all in one stretch of student
    time: per case, (the answer as plain data, '') or (None, what went wrong: a stub, an exception,
    an input changed in place).

    The audit events mark student time for the grader's guard, which checks the kernel once per
    stretch; `_audit` is bound at definition, so student code cannot swap it for another function."""
    copies = [{key: copied(value) for key, value in case.items()} for case in cases]
    _audit("gradlab.call", "enter", cases)
    try:
        results = [run(fn, copy, what) for copy, what in zip(copies, whats)]
    finally:
        _audit("gradlab.call", "exit", None)
    if type(results) is not list or len(results) != len(cases):
        return [(None, f"{whats[0]}: the answer interfered with the checks")] * len(cases)
    checked = []
    for case, copy, what, result in zip(cases, copies, whats, results):
        got, failure, error = result if type(result) is tuple and len(result) == 3 else (None, None, None)
        if type(failure) is not str or not is_plain(got):
            failure = f"{what} returned something the checks cannot read"
        elif failure and isinstance(error, BaseException):
            failure += student_line(error)
        elif not failure:
            where = next((w for key, original in case.items() if (w := changed(original, copy[key], key))), "")
            if where:
                advice = " (new arrays in a new dict)" if "[" in where else ""
                failure = f"{what} changed its input `{where}` in place; work on a copy instead{advice}"
        checked.append((None, failure) if failure else (got, ""))
    return checked


def with_hint(message: str, hint: str) -> str:
    """message, followed by the likely mistake when there is one."""
    return f"{message}\nLikely mistake: {hint}" if hint else message


def hinted_call_failure(failure: str, shape_hint: str) -> str:
    """What went wrong in a call, with shape_hint when the student's code raised a shape error."""
    shape_error = any(f"raised {kind}" in failure for kind in ("ValueError", "IndexError"))
    return with_hint(failure, shape_hint if shape_error else "")


def answers(fn: Any, cases: Sequence[Mapping[str, Any]], whats: Sequence[str], shape_hint: str = "") -> Iterator[Any]:
    """call_each's answers in order; a case that failed raises its AssertionError when its turn comes
    (with shape_hint added when the student's code raised a shape error)."""
    __tracebackhide__ = True  # students see the message, not these frames
    for got, failure in call_each(fn, cases, whats):
        if failure:
            raise AssertionError(hinted_call_failure(failure, shape_hint))
        yield got


def call(fn: Any, args: Mapping[str, Any], what: str, shape_hint: str = "") -> Any:
    """The answer for one case as plain data, or an AssertionError saying what went wrong."""
    __tracebackhide__ = True  # students see the message, not these frames
    return next(answers(fn, [args], [what], shape_hint))


def described(name: str, case: Mapping[str, Any]) -> str:
    """The call as messages name it: name(x=1.0, delta=0.0001)."""
    return f"{name}({', '.join(f'{k}={describe(v)}' for k, v in case.items())})"


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
        kind = (f"an array of dtype {got.dtype}" if isinstance(got, _ndarray) else
                repr(got) if isinstance(got, Opaque) else f"a value of type {type(got).__name__}")
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
    if isinstance(got, _ndarray) and got.ndim and len(got) == len(names):  # parts stacked in one array
        return list(got)
    if not isinstance(got, (tuple, list)) or len(got) != len(names):
        count = f"{len(got)} values" if isinstance(got, (tuple, list)) else describe(got)
        raise AssertionError(f"{what} returned {count}; expected the tuple ({', '.join(names)})")
    return list(got)


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


def picked(answer: Any, path: Sequence[Any]) -> Any:
    """The part of answer at path (tuple indices and dict keys, outermost first)."""
    for step in path:
        answer = answer[step]
    return answer


def keyed(got: Any, keys: Sequence[str], what: str, in_order: bool) -> Mapping[str, Any]:
    """A dict answer with these keys (with in_order, a tuple or list of the values in key order is taken too)."""
    __tracebackhide__ = True  # students see the message, not these frames
    if in_order and isinstance(got, (tuple, list)) and len(got) == len(keys):
        return dict(zip(keys, got))
    if got is None:
        raise AssertionError(f"{what} is None: did you forget the `return` statement?")
    if not isinstance(got, Mapping):
        raise AssertionError(f"{what} is {describe(got)}; expected a dict with keys {', '.join(keys)}")
    missing = [key for key in keys if key not in got]
    if missing:
        raise AssertionError(f"{what} has no key(s) {', '.join(missing)}; expected {', '.join(keys)}")
    return got


Case = Mapping[str, Any]


@dataclass(frozen=True)
class Exercise:
    """One exercise as a declaration: the reference, the cases, what counts as right, the known mistakes.

    `check(student, seed)` calls the student's function on the visible cases (seed None) or on hidden
    ones drawn with the seed, and fails on the first wrong case naming the call, the part, the expected
    and returned values and, when a known mistake gives the same numbers, its hint. The tests read
    `tuned` (answers fitted to the visible cases, which the hidden ones must catch) and `variants`
    (right answers written differently, which must always pass): tests/test_exercise_records.py.
    """

    name: str                                   # the student's function, as messages name it
    reference: Callable[..., Any]
    cases: Callable[[np.random.Generator | None], list[dict[str, Any]]]
    mistakes: Sequence[Mistake] = ()
    parts: Sequence[str] = ()                   # names of a tuple answer's parts; () for one value or dict
    order: Sequence[int] = ()                   # the order parts are judged in (default: as returned)
    rtol: float = 1e-7
    atol: float = 1e-12
    scaled_atol: float = 0.0                    # atol grows to this fraction of the part's largest |entry|
    shape_hint: str = ""                        # the hint for a shape error no known mistake explains
    judge: Callable[[Exercise, Any, Case, str], None] | None = None     # replaces `compare`
    test: str = ""                              # the notebook's test cell (default test_<name>)
    tuned: Sequence[Callable[..., Any]] = ()
    variants: Sequence[Callable[..., Any]] = ()

    @property
    def test_id(self) -> str:
        return self.test or f"test_{self.name}"

    def check(self, student: Any, seed: int | None = None) -> None:
        """AssertionError with a diagnosis unless student is right on every case."""
        __tracebackhide__ = True  # students see the message, not these frames
        cases = self.cases(generator(seed))
        message = next((message for message in self.failures(student, cases) if message), "")
        if message:
            raise AssertionError(message)

    def failures(self, student: Any, cases: Sequence[Case]) -> list[str]:
        """For each case, what is wrong with the student's answer ('' when it is right)."""
        whats = [described(self.name, case) for case in cases]
        messages = []
        for case, what, (got, failure) in zip(cases, whats, call_each(student, cases, whats)):
            if failure:
                messages.append(hinted_call_failure(failure, self.shape_hint))
                continue
            try:
                (self.judge or Exercise.compare)(self, got, case, what)
                messages.append("")
            except AssertionError as error:
                messages.append(str(error))
        return messages

    def compare(self, got: Any, case: Case, what: str) -> None:
        """The default judge: the answer, part by part, against the reference's."""
        __tracebackhide__ = True  # students see the message, not these frames
        expected = self.reference(**case)
        if not self.parts:
            return self.compare_part(got, expected, case, what, (), got)
        parts = split(got, self.parts, what)
        for index in self.order or range(len(self.parts)):
            self.compare_part(parts[index], expected[index], case, f"{what}: {self.parts[index]}", (index,), got)

    def compare_part(self, got: Any, expected: Any, case: Case, what: str, path: tuple, answer: Any) -> None:
        """The part of the whole answer at path (a dict: entry by entry) within the tolerances, else the
        likely mistake or the shape hint."""
        __tracebackhide__ = True  # students see the message, not these frames
        if isinstance(expected, dict):
            got = keyed(got, list(expected), what if path else f"what {what} returned", in_order=not path)
            for key, part in expected.items():
                self.compare_part(got[key], part, case, f"{what}[{key!r}]", (*path, key), answer)
            return
        expected = _asarray(expected, dtype=_float64)
        atol = max(self.atol, self.scaled_atol * float(_max(_abs(expected), initial=0.0)))
        value = as_float_array(got, what)
        try:
            check_array(value, expected, what, self.rtol, atol)
        except AssertionError as failure:
            hint = self.likely_mistake(value, case, path, atol, answer)
            hint = hint or (self.shape_hint if value.shape != expected.shape else "")
            raise AssertionError(with_hint(str(failure), hint)) from None

    def likely_mistake(self, value: np.ndarray, case: Case, path: tuple = (), atol: float | None = None,
                       answer: Any = None) -> str:
        """The hint of the first known mistake whose answer has value at path, or ''; when several do, the
        first whose whole answer equals the student's whole answer."""
        atol = self.atol if atol is None else atol
        hints = []
        for mistake in self.mistakes:
            try:
                with _errstate(all="ignore"):
                    wrong = mistake.answer(**case)
                    gives = close(value, _asarray(picked(wrong, path), dtype=_float64), self.rtol, atol)
            except Exception:  # a mistake that cannot run on these args does not match
                continue
            if gives and (answer is None or same(answer, wrong, self.rtol, atol)):
                return mistake.hint
            hints += [mistake.hint] if gives else []
        return hints[0] if hints else ""


def same(answer: Any, wrong: Any, rtol: float, atol: float) -> bool:
    """Whether a student's answer (plain data) equals a mistake's answer, part by part."""
    try:
        if isinstance(wrong, dict):
            return isinstance(answer, Mapping) and all(same(answer[key], part, rtol, atol) for key, part in wrong.items())
        if isinstance(wrong, (tuple, list)):
            return len(answer) == len(wrong) and all(same(a, w, rtol, atol) for a, w in zip(answer, wrong))
        return close(as_float_array(answer, ""), _asarray(wrong, dtype=_float64), rtol, atol)
    except (AssertionError, TypeError, ValueError, KeyError):
        return False
