"""nbgrader preprocessors that keep one bad cell from costing a whole notebook."""
from __future__ import annotations

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute, LimitOutput
from traitlets import Integer

from grader import sandbox

KERNEL_DIED = "KernelDied"
KERNEL_STUCK = "KernelStuck"
NOT_RUN = "NotRun"
TRUNCATED = "... output truncated ..."


def error(name: str, value: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=name, evalue=value, traceback=[f"{name}: {value}"])


class GuardedExecute(Execute):
    """nbgrader's Execute, except that a kernel that dies (os._exit, a crash, a killed process)
    or stops answering (its messaging broken by the cell) fails the cell it happened in and the
    cells after it, and keeps the grades of the cells before. (A cell that merely runs too long
    is interrupted by nbgrader and the next cells run as usual.)"""

    sandbox_uid = Integer(None, allow_none=True, help="The kernel's uid: processes a cell starts end "
                          "with the cell (a fork bomb's children stop there).").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self.died_at: int | None = None
        return super().preprocess(nb, resources, km)

    def end_cell_processes(self) -> None:
        if self.sandbox_uid is not None and self.km is not None and self.km.has_kernel:
            sandbox.kill(self.sandbox_uid, spare=self.km.provisioner.process.pid)

    def preprocess_cell(self, cell, resources, index):
        if self.died_at is not None:
            if cell.cell_type == "code":
                cell.outputs = [error(NOT_RUN, f"the kernel died in cell {self.died_at}")]
            return cell, resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except (DeadKernelError, CellTimeoutError) as failure:
            self.died_at = index
            self.shutdown_kernel = "immediate"
            if isinstance(failure, DeadKernelError):
                cell.outputs.append(error(KERNEL_DIED, "the kernel stopped while running this cell "
                                          "(os._exit, a crash, or a limit on memory or processes)"))
            else:
                cell.outputs.append(error(KERNEL_STUCK, "the kernel stopped answering after this cell"))
            return cell, resources
        finally:
            self.end_cell_processes()


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
