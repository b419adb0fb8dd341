"""gradlab.feedback: a failed check shows its message alone, a test run too early says what to run, anything
else keeps IPython's traceback, a passing test says so; installed only where a live IPython shell exists."""
from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest

from gradlab import feedback
from gradlab.exercises.derivatives import check_forward_difference

TEST_CELL = "from gradlab.exercises.derivatives import check_forward_difference\ncheck_forward_difference(f)"


class Shell:
    """What show_error uses of IPython's shell, recording what it is asked to show."""

    def __init__(self, source: str = TEST_CELL):
        self.user_ns = {"_ih": ["", source]}
        self.short, self.full = [], []

    def _showtraceback(self, etype, value, stb):
        self.short.append(stb)

    def showtraceback(self, exc_tuple, tb_offset=None):
        self.full.append(exc_tuple)


def raised(call) -> tuple:
    try:
        call()
    except BaseException:
        return sys.exc_info()
    raise AssertionError("expected an exception")


def test_a_failed_check_shows_only_its_message():
    def stub(f, x, delta=1e-4):
        raise NotImplementedError()

    shell = Shell()
    feedback.show_error(shell, *raised(lambda: check_forward_difference(stub)))
    (lines,) = shell.short
    assert lines[0].startswith(f"{feedback.RED}Test failed:{feedback.RESET} forward_difference(")
    assert "is not implemented yet" in lines[0] and not shell.full


def test_the_students_own_error_keeps_its_traceback():
    shell = Shell(source="assert 1 == 2, 'my own check'")
    feedback.show_error(shell, *raised(lambda: exec("assert 1 == 2, 'my own check'")))
    assert shell.full and not shell.short


def test_a_test_run_before_the_cells_above_says_to_run_them():
    shell = Shell()
    feedback.show_error(shell, *raised(lambda: exec(TEST_CELL, {})))
    (lines,) = shell.short
    assert "name 'f' is not defined" in lines[0] and lines[1] == feedback.RUN_ABOVE
    other = Shell(source="print(g)")
    feedback.show_error(other, *raised(lambda: exec("print(g)", {})))
    assert other.full and not other.short


@pytest.mark.parametrize("source, success, shown", [(TEST_CELL, True, True), (TEST_CELL, False, False),
                                                     ("x = 1", True, False)])
def test_a_passing_test_says_so(capsys, source, success, shown):
    feedback.confirm(SimpleNamespace(success=success, info=SimpleNamespace(raw_cell=source)))
    assert (feedback.PASSED in capsys.readouterr().out) == shown


def test_installed_by_import_in_a_live_shell_only_once():
    script = ("from IPython.core.interactiveshell import InteractiveShell\n"
              "shell = InteractiveShell.instance()\n"
              "import gradlab, gradlab.feedback\n"
              "gradlab.feedback.install()\n"
              "print(shell.custom_exceptions, len(shell.events.callbacks['post_run_cell']))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "(<class 'AssertionError'>, <class 'NameError'>) 1"
    plain = subprocess.run([sys.executable, "-c", "import gradlab, sys; print('IPython' in sys.modules)"],
                           capture_output=True, text=True, check=True).stdout
    assert plain.strip() == "False"   # outside a notebook nothing is installed, and IPython is not even imported
