"""Flag answer code an instructor should look at: it reaches outside the exercise.

Student code runs in the same interpreter as the tests, so code that rebinds module attributes,
touches builtins or sys.modules, opens files, sockets or processes, or calls gradlab's reference
implementations may pass tests it should not. Such code is not marked down here, only listed
with its cell and line for a person to review.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from IPython.core.inputtransformer2 import TransformerManager

GUARDED_MODULES = {"builtins", "sys", "os", "io", "numpy", "gradlab", "math", "importlib"}
OUTSIDE_MODULES = {"socket", "subprocess", "urllib", "http", "requests", "shutil", "multiprocessing",
                   "ctypes", "signal", "pathlib", "pickle"}
OUTSIDE_CALLS = {"open", "exec", "eval", "compile", "__import__", "setattr", "delattr", "globals",
                 "os.system", "os.popen", "os.fork", "os._exit", "os.kill", "os.remove", "os.unlink",
                 "os.open", "os.fdopen", "os.listdir", "os.walk", "os.scandir", "io.open",
                 "get_ipython", "vars"}


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


def parse(source: str) -> ast.AST | None:
    """The cell's Python after IPython's own rewriting (magics, !shell), None if it does not parse."""
    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return None


def reasons(tree: ast.AST, names: dict[str, str], may_use: set[str]) -> list[tuple[int, str]]:
    """(line, reason) for every construct in tree that reaches outside the exercise; may_use
    lists the gradlab functions the exercise allows (say gradlab.numeric.numerical_gradient)."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def outermost(node: ast.AST) -> ast.AST:
        while isinstance(parents.get(node), ast.Attribute):
            node = parents[node]
        return node

    def full(expr: ast.AST) -> str:
        path = dotted(expr)
        head, _, rest = path.partition(".")
        return (names.get(head, head) + ("." + rest if rest else "")) if path else ""

    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                root = module.split(".")[0]
                if root == "gradlab":
                    found.append((line, f"imports gradlab code ({module}) in an answer"))
                elif root in OUTSIDE_MODULES or root == "builtins":
                    found.append((line, f"imports {module}"))
        targets = (node.targets if isinstance(node, ast.Assign) else
                   [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else
                   node.targets if isinstance(node, ast.Delete) else [])
        for target in targets:
            if isinstance(target, (ast.Attribute, ast.Subscript)):
                path = full(target.value if isinstance(target, ast.Subscript) else target)
                if path.split(".")[0] in GUARDED_MODULES:
                    found.append((line, f"assigns to module attribute {path}"))
        if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
            path = full(node)
            if path in {"__builtins__", "sys.modules", "builtins"} or path.startswith("builtins."):
                found.append((line, f"touches {dotted(node)}"))
            elif isinstance(node, ast.Name) and names.get(node.id, "").startswith("gradlab"):
                used = full(outermost(node))
                if used not in may_use:
                    found.append((line, f"uses gradlab's {used} in an answer"))
        if isinstance(node, ast.Call):
            path = full(node.func)
            if path in OUTSIDE_CALLS or path.split(".")[0] in OUTSIDE_MODULES:
                found.append((line, f"calls {dotted(node.func) or path}"))
    return sorted(set(found))


def scan(cells: list[tuple[int, str, str]], context: str, may_use: dict[str, set[str]]) -> list[Flag]:
    """Flags for the (index, grade_id, source) answer cells. context is the notebook's other code,
    read only for what its imports bind (so `numeric.central_difference` is known as gradlab's);
    may_use maps a grade_id to the gradlab functions its exercise allows."""
    names = imported_names(parse(context) or ast.Module(body=[], type_ignores=[]))
    flags = []
    for index, cell_id, source in cells:
        tree = parse(source)
        if tree is None:
            continue
        local = {**names, **imported_names(tree)}
        found = reasons(tree, local, may_use.get(cell_id, set()))
        flags += [Flag(index, cell_id, line, reason) for line, reason in found]
    return flags
