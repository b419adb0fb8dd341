"""Chapter 06's graph checks (gradlab.exercises.autodiff): the graphs they walk and their special messages; the
records' standard tests are in tests/test_exercise_records.py, the notebook-level wrong answers in
tests/wrong_answers/autodiff.py."""
from __future__ import annotations

import numpy as np
import pytest
from check_harness import failure

from gradlab.autodiff import Value, backward, topological_order
from gradlab.exercises import autodiff as c

pytestmark = pytest.mark.filterwarnings("error")


def test_the_neuron_graph_holds_the_books_numbers():
    graph = c.neuron()
    backward(graph.root)
    assert graph.root.data == 6.0
    assert [graph.nodes[n].grad for n in ("x0", "w0", "x1", "w1", "x2", "w2", "b")] == [-3, 1, -1, -2, 2, 3, 1]


@pytest.mark.parametrize("seed", [None, *range(20)])
def test_graphs_have_unique_labels_reuse_and_unneeded_nodes(seed):
    graphs = c.order_cases(None if seed is None else np.random.default_rng(seed))
    for graph in graphs:
        assert len(graph.nodes) == len({id(n) for n in graph.nodes.values()})
        assert all(label == node.label for label, node in graph.nodes.items())
    if seed is not None:
        assert any(len(c.reachable(g)) < len(g.nodes) for g in graphs)   # a node the output does not need
        uses = [sum(p is node for g in graphs for n in g.nodes.values() for p in n.parents)
                for g in graphs for node in g.nodes.values()]
        assert max(uses) >= 2                                          # a node used twice


def test_hidden_labels_give_no_order_away():
    orders = [[int(n.label[1:]) for n in topological_order(c.random_graph(np.random.default_rng(seed)).root)
               if n.label.startswith("v")] for seed in range(10)]
    assert sum(numbers == sorted(numbers) or numbers == sorted(numbers, reverse=True) for numbers in orders) < 5


def test_an_order_of_strangers_or_a_list_of_numbers_is_reported():
    stranger = Value(1.0, label="zz")
    assert "lists zz, which the output does not depend on" in failure(
        lambda s, rng: c.check_topological_order(s), lambda root: [*topological_order(root), stranger])
    assert "expected a list of the graph's nodes" in failure(lambda s, rng: c.check_topological_order(s),
                                                             lambda root: [1.0, 2.0])
    assert "returned None" in failure(lambda s, rng: c.check_topological_order(s), lambda root: None)


def test_every_valid_order_passes():
    def parents_reversed(root):   # depth-first with the parents taken in the other order: another valid order
        order, seen = [], set()

        def place(node):
            if node not in seen:
                seen.add(node)
                for parent in reversed(node.parents):
                    place(parent)
                order.append(node)
        place(root)
        return order

    for seed in (None, 1, 2, 3):
        assert failure(lambda s, rng: c.check_topological_order(s, seed), parents_reversed) == ""
        assert failure(lambda s, rng: c.check_topological_order(s, seed), topological_order) == ""


def test_a_gradient_that_is_not_a_number_is_reported():
    def strings(root):
        for node in topological_order(root):
            node.grad = "seven"

    assert ".grad is 'seven'" in failure(lambda s, rng: c.check_backward(s), strings)
