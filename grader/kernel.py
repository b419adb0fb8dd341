"""Start a student's kernel for grading: ipykernel with the guard (guard.py) installed first.

    python kernel.py -f CONNECTION_FILE      (the grader's kernelspec runs it, in the sandbox)

GRADLAB_GUARD_KEY names a file holding the session key the grader shares with the guard; it is
read and deleted before anything else happens. Then, before any student code runs: the process
is made non-dumpable (no other process of its uid can read its memory through /proc), ctypes is
made unimportable (raw memory access is the one thing audit hooks cannot see), gradlab and numpy
are imported (so their baseline is the real thing), the "gradlab_guard_request" handler is added
to the kernel, and the guard takes its baseline and adds its audit hook.

This file runs in the sandbox with the standard library, ipykernel and gradlab only.
"""
from __future__ import annotations

import importlib.util
import os
import pkgutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def read_key() -> bytes:
    path = Path(os.environ.pop("GRADLAB_GUARD_KEY"))
    key = path.read_bytes()
    path.unlink()
    return key


def seal_process() -> None:
    """Non-dumpable, then no ctypes for anyone after this point."""
    import ctypes

    PR_SET_DUMPABLE = 4
    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0)
    for name in [n for n in sys.modules if n == "_ctypes" or n == "ctypes" or n.startswith("ctypes.")]:
        del sys.modules[name]
    sys.modules["_ctypes"] = sys.modules["ctypes"] = None


def import_all(package: str) -> None:
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, f"{package}."):
        importlib.import_module(info.name)


def load_guard():
    """guard.py as a private module: not in sys.modules, with its own copy of builtins."""
    import builtins

    spec = importlib.util.spec_from_file_location("gradlab_guard", HERE / "guard.py")
    module = importlib.util.module_from_spec(spec)
    module.__builtins__ = dict(builtins.__dict__)
    spec.loader.exec_module(module)
    return module


def no_profile() -> None:
    """What sys.getprofile() returns in a graded kernel."""
    return None


def main() -> None:
    key = read_key()
    sandboxed = os.environ.pop("GRADLAB_SANDBOX", "") == "1"
    seal_process()
    import tempfile

    from ipykernel.kernelapp import IPKernelApp

    import gradlab.checks
    import_all("gradlab")

    tempfile.gettempdir()  # sets tempfile.tempdir now rather than in the first cell

    app = IPKernelApp.instance()
    app.initialize(sys.argv[1:])
    kernel = app.kernel

    def handle(stream, ident, parent, _audit=sys.audit) -> None:
        """The grader's request, passed to the guard; its signed reply sent back."""
        content, box = parent.get("content", {}), []
        _audit("gradlab.guard", content.get("payload"), content.get("tag"), box)
        if len(box) == 1:  # a test: the guard's runner, run here, outside the audit hook
            for _ in box[0]:
                pass
        reply = {"reply": box[0], "tag": box[1]} if len(box) == 2 else {"reply": None, "tag": None}
        kernel.session.send(stream, "gradlab_guard_reply", reply, parent, ident)

    kernel.shell_handlers["gradlab_guard_request"] = handle
    load_guard().install(key, app.shell, kernel, str(Path(gradlab.__file__).parent), gradlab.checks.call_each,
                         sandboxed, no_profile)
    app.start()


if __name__ == "__main__":
    main()
