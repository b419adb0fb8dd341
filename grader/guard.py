"""The guard: the grader's trusted part inside a student's kernel, installed before any student code runs.

It is one audit hook (PEP 578). Python raises audit events for what a cheat needs: frames and code
objects, the garbage collector's object lists, trace and profile hooks, new code, file opens,
imports. The grader adds its own: "gradlab.guard" carries its requests, "gradlab.call" marks the
moments a check runs student code (gradlab.checks.call). The hook

- runs each test cell itself, on the grader's encrypted and authenticated request, in a namespace
  holding only the answers, so IPython's transformers, exception handlers and display hooks are
  not in the way, and signs the verdict it sends back;
- refuses introspection, hooks and new code while student code is on the stack ("blocked");
- puts back what judging depends on and reports what it found changed ("tamper"): the namespaces
  (and classes) of gradlab, numpy and the standard library, builtins, sys.modules, gradlab's own
  containers and closures, trace and profile hooks, signal handlers, gc callbacks, threads, and
  IPython's and ipykernel's machinery; checked at every checkpoint, before and after each test and
  after each stretch of student time;
- profiles student time and reports gradlab code the answer reached that its exercise does not
  allow ("reference"), and notes file opens and processes ("review").

Its state is reachable only from the hook, which Python gives no way to list or remove: the module
is loaded privately (not in sys.modules) with its own copy of builtins, and what it calls while
student code may run was captured when it was installed. What it cannot see is listed in README.

The grader's side of the channel uses `seal` and `unseal_reply` below.
"""
from __future__ import annotations

import _hashlib
import _lsprof
import _thread
import builtins
import gc
import hashlib
import hmac
import json
import operator
import os
import resource
import signal
import sys
import sysconfig
from typing import Any

ZERO_FROM_HERE = ("tamper", "blocked")  # this test and every later one score 0
ZERO_THIS_TEST = ("reference",)          # the test it happened in scores 0
KINDS_THAT_ZERO = ZERO_FROM_HERE + ZERO_THIS_TEST
COUNTER_BYTES = 8
MAX_FINDINGS = 200

# ---------------------------------------------------------------- the channel (both sides)


def _stream(key: bytes, counter: int, size: int) -> bytes:
    return hashlib.shake_256(key + counter.to_bytes(COUNTER_BYTES, "big")).digest(size)


def _xor(data: bytes, stream: bytes) -> bytes:
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")


def mac(key: bytes, data: bytes) -> str:
    return _hashlib.hmac_digest(key, data, "sha256").hex()


def seal(key: bytes, counter: int, request: dict) -> dict[str, str]:
    """A request as the guard reads it: counter and JSON encrypted with the key's stream, then MACed."""
    body = json.dumps(request).encode()
    payload = counter.to_bytes(COUNTER_BYTES, "big") + _xor(body, _stream(key, counter, len(body)))
    return {"payload": payload.hex(), "tag": mac(key, payload)}


def unseal_reply(key: bytes, counter: int, content: dict) -> dict | None:
    """The guard's reply to request `counter`, or None if it is not authentic."""
    text, tag = content.get("reply"), content.get("tag")
    if not isinstance(text, str) or not isinstance(tag, str) or not hmac.compare_digest(mac(key, text.encode()), tag):
        return None
    reply = json.loads(text)
    return reply if reply.get("counter") == counter else None


# ---------------------------------------------------------------- what is compared


class Refused(PermissionError):
    """Raised into student code for an operation the guard does not allow while it runs."""


class Namespace:
    """A module's or class's namespace as it was at baseline, compared by identity."""

    __slots__ = ("label", "owner", "mapping", "keys", "values", "is_class", "volatile")

    def __init__(self, label: str, owner: Any, mapping: Any, is_class: bool, volatile: tuple[str, ...]):
        """volatile: names the interpreter itself rebinds (sys.last_value), left out of the comparison."""
        self.label, self.owner, self.mapping, self.is_class, self.volatile = label, owner, mapping, is_class, volatile
        self.keys, self.values = self.read()

    def read(self) -> tuple[tuple, tuple]:
        if not self.volatile:
            return tuple(self.mapping), tuple(self.mapping.values())
        items = [(k, v) for k, v in self.mapping.items() if k not in self.volatile]
        return tuple(k for k, _ in items), tuple(v for _, v in items)

    def same(self, is_: Any, all_: Any, map_: Any) -> bool:
        if self.volatile:
            keys, values = self.read()
            return len(keys) == len(self.keys) and all_(map_(is_, keys, self.keys)) and all_(map_(is_, values, self.values))
        mapping = self.mapping
        return (len(mapping) == len(self.keys) and all_(map_(is_, mapping, self.keys))
                and all_(map_(is_, mapping.values(), self.values)))

    def restore(self, skip: Any) -> list[str]:
        """Put every entry back; the names that differed (skip(name, value) spares a legitimate new one)."""
        mapping, changes = self.mapping, []
        if any(type(key) is not str for key in mapping):
            return ["a name that is not text was added (it cannot be taken out safely)"]
        original = dict(zip(self.keys, self.values))
        for key in list(mapping):
            if key not in original and key not in self.volatile and not skip(key, mapping[key]):
                changes.append(f"{key} was added")
                self._set(key, None, remove=True)
        for key, value in original.items():
            if key not in mapping or mapping[key] is not value:
                changes.append(f"{key} was {'removed' if key not in mapping else 'replaced'}")
                self._set(key, value)
        if not changes:  # only legitimate additions: they join the baseline
            self.keys, self.values = self.read()
        return changes

    def _set(self, key: str, value: Any, remove: bool = False) -> None:
        if self.is_class:
            (type.__delattr__(self.owner, key) if remove else type.__setattr__(self.owner, key, value))
        elif remove:
            del self.mapping[key]
        else:
            self.mapping[key] = value


class Contents:
    """A mutable object's contents at baseline (a list, set, dict, array, closure cell or partial)."""

    __slots__ = ("label", "obj", "kind", "saved", "copy")

    def __init__(self, label: str, obj: Any):
        self.label, self.obj, self.kind = label, obj, type(obj).__name__
        self.saved = self.read()
        self.copy = obj.copy() if self.kind == "ndarray" else None

    def read(self) -> tuple:
        obj, kind = self.obj, self.kind
        if kind in ("list", "set"):
            return tuple(obj)
        if kind == "dict":
            return tuple(obj) + tuple(obj.values())
        if kind == "ndarray":
            return (obj.tobytes(),)
        if kind == "cell":
            try:
                return (obj.cell_contents,)
            except ValueError:
                return ()
        return obj.func, obj.args, obj.keywords  # a functools.partial

    def same(self) -> bool:
        now = self.read()
        if self.kind == "ndarray":
            return now == self.saved
        return len(now) == len(self.saved) and all(map(operator.is_, now, self.saved))

    def restore(self) -> None:
        obj, kind, saved = self.obj, self.kind, self.saved
        if kind == "list":
            obj[:] = saved
        elif kind in ("set", "dict"):
            obj.clear()
            obj.update(saved if kind == "set" else zip(saved[:len(saved) // 2], saved[len(saved) // 2:]))
        elif kind == "ndarray":
            writeable = obj.flags.writeable
            obj.flags.writeable = True
            obj[...] = self.copy
            obj.flags.writeable = writeable
        elif kind == "cell" and saved:
            obj.cell_contents = saved[0]
        elif kind == "partial":
            obj.__setstate__((*saved, None))


def containers(label: str, value: Any, found: list[Contents], seen: set[int], depth: int = 0) -> None:
    """Every mutable container reachable from value (gradlab's own constants, lists of mistakes,
    functions' closures and keyword defaults), as Contents."""
    if depth > 6 or id(value) in seen:
        return
    seen.add(id(value))
    kind = type(value)
    if kind in (list, set, dict) or kind.__name__ in ("ndarray", "cell", "partial"):
        found.append(Contents(label, value))
    if kind in (list, tuple, set, frozenset) or (isinstance(value, tuple) and hasattr(value, "_fields")):
        for index, part in enumerate(value):
            containers(f"{label}[{index}]", part, found, seen, depth + 1)
    elif kind is dict:
        for key, part in value.items():
            containers(f"{label}[{key!r}]", part, found, seen, depth + 1)
    elif kind.__name__ == "function":
        for index, cell in enumerate(value.__closure__ or ()):
            containers(f"{label}.__closure__[{index}]", cell, found, seen, depth + 1)
        for part, name in ((value.__defaults__, "__defaults__"), (value.__kwdefaults__, "__kwdefaults__")):
            if part is not None:
                containers(f"{label}.{name}", part, found, seen, depth + 1)
    elif kind.__name__ == "cell":
        try:
            containers(label, value.cell_contents, found, seen, depth + 1)
        except ValueError:
            pass


def nested_codes(codes: list) -> set:
    """The code objects and every code object defined inside them (comprehensions, lambdas)."""
    found, todo = set(), list(codes)
    while todo:
        code = todo.pop()
        found.add(code)
        todo += [const for const in code.co_consts if type(const) is type(code)]
    return found


# ---------------------------------------------------------------- the guard


class Guard:
    """The audit hook and everything it keeps; see the module docstring."""

    def __init__(self, key: bytes, shell: Any, kernel: Any, gradlab_dir: str, gateway: Any, sandboxed: bool,
                 no_profile: Any):
        # Captured now, while only trusted code has run: what the hook calls while student code may run.
        self.is_, self.all, self.map, self.type, self.len = operator.is_, all, map, type, len
        self.getframe, self.gettrace, self.getprofile = sys._getframe, sys.gettrace, sys.getprofile
        self.settrace, self.setprofile_ = sys.settrace, sys.setprofile
        self.compile, self.exec, self.isinstance = compile, exec, isinstance
        self.fromhex, self.hmac, self.compare = bytes.fromhex, _hashlib.hmac_digest, hmac.compare_digest
        self.shake, self.current_frames, self.thread_id = hashlib.shake_256, sys._current_frames, _thread.get_ident
        self.waitpid = os.waitpid
        self.getsignal, self.signal = signal.getsignal, signal.signal
        self.signals = tuple(s for s in signal.valid_signals() if s != signal.SIGINT)  # ipykernel manages SIGINT
        self.gc_enable, self.gc_disable, self.gc_isenabled, self.gc_callbacks = gc.enable, gc.disable, gc.isenabled, gc.callbacks
        self.getrlimit, self.setrlimit = resource.getrlimit, resource.setrlimit
        self.recursion = (sys.getrecursionlimit, sys.setrecursionlimit, sys.getrecursionlimit())
        self.getcwd, self.readlink, self.environ = os.getcwd, os.readlink, os.environ
        self.modules, self.builtins = sys.modules, builtins.__dict__
        self.builtin_errors = tuple(v for v in builtins.__dict__.values()
                                    if isinstance(v, type) and issubclass(v, BaseException))
        self.json_dumps, self.json_loads = json.dumps, json.loads
        self.key, self.shell, self.kernel, self.sandboxed = key, shell, kernel, sandboxed
        self.gateway_code = gateway.__code__
        checks = sys.modules[gateway.__module__]
        self.gateway_run = checks.run.__code__
        self.gateway_helpers = nested_codes([f.__code__ for f in (checks.run, checks.plain, checks.type_name,
                                                                  checks.text_of)])
        self.gradlab = gradlab_dir + os.sep
        paths = sysconfig.get_paths()
        self.stdlib = tuple({paths["stdlib"] + os.sep, paths["platstdlib"] + os.sep})
        self.trusted = tuple({path + os.sep for path in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                                          sys.base_exec_prefix, paths["purelib"], paths["platlib"],
                                                          gradlab_dir, os.path.dirname(__file__))}) + self.stdlib + ("<frozen ",)
        import importlib._bootstrap as bootstrap
        self.import_code = bootstrap._find_and_load.__code__
        self.profiler = _lsprof.Profiler()
        sys.getprofile = no_profile  # sys.getprofile() would hand student code the profiler of student time
        # State of the conversation and of the notebook.
        self.busy = False
        self.counter = 0
        self.cell, self.cell_trusted = -1, True
        self.after_release_cell = True  # the machinery's baseline is taken again after the release's own cells
        self.files: dict[str, bool] = {}  # file name -> is student code (cells, and code compiled at run time)
        self.cell_of: dict[str, int] = {}
        self.findings: list[dict] = []
        self.seen_findings: set = set()
        self.test: dict | None = None
        self.depth = 0

    # ---------------------------------------------------------------- baselines

    @staticmethod
    def judged(name: str) -> bool:
        """Modules judging depends on: gradlab, numpy, and the standard library modules their code runs
        or names (measured by profiling every check; see JUDGED_STDLIB)."""
        return name.partition(".")[0] in ("gradlab", "numpy") or name in JUDGED_STDLIB

    def namespaces(self, names: list[str]) -> list[Namespace]:
        found = []
        for name in names:
            module = self.modules.get(name)
            if module is None or not hasattr(module, "__dict__"):
                continue
            found.append(Namespace(name, module, module.__dict__, False, VOLATILE.get(name, ()) + ("__warningregistry__",)))
            for value in list(module.__dict__.values()):
                if isinstance(value, type) and value.__dict__.get("__module__") == name:
                    found.append(Namespace(f"{name}.{value.__qualname__}", value, value.__dict__, True, ()))
        return found

    def baseline(self) -> None:
        names = sorted(n for n, m in list(self.modules.items()) if m is not None)
        judged = [n for n in names if self.judged(n)]
        self.judged_names = set(judged)
        self.judged_ns = self.namespaces(judged)
        self.loaded = set(self.modules)
        self.sys_modules = {n: self.modules[n] for n in names} | {n: None for n, m in self.modules.items() if m is None}
        found: list[Contents] = []
        seen: set[int] = set()
        for ns in self.judged_ns:
            if ns.label.startswith("gradlab"):
                for key, value in ns.mapping.items():
                    if not key.startswith("__"):
                        containers(f"{ns.label}.{key}", value, found, seen)
        self.contents = found
        self.process = self.read_process()
        self.machinery_baseline()

    def machinery_modules(self) -> list[str]:
        roots = ("IPython", "ipykernel", "jupyter_client", "traitlets", "comm", "matplotlib_inline")
        return sorted(n for n, m in list(self.modules.items())
                      if m is not None and n.partition(".")[0] in roots and n not in self.judged_names)

    def machinery_items(self) -> list[tuple[str, Any, str]]:
        """(label, owner, attribute) of IPython's and ipykernel's hooks on the shell and the kernel: values
        (forced into existence here, so reading them later runs no traitlets code) and methods (which
        must not be overridden on the instance: reading those finds nothing)."""
        shell, kernel = self.shell, self.kernel
        values = ["input_transformers_cleanup", "input_transformers_post", "input_transformer_manager",
                  "ast_transformers", "custom_exceptions", "CustomTB", "InteractiveTB", "SyntaxTB", "displayhook",
                  "display_pub", "display_formatter", "compile", "events"]
        methods = ["excepthook", "showtraceback", "_showtraceback", "run_cell", "run_cell_async", "run_ast_nodes",
                   "run_code", "transform_cell"]
        for name in values:
            getattr(shell, name)
        items = [(f"the shell's {n}", shell, n) for n in values + methods]
        items += [(f"the kernel's {n}", kernel, n) for n in ("shell_handlers", "control_handlers", "session",
                                                             "do_execute", "execute_request")]
        _ = kernel.session  # forced into existence, like the values above
        manager, events = shell.input_transformer_manager, shell.events
        items += [(f"the shell's input transformer {n}", manager, n)
                  for n in ("cleanup_transforms", "line_transforms", "token_transformers")]
        items.append(("the shell's event callbacks", events, "callbacks"))
        return items

    @staticmethod
    def attribute(owner: Any, name: str) -> Any:
        """owner.name read from its __dict__ or its traits, so no descriptor code runs (None if absent)."""
        mapping = object.__getattribute__(owner, "__dict__")
        traits = mapping.get("_trait_values", {})
        return traits[name] if name in traits else mapping.get(name)

    @staticmethod
    def set_attribute(owner: Any, name: str, value: Any) -> None:
        """Put owner.name back the way `attribute` read it (None: it was not there)."""
        mapping = object.__getattribute__(owner, "__dict__")
        traits = mapping.get("_trait_values", {})
        if name in traits:
            traits[name] = value
        elif value is None:
            mapping.pop(name, None)
        else:
            mapping[name] = value

    def machinery_baseline(self) -> None:
        """Take (or, after a cell of the release's own, take again) the baseline of IPython's machinery:
        the release's cells may change it (%matplotlib inline registers callbacks)."""
        known = {ns.label: ns for ns in getattr(self, "machinery_ns", [])}
        modules = self.machinery_modules()
        self.machinery_names = set(modules)
        fresh = [name for name in modules if name not in known]
        for ns in known.values():
            ns.keys, ns.values = ns.read()
        self.machinery_ns = list(known.values()) + self.namespaces(fresh)
        self.machinery = []
        for label, owner, name in self.machinery_items():
            value = self.attribute(owner, name)
            saved = Contents(label, value) if type(value) in (list, dict) else None
            if type(value) is dict:
                for key, part in value.items():
                    if type(part) is list:
                        self.machinery.append((f"{label}[{key!r}]", owner, None, Contents(label, part)))
            self.machinery.append((label, owner, name, (value, saved)))
        self.env_cell_name = self.environ.get("IPYKERNEL_CELL_NAME")

    def read_process(self) -> dict:
        return {"trace": self.gettrace(), "profile": self.getprofile(),
                "signals": tuple(self.getsignal(s) for s in self.signals),
                "callbacks": tuple(self.gc_callbacks),
                "recursion": self.recursion[0]()}

    # ---------------------------------------------------------------- verification

    def check(self, where: int, machinery: bool, rebaseline: bool = False) -> None:
        """Compare what judging depends on with the baseline, put it back, record what changed."""
        self.busy = True
        try:
            self.check_judged(where)
            self.check_process(where)
            if machinery:
                self.machinery_baseline() if rebaseline else self.check_machinery(where)
        finally:
            self.busy = False

    def check_namespaces(self, namespaces: list[Namespace], where: int) -> None:
        is_, all_, map_ = self.is_, self.all, self.map
        for ns in namespaces:
            if not ns.same(is_, all_, map_):
                for change in ns.restore(self.submodule_added):
                    self.record("tamper", where, 0, f"{ns.label}: {change} (put back)")

    def check_judged(self, where: int) -> None:
        self.check_namespaces(self.judged_ns, where)
        for name, module in self.sys_modules.items():
            if self.modules.get(name, False) is not module and (module is not None or name in self.modules):
                self.modules[name] = module
                self.record("tamper", where, 0, f"sys.modules[{name!r}] was changed (put back)")
        for contents in self.contents:
            if not contents.same():
                contents.restore()
                self.record("tamper", where, 0, f"{contents.label} was changed in place (put back)")
        self.adopt_new_modules()

    def submodule_added(self, key: str, value: Any) -> bool:
        """An import adds a package's submodule to its namespace: that is not tampering."""
        name = getattr(value, "__name__", None) if type(value).__name__ == "module" else None
        return name is not None and name.rpartition(".")[2] == key and self.modules.get(name) is value

    def adopt_new_modules(self) -> None:
        """Modules imported since the last check join the baseline."""
        if len(self.modules) == len(self.loaded):
            return
        new = [n for n in list(self.modules) if n not in self.loaded]
        self.loaded.update(new)
        judged = [n for n in new if self.modules[n] is not None and self.judged(n)]
        self.judged_names.update(judged)
        self.judged_ns += self.namespaces(judged)
        self.sys_modules.update({n: self.modules[n] for n in judged})

    def check_process(self, where: int) -> None:
        base = self.process
        if self.gettrace() is not None:
            self.settrace(None)
            self.record("tamper", where, 0, "a trace function was set (removed)")
        if self.getprofile() is not base["profile"]:
            self.setprofile_(base["profile"])
            self.record("tamper", where, 0, "a profile function was set (removed)")
        for number, handler in zip(self.signals, base["signals"]):
            if self.getsignal(number) is not handler:
                try:
                    self.signal(number, handler)
                except (ValueError, OSError, TypeError):
                    pass
                self.record("tamper", where, 0, f"the handler of signal {number} was changed (put back)")
        if tuple(self.gc_callbacks) != base["callbacks"]:
            self.gc_callbacks[:] = base["callbacks"]
            self.record("tamper", where, 0, "gc.callbacks was changed (put back)")
        if self.student_threads():
            self.record("tamper", where, 0, "a thread runs the notebook's code beside the checks (it cannot be stopped)")
        self.reap()
        if self.recursion[0]() != base["recursion"]:
            self.recursion[1](base["recursion"])
            self.record("tamper", where, 0, "the recursion limit was changed (put back)")

    def check_machinery(self, where: int) -> None:
        self.check_namespaces(self.machinery_ns, where)
        for label, owner, name, saved in self.machinery:
            if name is None:  # a list inside a dict (an event's callbacks)
                if not saved.same():
                    saved.restore()
                    self.record("tamper", where, 0, f"{label} was changed (put back)")
                continue
            value, contents = saved
            if self.attribute(owner, name) is not value or (contents is not None and not contents.same()):
                self.set_attribute(owner, name, value)
                if contents is not None:
                    contents.restore()
                self.record("tamper", where, 0, f"{label} was changed (put back)")
        if self.environ.get("IPYKERNEL_CELL_NAME") != self.env_cell_name:
            self.environ.pop("IPYKERNEL_CELL_NAME", None)
            self.record("tamper", where, 0, "IPYKERNEL_CELL_NAME was set (removed)")

    def student_threads(self) -> list[int]:
        """Threads other than this one with student code on their stack."""
        found = []
        for ident, frame in self.current_frames().items():
            while frame is not None and ident != self.thread_id():
                if self.is_student(frame.f_code.co_filename):
                    found.append(ident)
                    break
                frame = frame.f_back
        return found

    def reap(self) -> None:
        """Collect the kernel's dead children (a fork bomb's): in the sandbox the kernel is the namespace's
        init, and zombies would hold the process budget of the cells to come."""
        try:
            while self.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass

    def record(self, kind: str, cell: int, line: int, text: str) -> None:
        key = (kind, cell, line, text)
        if key not in self.seen_findings and len(self.findings) < MAX_FINDINGS:
            self.seen_findings.add(key)
            self.findings.append({"kind": kind, "cell": cell, "line": line, "text": text})

    # ---------------------------------------------------------------- who is running

    def is_student(self, filename: Any) -> bool:
        known = self.files.get(filename)
        if known is None:
            known = self.type(filename) is not str or not filename.startswith(self.trusted)
        return known

    def context(self) -> tuple[Any, bool]:
        """(the innermost frame of student code on the stack or None, whether an import lies between)."""
        self.busy = True
        try:
            frame = self.getframe(2)
            while frame is not None:
                code = frame.f_code
                if self.is_student(code.co_filename):
                    return frame, False
                if code is self.import_code:
                    return None, True
                frame = frame.f_back
            return None, False
        finally:
            self.busy = False

    def where(self, frame: Any) -> tuple[int, int]:
        """(cell, line) of a student frame."""
        self.busy = True
        try:
            return self.cell_of.get(frame.f_code.co_filename, self.cell), frame.f_lineno
        finally:
            self.busy = False

    def refuse(self, frame: Any, what: str) -> None:
        self.record("blocked", *self.where(frame), f"{what} was refused")
        raise Refused(f"the grader does not allow {what} while your code is graded")

    # ---------------------------------------------------------------- the hook

    def audit(self, event: str, args: tuple) -> None:
        if self.busy:
            return
        handler = HANDLERS.get(event)
        if handler is None:
            if event.startswith("ctypes."):
                handler = Guard.on_introspection
            else:
                return
        handler(self, event, args)

    def on_introspection(self, event: str, args: tuple) -> None:
        student, _ = self.context()
        if student is not None:
            self.refuse(student, event)

    def on_attribute(self, event: str, args: tuple) -> None:
        """Reading or setting the attributes Python audits: frames are refused to student code whoever
        asks for them; a function's code and defaults too, unless a library reads them (dataclass and
        namedtuple do); a class's name, module or doc may be set by anyone."""
        name = args[1] if self.len(args) > 1 and self.type(args[1]) is str else "?"
        if name in ("__module__", "__qualname__", "__name__", "__doc__"):
            return
        student, _ = self.context()
        if student is None or name not in FRAMES and not self.by_student(event, args):
            return
        self.refuse(student, f"{event}({name})")

    def by_student(self, event: str, args: tuple) -> bool:
        """Whether student code itself reads or sets a function's code or defaults, or an object's class
        or bases (a library may: namedtuple sets the defaults of a function it just made), or anyone
        sets those of trusted code."""
        self.busy = True
        try:
            if self.is_student(self.getframe(3).f_code.co_filename):
                return True
            target, kind = args[0], self.type(args[0])
            if event == "object.__getattr__":
                return False
            if kind.__name__ == "function":
                return not self.is_student(target.__code__.co_filename)
            module = target.__dict__.get("__module__") if self.isinstance(target, type) else kind.__module__
            return module in self.judged_names or module in self.machinery_names
        finally:
            self.busy = False

    def on_getframe(self, event: str, args: tuple) -> None:
        student, _ = self.context()
        if student is None:
            return
        self.busy = True
        try:
            caller = self.getframe(2).f_code
            allowed = (caller.co_name, caller.co_filename.rpartition(os.sep)[2]) in FRAME_READERS
        finally:
            self.busy = False
        if not allowed:
            self.refuse(student, "sys._getframe")

    def on_addaudithook(self, event: str, args: tuple) -> None:
        student, _ = self.context()
        self.record("blocked", *(self.where(student) if student else (self.cell, 0)), "sys.addaudithook was refused")
        raise Refused("the grader does not allow new audit hooks")

    def on_compile(self, event: str, args: tuple) -> None:
        filename = args[1] if len(args) > 1 else None
        student, importing = self.context()
        if importing:
            return
        if student is None:
            if self.type(filename) is str and not filename.startswith(self.trusted):
                if self.files.get(filename) is not True:
                    self.files[filename] = not self.cell_trusted
                self.cell_of.setdefault(filename, self.cell)
            return
        if self.type(filename) is not str or filename.startswith(self.trusted) or self.files.get(filename) is False:
            self.refuse(student, f"compiling code under the name {filename!r}")
        self.files[filename] = True
        self.cell_of.setdefault(filename, self.where(student)[0])

    def on_marshal(self, event: str, args: tuple) -> None:
        student, importing = self.context()
        if student is not None and not importing:
            self.refuse(student, event)

    def on_import(self, event: str, args: tuple) -> None:
        student, importing = self.context()
        name = args[0] if args else ""
        if student is None or importing or self.type(name) is not str:
            return
        if name.partition(".")[0] in FORBIDDEN_MODULES or name in self.loaded:
            self.refuse(student, f"importing {name}" + (" again" if name in self.loaded else ""))

    def on_open(self, event: str, args: tuple) -> None:
        student, importing = self.context()
        if student is None or importing:
            return
        path = args[0] if args else None
        if self.type(path) is int:
            return
        if self.type(path) is bytes:
            path = path.decode(errors="replace")
        if self.type(path) is not str:
            self.refuse(student, "opening a path given as an object")
        full = self.resolve(path)
        if full == "/proc" or full.startswith(("/proc/", "/dev/mem", "/dev/kmem")):
            self.refuse(student, f"opening {path}")
        if full.startswith(self.gradlab):
            self.refuse(student, f"reading gradlab's source ({path})")
        if not full.startswith(self.trusted):
            cell, line = self.where(student)
            self.record("review", cell, line, f"opened {path}")

    def resolve(self, path: str) -> str:
        """path made absolute with symlinks followed (captured os functions only)."""
        self.busy = True
        try:
            if not path.startswith("/"):
                path = self.getcwd() + "/" + path
            parts, done, hops = path.split("/"), [], 0
            while parts:
                part = parts.pop(0)
                if part in ("", "."):
                    continue
                if part == "..":
                    done = done[:-1]
                    continue
                here = "/" + "/".join(done + [part])
                try:
                    target = self.readlink(here)
                except OSError:
                    done.append(part)
                    continue
                hops += 1
                if hops > 40:
                    return "/proc"  # a loop: treat as forbidden
                parts = target.split("/") + parts
                if target.startswith("/"):
                    done = []
            return "/" + "/".join(done)
        finally:
            self.busy = False

    def on_process(self, event: str, args: tuple) -> None:
        student, _ = self.context()
        if student is not None:
            cell, line = self.where(student)
            self.record("review", cell, line, f"started a process ({event})")

    def on_rlimit(self, event: str, args: tuple) -> None:
        student, _ = self.context()
        if student is not None:
            self.refuse(student, "changing resource limits")

    # ---------------------------------------------------------------- student time

    def on_call(self, event: str, args: tuple) -> None:
        if self.test is None or self.len(args) != 2:
            return
        self.busy = True
        try:
            genuine = self.getframe(2).f_code is self.gateway_code
        finally:
            self.busy = False
        if not genuine:
            student, _ = self.context()
            if student is not None:
                self.refuse(student, "raising the checker's own event")
            return
        if args[0] == "enter":
            self.depth += 1
            if self.depth == 1:
                self.enter(args[1])
        elif args[0] == "exit" and self.depth > 0:
            self.depth -= 1
            if self.depth == 0:
                self.leave()

    def enter(self, case: Any) -> None:
        self.busy = True
        try:
            self.test["roots"] = self.test["allowed"] | self.codes_in(case)
            if self.sandboxed:  # no thread or process may start while student code runs
                self.nproc = self.getrlimit(resource.RLIMIT_NPROC)
                self.setrlimit(resource.RLIMIT_NPROC, (0, self.nproc[1]))
            self.gc_enable()
            self.profiler.enable()
        finally:
            self.busy = False

    def leave(self) -> None:
        self.busy = True
        try:
            self.profiler.disable()
            stats = self.profiler.getstats()
            self.profiler.clear()
            if self.sandboxed:
                self.setrlimit(resource.RLIMIT_NPROC, self.nproc)
            self.gc_disable()
            for code in self.reached(stats, self.test["roots"]):
                self.record("reference", self.cell, 0, f"your code called gradlab's {self.describe_code(code)}, "
                                                       "which this exercise does not allow")
        finally:
            self.busy = False
        self.check(self.cell, machinery=False)
        self.gc_disable()

    def codes_in(self, value: Any, depth: int = 0) -> set:
        """Code objects of the callables a check hands to the student (and of the methods of gradlab objects)."""
        found, kind = set(), type(value)
        if depth > 3:
            return found
        if kind.__name__ == "function":
            found.add(value.__code__)
        elif kind.__name__ == "method":
            found |= self.codes_in(value.__func__, depth + 1)
        elif kind.__name__ == "partial":
            found |= self.codes_in(value.func, depth + 1)
        elif isinstance(value, (list, tuple)):  # a check's own arguments: no student object here
            for part in value:
                found |= self.codes_in(part, depth + 1)
        elif isinstance(value, dict):
            for part in value.values():
                found |= self.codes_in(part, depth + 1)
        if getattr(kind, "__module__", "").startswith("gradlab"):
            for klass in kind.__mro__:
                for part in klass.__dict__.values():
                    if type(part).__name__ == "function":
                        found.add(part.__code__)
        return found

    def reached(self, stats: list, roots: set) -> list:
        """gradlab code that student code (or the answer itself, as the gateway called it) reached in the
        profile without passing through a function the exercise allows."""
        calls = {entry.code: [sub.code for sub in (entry.calls or ())] for entry in stats}
        helpers = self.gateway_helpers
        sources = [code for code in calls if type(code) is not str and self.is_student(code.co_filename)]
        sources += [code for code in calls.get(self.gateway_run, []) if code not in helpers]  # the answer itself
        tainted, todo = set(), sources
        while todo:
            code = todo.pop()
            if code in tainted or code in roots:
                continue
            tainted.add(code)
            todo += calls.get(code, [])
        return sorted((code for code in tainted if type(code) is not str and code not in helpers
                       and code.co_filename.startswith(self.gradlab)), key=lambda c: (c.co_filename, c.co_firstlineno))

    def describe_code(self, code: Any) -> str:
        module = code.co_filename[len(self.gradlab):].removesuffix(".py").replace(os.sep, ".")
        return f"{module}.{code.co_qualname}"

    # ---------------------------------------------------------------- the grader's requests

    def on_request(self, event: str, args: tuple) -> None:
        if self.len(args) != 3 or [self.type(arg) for arg in args] != [str, str, list]:
            return
        payload, tag, box = args
        try:
            data, tag = self.fromhex(payload), self.fromhex(tag)
        except ValueError:
            return
        if not self.compare(self.hmac(self.key, data, "sha256"), tag):
            self.record("tamper", self.cell, 0, "a request to the guard did not come from the grader")
            return
        counter = int.from_bytes(data[:COUNTER_BYTES], "big")
        if counter != self.counter + 1:
            self.record("tamper", self.cell, 0, "a request to the guard was replayed")
            return
        self.counter = counter
        if counter == 1:  # the grader's first word comes before any cell: the kernel is up, no student code ran
            self.baseline()
        body = data[COUNTER_BYTES:]
        stream = self.shake(self.key + counter.to_bytes(COUNTER_BYTES, "big")).digest(self.len(body))
        plain = (int.from_bytes(body, "big") ^ int.from_bytes(stream, "big")).to_bytes(self.len(body), "big")
        self.check(self.cell, machinery=True, rebaseline=self.after_release_cell)
        request = self.json_loads(plain)
        if request["op"] == "test":
            box.append(self.run_test(request, counter, box))
            return
        self.cell, self.cell_trusted = request["index"], bool(request["trusted"])
        self.after_release_cell = self.cell_trusted
        self.sign({"counter": counter}, box)

    def sign(self, reply: dict, box: list) -> None:
        reply["findings"], self.findings = self.findings, []
        text = self.json_dumps(reply)
        box[:] = [text, self.hmac(self.key, text.encode(), "sha256").hex()]

    def run_test(self, request: dict, counter: int, box: list) -> Any:
        """A generator that runs a test cell's parts in a namespace of the answers and signs the outcome
        of the first that fails. The kernel's handler runs it outside the audit hook (inside one, Python
        switches profiling off, and the profiler must see student time)."""
        self.cell, self.cell_trusted, self.after_release_cell = request["index"], True, False
        namespace = self.attribute(self.shell, "_user_ns")
        scope = {"__builtins__": self.builtins}
        if self.type(namespace) is dict:
            for name in request["answers"]:
                value = dict.get(namespace, name, scope)
                if value is not scope:
                    scope[name] = value
        self.test = {"allowed": self.allowed(request["allowed"]), "roots": set()}
        filename = f"<gradlab test {request['name']}>"
        self.files[filename] = False
        outcome = {"outcome": "passed", "part": "", "message": ""}
        enabled = self.gc_isenabled()
        try:
            for label, source in request["parts"]:
                self.depth = 0
                self.gc_disable()
                try:
                    self.exec(self.compile(source, filename, "exec", dont_inherit=True), scope)
                except KeyboardInterrupt:
                    outcome = {"outcome": "timeout", "part": label, "message": ""}
                    break
                except BaseException as error:  # every failure is a verdict
                    outcome = {"outcome": "failed", "part": label, "message": self.message(error)}
                    break
        finally:
            self.test = None
            if self.depth:  # interrupted in student time
                self.depth = 0
                self.profiler.disable()
                self.profiler.clear()
                if self.sandboxed:
                    self.setrlimit(resource.RLIMIT_NPROC, self.nproc)
            (self.gc_enable if enabled else self.gc_disable)()
        self.check(self.cell, machinery=True)
        self.sign({"counter": counter, **outcome}, box)
        return
        yield  # unreachable: makes this a generator

    def message(self, error: BaseException) -> str:
        kind = self.type(error)
        if any(kind is k for k in self.builtin_errors) and error.args and self.type(error.args[0]) is str:
            return error.args[0] if kind is AssertionError else f"{kind.__name__}: {error.args[0]}"
        return kind.__name__ if any(kind is k for k in self.builtin_errors) else "an error"

    def allowed(self, names: list[str]) -> set:
        """Code objects of the gradlab functions an exercise may use ("gradlab.numeric.numerical_gradient")."""
        codes = set()
        for dotted in names:
            module_name, _, rest = dotted.partition(".")
            parts = dotted.split(".")
            for cut in range(len(parts), 0, -1):
                module = self.modules.get(".".join(parts[:cut]))
                if module is not None:
                    value = module
                    for attribute in parts[cut:]:
                        value = getattr(value, attribute, None)
                    codes |= self.codes_in(value)
                    break
        return codes


# The library functions that read a frame only to learn their caller's module name.
FRAME_READERS = {("namedtuple", "__init__.py"), ("_caller", "typing.py"), ("_create_", "enum.py"),
                 ("__call__", "enum.py"), ("__new__", "enum.py")}
JUDGED_STDLIB = {"builtins", "sys", "abc", "_abc", "random", "threading", "_thread", "typing", "collections",
                 "collections.abc", "contextlib", "contextvars", "functools", "itertools", "math", "numbers",
                 "operator", "types", "warnings", "weakref", "enum", "re", "io", "os", "posixpath", "copy", "signal",
                 "json", "json.decoder", "json.scanner", "json.encoder", "importlib", "importlib._bootstrap",
                 "importlib._bootstrap_external"}
FRAMES = {"tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_code"}  # refused to student code whoever reads them for it
FORBIDDEN_MODULES = {"ctypes", "_ctypes", "cffi", "_testcapi", "_testinternalcapi", "_xxsubinterpreters"}
# Names the interpreter and IPython rebind as a matter of course.
VOLATILE = {"sys": ("last_type", "last_value", "last_traceback", "last_exc", "ps1", "ps2"),
            "builtins": ("_", "__IPYTHON__", "display", "get_ipython", "exit", "quit")}

HANDLERS = {
    "gradlab.guard": Guard.on_request,
    "gradlab.call": Guard.on_call,
    "sys._getframe": Guard.on_getframe,
    "sys._current_frames": Guard.on_introspection,
    "sys._current_exceptions": Guard.on_introspection,
    "object.__getattr__": Guard.on_attribute,
    "object.__setattr__": Guard.on_attribute,
    "object.__delattr__": Guard.on_attribute,
    "gc.get_objects": Guard.on_introspection,
    "gc.get_referrers": Guard.on_introspection,
    "gc.get_referents": Guard.on_introspection,
    "sys.settrace": Guard.on_introspection,
    "sys.setprofile": Guard.on_introspection,
    "code.__new__": Guard.on_introspection,
    "function.__new__": Guard.on_introspection,
    "sys.addaudithook": Guard.on_addaudithook,
    "compile": Guard.on_compile,
    "marshal.loads": Guard.on_marshal,
    "marshal.load": Guard.on_marshal,
    "import": Guard.on_import,
    "open": Guard.on_open,
    "resource.setrlimit": Guard.on_rlimit,
    "resource.prlimit": Guard.on_rlimit,
    "os.system": Guard.on_process,
    "os.exec": Guard.on_process,
    "os.posix_spawn": Guard.on_process,
    "os.spawn": Guard.on_process,
    "os.fork": Guard.on_process,
    "os.forkpty": Guard.on_process,
    "subprocess.Popen": Guard.on_process,
}


def install(key: bytes, shell: Any, kernel: Any, gradlab_dir: str, gateway: Any, sandboxed: bool,
            no_profile: Any) -> None:
    """Take the baseline and add the hook. Python keeps audit hooks for the life of the process.
    no_profile replaces sys.getprofile; it must be defined outside this module (see the docstring)."""
    guard = Guard(key, shell, kernel, gradlab_dir, gateway, sandboxed, no_profile)
    sys.addaudithook(guard.audit)
