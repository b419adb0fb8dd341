"""gradlab.autodiff: the scalar and array engines, their walk, and expressions typed as text."""
from __future__ import annotations

import math

import numpy as np
import pytest

from gradlab import autodiff, network, numeric, training
from gradlab.autodiff import Rules, Tensor, Value, backward, expression, leaves, topological_order
from gradlab.datasets import spiral_data
from gradlab.exercises.training import check_point

pytestmark = pytest.mark.filterwarnings("error")


def test_the_books_neuron_gradients_and_step():
    v = leaves(x0=1.0, w0=-3.0, x1=-2.0, w1=-1.0, x2=3.0, w2=2.0, b=1.0)

    def neuron():
        return (v["x0"] * v["w0"] + v["x1"] * v["w1"] + v["x2"] * v["w2"] + v["b"]).relu()

    y = neuron()
    backward(y)
    assert y.data == 6.0
    assert [v[n].grad for n in ("x0", "w0", "x1", "w1", "x2", "w2", "b")] == [-3.0, 1.0, -1.0, -2.0, 2.0, 3.0, 1.0]
    for name in ("w0", "w1", "w2", "b"):
        v[name].data -= 0.001 * v[name].grad
    assert round(neuron().data, 10) == 5.985


def test_reused_values_add_up_and_a_second_walk_gives_the_same():
    a = leaves(a=3.0)["a"]
    L = a * a + a
    backward(L)
    assert a.grad == 7.0
    backward(L)
    assert a.grad == 7.0


def test_a_node_the_output_does_not_need_keeps_its_gradient():
    a = leaves(a=2.0)["a"]
    unused = a - 1
    unused.grad = 0.5
    d = (a * 2) * ((a + 3) * 0.5)
    backward(d)
    assert unused.grad == 0.5 and unused not in topological_order(d)
    assert a.grad == pytest.approx(2 * 2.5 + 4 * 0.5)   # d = 2a·(a + 3)/2 = a² + 3a: 2a + 3 = 7


@pytest.mark.parametrize("text", ["a*b + c", "tanh(a*b + c)", "exp(a) / (exp(a) + exp(b))", "a**3 - 2/b",
                                  "log(a*a + 1) * relu(c - b)", "(a*2) * ((a + 3)*0.5)", "-a + 3**2 * b"])
def test_every_local_rule_agrees_with_a_central_difference(text):
    values = {"a": 0.7, "b": -1.3, "c": 0.4}
    for name in values:
        root = expression(text, **values)
        backward(root)
        leaf = next((n for n in topological_order(root) if n.label == name and not n.parents), None)
        f = lambda t: expression(text, **{**values, name: float(t)}).data
        slope = float(numeric.central_difference(f, values[name], 1e-6))
        assert (0.0 if leaf is None else leaf.grad) == pytest.approx(slope, rel=1e-6, abs=1e-8)


def test_deep_graphs_need_no_recursion():
    x = leaves(x=1.0)["x"]
    y = x
    for _ in range(20_000):
        y = y * 1.0 + 0.0
    backward(y)
    assert len(topological_order(y)) == 80_001 and x.grad == 1.0   # four nodes a step: 1.0, ×, 0.0, +


@pytest.mark.parametrize("text, message", [("__import__('os')", "cannot use"), ("a.data", "cannot use"),
                                           ("a ** b", "cannot use"), ("a +", "not an expression"),
                                           ("1 / (a - a)", "division"), ("log(a - 5)", "domain")])
def test_expressions_outside_the_grammar_are_refused(text, message):
    with pytest.raises(ValueError, match=message):
        expression(text, a=2.0, b=1.0)


def test_the_array_engine_gives_the_hand_written_gradients_and_passes_a_numerical_check():
    X, y = spiral_data(100, 3)
    point = check_point()
    loss, grads = autodiff.gradients(point, X, y)
    expected_loss, _, expected = network.forward_backward(point, X, y)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    for name in grads:
        np.testing.assert_allclose(grads[name], expected[name], rtol=1e-10, atol=1e-14)
        numerical = numeric.numerical_gradient(lambda v: autodiff.gradients({**point, name: v}, X, y)[0], point[name])
        assert np.linalg.norm(grads[name] - numerical) / (np.linalg.norm(grads[name]) + np.linalg.norm(numerical)) < 1e-7


def test_swapped_rules_are_the_ones_the_engine_uses():
    calls = []
    rules = Rules(unbroadcast=lambda g, s: calls.append("sum") or autodiff.unbroadcast(g, s),
                  matmul_backward=lambda A, B, d: calls.append("matmul") or autodiff.matmul_backward(A, B, d))
    X, y = spiral_data(10, 3)
    _, grads = autodiff.gradients(check_point(), X, y, rules)
    assert calls.count("matmul") == 2 and calls.count("sum") == 4   # two matmuls, two adds of two inputs each
    assert grads["b1"].shape == (1, 64)


@pytest.mark.parametrize("shape", [(1, 3), (3,), (4, 1), (), (2, 1, 3)])
def test_unbroadcast_returns_the_gradient_of_the_broadcast_input(shape):
    rng = np.random.default_rng(0)
    other = rng.standard_normal((2, 4, 3))
    x = rng.standard_normal(shape)
    upstream = rng.standard_normal(np.broadcast_shapes(shape, other.shape))
    numerical = numeric.numerical_gradient(lambda x_: float(np.sum(upstream * (x_ + other))), x)
    np.testing.assert_allclose(autodiff.unbroadcast(upstream, shape), numerical, atol=1e-8)


def test_matrix_times_vector_gradients():
    rng = np.random.default_rng(1)
    A, v, dout = rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal(3)
    dA, dv = autodiff.matmul_backward(A, v, dout)
    np.testing.assert_allclose(dA, numeric.numerical_gradient(lambda A_: float(dout @ (A_ @ v)), A), atol=1e-8)
    np.testing.assert_allclose(dv, numeric.numerical_gradient(lambda v_: float(dout @ (A @ v_)), v), atol=1e-8)


def test_the_engine_trains_the_spiral_network_past_90_percent():
    X, y = spiral_data(100, 3)
    params = autodiff.tensors(training.init_params(2, 64, 3, seed=0))
    velocity = dict.fromkeys(params, 0.0)
    for epoch in range(3000):
        backward(autodiff.network_loss(params, X, y))
        for name, leaf in params.items():
            velocity[name] = 0.9 * velocity[name] - training.decayed(0.5, 1e-3, epoch) * leaf.grad
            leaf.data = leaf.data + velocity[name]
    assert training.final_accuracy({n: t.data for n, t in params.items()}, X, y) >= 0.9


def test_values_print_and_lift_numbers():
    a = Value(2.0, label="a")
    assert repr(a) == "Value(a=2, grad=0)"
    assert (3 - a).data == 1.0 and (1 / a).data == 0.5 and (2 * a).data == 4.0 and math.isclose((a ** 0.5).data, 2 ** 0.5)
    assert isinstance(Tensor(np.ones(2)) + Tensor(np.ones(2)), Tensor)
