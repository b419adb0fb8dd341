"""Unit tests for gradlab.checks: every way an answer can be wrong gets a clear AssertionError."""
from __future__ import annotations

import functools
import re
import warnings

import numpy as np
import pytest

from gradlab.checks import (
    Exercise,
    Mistake,
    as_float_array,
    call,
    check_array,
    close,
    describe,
    keyed,
    named,
    random_shape,
    same,
    split,
    with_hint,
)

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

def identity(x):
    return x


@pytest.mark.parametrize("value, text", [
    (identity, "identity"),
    (lambda x: x, "<lambda>"),
    (functools.partial(identity, 1), "a function"),
    (np.array([1.0, 2.5]), "[1. , 2.5]"),
    (np.zeros((2, 3)), "array of shape (2, 3)"),
    (1.0, "1.0"),
    (0.1, "0.1"),
    (1 / 3, "0.3333333333"),
    (3, "3"),
    ("forward", "'forward'"),
    ({"W1": np.zeros((2, 3)), "b1": np.array([[0.5]])}, "{W1: shape (2, 3), b1: 0.5}"),
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


def test_an_error_in_the_students_code_shows_their_line():
    def answer(x):
        scaled = x * 2
        return scaled / (x - x)

    with pytest.raises(AssertionError) as failure:
        call(answer, {"x": 1.0}, "answer(x=1)")
    message = str(failure.value)
    assert message.startswith("answer(x=1) raised ZeroDivisionError: float division by zero\n  in your code, line ")
    assert message.endswith(": return scaled / (x - x)")
    with pytest.raises(AssertionError) as inside_numpy:       # raised inside numpy: still the student's line
        call(lambda x: np.linalg.inv(np.zeros((2, 2))), {"x": 1.0}, "f")
    assert "in your code, line" in str(inside_numpy.value) and "np.linalg.inv" in str(inside_numpy.value)


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


# ---------------------------------------------------------------- split, keyed, same

def test_split_takes_tuples_lists_and_stacked_arrays():
    assert split((1.0, 2.0), ("m", "b"), "f()") == [1.0, 2.0]
    assert split([1.0, 2.0], ("m", "b"), "f()") == [1.0, 2.0]
    assert [list(part) for part in split(np.ones((2, 3)), ("m", "b"), "f()")] == [[1.0] * 3] * 2


@pytest.mark.parametrize("got, words", [
    (None, "`return`"), ((1.0,), "returned 1 values; expected the tuple (m, b)"), (4.0, "returned 4.0; expected the tuple"),
    (np.ones(3), "expected the tuple (m, b)")])
def test_split_names_the_parts_it_expected(got, words):
    with pytest.raises(AssertionError, match=words.replace("(", r"\(").replace(")", r"\)")):
        split(got, ("m", "b"), "f()")


def test_keyed_takes_a_dict_or_with_in_order_a_sequence_of_the_values():
    assert keyed({"a": 1, "b": 2}, ("a", "b"), "f()", in_order=False) == {"a": 1, "b": 2}
    assert keyed((1, 2), ("a", "b"), "f()", in_order=True) == {"a": 1, "b": 2}
    with pytest.raises(AssertionError, match="expected a dict with keys a, b"):
        keyed((1, 2), ("a", "b"), "f()", in_order=False)
    with pytest.raises(AssertionError, match=r"has no key\(s\) b"):
        keyed({"a": 1}, ("a", "b"), "f()", in_order=True)


def test_same_compares_answers_part_by_part():
    assert same((np.ones(2), {"W": 2.0}), [np.ones(2), {"W": 2.0 + 1e-12}], 1e-9, 0.0)
    assert not same((np.ones(2), {"W": 2.0}), (np.ones(2), {"W": 3.0}), 1e-9, 0.0)
    assert not same((np.ones(2),), (np.ones(2), 1.0), 1e-9, 0.0)
    assert not same("text", 1.0, 1e-9, 0.0)


def test_with_hint_adds_a_line_only_for_a_hint():
    assert with_hint("wrong", "") == "wrong"
    assert with_hint("wrong", "sign") == "wrong\nLikely mistake: sign"


# ---------------------------------------------------------------- Exercise: one value

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
HIDDEN = [{"f": np.sin, "x": np.linspace(-2, 2, 3), "delta": 1e-3}]
FORWARD = Exercise("forward", forward, lambda rng: CASES if rng is None else HIDDEN, MISTAKES, shape_hint="one per x")


def fails_check(exercise, student, seed=None) -> str:
    with pytest.raises(AssertionError) as failure:
        exercise.check(student, seed)
    return str(failure.value)


def test_likely_mistake_returns_the_first_matching_hint():
    case = CASES[1]
    assert FORWARD.likely_mistake(np.exp(case["x"] + 1e-2) - np.exp(case["x"]), case) == "forgot to divide"


def test_likely_mistake_is_empty_when_nothing_matches():
    assert FORWARD.likely_mistake(np.zeros(4), CASES[1]) == ""


def test_a_right_answer_passes_visible_and_hidden_cases():
    FORWARD.check(lambda f, x, delta: (f(x + delta) - f(x)) / delta)
    FORWARD.check(lambda f, x, delta: (f(x + delta) - f(x)) / delta, seed=1)


def test_the_failure_names_the_call_and_the_likely_mistake():
    first, second = fails_check(FORWARD, lambda f, x, delta: (f(x) - f(x - delta)) / delta).split("\n")
    assert first.startswith("forward(f=exp, x=0.5, delta=0.001): expected")
    assert second == "Likely mistake: backward"


def test_no_likely_mistake_line_when_none_matches():
    assert "Likely mistake" not in fails_check(FORWARD, lambda f, x, delta: 0 * x + 1.0)


def test_the_first_failing_case_is_reported():
    def right_for_scalars_only(f, x, delta):
        return forward(f, x, delta) if np.ndim(x) == 0 else np.zeros_like(x)

    # the scalar case passes; the array case fails worst at x = 1, where (e^1.01 - e) / 0.01 = 2.73
    assert re.match(r"^forward\(f=exp, x=\[-1\. .*\) at index \(3,\): expected 2\.73",
                    fails_check(FORWARD, right_for_scalars_only))


def test_hidden_cases_are_drawn_with_the_seed():
    assert fails_check(FORWARD, lambda f, x, delta: 0 * x, seed=3).startswith("forward(f=sin")


def test_the_shape_hint_comes_with_a_wrong_shape_no_mistake_explains():
    assert fails_check(FORWARD, lambda f, x, delta: np.zeros(7)).endswith("Likely mistake: one per x")
    assert fails_check(FORWARD, lambda f, x, delta: np.zeros(7).reshape(2, 3)).endswith("Likely mistake: one per x")


@pytest.mark.parametrize("student, words", [
    (lambda f, x, delta: None, "`return`"),
    (lambda f, x, delta: "4", "type str"),
    (lambda f, x, delta: AlwaysEqual(), "type AlwaysEqual"),
    (lambda f, x, delta: f(x) / 0 * 0, "NaN or infinity"),
    (lambda f, x, delta: [forward(f, x, delta)], "returned shape"),
    (4.0002, "expected a function"),
])
def test_failures_are_assertion_errors_with_a_diagnosis(student, words):
    assert words in fails_check(FORWARD, student)


# ---------------------------------------------------------------- Exercise: parts, dicts, order, judge

def line(a, x):
    return a * x, {"W": a + x, "b": a - x}


LINE_MISTAKES = [Mistake("swapped W and b", lambda a, x: (a * x, {"W": a - x, "b": a + x})),
                 Mistake("b alone is off", lambda a, x: (a * x, {"W": a + x, "b": x - a})),
                 Mistake("product negated", lambda a, x: (-a * x, {"W": a + x, "b": a - x}))]
LINE = Exercise("line", line, lambda rng: [{"a": 2.0, "x": np.arange(3.0)}], LINE_MISTAKES, parts=("y", "params"))


def test_parts_are_named_in_messages_with_dict_keys():
    message = fails_check(LINE, lambda a, x: (a * x, {"W": a + x, "b": x - a}))
    assert message.startswith("line(a=2.0, x=[0., 1., 2.]): params['b'] at index (0,): expected 2, got -2")
    assert message.endswith("Likely mistake: b alone is off")
    assert fails_check(LINE, lambda a, x: (-a * x, line(a, x)[1])).startswith("line(a=2.0, x=[0., 1., 2.]): y at index")


def test_a_part_that_matches_two_mistakes_gets_the_hint_of_the_whole_answer():
    # W alone matches "swapped" (W = a − x); the whole answer is "swapped", whose b also differs
    assert fails_check(LINE, lambda a, x: (a * x, {"W": a - x, "b": a + x})).endswith("Likely mistake: swapped W and b")


def test_the_order_decides_which_part_is_judged_first():
    both_wrong = lambda a, x: (-a * x, {"W": a - x, "b": a + x})
    assert ": y at" in fails_check(LINE, both_wrong)
    assert ": params['W'] at" in fails_check(Exercise(**{**LINE.__dict__, "order": (1, 0)}), both_wrong)


def test_a_dict_part_must_be_a_dict_with_every_key():
    assert "params has no key(s) b" in fails_check(LINE, lambda a, x: (a * x, {"W": a + x}))
    assert "params is 1.0; expected a dict" in fails_check(LINE, lambda a, x: (a * x, 1.0))


def test_a_dict_answer_also_takes_its_values_in_key_order():
    exercise = Exercise("grads", lambda a: {"W": a, "b": 2 * a}, lambda rng: [{"a": np.ones(2)}])
    exercise.check(lambda a: (a, 2 * a))
    assert "what grads(a=[1., 1.]) returned has no key(s) b" in fails_check(exercise, lambda a: {"W": a})
    assert "grads(a=[1., 1.])['b'] at index (0,)" in fails_check(exercise, lambda a: (a, a))


def test_the_tolerance_scales_with_the_largest_entry():
    exercise = Exercise("big", lambda: np.array([1e6, 1.0]), lambda rng: [{}], rtol=1e-12, atol=0, scaled_atol=1e-9)
    exercise.check(lambda: np.array([1e6, 1.0 + 5e-4]))
    assert "at index (1,)" in fails_check(exercise, lambda: np.array([1e6, 1.0 + 5e-3]))


def test_a_judge_replaces_the_comparison():
    def positive(exercise, got, case, what):
        if not got > 0:
            raise AssertionError(f"{what} returned {got}, not positive")

    exercise = Exercise("rate", lambda: 1.0, lambda rng: [{}], judge=positive)
    exercise.check(lambda: 0.5)
    assert fails_check(exercise, lambda: -1.0) == "rate() returned -1.0, not positive"


def test_failures_has_every_case_s_message():
    cases = [{"x": 1.0}, {"x": 2.0}]
    exercise = Exercise("f", lambda x: x, lambda rng: cases)
    assert exercise.failures(lambda x: 1.0, cases) == ["", "f(x=2.0): expected 2, got 1 (tolerance 1e-07 relative)"]


def test_every_case_is_called_once_in_one_stretch_of_student_time():
    calls = []
    exercise = Exercise("f", lambda x: x, lambda rng: [{"x": 1.0}, {"x": 2.0}])
    assert exercise.failures(lambda x: calls.append(x) or 0.0, exercise.cases(None))[0].startswith("f(x=1.0)")
    assert calls == [1.0, 2.0]


def test_a_shape_error_raised_by_the_answer_gets_the_shape_hint():
    assert fails_check(FORWARD, lambda f, x, delta: np.ones(2) @ np.ones(3)).endswith("Likely mistake: one per x")


# ---------------------------------------------------------------- judging functions captured at import

def test_rebinding_numpy_in_a_notebook_does_not_fool_check_array(monkeypatch):
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    monkeypatch.setattr(np, "isfinite", lambda x: np.ones(np.shape(x), dtype=bool))
    assert "expected 2, got 20" in fails([1.0, 20.0, 3.0])
    assert "NaN or infinity" in fails([1.0, np.nan, 3.0])
    with pytest.raises(AssertionError):
        FORWARD.check(lambda f, x, delta: 0 * x)


def test_random_shape_draws_within_its_bounds():
    shapes = [random_shape(np.random.default_rng(seed), 1, 2, 2, 4) for seed in range(50)]
    assert {len(shape) for shape in shapes} == {1, 2} and {side for shape in shapes for side in shape} == {2, 3, 4}


def test_named_renames_a_function_for_messages():
    assert describe(named(lambda x: x, "f(x) = x")) == "f(x) = x"
