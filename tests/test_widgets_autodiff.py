"""Tests for gradlab.widgets.autodiff.ExpressionExplorer: the backward walk it steps through and its controls,
without a browser. What every explorer does (PNG, mimebundle, blitting) is in tests/test_widgets.py."""
from __future__ import annotations

import pytest

from gradlab.autodiff import backward, expression, topological_order
from gradlab.widgets.autodiff import EXAMPLES, MOST_NODES, ExpressionExplorer, walk


@pytest.fixture
def explorer():
    return ExpressionExplorer("a*a + a", a=3.0)


def test_the_last_step_shows_what_backward_computes():
    for text in EXAMPLES.values():
        root = expression(text, a=2.0, b=-1.0, c=0.5)
        nodes = topological_order(root)
        grads, _ = walk(nodes, sum(1 for n in nodes if n.parents))
        backward(root)
        assert grads == pytest.approx([n.grad for n in nodes])


def test_steps_send_gradients_one_operation_at_a_time(explorer):
    nodes = explorer.graph()   # a, a·a, a·a + a
    assert [n.op or n.label for n in nodes] == ["a", "×", "+"]
    assert walk(nodes, 0) == ([None, None, None], [0, 0, 0])
    assert walk(nodes, 1) == ([1.0, 1.0, 1.0], [1, 1, 0])          # + sends 1 to a·a and to a
    assert walk(nodes, 2) == ([7.0, 1.0, 1.0], [3, 1, 0])          # × sends 3 and 3 more to a: 7, three uses


def test_the_picture_marks_the_current_operation_and_the_added_up_gradients(explorer):
    explorer.step.value = 2
    s = explorer.state()
    assert s["current"] == 1 and s["received"][0] == 3
    assert "a += 3 × 1" in explorer.label.value and "d/da = 7" in explorer.label.value
    assert list(explorer._added.get_xdata()) == [explorer._positions[0][0]]
    explorer.move(-1)
    assert explorer.step.value == 1 and "node + sends" in explorer.label.value
    explorer.move(-5)
    assert explorer.step.value == 0 and "forward pass" in explorer.label.value


def test_a_new_expression_redraws_and_starts_at_the_last_step(explorer):
    explorer.text.value = "tanh(a*b + c)"
    assert explorer.step.max == 3 and explorer.step.value == 3   # ×, +, tanh
    assert "tanh(a*b + c)" in explorer.label.value
    explorer.example.value = EXAMPLES["a diamond: (a·2)·((a + 3)·0.5)"]
    assert explorer.text.value == "(a*2) * ((a + 3)*0.5)" and explorer.step.max == 4


def test_a_bad_expression_keeps_the_last_graph_and_says_why(explorer):
    before = explorer.png()
    explorer.text.value = "__import__('os')"
    assert "cannot use" in explorer.label.value and explorer.shown_text == "a*a + a" and explorer.png() == before
    explorer.text.value = " + ".join(["a"] * (MOST_NODES + 1))   # a and MOST_NODES sums
    assert "too many to draw" in explorer.label.value


def test_values_where_the_expression_is_undefined_keep_the_picture():
    explorer = ExpressionExplorer("log(c) + a", c=0.5)
    before = explorer.png()
    explorer.inputs["c"].value = -1.0
    assert "math domain error" in explorer.label.value and explorer.png() == before
    explorer.inputs["c"].value = 2.0
    assert "math domain error" not in explorer.label.value
