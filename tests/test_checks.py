"""Unit tests for gradlab.checks: every way an answer can be wrong gets a clear AssertionError."""
from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest

from gradlab.checks import Mistake, as_float_array, call, check_array, check_function, close, describe, likely_mistake

pytestmark = pytest.mark.filterwarnings("error")


class AlwaysEqual:
    """An answer that claims to equal anything."""

    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


def fails(got, expected=(1.0, 2.0, 3.0), what="f(x)") -> str:
    """The message check_array raises for this answer (and the test fails if it passes)."""
    with pytest.raises(AssertionError) as failure:
        check_array(got, expected, what)
    return str(failure.value)


# ---------------------------------------------------------------- describe

def named(x):
    return x


@pytest.mark.parametrize("value, text", [
    (named, "named"),
    (lambda x: x, "<lambda>"),
    (functools.partial(named, 1), "a function"),
    (np.array([1.0, 2.5]), "[1. , 2.5]"),
    (np.zeros((2, 3)), "array of shape (2, 3)"),
    (1.0, "1.0"),
    (0.1, "0.1"),
    (1 / 3, "0.3333333333"),
    (3, "3"),
    ("forward", "'forward'"),
])
def test_describe(value, text):
    assert describe(value) == text


def test_describe_elides_long_arrays():
    text = describe(np.arange(100.0))
    assert "..." in text and len(text) < 80


# ---------------------------------------------------------------- as_float_array

@pytest.mark.parametrize("got, expected", [
    (3, np.array(3.0)),
    (2.5, np.array(2.5)),
    (np.float32(0.5), np.array(0.5)),
    (np.arange(3), np.array([0.0, 1.0, 2.0])),
    ((1, 2.5), np.array([1.0, 2.5])),
    ([np.ones(2), np.zeros(2)], np.array([[1.0, 1.0], [0.0, 0.0]])),
    ([[1, 2], [3, 4]], np.array([[1.0, 2.0], [3.0, 4.0]])),
])
def test_as_float_array_accepts_numbers_arrays_and_equal_shape_parts(got, expected):
    value = as_float_array(got, "f(x)")
    assert value.dtype == np.float64
    np.testing.assert_array_equal(value, expected)


def test_as_float_array_returns_a_copy():
    original = np.array([1.0, 2.0])
    as_float_array(original, "f(x)")[0] = 99.0
    assert original[0] == 1.0


def test_as_float_array_rejects_parts_of_different_shapes():
    with pytest.raises(AssertionError, match=r"parts of different shapes \[\(2,\), \(3,\)\]"):
        as_float_array((np.ones(2), np.ones(3)), "f(x)")


@pytest.mark.parametrize("got, words", [
    (None, ["returned None", "`return`"]),
    ("4.0", ["type str"]),
    ({"m": 1.0}, ["type dict"]),
    (object(), ["type object"]),
    (AlwaysEqual(), ["type AlwaysEqual"]),
    (True, ["type bool"]),
    (2 + 1j, ["type complex"]),
    (np.complex128(2 + 1j), ["type complex128"]),
    ([1.0, None], ["returned None"]),
    (np.array(["a", "b"]), ["an array of dtype <U1"]),
    (np.array([object(), 1.0]), ["an array of dtype object"]),
    (np.array([True, False]), ["an array of dtype bool"]),
    (np.array([4.0 + 3j]), ["an array of dtype complex128"]),
])
def test_as_float_array_rejects_non_numbers(got, words):
    with pytest.raises(AssertionError) as failure:
        as_float_array(got, "f(x)")
    message = str(failure.value)
    assert message.startswith("f(x)")
    for word in words:
        assert word in message


# ---------------------------------------------------------------- call

def test_call_passes_keyword_arguments_and_returns_the_answer():
    assert call(lambda a, b: a - b, {"b": 1, "a": 5}, "f") == 4


def test_call_rejects_a_value_that_is_not_a_function():
    with pytest.raises(AssertionError, match="f: expected a function, got a value of type float"):
        call(4.0002, {}, "f")


def test_call_reports_not_implemented_yet():
    def stub(x):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="f\\(x=1\\) is not implemented yet"):
        call(stub, {"x": 1}, "f(x=1)")


def test_call_names_any_other_exception_and_its_message():
    with pytest.raises(AssertionError, match="f raised ZeroDivisionError: division by zero"):
        call(lambda x: x / 0, {"x": 1}, "f")
    with pytest.raises(AssertionError, match="f raised KeyError: 'm'"):
        call(lambda: {}["m"], {}, "f")


def test_call_lets_assertion_errors_through_unchanged():
    def student():
        raise AssertionError("my own check")

    with pytest.raises(AssertionError, match="^my own check$"):
        call(student, {}, "f")


def test_call_rejects_changing_an_array_argument_in_place():
    def nudge(x, delta):
        x += delta
        return x

    x = np.arange(3.0)
    with pytest.raises(AssertionError, match="changed its input `x` in place"):
        call(nudge, {"x": x, "delta": 0.1}, "f")
    np.testing.assert_array_equal(x, [0.0, 1.0, 2.0])  # the caller's array is safe


def test_call_accepts_nudging_and_restoring_in_place():
    def nudge_and_restore(x):
        x[0] += 1.0
        total = x.sum()
        x[0] -= 1.0
        return total

    assert call(nudge_and_restore, {"x": np.array([0.5, 2.0])}, "f") == 3.5


def test_call_silences_floating_point_warnings_from_the_student():
    got = call(lambda x: np.log(x), {"x": np.array([0.0, -1.0])}, "f")
    assert got[0] == -np.inf and np.isnan(got[1])


def test_call_does_not_report_mutation_for_an_input_containing_nan():
    call(lambda x: x + 1, {"x": np.array([np.nan, 1.0])}, "f")


# ---------------------------------------------------------------- close

@pytest.mark.parametrize("got, expected, result", [
    (np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9]), True),
    (np.array([1.0, 2.0]), np.array([1.0, 2.1]), False),
    (np.array([[1.0, 2.0]]), np.array([1.0, 2.0]), False),  # broadcastable is not enough
    (np.array(1.0), np.array([1.0]), False),
])
def test_close_needs_same_shape_and_values(got, expected, result):
    assert close(got, expected, rtol=1e-7, atol=1e-12) is result


# ---------------------------------------------------------------- check_array

def test_check_array_returns_the_answer_as_float64():
    value = check_array([1, 2, 3], [1.0, 2.0, 3.0], "f(x)")
    assert value.dtype == np.float64
    np.testing.assert_array_equal(value, [1.0, 2.0, 3.0])


def test_check_array_accepts_rounding_differences():
    check_array(np.array([0.1 + 0.2, 1e-13]), [0.3, 0.0], "f(x)")


def test_check_array_mentions_return_for_none():
    assert "`return`" in fails(None)


@pytest.mark.parametrize("got", ["1.0", {"x": 1.0}, object(), AlwaysEqual(), True, np.bool_(True), 1 + 0j])
def test_check_array_rejects_answers_that_are_not_numbers(got):
    assert "returned a value of type" in fails(got, 1.0)


def test_check_array_rejects_a_complex_array():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        fails(np.array([1.0 + 2j, 2.0, 3.0]))


def test_check_array_names_the_wrong_shape():
    message = fails(np.ones((3, 1)))
    assert "returned shape (3, 1), expected (3,)" in message
    assert "transposed" not in message


def test_check_array_suggests_transposed_for_a_reversed_2d_shape():
    assert "returned shape (3, 2), expected (2, 3) (transposed?)" in fails(np.ones((3, 2)), np.ones((2, 3)))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_check_array_rejects_nan_and_infinity(bad):
    assert "NaN or infinity" in fails([1.0, bad, 3.0])


def test_check_array_names_index_expected_and_got():
    expected = np.arange(6.0).reshape(2, 3)
    got = expected.copy()
    got[1, 2] = 7.5
    message = fails(got, expected, "g(x)")
    assert message.startswith("g(x) at index (1, 2): expected 5, got 7.5")


def test_check_array_points_at_the_worst_entry():
    assert "at index (2,): expected 3, got 30" in fails([1.1, 2.0, 30.0])


def test_check_array_scalar_message_has_no_index():
    message = fails(4.0, 4.0002)
    assert message.startswith("f(x): expected 4.0002, got 4")
    assert "index" not in message


# ---------------------------------------------------------------- likely_mistake and check_function

def forward(f, x, delta):
    return (f(x + delta) - f(x)) / delta


MISTAKES = [
    Mistake("crashes", lambda f, x, delta: 1 / 0),
    Mistake("wrong shape", lambda f, x, delta: np.stack([x, x])),
    Mistake("forgot to divide", lambda f, x, delta: f(x + delta) - f(x)),
    Mistake("also forgot to divide", lambda f, x, delta: f(x + delta) - f(x)),
    Mistake("backward", lambda f, x, delta: (f(x) - f(x - delta)) / delta),
]
CASES = [{"f": np.exp, "x": 0.5, "delta": 1e-3}, {"f": np.exp, "x": np.linspace(-1, 1, 4), "delta": 1e-2}]


def test_likely_mistake_returns_the_first_matching_hint():
    case = CASES[1]
    wrong = np.exp(case["x"] + 1e-2) - np.exp(case["x"])
    assert likely_mistake(wrong, case, MISTAKES, 1e-7, 1e-12) == "forgot to divide"


def test_likely_mistake_is_empty_when_nothing_matches():
    assert likely_mistake(np.zeros(4), CASES[1], MISTAKES, 1e-7, 1e-12) == ""


def test_check_function_passes_a_correct_implementation():
    check_function(lambda f, x, delta: (f(x + delta) - f(x)) / delta, forward, CASES, "forward", MISTAKES)


def test_check_function_names_the_likely_mistake():
    with pytest.raises(AssertionError) as failure:
        check_function(lambda f, x, delta: (f(x) - f(x - delta)) / delta, forward, CASES, "forward", MISTAKES)
    first, second = str(failure.value).split("\n")
    assert first.startswith("forward(f=exp, x=0.5, delta=0.001): expected")
    assert second == "Likely mistake: backward"


def test_check_function_has_no_likely_mistake_line_when_none_matches():
    with pytest.raises(AssertionError) as failure:
        check_function(lambda f, x, delta: 0 * x + 1.0, forward, CASES, "forward", MISTAKES)
    assert "Likely mistake" not in str(failure.value)


def test_check_function_reports_the_first_failing_case():
    def right_for_scalars_only(f, x, delta):
        return forward(f, x, delta) if np.ndim(x) == 0 else np.zeros_like(x)

    # the scalar case passes; the array case fails worst at x = 1, where (e^1.01 - e) / 0.01 = 2.73
    with pytest.raises(AssertionError, match=r"^forward\(f=exp, x=\[-1\. .*\) at index \(3,\): expected 2\.73"):
        check_function(right_for_scalars_only, forward, CASES, "forward", MISTAKES)


@pytest.mark.parametrize("student, words", [
    (lambda f, x, delta: None, "`return`"),
    (lambda f, x, delta: "4", "type str"),
    (lambda f, x, delta: AlwaysEqual(), "type AlwaysEqual"),
    (lambda f, x, delta: f(x) / 0 * 0, "NaN or infinity"),
    (lambda f, x, delta: [forward(f, x, delta)], "returned shape"),
    (4.0002, "expected a function"),
])
def test_check_function_failures_are_assertion_errors_with_a_diagnosis(student, words):
    with pytest.raises(AssertionError, match=words):
        check_function(student, forward, CASES, "forward", MISTAKES)


# ---------------------------------------------------------------- judging functions captured at import

def test_rebinding_numpy_in_a_notebook_does_not_fool_check_array(monkeypatch):
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    monkeypatch.setattr(np, "isfinite", lambda x: np.ones(np.shape(x), dtype=bool))
    assert "expected 2, got 20" in fails([1.0, 20.0, 3.0])
    assert "NaN or infinity" in fails([1.0, np.nan, 3.0])
    with pytest.raises(AssertionError):
        check_function(lambda f, x, delta: 0 * x, forward, CASES, "forward")
