"""The tests every chapter's checks get: references pass, stubs are reported, known mistakes fail with their hint,
answers tuned to the visible cases fail the hidden ones, correct answers written differently never fail.

A chapter's test file subclasses StandardChecks as `TestStandardChecks` and sets
  EXERCISES  name -> (check, reference answer, known mistakes); check(student, seed) raises AssertionError
  TUNED      [(name, hard-coded answer that passes the visible cases only), ...]
  VARIANTS   [pytest.param(name, correct answer, id=...) or (name, correct answer), ...]
tests/conftest.py's pytest_generate_tests parametrizes the methods' `exercise`, `known_mistake`, `tuned` and
`variant` arguments from those (see StandardChecks.parameters).
"""
from __future__ import annotations

import pytest

SEEDS = range(20)
MANY_SEEDS = range(50)


def failure(check, student, seed=None) -> str:
    """The check's message for this answer ('' when it passes); seed None runs the visible cases."""
    try:
        check(student, seed)
    except AssertionError as error:
        return str(error)
    return ""


def false_failures(check, student, seeds=MANY_SEEDS) -> list[tuple[int, str]]:
    return [(seed, message) for seed in seeds if (message := failure(check, student, seed))]


def _name_of(answer) -> str:
    return getattr(answer, "__name__", type(answer).__name__)


class StandardChecks:
    """Not collected itself (no Test prefix): subclass it as TestStandardChecks and set the three attributes."""

    EXERCISES: dict
    TUNED: list
    VARIANTS: list

    ARGNAMES = ("exercise", "known_mistake", "tuned", "variant")

    @classmethod
    def parameters(cls, argname: str) -> list:
        """The pytest.params for one of ARGNAMES, with ids like `name`, `name-0`, `name-<lambda>`, `name-function`."""
        for attribute in {"exercise": ["EXERCISES"], "known_mistake": ["EXERCISES"],
                          "tuned": ["EXERCISES", "TUNED"], "variant": ["EXERCISES", "VARIANTS"]}[argname]:
            if not getattr(cls, attribute, None):
                raise TypeError(f"{cls.__qualname__} must set a non-empty {attribute} for its `{argname}` tests")
        if argname == "exercise":
            return [pytest.param(name, id=name) for name in cls.EXERCISES]
        if argname == "known_mistake":
            return [pytest.param((name, mistake), id=f"{name}-{i}")
                    for name, (_, _, mistakes) in cls.EXERCISES.items() for i, mistake in enumerate(mistakes)]
        if argname == "tuned":
            return [pytest.param((name, hard_coded), id=f"{name}-{_name_of(hard_coded)}")
                    for name, hard_coded in cls.TUNED]
        params = []
        for variant in cls.VARIANTS:
            if hasattr(variant, "values"):  # a pytest.param: keep its id and marks
                name, student = variant.values
                params.append(pytest.param((name, student), id=variant.id or f"{name}-{_name_of(student)}",
                                           marks=variant.marks))
            else:
                name, student = variant
                params.append(pytest.param((name, student), id=f"{name}-{_name_of(student)}"))
        return params

    def check(self, name: str):
        return self.EXERCISES[name][0]

    # ---------------------------------------------------------------- references, stubs, mistakes

    def test_reference_passes_visible_and_hidden_cases(self, exercise):
        check, reference, _ = self.EXERCISES[exercise]
        assert failure(check, reference) == ""
        assert false_failures(check, reference, SEEDS) == []

    def test_stub_is_reported_as_not_implemented(self, exercise):
        def stub(*args, **kwargs):
            raise NotImplementedError()

        check = self.check(exercise)
        assert "is not implemented yet" in failure(check, stub)
        assert "is not implemented yet" in failure(check, stub, seed=0)

    def test_every_known_mistake_fails_with_its_hint(self, known_mistake):
        name, mistake = known_mistake
        check = self.check(name)
        for seed in [None, *range(10)]:
            message = failure(check, mistake.answer, seed)
            assert message, f"{mistake.hint!r} passed (seed {seed})"
            assert f"Likely mistake: {mistake.hint}" in message, f"seed {seed}: {message}"

    # ---------------------------------------------------------------- answers tuned to the visible cases

    def test_answers_tuned_to_the_visible_cases_fail_the_hidden_ones(self, tuned):
        name, hard_coded = tuned
        check = self.check(name)
        assert failure(check, hard_coded) == ""
        assert all(failure(check, hard_coded, seed) for seed in range(10))

    # ---------------------------------------------------------------- correct answers written differently

    def test_correct_answers_written_differently_never_fail(self, variant):
        name, student = variant
        check = self.check(name)
        assert failure(check, student) == ""
        assert false_failures(check, student) == []
