"""Flag answer code an instructor should look at: it reaches outside the exercise.

A static reading of the student's own cells, for review: it names the spelling (cell and line) of
code that rebinds module attributes or a name a test cell calls, touches builtins or sys.modules,
reaches IPython, frames, the garbage collector or another function's globals, sets trace or profile
hooks, opens files, sockets or processes, or uses gradlab's reference code (an exercise may allow
tools through its answer cell's `gradlab.may_use` metadata, imports included). Flags do not change
scores: the guard (grader/guard.py) is what stops a cheat while the notebook runs, and its findings
do. The scan catches spellings the guard does not need to see (a name rebound but never called).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from IPython.core.inputtransformer2 import TransformerManager

GUARDED_MODULES = {"builtins", "sys", "os", "io", "numpy", "gradlab", "math", "importlib", "IPython", "ipykernel"}
OUTSIDE_MODULES = {"socket", "subprocess", "urllib", "http", "requests", "shutil", "multiprocessing",
                   "ctypes", "signal", "pathlib", "pickle", "inspect", "gc", "importlib", "IPython", "ipykernel",
                   "threading", "_thread", "traceback", "types", "marshal", "code", "codeop", "linecache"}
# IPython's input and output history (test cells run through IPython would be there).
HISTORY = {"In", "Out", "_ih", "_oh", "_i", "_ii", "_iii", "_dh", "history_manager"}
OUTSIDE_CALLS = {"open", "exec", "eval", "compile", "__import__", "setattr", "delattr", "globals", "vars", "locals",
                 "os.system", "os.popen", "os.fork", "os._exit", "os.kill", "os.remove", "os.unlink",
                 "os.open", "os.fdopen", "os.listdir", "os.walk", "os.scandir", "io.open", "get_ipython",
                 "sys.settrace", "sys.setprofile", "sys._getframe", "sys.exc_info", "sys.addaudithook"}
# Attributes that lead from an object to the machinery around it: another function's globals and
# closure, a bound method's object, what a decorator wrapped, frames and code, every class.
INTROSPECTION = {"__globals__", "__self__", "__wrapped__", "__closure__", "__code__", "__defaults__",
                 "__kwdefaults__", "__dict__", "__subclasses__", "__bases__", "__mro__", "__builtins__",
                 "__class__", "cell_contents", "f_back", "f_globals", "f_locals", "f_builtins", "f_code",
                 "tb_frame", "gi_frame", "cr_frame", "_implementation", "__loader__", "__spec__"}


@dataclass(frozen=True)
class Flag:
    cell: int       # index of the cell in the submitted notebook
    cell_id: str    # nbgrader grade_id, or "" for a cell the student added
    line: int
    reason: str

    def __str__(self) -> str:
        where = f"cell {self.cell}" + (f" ({self.cell_id})" if self.cell_id else " (edited or added)")
        return f"{where}, line {self.line}: {self.reason}"


def dotted(node: ast.AST) -> str:
    """'np.linalg.norm' for the expression np.linalg.norm, '' for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def imported_names(tree: ast.AST) -> dict[str, str]:
    """Names bound by import statements, mapped to the full module path they stand for."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def bound_names(tree: ast.AST) -> set[str]:
    """Every name a cell binds anywhere (def, class, assignment, import, for, with, global)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def is_data(path: str) -> bool:
    """Whether a gradlab name is plain data (PARAMETER_NAMES), which runs no code, rather than code."""
    import importlib

    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            value = getattr(value, name, None)
        return isinstance(value, (str, int, float, tuple, frozenset)) and not callable(value)
    return False


def parse(source: str) -> ast.AST | None:
    """The cell's Python after IPython's own rewriting (magics, !shell), None if it does not parse."""
    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return None


def reasons(tree: ast.AST, names: dict[str, str], may_use: set[str], tested: dict[str, str]) -> list[tuple[int, str]]:
    """(line, reason) for every construct in tree that reaches outside the exercise. may_use lists the
    gradlab functions the exercise allows (say gradlab.numeric.numerical_gradient); tested maps the
    names test cells call (their checkers) to one such test cell."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def outermost(node: ast.AST) -> ast.AST:
        while isinstance(parents.get(node), ast.Attribute):
            node = parents[node]
        return node

    def full(expr: ast.AST) -> str:
        path = dotted(expr)
        head, _, rest = path.partition(".")
        return (names.get(head, head) + ("." + rest if rest else "")) if path else ""

    def allowed(path: str) -> bool:
        return path in may_use or any(tool.startswith(path + ".") for tool in may_use) or is_data(path)

    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                       [f"{node.module}.{a.name}" for a in node.names] if node.module else [])
            for module in modules:
                root = module.split(".")[0]
                if root == "gradlab" and not allowed(module):
                    found.append((line, f"imports gradlab code ({module}) in an answer"))
                elif root in OUTSIDE_MODULES or root == "builtins":
                    found.append((line, f"imports {module if isinstance(node, ast.Import) else node.module}"))
        targets = (node.targets if isinstance(node, ast.Assign) else
                   [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else
                   node.targets if isinstance(node, ast.Delete) else [])
        for target in targets:
            if isinstance(target, (ast.Attribute, ast.Subscript)):
                path = full(target.value if isinstance(target, ast.Subscript) else target)
                if path.split(".")[0] in GUARDED_MODULES:
                    found.append((line, f"assigns to module attribute {path}"))
                elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Call) \
                        and dotted(target.value.func) in ("globals", "vars", "locals"):
                    found.append((line, f"writes to {dotted(target.value.func)}()"))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in tested:
            found.append((line, f"rebinds {node.name}, which test cell {tested[node.name]} calls"))
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in tested:
            found.append((line, f"rebinds {node.id}, which test cell {tested[node.id]} calls"))
        if (isinstance(node, ast.Name) and node.id in HISTORY) or (isinstance(node, ast.Attribute) and node.attr in HISTORY):
            found.append((line, f"reads the input history ({getattr(node, 'id', None) or node.attr})"))
        if isinstance(node, ast.Attribute) and node.attr in INTROSPECTION:
            found.append((line, f"uses {node.attr}"))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in INTROSPECTION:
            found.append((line, f"names {node.value} in a string"))
        if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
            path = full(node)
            if path in {"__builtins__", "sys.modules", "builtins"} or path.startswith("builtins."):
                found.append((line, f"touches {dotted(node)}"))
            elif isinstance(node, ast.Name) and names.get(node.id, "").startswith("gradlab"):
                used = full(outermost(node))
                if not allowed(used):
                    found.append((line, f"uses gradlab's {used} in an answer"))
        if isinstance(node, ast.Call):
            path = full(node.func)
            if path in OUTSIDE_CALLS or path.split(".")[0] in OUTSIDE_MODULES:
                found.append((line, f"calls {dotted(node.func) or path}"))
            if path in ("getattr", "setattr", "delattr", "hasattr") and len(node.args) > 1 \
                    and not isinstance(node.args[1], ast.Constant):
                found.append((line, f"calls {path} with a computed attribute name"))
    return sorted(set(found))


def scan(cells: list[tuple[int, str, str]], context: str, may_use: dict[str, set[str]],
         tested: dict[str, str] | None = None) -> list[Flag]:
    """Flags for the (index, grade_id, source) answer cells. context is the notebook's other code,
    read only for what its imports bind (so `numeric.central_difference` is known as gradlab's);
    may_use maps a grade_id to the gradlab functions its exercise allows; tested maps names test
    cells call (not the answers) to a test cell's grade_id."""
    names = imported_names(parse(context) or ast.Module(body=[], type_ignores=[]))
    flags = []
    for index, cell_id, source in cells:
        tree = parse(source)
        if tree is None:
            continue
        local = {**names, **imported_names(tree)}
        found = reasons(tree, local, may_use.get(cell_id, set()), tested or {})
        flags += [Flag(index, cell_id, line, reason) for line, reason in found]
    return flags
