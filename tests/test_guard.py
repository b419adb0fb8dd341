"""The guard (grader/guard.py) in a real kernel started through grader/kernel.py, without the sandbox:
answers written in unusual but honest styles pass with no finding; each route a cheat could take is
refused or put back and named; the channel to the grader cannot be forged or replayed.

One kernel serves every test: the guard puts back what a cheat changed, so the next test starts
clean. Grading the corpus end to end (tests/test_grading.py) shows the same in the sandbox."""
from __future__ import annotations

import json
import os
import secrets
import sys
import time

import pytest
from course import CHAPTER_IDS, HIDDEN, ROOT, SOLUTIONS, grade_id, is_answer, is_test, notebook_path, read
from jupyter_client import KernelManager

from grader import guard
from grader.job import GUARD_FILES

CHAPTER = CHAPTER_IDS[0]
REFERENCE = "def forward_difference(f, x, delta=1e-4):\n    return (f(x + delta) - f(x)) / delta\n"


class Kernel:
    """A guarded kernel and the grader's side of the conversation."""

    def __init__(self, folder):
        self.key = secrets.token_bytes(32)
        key_file = folder / "guard.key"
        key_file.write_bytes(self.key)
        spec = folder / "jupyter" / "kernels" / "guarded"
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-I", str(GUARD_FILES[0]), "-f", "{connection_file}"],
            "env": {"GRADLAB_GUARD_KEY": str(key_file)}, "display_name": "guarded", "language": "python"}))
        os.environ["JUPYTER_PATH"] = str(folder / "jupyter")
        self.km = KernelManager(kernel_name="guarded")
        self.km.start_kernel(cwd=str(folder))
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)
        self.counter, self.cell, self.chapter = 0, 0, ""
        solution = read(notebook_path(SOLUTIONS, CHAPTER))
        self.tests = {grade_id(c): c.source for c in solution.cells if is_test(c)}
        self.answers = [name for c in solution.cells if is_answer(c) for name in ("forward_difference",)]
        self.request("cell", index=0, trusted=True)
        self.execute("import numpy as np\nfrom gradlab import numeric")

    def send(self, content: dict) -> dict:
        msg = self.kc.session.msg("gradlab_guard_request", content)
        self.kc.shell_channel.send(msg)
        while True:
            reply = self.kc.shell_channel.get_msg(timeout=60)
            if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                return reply["content"]

    def request(self, op: str, **fields) -> dict:
        self.counter += 1
        reply = guard.unseal_reply(self.key, self.counter, self.send(guard.seal(self.key, self.counter, {"op": op, **fields})))
        assert reply is not None, "the guard's reply did not verify"
        return reply

    def execute(self, code: str) -> str:
        """Run code as IPython runs a cell; its error message or ''."""
        errors = []
        self.kc.execute_interactive(code, timeout=60, output_hook=lambda m: errors.append(m["content"]["evalue"])
                                    if m["msg_type"] == "error" else None)
        return "".join(errors)

    def answer(self, source: str) -> list[dict]:
        """source run as the student's answer cell; the findings of the checkpoint after it."""
        self.cell += 2
        before = self.request("cell", index=self.cell, trusted=False)["findings"]
        self.execute(source)
        return before + self.request("cell", index=self.cell + 1, trusted=True)["findings"]

    def test(self, name: str = "test_forward_difference", allowed: tuple[str, ...] = (), source: str = "",
             answers: tuple[str, ...] = ("forward_difference",)) -> dict:
        visible, _, hidden = (source or self.tests[name]).partition(HIDDEN)
        return self.request("test", index=self.cell + 1, name=name, answers=list(answers),
                            parts=[["visible", visible], ["hidden", hidden.partition("### END")[0]]],
                            allowed=list(allowed))

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    kernel = Kernel(tmp_path_factory.mktemp("guarded"))
    yield kernel
    kernel.close()


def findings_of(kernel: Kernel, source: str) -> list[dict]:
    """Everything the guard found in an answer cell and while its test ran."""
    return kernel.answer(source) + kernel.test()["findings"]


# ---------------------------------------------------------------- honest work


HONEST = {
    "the reference": REFERENCE,
    "a loop with prints": """def forward_difference(f, x, delta=1e-4):
    out = []
    for v in np.atleast_1d(x).ravel():
        out.append((f(v + delta) - f(v)) / delta)
    print('computed', len(out))
    return np.reshape(out, np.shape(x))
""",
    "a namedtuple and a dataclass": """from collections import namedtuple
from dataclasses import dataclass
Step = namedtuple('Step', 'x h')
@dataclass
class Diff:
    h: float
def forward_difference(f, x, delta=1e-4):
    s = Step(np.asarray(x, float), Diff(delta).h)
    return (f(s.x + s.h) - f(s.x)) / s.h
""",
    "typing and functools": """import functools
from typing import Callable, NamedTuple
class P(NamedTuple):
    x: float
@functools.lru_cache(maxsize=None)
def half(v: float) -> float:
    return v / 2
def forward_difference(f: Callable, x, delta=1e-4):
    return (f(x + delta) - f(x)) / (2 * half(delta))
""",
    "np.vectorize, errstate and a warning": """import warnings
def forward_difference(f, x, delta=1e-4):
    with np.errstate(all='ignore'):
        one = np.vectorize(lambda v: (f(v + delta) - f(v)) / delta)
        warnings.warn('slow but fine')
        return one(np.asarray(x, float)) * 1.0
""",
    "helpers of its own": """import math, itertools
def step(v, h):
    return v + h
def forward_difference(f, x, delta=1e-4):
    return (f(step(x, delta)) - f(x)) / delta
""",
}


@pytest.mark.parametrize("source", HONEST.values(), ids=HONEST.keys())
def test_honest_answers_pass_without_findings(kernel, source):
    assert kernel.answer(source) == []
    verdict = kernel.test()
    assert verdict["outcome"] == "passed", verdict
    assert verdict["findings"] == []


def test_a_tool_the_exercise_allows_is_no_finding(kernel):
    kernel.answer("def forward_difference(f, x, delta=1e-4):\n    return numeric.forward_difference(f, x, delta)\n")
    assert kernel.test(allowed=("gradlab.numeric.forward_difference",))["findings"] == []
    assert [f["kind"] for f in kernel.test()["findings"]] == ["reference"]


# ---------------------------------------------------------------- cheats

CHEATS = [
    # (what it tries, answer source, finding kind, part of the finding's text)
    ("frames from inspect", "import inspect\ndef forward_difference(f, x, delta=1e-4):\n    inspect.stack()\n"
     "    return (f(x + delta) - f(x)) / delta\n", "blocked", "sys._getframe"),
    ("a traceback's frame", "def forward_difference(f, x, delta=1e-4):\n    try:\n        1 / 0\n"
     "    except ZeroDivisionError as e:\n        e.__traceback__.tb_frame.f_back\n    return x\n", "blocked", "tb_frame"),
    ("a generator's frame", "def forward_difference(f, x, delta=1e-4):\n    g = (v for v in [1])\n    g.gi_frame\n    return x\n",
     "blocked", "gi_frame"),
    ("the garbage collector", "import gc\ndef forward_difference(f, x, delta=1e-4):\n    gc.get_referrers(f)\n    return x\n",
     "blocked", "gc.get_referrers"),
    ("a copy of the reference's code", "def forward_difference(f, x, delta=1e-4):\n"
     "    code = numeric.forward_difference.__code__\n    return x\n", "blocked", "__code__"),
    ("new code from bytes", "import marshal\nmarshal.loads(marshal.dumps(compile('1', 'x', 'eval')))\n" + REFERENCE,
     "blocked", "marshal.loads"),
    ("code named like gradlab's", f"exec(compile('x = 1', {str(ROOT / 'gradlab' / 'numeric.py')!r}, 'exec'))\n" + REFERENCE,
     "blocked", "compiling code under the name"),
    ("ctypes", "import ctypes\n" + REFERENCE, "blocked", "importing ctypes"),
    ("own memory through /proc", "open('/proc/self/mem', 'rb')\n" + REFERENCE, "blocked", "opening /proc/self/mem"),
    ("gradlab's source", "import gradlab.numeric\nopen(gradlab.numeric.__file__).read()\n" + REFERENCE,
     "blocked", "reading gradlab's source"),
    ("an audit hook of its own", "import sys\nsys.addaudithook(lambda *a: None)\n" + REFERENCE, "blocked", "addaudithook"),
    ("a trace function", "import sys\nsys.settrace(lambda *a: None)\n" + REFERENCE, "blocked", "sys.settrace"),
    ("a function's defaults", REFERENCE + "import gradlab.checks\ngradlab.checks.call_each.__defaults__ = (print,)\n",
     "blocked", "object.__setattr__"),
    ("resource limits", "import resource\nresource.setrlimit(resource.RLIMIT_NPROC, (1000, 1000))\n" + REFERENCE,
     "blocked", "resource limits"),
    ("the checker's own event", "import sys\nsys.audit('gradlab.call', 'exit', None)\n" + REFERENCE, "", ""),
    ("a module attribute of numpy", REFERENCE + "np.isfinite = lambda x: True\n", "tamper", "numpy: isfinite"),
    ("a class attribute of gradlab", REFERENCE + "import gradlab.checks\ngradlab.checks.Opaque.__repr__ = lambda self: ''\n",
     "tamper", "gradlab.checks.Opaque"),
    ("gradlab's list of mistakes", REFERENCE + "import gradlab.exercises.derivatives as d\nd.FORWARD_MISTAKES.clear()\n",
     "tamper", "FORWARD_MISTAKES was changed in place"),
    ("a closure cell in gradlab", REFERENCE + "import gradlab.exercises.derivatives as d\n"
     "fn = d.polynomial({1: 1.0})\n", "", ""),
    ("sys.modules", REFERENCE + "import sys, types\nsys.modules['gradlab.checks'] = types.ModuleType('fake')\n",
     "tamper", "sys.modules['gradlab.checks']"),
    ("a signal handler", REFERENCE + "import signal\nsignal.signal(signal.SIGALRM, lambda *a: None)\n", "tamper", "signal"),
    ("gc callbacks", REFERENCE + "import gc\ngc.callbacks.append(lambda *a: None)\n", "tamper", "gc.callbacks"),
    ("the recursion limit", REFERENCE + "import sys\nsys.setrecursionlimit(60)\n", "tamper", "recursion limit"),
    ("IPython's AST transformers", REFERENCE + "get_ipython().ast_transformers.append(object())\n",
     "tamper", "ast_transformers"),
    ("IPython's execution result", REFERENCE + "import IPython.core.interactiveshell as s\n"
     "s.ExecutionResult.raise_error = lambda self: None\n", "tamper", "ExecutionResult"),
    ("IPython's event callbacks", REFERENCE + "get_ipython().events.register('post_run_cell', lambda result: None)\n",
     "tamper", "event callbacks"),
    ("the kernel's handlers", REFERENCE + "k = get_ipython().kernel\nk.shell_handlers['execute_request'] = print\n",
     "tamper", "shell_handlers"),
    ("IPython's cell file names", REFERENCE + "import os\nos.environ['IPYKERNEL_CELL_NAME'] = 'x.py'\n",
     "tamper", "IPYKERNEL_CELL_NAME"),
    ("a thread left running", REFERENCE + "import threading, time\n"
     "threading.Thread(target=lambda: [time.sleep(0.05) for _ in range(40)], daemon=True).start()\n",
     "tamper", "a thread runs the notebook's code"),
]


@pytest.mark.parametrize("what, source, kind, text", CHEATS, ids=[c[0] for c in CHEATS])
def test_cheats_are_refused_or_put_back_and_named(kernel, what, source, kind, text):
    found = findings_of(kernel, source)
    if not kind:  # tried, but changes nothing judging depends on
        assert [f for f in found if f["kind"] in guard.KINDS_THAT_ZERO] == [], found
        return
    assert any(f["kind"] == kind and text in f["text"] for f in found), found
    if "thread" in text:  # a thread cannot be stopped: wait until it ends
        time.sleep(2.5)
    assert kernel.answer(REFERENCE) == []  # put back: clean again


def test_a_reference_reached_through_another_functions_globals_is_named(kernel):
    kernel.answer("def forward_difference(f, x, delta=1e-4):\n"
                  "    return getattr(f, '__glo' + 'bals__')['forward_difference'](f, x, delta)\n")
    verdict = kernel.test()
    assert verdict["outcome"] == "passed"  # the numbers are right, so the finding is what costs the points
    assert [f["text"] for f in verdict["findings"]] == [
        "your code called gradlab's numeric.forward_difference, which this exercise does not allow"]


def test_the_answer_itself_being_the_reference_is_named(kernel):
    kernel.answer("forward_difference = numeric.forward_difference\n")
    assert any("numeric.forward_difference" in f["text"] for f in kernel.test()["findings"])


# ---------------------------------------------------------------- the channel


def test_a_forged_request_is_answered_by_nobody_and_named(kernel):
    forged = guard.seal(secrets.token_bytes(32), kernel.counter + 1, {"op": "cell", "index": 99, "trusted": True})
    assert kernel.send(forged) == {"reply": None, "tag": None}
    assert any("did not come from the grader" in f["text"] for f in kernel.request("cell", index=1, trusted=True)["findings"])


def test_a_replayed_request_is_refused(kernel):
    old = guard.seal(kernel.key, kernel.counter, {"op": "cell", "index": 99, "trusted": True})
    assert kernel.send(old) == {"reply": None, "tag": None}
    assert any("replayed" in f["text"] for f in kernel.request("cell", index=1, trusted=True)["findings"])


def test_a_reply_with_another_key_or_counter_does_not_verify(kernel):
    kernel.counter += 1
    content = kernel.send(guard.seal(kernel.key, kernel.counter, {"op": "cell", "index": 1, "trusted": True}))
    assert guard.unseal_reply(kernel.key, kernel.counter, content) is not None
    assert guard.unseal_reply(kernel.key, kernel.counter + 1, content) is None
    assert guard.unseal_reply(secrets.token_bytes(32), kernel.counter, content) is None


def test_hidden_tests_leave_no_trace_in_the_kernel(kernel):
    kernel.answer(REFERENCE)
    kernel.test()
    seen = []
    kernel.kc.execute_interactive("import linecache\nprint([c for c in In if 'see' 'd=' in c], "
                                  "[l for e in linecache.cache.values() for l in e[2] if 'see' 'd=' in l])",
                                  timeout=60, output_hook=lambda m: seen.append(m["content"].get("text", "")))
    assert "".join(seen).strip() == "[] []"


def variant_cases() -> list:
    """Each correct variant the check tests hold as written-out source, with its chapter's test cells."""
    from test_integrity import variants

    return variants()


@pytest.mark.parametrize("chapter, name, source", variant_cases())
def test_correct_variants_pass_without_findings(kernel, chapter, name, source):
    """Honest work written differently, run under the guard with its chapter's real test cells."""
    solution = read(notebook_path(SOLUTIONS, chapter))
    if kernel.chapter != chapter:  # the chapter's set-up cell, as the release runs it
        kernel.cell += 2
        kernel.request("cell", index=kernel.cell, trusted=True)
        assert kernel.execute(next(c.source for c in solution.cells if c.cell_type == "code")) == ""
        kernel.chapter = chapter
    defined = source.partition("def ")[2].partition("(")[0]
    assert kernel.answer(f"{source}\n{name} = {defined}\n") == []
    answers = [n for c in solution.cells if is_answer(c) for n in c.source.split("def ")[1:] for n in [n.partition("(")[0]]]
    cell = next(i for i, c in enumerate(solution.cells) if is_answer(c) and f"def {name}(" in c.source)
    test = next(c for c in solution.cells[cell + 1:] if is_test(c) and f"({name}" in c.source)
    allowed = solution.cells[cell].metadata.get("gradlab", {}).get("may_use", [])
    verdict = kernel.test(grade_id(test), source=test.source, answers=tuple(answers), allowed=tuple(allowed))
    assert (verdict["outcome"], verdict["findings"]) == ("passed", []), verdict
