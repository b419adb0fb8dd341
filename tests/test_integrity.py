"""The integrity scan: what it flags in answer code, with cell and line, and what it leaves alone."""
from __future__ import annotations

import pytest
from course import CHAPTER_IDS, CHAPTERS, SOLUTIONS, grade_id, notebook_path, read

from grader.integrity import scan
from grader.submission import scan as scan_notebook

CONTEXT = "import numpy as np\nfrom gradlab import numeric\nfrom gradlab.nn import Dense"

FLAGGED = [
    ("def check_forward_difference(*a):\n    pass", "rebinds check_forward_difference"),
    ("globals()['check_' + 'x'] = print", "writes to globals()"),
    ("import IPython\nIPython.get_ipython().ast_transformers.append(1)", "imports IPython"),
    ("shell = __import__('IPy' + 'thon')", "calls __import__"),
    ("getattr(__import__('sys'), 'set' + 'trace')(None)", "computed attribute name"),
    ("import sys\nsys.setprofile(print)", "calls sys.setprofile"),
    ("import inspect\nframes = inspect.stack()", "imports inspect"),
    ("import sys\nf = sys._getframe(1).f_back", "uses f_back"),
    ("import gc\nobjects = gc.get_objects()", "imports gc"),
    ("import importlib\nm = importlib.import_module('gradlab.numeric')", "imports importlib"),
    ("g = check.__globals__", "uses __globals__"),
    ("b = print.__self__", "uses __self__"),
    ("raw = np.sum.__wrapped__", "uses __wrapped__"),
    ("print(In[-1])", "reads the input history (In)"),
    ("np.allclose = lambda *a, **k: True", "assigns to module attribute numpy.allclose"),
    ("import numpy\nnumpy.testing.assert_allclose = print", "assigns to module attribute numpy.testing"),
    ("setattr(np, 'isclose', None)", "calls setattr"),
    ("import builtins\nbuiltins.abs = lambda x: 0", "touches builtins"),
    ("__builtins__.len = len", "touches __builtins__"),
    ("import sys\nsys.modules['numpy'] = None", "touches sys.modules"),
    ("import gradlab.exercises.derivatives as d\nd.check_x = None", "assigns to module attribute gradlab"),
    ("def f(x):\n    return numeric.central_difference(g, x)", "gradlab.numeric.central_difference"),
    ("layer = Dense(2, 3)", "gradlab.nn.Dense"),
    ("from gradlab.nn import ReLU", "imports gradlab code"),
    ("text = open('/etc/passwd').read()", "calls open"),
    ("import socket\nsocket.create_connection(('example.org', 80))", "imports socket"),
    ("import subprocess\nsubprocess.run(['ls'])", "calls subprocess.run"),
    ("import os\nos.system('ls')", "calls os.system"),
    ("!ls /", "calls get_ipython"),
]

CLEAN = [
    "def f(x):\n    return (g(x + 1e-4) - g(x)) / 1e-4",
    "class Layer:\n    def __init__(self):\n        self.w = np.zeros(3)",
    "import numpy as np\nresult = np.allclose(a, b)",
    "values = {}\nvalues['a'] = 1",
    "def broken(:\n    pass",  # does not parse: the tests fail it, nothing to flag
]


@pytest.mark.parametrize("source, reason", FLAGGED)
def test_reaching_outside_the_exercise_is_flagged(source, reason):
    flags = scan([(16, "forward_difference", source)], CONTEXT, {}, {"check_forward_difference": "test_fd"})
    assert any(reason in f.reason for f in flags), flags
    assert all(f.cell == 16 and f.line >= 1 for f in flags)
    assert "cell 16 (forward_difference), line" in str(flags[0])


@pytest.mark.parametrize("source", CLEAN)
def test_ordinary_answers_are_not_flagged(source):
    assert scan([(3, "answer", source)], CONTEXT, {}) == []


def test_an_exercise_may_allow_a_gradlab_tool_imports_included():
    source = "from gradlab.numeric import numerical_gradient\ndef check(f, x):\n    return numerical_gradient(f, x)"
    allowed = {"answer": {"gradlab.numeric.numerical_gradient"}}
    assert scan([(3, "answer", source)], CONTEXT, allowed) == []
    assert any("imports gradlab code" in f.reason for f in scan([(3, "other", source)], CONTEXT, allowed))


def test_an_exercise_may_allow_a_gradlab_tool():
    source = "def check(f, x):\n    return numeric.numerical_gradient(f, x)"
    allowed = {"answer": {"gradlab.numeric.numerical_gradient"}}
    assert scan([(3, "answer", source)], CONTEXT, allowed) == []
    assert scan([(3, "other", source)], CONTEXT, allowed) != []


def test_the_line_number_is_the_offending_line():
    (flag,) = scan([(5, "", "x = 1\ny = 2\nnp.sum = sum")], CONTEXT, {})
    assert flag.line == 3 and "edited or added" in str(flag)


@pytest.mark.parametrize("chapter", CHAPTER_IDS)
def test_reference_solutions_are_clean(chapter):
    """The solution notebook, read as a submission of the release, raises no flag: demo cells are
    the release's own, and every answer keeps to its exercise."""
    assert scan_notebook(read(notebook_path(SOLUTIONS, chapter)), read(notebook_path(CHAPTERS, chapter))) == []


def variants() -> list:
    """Every correct variant an exercise record holds as a function written out in its module (its source is
    an answer a student could submit; its annotations stay unevaluated), with its chapter and exercise."""
    import importlib
    import inspect

    found = []
    for chapter in CHAPTER_IDS:
        module = importlib.import_module(f"gradlab.exercises.{chapter.split('_', 1)[1]}")
        for exercise in module.EXERCISES:
            for fn in exercise.variants:
                if inspect.isfunction(fn) and fn.__name__ != "<lambda>" and fn.__qualname__ == fn.__name__:
                    source = "from __future__ import annotations\n" + imports(fn) + inspect.getsource(fn)
                    found.append(pytest.param(chapter, exercise.name, source, id=f"{chapter[:2]}-{fn.__name__}"))
    return found


def imports(fn) -> str:
    """The import lines a variant needs as a cell of its own (its gradlab names)."""
    import sys
    import types

    lines = []
    for name in fn.__code__.co_names:
        value = fn.__globals__.get(name)
        if isinstance(value, types.ModuleType) and value.__name__.startswith("gradlab"):
            lines.append(f"from {value.__name__.rpartition('.')[0]} import {value.__name__.rpartition('.')[2]}")
        elif value is not None and not isinstance(value, types.ModuleType):
            home = next((m for n, m in sorted(sys.modules.items()) if n.startswith("gradlab.") and m is not None
                         and not n.startswith("gradlab.exercises") and vars(m).get(name) is value), None)
            if home is not None:
                lines.append(f"from {home.__name__} import {name}")
    return "".join(f"{line}\n" for line in lines)


@pytest.mark.parametrize("chapter, name, source", variants())
def test_correct_variants_are_clean(chapter, name, source):
    """Honest work written differently raises no flag either, in the cell of the exercise it answers."""
    release = read(notebook_path(CHAPTERS, chapter))
    cell = next(c for c in release.cells if c.metadata.get("nbgrader", {}).get("solution")
                and f"def {name}(" in c.source)
    submitted = read(notebook_path(CHAPTERS, chapter))
    answer = next(c for c in submitted.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id(cell))
    answer.source = source
    assert scan_notebook(submitted, release) == []
