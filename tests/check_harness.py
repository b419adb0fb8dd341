"""Helpers for the checks' tests: a check's message for an answer, and the seeds it is tried on."""
from __future__ import annotations

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
