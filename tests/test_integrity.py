"""The integrity scan: what it flags in answer code, with cell and line, and what it leaves alone."""
from __future__ import annotations

import pytest

from course import CHAPTER_IDS, CHAPTERS, SOLUTIONS, notebook_path, read
from grader.integrity import scan
from grader.submission import scan as scan_notebook

CONTEXT = "import numpy as np\nfrom gradlab import numeric\nfrom gradlab.nn import Dense"

FLAGGED = [
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
    flags = scan([(16, "forward_difference", source)], CONTEXT, {})
    assert any(reason in f.reason for f in flags), flags
    assert all(f.cell == 16 and f.line >= 1 for f in flags)
    assert "cell 16 (forward_difference), line" in str(flags[0])


@pytest.mark.parametrize("source", CLEAN)
def test_ordinary_answers_are_not_flagged(source):
    assert scan([(3, "answer", source)], CONTEXT, {}) == []


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
