"""Chapter 06's exercises (an autodiff engine).

Records (gradlab.checks): the local derivatives of three scalar operations (``divide_local``,
``tanh_local``, ``power_local``), the broadcast-sum rule (``unbroadcast``) and matmul's two
gradients (``matmul_backward``). ``check_topological_order`` and ``check_backward`` walk graphs of
gradlab Values: the book's neuron, ``a·a + a``, a diamond, and random graphs that reuse nodes and hold
nodes the output does not depend on; an order is judged by its properties (any valid order passes),
a backward pass by the gradients it leaves in the graph, with the likely mistake named.
"""
from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from gradlab import autodiff
from gradlab.autodiff import Value, divide_local, matmul_backward, power_local, tanh_local, topological_order, unbroadcast
from gradlab.checks import Exercise, Mistake, call_each, describe, generator, random_shape, with_hint

_tanh, _ones, _isfinite, _float64 = np.tanh, np.ones, np.isfinite, np.float64

EXACT = {"rtol": 1e-9, "atol": 1e-12}


# ---------------------------------------------------------------- exercise 1: local derivatives

DIVIDE_MISTAKES = [
    Mistake("sign error: out = a·b⁻¹, so ∂out/∂b = −a/b² (the power rule on b⁻¹ brings a minus sign)",
            lambda a, b, out: (1 / b, a / b ** 2)),
    Mistake("∂(a/b)/∂b = −a/b²: b is squared in the denominator", lambda a, b, out: (1 / b, -a / b)),
    Mistake("that is the rule of ×, (b, a); for ÷ it is (1/b, −a/b²)", lambda a, b, out: (b, a)),
    Mistake("the two are swapped: return (∂out/∂a, ∂out/∂b) = (1/b, −a/b²)", lambda a, b, out: (-a / b ** 2, 1 / b)),
]

TANH_MISTAKES = [
    Mistake("1 − tanh(x)², and tanh(x) is the output: 1 − out², not 1 − x²", lambda x, out: 1 - x ** 2),
    Mistake("sign error: tanh' = 1 − tanh², not 1 + tanh²", lambda x, out: 1 + out ** 2),
    Mistake("the square is missing: tanh' = 1 − out²", lambda x, out: 1 - out),
    Mistake("that is exp's rule (the output itself); tanh' = 1 − out²", lambda x, out: out),
]

POWER_MISTAKES = [
    Mistake("the power rule brings the exponent down: n·xⁿ⁻¹, the factor n is missing", lambda x, n, out: x ** (n - 1)),
    Mistake("lower the exponent by one: n·xⁿ⁻¹, not n·xⁿ (= n·out)", lambda x, n, out: n * x ** n),
    Mistake("the factor is n, not n − 1: n·xⁿ⁻¹", lambda x, n, out: (n - 1) * x ** (n - 1)),
]


def divide_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """Visible: a few quotients, b of both signs. Hidden: random shapes, |b| at least 0.5."""
    if rng is None:
        a, b = np.array([6.0, 1.0, -2.0, 0.5]), np.array([3.0, -4.0, 0.5, 2.0])
        return [{"a": a, "b": b, "out": a / b}]
    shape = random_shape(rng, 1, 2)
    a = rng.uniform(-3, 3, shape)
    b = rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 3, shape)
    return [{"a": a, "b": b, "out": a / b}]


def tanh_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """Visible: nine points from −2 to 2. Hidden: a random array in [−3, 3]."""
    x = np.linspace(-2.0, 2.0, 9) if rng is None else rng.uniform(-3, 3, random_shape(rng, 1, 2))
    return [{"x": x, "out": _tanh(x)}]


def power_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """Visible: x³ and √x at four points. Hidden: two random exponents (negative and fractional too), x in [0.3, 3]."""
    if rng is None:
        x = np.array([0.5, 1.0, 2.0, 3.0])
        return [{"x": x, "n": 3.0, "out": x ** 3}, {"x": x, "n": 0.5, "out": x ** 0.5}]
    cases = []
    for n in rng.choice([-2.0, -1.0, 0.5, 1.5, 3.0, 4.0], 2, replace=False):  # not 2: there n − 1 = 1 hides a slip
        x = rng.uniform(0.3, 3, random_shape(rng, 1, 2))
        cases.append({"x": x, "n": float(n), "out": x ** n})
    return cases


DIVIDE_LOCAL = Exercise(
    "divide_local", divide_local, divide_cases, DIVIDE_MISTAKES, parts=("dout_da", "dout_db"), **EXACT,
    tuned=[lambda a, b, out: (1 / b, -a / b ** 2) if a.size == 4 and a.flat[0] == 6.0 else (1 / b, 0 * b)],
    variants=[lambda a, b, out: (1 / b, -out / b), lambda a, b, out: [np.reciprocal(b), -a * b ** -2.0]])
TANH_LOCAL = Exercise(
    "tanh_local", tanh_local, tanh_cases, TANH_MISTAKES, **EXACT,
    tuned=[lambda x, out: 1 - out ** 2 if x.shape == (9,) else 1 - x ** 2],
    variants=[lambda x, out: 1 - np.tanh(x) ** 2, lambda x, out: (1 - out) * (1 + out),
              lambda x, out: 1 / np.cosh(x) ** 2])
POWER_LOCAL = Exercise(
    "power_local", power_local, power_cases, POWER_MISTAKES, **EXACT,
    tuned=[lambda x, n, out: n * x ** (n - 1) if n in (3.0, 0.5) else n * out],
    variants=[lambda x, n, out: n * out / x, lambda x, n, out: n * np.power(x, n - 1)])


# ---------------------------------------------------------------- the graphs of exercises 2 and 3

class Graph(NamedTuple):
    """A graph of Values: its output and every node by label (the output's ancestors and some it does not need)."""

    root: Value
    nodes: dict[str, Value]


def labelled(root: Value, extra: tuple[Value, ...] = (), names: list[str] | None = None) -> Graph:
    """root's graph (plus extra nodes it does not depend on) with a unique label on every node: leaves keep
    theirs, the others get names[i] in turn, or op-and-number names."""
    nodes: dict[str, Value] = {}
    unnamed = iter(names or [])
    for node in [*topological_order(root), *(n for e in extra for n in topological_order(e))]:
        if node in nodes.values():
            continue
        if not node.label or node.label in nodes:
            node.label = next(unnamed, f"{node.op or 'leaf'}{len(nodes)}")
        nodes[node.label] = node
    return Graph(root, nodes)


def neuron(x: tuple[float, ...] = (1.0, -2.0, 3.0), w: tuple[float, ...] = (-3.0, -1.0, 2.0), b: float = 1.0) -> Graph:
    """The book's neuron, y = ReLU(x0·w0 + x1·w1 + x2·w2 + b): its output is 6, its gradients dx = w, dw = x."""
    v = autodiff.leaves(**{f"x{i}": xi for i, xi in enumerate(x)}, **{f"w{i}": wi for i, wi in enumerate(w)}, b=b)
    products = [v[f"x{i}"] * v[f"w{i}"] for i in range(3)]
    for i, p in enumerate(products):
        p.label = f"x{i}w{i}"
    total = products[0] + products[1]
    total.label = "s01"
    z = total + products[2] + v["b"]
    z.label = "z"
    y = z.relu()
    y.label = "y"
    return labelled(y)


def square_plus(a: float = 3.0) -> Graph:
    """a·a + a: a reaches the output three times (twice through the product, once directly)."""
    leaf = autodiff.leaves(a=a)["a"]
    return labelled(leaf * leaf + leaf, names=["aa", "out"])


def diamond(a: float = 2.0) -> Graph:
    """a splits into b = a·2 and c = (a + 3)·0.5, sides of different lengths that meet again in d = b·c; and
    e = a − 1, which d does not need."""
    leaf = autodiff.leaves(a=a)["a"]
    two, three, half, one = (Value(v, label=name) for v, name in [(2.0, "2"), (3.0, "3"), (0.5, "0.5"), (1.0, "1")])
    b, a3 = leaf * two, leaf + three
    c = a3 * half
    b.label, a3.label, c.label = "b", "a3", "c"
    d = b * c
    d.label = "d"
    unused = leaf - one
    return labelled(d, extra=(unused,), names=["e_neg", "e"])


OPS: list[Callable[[Value, Value], Value]] = [lambda p, q: p + q, lambda p, q: p * q, lambda p, q: p - q,
                                              lambda p, q: p.tanh(), lambda p, q: (p * q).relu()]


def random_graph(rng: np.random.Generator) -> Graph:
    """2-4 leaves, then 6-11 nodes each made of one or two earlier ones (so nodes are reused), the output the
    last; a node the output does not need is kept too. Labels are shuffled names, so they give no order away."""
    values = [Value(float(rng.uniform(-2, 2)), label=name) for name in "abcd"[: int(rng.integers(2, 5))]]
    for _ in range(int(rng.integers(6, 12))):
        p, q = (values[int(i)] for i in rng.integers(0, len(values), 2))
        values.append(OPS[int(rng.integers(0, len(OPS)))](p, q))
    spare = values[-2] * Value(0.5)
    names = [f"v{k}" for k in rng.permutation(40)]
    return labelled(values[-1], extra=(spare,), names=names)


def order_cases(rng: np.random.Generator | None) -> list[Graph]:
    """Visible: the neuron, a·a + a, the diamond. Hidden: three random graphs."""
    return [neuron(), square_plus(), diamond()] if rng is None else [random_graph(rng) for _ in range(3)]


def reachable(graph: Graph) -> list[str]:
    """The labels of the nodes the output depends on (itself included)."""
    return [node.label for node in topological_order(graph.root)]


def describe_graph(graph: Graph) -> str:
    return f"the graph of {graph.root.label} ({len(reachable(graph))} nodes)"


# ---------------------------------------------------------------- exercise 2: the topological order

def check_topological_order(student: Any, seed: int | None = None) -> None:
    """topological_order(root) -> a list of every node root depends on, once each, each after its parents."""
    __tracebackhide__ = True  # students see the message, not these frames
    graphs = order_cases(generator(seed))
    whats = [f"topological_order({graph.root.label}) on {describe_graph(graph)}" for graph in graphs]
    for graph, what, (got, failure) in zip(graphs, whats, call_each(student, [{"root": g.root} for g in graphs], whats)):
        if failure:
            raise AssertionError(failure)
        judge_order(graph, got, what)


def judge_order(graph: Graph, got: Any, what: str) -> None:
    """AssertionError naming the first way got (plain data: "node <label>" strings) is not a topological order."""
    __tracebackhide__ = True  # students see the message, not these frames
    if got is None:
        raise AssertionError(f"{what} returned None: did you forget the `return` statement?")
    if not isinstance(got, (list, tuple)) or not all(isinstance(n, str) and n.startswith("node ") for n in got):
        raise AssertionError(f"{what} returned {describe(got)}; expected a list of the graph's nodes (Values)")
    labels = [n.removeprefix("node ") for n in got]
    needed = reachable(graph)
    twice = sorted({label for label in labels if labels.count(label) > 1})
    if twice:
        raise AssertionError(with_hint(f"{what} lists {', '.join(twice)} more than once",
                                       "remember the nodes you have visited: a node reused by several others is "
                                       "reached once per use"))
    missing, extra = [n for n in needed if n not in labels], [n for n in labels if n not in needed]
    if missing:
        raise AssertionError(f"{what} misses {', '.join(missing)}: every node the output depends on belongs in it")
    if extra:
        raise AssertionError(f"{what} lists {', '.join(extra)}, which the output does not depend on")
    position = {label: i for i, label in enumerate(labels)}
    for label in labels:
        for parent in graph.nodes[label].parents:
            if position[parent.label] > position[label]:
                hint = ("the order is reversed: a node goes in after all of its parents (append it when they are done)"
                        if labels[-1] != graph.root.label else
                        "a node is appended before all of its parents are: finish every parent first")
                raise AssertionError(with_hint(f"{what} puts {label} before its parent {parent.label}", hint))


# ---------------------------------------------------------------- exercise 3: backward

def reference_walk(root: Value, assign: bool = False, zero: bool = True, reverse: bool = True, seed_root: bool = True,
                   chain: bool = True) -> None:
    """The backward pass with one step done wrong (every keyword at its default: the right one)."""
    order = topological_order(root)
    if zero:
        for node in order:
            node.grad = 0.0
    if seed_root:
        root.grad = 1.0
    for node in (reversed(order) if reverse else order):
        for parent, local in zip(node.parents, node.local_grads()):
            contribution = local * node.grad if chain else local
            parent.grad = contribution if assign else parent.grad + contribution


WALK_MISTAKES = [
    ("a node used more than once must add up the gradients of all its uses: parent.grad += …, "
     "not parent.grad = … (assigning keeps only the last one)", {"assign": True}),
    ("reset every node's grad to 0 before the walk: otherwise what was there (a previous call's gradients) "
     "is added to", {"zero": False}),
    ("walk from the output back to the leaves: reversed(topological order)", {"reverse": False}),
    ("start the walk with root.grad = 1 (d root / d root), after resetting", {"seed_root": False}),
    ("multiply each local derivative by the node's own gradient (the chain rule)", {"chain": False}),
]
START = 0.5  # every node's grad before the student's backward: reachable ones must be reset, others kept


def fresh(build: Callable[[], Graph]) -> Graph:
    """A new copy of a case's graph, every grad at START."""
    graph = build()
    for node in graph.nodes.values():
        node.grad = START
    return graph


def grads(graph: Graph) -> dict[str, Any]:
    """Each node's grad as the student's code left it, read without running any code of theirs."""
    found = {}
    for label, node in graph.nodes.items():
        value = object.__getattribute__(node, "__dict__").get("grad")
        found[label] = value if type(value) in (float, int, _float64) else describe(value)
    return found


def backward_cases(rng: np.random.Generator | None) -> list[tuple[Callable[[], Graph], int]]:
    """(graph builder, calls): visible, the neuron, a·a + a, the diamond (its unused node keeps its grad), and
    the neuron again with backward called twice; hidden, three random graphs, the last called twice."""
    if rng is None:
        return [(neuron, 1), (square_plus, 1), (diamond, 1), (neuron, 2)]
    seeds = [int(s) for s in rng.integers(0, 2 ** 31, 3)]
    return [(lambda s=s: random_graph(np.random.default_rng(s)), 1 + (i == 2)) for i, s in enumerate(seeds)]


def check_backward(student: Any, seed: int | None = None) -> None:
    """backward(root) -> None, leaving in every node's .grad the derivative of root with respect to it."""
    __tracebackhide__ = True  # students see the message, not these frames
    for build, calls in backward_cases(generator(seed)):
        graph = fresh(build)
        what = f"backward({graph.root.label}) on {describe_graph(graph)}" + (", called twice" if calls == 2 else "")
        for _, failure in call_each(student, [{"root": graph.root}] * calls, [what] * calls):
            if failure:
                raise AssertionError(failure)
        expected = fresh(build)
        for _ in range(calls):
            reference_walk(expected.root)
        judge_grads(build, calls, grads(graph), grads(expected), what)


def judge_grads(build: Callable[[], Graph], calls: int, got: dict[str, Any], expected: dict[str, Any], what: str) -> None:
    """AssertionError naming the first node whose grad is wrong, with the mistake that gives the same grads."""
    __tracebackhide__ = True  # students see the message, not these frames
    wrong = [label for label in expected if not (isinstance(got[label], numbers.Real) and _isfinite(got[label])
                                                 and abs(got[label] - expected[label]) <= 1e-9 * (1 + abs(expected[label])))]
    if not wrong:
        return
    label = wrong[0]
    hint = ""
    for text, slip in WALK_MISTAKES:
        mistaken = fresh(build)
        for _ in range(calls):
            reference_walk(mistaken.root, **slip)
        if all(isinstance(got[n], numbers.Real) and abs(got[n] - v) <= 1e-9 * (1 + abs(v)) for n, v in grads(mistaken).items()):
            hint = text
            break
    shown = got[label] if isinstance(got[label], str) else f"{got[label]:.10g}"
    raise AssertionError(with_hint(f"{what}: {label}.grad is {shown}, expected {expected[label]:.10g}", hint))


# ---------------------------------------------------------------- exercises 4 and 5: the array engine's rules

UNBROADCAST_MISTAKES = [
    Mistake("sum, not average: each broadcast copy of an entry sent its own gradient, and they add up",
            lambda grad, shape: unbroadcast(grad, shape) * (np.prod(shape) / grad.size)),
    Mistake("keep the summed axes where the input had length 1 (keepdims=True): the result has the input's shape",
            lambda grad, shape: np.reshape(unbroadcast(grad, shape), [s for s in shape if s != 1])),
    Mistake("that sums everything: sum only the axes broadcasting added or stretched from length 1",
            lambda grad, shape: np.sum(grad) * _ones(shape)),
]


def unbroadcast_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """Visible: a bias (1, 3) and a vector (3,) added to a (4, 3) batch, a column (4, 1), a scalar ().
    Hidden: two random input shapes, each broadcast to a shape with 0-2 new leading axes and its 1s stretched."""
    if rng is None:
        grad = np.arange(12.0).reshape(4, 3) - 5.0
        return [{"grad": grad, "shape": shape} for shape in [(1, 3), (3,), (4, 1), ()]]
    cases = []
    for _ in range(2):
        shape = tuple(int(v) for v in rng.choice([1, 1, 2, 3, 4], int(rng.integers(1, 4))))
        stretched = tuple(int(rng.integers(2, 5)) if s == 1 else s for s in shape)
        leading = tuple(int(v) for v in rng.integers(2, 4, int(rng.integers(0, 3))))
        cases.append({"grad": rng.standard_normal(leading + stretched), "shape": shape})
    return cases


def unbroadcast_by_reshape(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Right, written differently: the axes to sum listed first, one sum call."""
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(extra + i for i, s in enumerate(shape) if s == 1 and grad.shape[extra + i] != 1)
    return np.sum(grad, axis=axes).reshape(shape)


UNBROADCAST = Exercise(
    "unbroadcast", unbroadcast, unbroadcast_cases, UNBROADCAST_MISTAKES, **EXACT,
    tuned=[lambda grad, shape: unbroadcast(grad, shape) if grad.shape == (4, 3) else grad.sum(axis=0)],
    variants=[unbroadcast_by_reshape])

MATMUL_MISTAKES = [
    Mistake("the two gradients are swapped: dA = dout·Bᵀ (A's shape), dB = Aᵀ·dout (B's shape)",
            lambda A, B, dout: matmul_backward(A, B, dout)[::-1]),
    Mistake("multiply by dout, the gradient arriving from above: dA = dout·Bᵀ, dB = Aᵀ·dout (not with ones)",
            lambda A, B, dout: matmul_backward(A, B, _ones(dout.shape))),
    Mistake("the order of the product: dB = Aᵀ·dout, not doutᵀ·A", lambda A, B, dout: (
        matmul_backward(A, B, dout)[0], dout.T @ A if B.ndim > 1 else dout @ A)),
]

MATMUL_SHAPE_HINT = "shapes: dA has A's shape (n, k) = dout (n, m) · Bᵀ (m, k); dB has B's shape (k, m) = Aᵀ (k, n) · dout (n, m)"


def matmul_cases(rng: np.random.Generator | None) -> list[dict[str, Any]]:
    """Visible: (2, 3) @ (3, 4), then a matrix times a vector, (3, 2) @ (2,). Hidden: the same kinds with
    random sizes, all different."""
    if rng is None:
        r = np.random.default_rng(606)
        A, B = r.standard_normal((2, 3)), r.standard_normal((3, 4))
        A2, v = r.standard_normal((3, 2)), r.standard_normal(2)
        return [{"A": A, "B": B, "dout": r.standard_normal((2, 4))}, {"A": A2, "B": v, "dout": r.standard_normal(3)}]
    n, k, m = (int(v) for v in rng.choice(np.arange(2, 8), 3, replace=False))
    return [{"A": rng.standard_normal((n, k)), "B": rng.standard_normal((k, m)), "dout": rng.standard_normal((n, m))},
            {"A": rng.standard_normal((m, n)), "B": rng.standard_normal(n), "dout": rng.standard_normal(m)}]


def matmul_by_einsum(A: np.ndarray, B: np.ndarray, dout: np.ndarray) -> tuple:
    """Right, written differently: index notation, the vector case as a one-column matrix."""
    B2, dout2 = (B[:, None], dout[:, None]) if B.ndim == 1 else (B, dout)
    dA, dB = np.einsum("nm,km->nk", dout2, B2), np.einsum("nk,nm->km", A, dout2)
    return dA, dB.reshape(B.shape)


MATMUL_BACKWARD = Exercise(
    "matmul_backward", matmul_backward, matmul_cases, MATMUL_MISTAKES, parts=("dA", "dB"), **EXACT,
    shape_hint=MATMUL_SHAPE_HINT,
    tuned=[lambda A, B, dout: matmul_backward(A, B, dout) if A.shape in ((2, 3), (3, 2)) else (A, B)],
    variants=[matmul_by_einsum])


EXERCISES = [DIVIDE_LOCAL, TANH_LOCAL, POWER_LOCAL, UNBROADCAST, MATMUL_BACKWARD]
# The checks the notebooks call, one per record.
(check_divide_local, check_tanh_local, check_power_local, check_unbroadcast, check_matmul_backward) = (
    exercise.check for exercise in EXERCISES)
