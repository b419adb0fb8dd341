"""What a test cell shows a student in JupyterLab: a failed check's message alone (no traceback through
gradlab's frames), one line when the test passes, and what to do when a test runs before the cells above it.

`install()` runs when gradlab is first imported in a live IPython shell, that is in a notebook's set-up
cell, before any student code. The grader's kernel imports gradlab before it has a shell, so graded runs
keep IPython's own behaviour (and the integrity guard's baseline); scores come from error outputs, which a
failed check still produces.
"""
from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType
from typing import Any

GRADLAB = str(Path(__file__).resolve().parent)
RED, GREEN, RESET = "\x1b[31m", "\x1b[32m", "\x1b[0m"
PASSED = f"{GREEN}✓ Test passed.{RESET}"
RUN_ABOVE = ("This test needs the cells above it: run the notebook from the top (Run ▸ Run All Above), "
             "then run this cell again.")


def is_test_cell(source: str) -> bool:
    """Whether a cell is a test cell: it imports a checker from gradlab.exercises and calls it."""
    return "from gradlab.exercises." in source and "check_" in source


def raised_by_a_check(tb: TracebackType | None) -> bool:
    """Whether the innermost frame of a traceback is gradlab's (a check that failed), not the student's."""
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_code.co_filename.startswith(GRADLAB)


def current_source(shell: Any) -> str:
    inputs = shell.user_ns.get("_ih") or [""]
    return inputs[-1] if isinstance(inputs[-1], str) else ""


def show_error(shell: Any, etype: type, value: BaseException, tb: TracebackType, tb_offset: int | None = None) -> None:
    """IPython's custom exception handler: short messages for a failed check and for a test run too early,
    IPython's usual traceback for everything else (an error in the student's own code shows their line)."""
    if etype is AssertionError and raised_by_a_check(tb):
        first, *rest = str(value).splitlines() or [""]
        shell._showtraceback(etype, value, [f"{RED}Test failed:{RESET} {first}", *rest])
    elif etype is NameError and is_test_cell(current_source(shell)):
        shell._showtraceback(etype, value, [f"{RED}NameError:{RESET} {value}", RUN_ABOVE])
    else:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def confirm(result: Any) -> None:
    """After a test cell runs without error: one line that says so."""
    if result.success and is_test_cell(result.info.raw_cell or ""):
        print(PASSED)


def install() -> None:
    """Use show_error and confirm in the IPython shell gradlab was imported into, if there is one."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or getattr(shell, "_gradlab_feedback", False):
        return
    shell.set_custom_exc((AssertionError, NameError), show_error)
    shell.events.register("post_run_cell", confirm)
    shell._gradlab_feedback = True
