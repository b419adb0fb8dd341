"""nbgrader preprocessors: run a submission under the guard, keep one bad cell from costing the rest,
and keep hidden tests out of the feedback; and the feedback page's exporter."""
from __future__ import annotations

import copy
import json
import os
import re
import secrets
import time
from queue import Empty

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_sync
from nbconvert.exporters import HTMLExporter, html
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute, LimitOutput, NbGraderPreprocessor
from traitlets import Bool, Dict, Integer, List, Unicode

from grader import guard, sandbox

KERNEL_DIED = "KernelDied"
KERNEL_STUCK = "KernelStuck"
NOT_RUN = "NotRun"
INTEGRITY = "IntegrityError"
TRUNCATED = "... output truncated ..."
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
GUARD_SECONDS = 30  # the guard answers a checkpoint in milliseconds; after an interrupt, a test in seconds


class KernelLost(Exception):
    """The kernel died or stopped answering."""


def error(name: str, value: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=name, evalue=value, traceback=[f"{name}: {value}"])


def grading(cell: NotebookNode) -> dict:
    return cell.metadata.get("nbgrader", {})


def is_test(cell: NotebookNode) -> bool:
    return cell.cell_type == "code" and bool(grading(cell).get("grade")) and not grading(cell).get("solution")


def test_parts(source: str) -> list[list[str]]:
    """A test cell's [label, source] parts: the visible tests, then the hidden ones if any."""
    visible, _, rest = source.partition(HIDDEN_BEGIN)
    hidden = rest.partition(HIDDEN_END)[0]
    return [["visible", visible]] + ([["hidden", hidden]] if hidden.strip() else [])


class GuardedExecute(Execute):
    """nbgrader's Execute with the guard (grader/guard.py) in the kernel:

    - the kernel starts in `workdir` (the student's own files) with a fresh key shared with the guard;
    - before the student's cells (and back at the release's own cells) a checkpoint tells the guard
      which cell runs and collects what it found; test cells are run by the guard, which signs the
      verdict; the cell's outputs are written here from that verdict, so nothing in the kernel can
      hide an error;
    - a finding of the guard that changes state ("tamper") or was refused ("blocked") makes this and
      every later test score 0; gradlab code used where not allowed ("reference") costs its test;
    - a kernel that dies or stops answering fails the cell it happened in; the kernel is started
      again and the cells before re-run, so the cells after still count (up to `restarts` times);
    - what a cell started (a fork bomb's children) ends with the cell.
    """

    sandbox_uid = Integer(None, allow_none=True, help="The kernel's uid: processes a cell starts end "
                          "with the cell (a fork bomb's children stop there).").tag(config=True)
    key_file = Unicode("", help="Where the kernel reads the key it shares with the guard.").tag(config=True)
    workdir = Unicode("", help="The folder the kernel starts in: the student's own files.").tag(config=True)
    findings_file = Unicode("", help="Where the guard's findings are written (JSON).").tag(config=True)
    exercises = Dict(help="test grade_id -> {'answers': names the test may read, 'allowed': gradlab "
                          "functions its answer may use}").tag(config=True)
    trusted = List(Unicode(), help="Sources of the release's own code cells (demos).").tag(config=True)
    restarts = Integer(3, help="Kernel restarts per notebook.").tag(config=True)
    guard = Bool(True, help="False runs plain ipykernel, test cells included: only to measure the guard's "
                            "cost, since a cheat then pays.").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self.key, self.counter, self.announced = b"", 0, None
        self.findings: list[dict] = []
        self.zero_from: int | None = None
        self.lost_at: int | None = None
        self.replayable: list[int] = []
        self.restarts_left = self.restarts
        self.last_code = max((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), default=-1)
        try:
            return super().preprocess(nb, resources, km)
        finally:
            if self.findings_file:
                with open(self.findings_file, "w") as handle:
                    json.dump(self.findings, handle)

    # ---------------------------------------------------------------- the kernel and the guard

    async def async_start_new_kernel(self, **kwargs):
        self.key, self.counter, self.announced = secrets.token_bytes(32), 0, None
        with open(os.open(self.key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
            handle.write(self.key)
        if self.sandbox_uid is not None:
            os.chown(self.key_file, self.sandbox_uid, self.sandbox_uid)
        if self.workdir:
            kwargs["cwd"] = self.workdir
        await super().async_start_new_kernel(**kwargs)

    start_new_kernel = run_sync(async_start_new_kernel)

    async def async_request(self, request: dict, timeout: float) -> dict:
        """Send a request to the guard and return its verified reply; KernelLost if none comes (the
        kernel is interrupted once after `timeout`), ValueError if the reply is not authentic."""
        self.counter += 1
        msg = self.kc.session.msg("gradlab_guard_request", guard.seal(self.key, self.counter, request))
        self.kc.shell_channel.send(msg)
        deadline, interrupted = time.monotonic() + timeout, False
        while True:
            try:
                reply = await ensure_async(self.kc.shell_channel.get_msg(timeout=1))
            except Empty:
                if not await ensure_async(self.kc.is_alive()):
                    raise KernelLost("died") from None
                if time.monotonic() > deadline:
                    if interrupted:
                        raise KernelLost("stuck") from None
                    await ensure_async(self.km.interrupt_kernel())
                    deadline, interrupted = time.monotonic() + GUARD_SECONDS, True
                continue
            if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                verified = guard.unseal_reply(self.key, self.counter, reply["content"])
                if verified is None:
                    raise ValueError("the guard's reply was not authentic")
                return verified

    request = run_sync(async_request)

    def ask(self, request: dict, index: int, timeout: float = GUARD_SECONDS) -> dict | None:
        """request(), its findings recorded; None (and the rest of the tests lost) if the kernel's
        answer cannot be trusted."""
        try:
            reply = self.request(request, timeout)
        except ValueError as failure:
            self.note({"kind": "tamper", "cell": index, "line": 0, "text": str(failure)})
            return None
        for finding in reply["findings"]:
            self.note(finding)
        return reply

    def announce(self, index: int, trusted: bool) -> None:
        """A checkpoint: the guard checks what the cells since the last one did, and learns the next."""
        if trusted and self.announced:
            return
        self.announced = trusted
        self.ask({"op": "cell", "index": index, "trusted": trusted}, index)

    def note(self, finding: dict) -> None:
        cell = self.nb.cells[finding["cell"]] if 0 <= finding["cell"] < len(self.nb.cells) else None
        name = grading(cell).get("grade_id", "") if cell is not None else ""
        where = (f"cell {finding['cell']}" + (f" ({name})" if name else "")) if cell is not None else "the kernel"
        finding = {**finding, "where": where,
                   "flag": f"{where}" + (f", line {finding['line']}" if finding["line"] else "") + f": {finding['text']}"}
        if finding["kind"] in guard.ZERO_FROM_HERE and (self.zero_from is None or finding["cell"] < self.zero_from):
            self.zero_from = max(finding["cell"], 0)
        if finding not in self.findings:
            self.findings.append(finding)

    # ---------------------------------------------------------------- cells

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if self.lost_at is not None:
            cell.outputs = [error(NOT_RUN, f"the kernel was lost in cell {self.lost_at}")]
            return cell, resources
        try:
            if is_test(cell) and self.guard:
                self.run_test(cell, index)
            elif not self.guard:
                cell, resources = super().preprocess_cell(cell, resources, index)
            else:
                self.announce(index, cell.source.strip() in self.trusted)
                cell, resources = super().preprocess_cell(cell, resources, index)
                self.replayable.append(index)
            if index == self.last_code and self.guard:
                self.announce(len(self.nb.cells), False)
        except (DeadKernelError, CellTimeoutError, KernelLost) as failure:
            died = isinstance(failure, DeadKernelError) or str(failure) == "died"
            cell.outputs.append(error(KERNEL_DIED, "the kernel stopped while running this cell (os._exit, a crash, "
                                                   "or a limit on memory or processes)") if died else
                                error(KERNEL_STUCK, "this cell could not be stopped after the time limit"))
            self.recover(index)
        finally:
            self.end_cell_processes()
        return cell, resources

    def run_test(self, cell: NotebookNode, index: int) -> None:
        """The guard runs the test; its outputs say what it found."""
        name = grading(cell)["grade_id"]
        exercise = self.exercises.get(name, {"answers": [], "allowed": []})
        reply = self.ask({"op": "test", "index": index, "name": name, "parts": test_parts(cell.source),
                          "answers": exercise["answers"], "allowed": exercise["allowed"]}, index, self.timeout or 60)
        self.announced = True
        cell.outputs = [] if reply is None else self.verdict(reply)
        reference = [f for f in self.findings if f["kind"] in guard.ZERO_THIS_TEST and f["cell"] == index]
        if reply is None:
            self.zero_from = min(index, self.zero_from if self.zero_from is not None else index)
        barred = self.zero_from is not None and self.zero_from <= index
        if barred or reference:
            first = reference[0] if reference else next(f for f in self.findings if f["kind"] in guard.ZERO_FROM_HERE)
            cell.outputs = [error(INTEGRITY, f"this test scores 0: {first['flag']}")]

    def verdict(self, reply: dict) -> list[NotebookNode]:
        if reply["outcome"] == "passed":
            return []
        if reply["outcome"] == "timeout":
            return [error("CellTimeoutError", f"ran past the {self.timeout} s limit and was stopped")]
        prefix = "Hidden tests: " if reply["part"] == "hidden" else ""
        return [error("AssertionError", prefix + reply["message"])]

    def recover(self, index: int) -> None:
        """Start a new kernel and re-run the cells that ran before index (not their outputs), so the
        cells after index still count; when restarts run out, the rest of the notebook is lost."""
        if self.restarts_left <= 0:
            self.lost_at = index
            return
        self.restarts_left -= 1
        self.shutdown_kernel = "immediate"
        self._cleanup_kernel()
        self.km = self.create_kernel_manager()
        self.start_new_kernel()
        self.start_new_kernel_client()
        for earlier in [i for i in self.replayable if i < index]:
            try:
                if self.guard:
                    self.announce(earlier, self.nb.cells[earlier].source.strip() in self.trusted)
                self.execute_cell(copy.deepcopy(self.nb.cells[earlier]), earlier, store_history=True)
            except (DeadKernelError, CellTimeoutError, KernelLost):
                self.lost_at = index
                return
            finally:
                self.end_cell_processes()

    def end_cell_processes(self) -> None:
        """Kill what the cell started, and wait until it is gone (so the next cell has its process budget)."""
        if self.sandbox_uid is None or self.km is None or not self.km.has_kernel:
            return
        launcher = self.km.provisioner.process.pid  # the kernel is its child; what the kernel started is not
        deadline = time.monotonic() + 10
        while not all(parent == launcher for parent in sandbox.processes(self.sandbox_uid).values()) \
                and time.monotonic() < deadline:
            sandbox.kill(self.sandbox_uid, spare=launcher)
            time.sleep(0.05)


class HideHiddenTests(NbGraderPreprocessor):
    """Feedback shows a test cell's visible tests and the outcome of its hidden ones, never their source."""

    def preprocess_cell(self, cell, resources, index):
        if is_test(cell) and HIDDEN_BEGIN in cell.source:
            before, _, rest = cell.source.partition(HIDDEN_BEGIN)
            after = rest.partition(HIDDEN_END)[2]
            cell.source = f"{before}# (hidden tests: their source is not shown)" + after
        return cell, resources


class _Page:
    """What HTMLExporter asks of BeautifulSoup, for the feedback page: it parses the whole page (0.4 s, a
    tenth of a grading job) to give images without alt text one and to make JupyterLab-template cells
    focusable. The feedback template is the classic one, which has no such cells: the images are done here."""
    IMAGE = re.compile(r"<img(?![^>]*\salt=)")

    def __init__(self, page: str, features: str = ""):
        self.page = self.IMAGE.sub('<img alt="No description has been provided for this image"', page)

    def select(self, selector: str) -> list:
        return []

    def __str__(self) -> str:
        return self.page


class FeedbackExporter(HTMLExporter):
    """nbgrader's feedback page as HTMLExporter writes it, without parsing it again."""

    def from_notebook_node(self, nb, resources=None, **kw):
        parse, html.BeautifulSoup = html.BeautifulSoup, _Page
        try:
            return super().from_notebook_node(nb, resources, **kw)
        finally:
            html.BeautifulSoup = parse


class LimitOutputSize(LimitOutput):
    """nbgrader's line limit, plus a character limit: one print of 10 MB is one line."""

    max_chars = Integer(20_000, help="Characters of stream output kept per cell.").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        cell, resources = super().preprocess_cell(cell, resources, index)
        if cell.cell_type != "code":
            return cell, resources
        budget = self.max_chars
        for output in cell.outputs:
            if output.output_type == "stream":
                if len(output.text) > budget:
                    output.text = output.text[:budget] + "\n" + TRUNCATED
                budget = max(budget - len(output.text), 0)
        return cell, resources
