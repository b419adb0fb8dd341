"""Automatic differentiation: record the graph in the forward pass, walk it backward in topological order.

Two engines, one idea. A `Value` holds one number (the design of Karpathy's micrograd): every
operation returns a new node that remembers its parents and its local derivatives. A `Tensor` does
the same for numpy arrays, where a node hands its parents vector-Jacobian products instead. The one
`backward(root)` orders the graph so that every node comes after its parents, starts the output's
gradient at 1 and goes from the output back to the leaves, each node passing its gradient to its
parents; a node used more than once **adds up** what every use sends it.
"""
from __future__ import annotations

import ast
import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

Number = float | int


class Node:
    """A node of a recorded graph: its parents and how to send a gradient back to them."""

    parents: tuple[Node, ...] = ()
    label: str = ""
    grad: float | np.ndarray

    def vjp(self, grad: float | np.ndarray) -> tuple:
        """What each parent receives when this node's gradient is grad (one entry per parent)."""
        raise NotImplementedError

    def zero_grad(self) -> None:
        raise NotImplementedError

    def seed(self) -> None:
        """dself/dself: the gradient the walk starts from."""
        raise NotImplementedError


def topological_order(root: Node) -> list[Node]:
    """Every node root depends on, once each, every node after its parents (root last).

    Depth-first without recursion, so graphs of any depth work."""
    order: list[Node] = []
    seen: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        if finished:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((parent, False) for parent in node.parents if id(parent) not in seen)
    return order


def backward(root: Node) -> None:
    """Gradients of root with respect to every node it depends on, in each node's .grad.

    Every reachable node starts at 0 (so a second call gives the same result), root at 1; then, from
    root back to the leaves, each node adds its contribution to each parent's gradient."""
    order = topological_order(root)
    for node in order:
        node.zero_grad()
    root.seed()
    for node in reversed(order):
        for parent, contribution in zip(node.parents, node.vjp(node.grad)):
            parent.grad = parent.grad + contribution


# ---------------------------------------------------------------- the scalar engine

Rule = Callable[..., tuple[float, ...]]   # (inputs' data..., output data) -> local derivatives, one per input


def divide_local(a: Number, b: Number, out: Number) -> tuple[float, float]:
    """(∂out/∂a, ∂out/∂b) of out = a / b."""
    return 1 / b, -a / b ** 2


def tanh_local(x: Number, out: Number) -> float:
    """∂out/∂x of out = tanh(x), written with the output: 1 − out²."""
    return 1 - out ** 2


def power_local(x: Number, n: Number, out: Number) -> float:
    """∂out/∂x of out = xⁿ for a constant n."""
    return n * x ** (n - 1)


class Value(Node):
    """One number that remembers how it was made: data, grad, parents, op and the op's local derivatives."""

    def __init__(self, data: Number, parents: tuple[Value, ...] = (), op: str = "", rule: Rule | None = None,
                 label: str = "") -> None:
        self.data = float(data)
        self.grad = 0.0
        self.parents = parents
        self.op = op
        self.rule = rule
        self.label = label

    def __repr__(self) -> str:
        name = f"{self.label}=" if self.label else ""
        return f"Value({name}{self.data:.4g}, grad={self.grad:.4g})"

    def local_grads(self) -> tuple[float, ...]:
        """∂self/∂parent for each parent, at the parents' current data."""
        if self.rule is None:
            return ()
        return tuple(float(g) for g in self.rule(*(p.data for p in self.parents), self.data))

    def vjp(self, grad: float) -> tuple[float, ...]:
        return tuple(local * grad for local in self.local_grads())

    def zero_grad(self) -> None:
        self.grad = 0.0

    def seed(self) -> None:
        self.grad = 1.0

    def apply(self, op: str, data: Number, others: tuple[Value, ...], rule: Rule) -> Value:
        """A new node: op of self and others, with the local derivatives rule."""
        return Value(data, (self, *others), op, rule)

    def __add__(self, other: Value | Number) -> Value:
        other = lift(other)
        return self.apply("+", self.data + other.data, (other,), lambda a, b, out: (1.0, 1.0))

    def __mul__(self, other: Value | Number) -> Value:
        other = lift(other)
        return self.apply("×", self.data * other.data, (other,), lambda a, b, out: (b, a))

    def __truediv__(self, other: Value | Number) -> Value:
        other = lift(other)
        return self.apply("÷", self.data / other.data, (other,), divide_local)

    def __pow__(self, n: Number) -> Value:
        return self.apply(f"^{n:g}", self.data ** n, (), lambda x, out: (power_local(x, n, out),))

    def __neg__(self) -> Value:
        return self * -1

    def __sub__(self, other: Value | Number) -> Value:
        return self + (-lift(other))

    def __radd__(self, other: Number) -> Value:
        return lift(other) + self

    def __rmul__(self, other: Number) -> Value:
        return lift(other) * self

    def __rsub__(self, other: Number) -> Value:
        return lift(other) - self

    def __rtruediv__(self, other: Number) -> Value:
        return lift(other) / self

    def exp(self) -> Value:
        return self.apply("exp", math.exp(self.data), (), lambda x, out: (out,))

    def log(self) -> Value:
        return self.apply("log", math.log(self.data), (), lambda x, out: (1 / x,))

    def tanh(self) -> Value:
        return self.apply("tanh", math.tanh(self.data), (), lambda x, out: (tanh_local(x, out),))

    def relu(self) -> Value:
        return self.apply("relu", max(self.data, 0.0), (), lambda x, out: (1.0 if out > 0 else 0.0,))


def lift(value: Value | Number) -> Value:
    """value as a node: a plain number becomes a constant leaf."""
    return value if isinstance(value, Value) else Value(value, label=f"{value:g}")


def leaves(**values: Number) -> dict[str, Value]:
    """Named input nodes: leaves(a=2.0, b=-3.0)."""
    return {name: Value(v, label=name) for name, v in values.items()}


# ---------------------------------------------------------------- the array engine

def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """grad (the shape of a broadcast sum) summed back to an input's shape: over the axes broadcasting
    added in front, and over the axes where the input had length 1."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def matmul_backward(A: np.ndarray, B: np.ndarray, dout: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(dA, dB) of out = A @ B for A (n, k) and B (k, m) or (k,), given dout shaped like out."""
    if B.ndim == 1:
        return np.outer(dout, B), A.T @ dout
    return dout @ B.T, A.T @ dout


class Rules(NamedTuple):
    """The array engine's two rules that chapter 06's exercises derive; swap in your own."""

    unbroadcast: Callable[[np.ndarray, tuple[int, ...]], np.ndarray] = unbroadcast
    matmul_backward: Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] = matmul_backward


REFERENCE = Rules()


class Tensor(Node):
    """An array that remembers how it was made; .grad has its shape. Operations: @, +, relu(),
    softmax_cross_entropy(logits, y). `rules` (the broadcast and matmul rules) pass on to results."""

    def __init__(self, data: np.ndarray | Number, parents: tuple[Tensor, ...] = (), op: str = "",
                 vjp: Callable[[np.ndarray], tuple] | None = None, rules: Rules = REFERENCE, label: str = "") -> None:
        self.data = np.asarray(data, dtype=np.float64)
        self.grad: float | np.ndarray = 0.0   # 0 until a gradient arrives: adding an array gives it its shape
        self.parents = parents
        self.op = op
        self._vjp = vjp
        self.rules = rules
        self.label = label

    def __repr__(self) -> str:
        return f"Tensor({self.label or self.op or 'leaf'}, shape {self.data.shape})"

    def vjp(self, grad: np.ndarray) -> tuple:
        return () if self._vjp is None else self._vjp(grad)

    def zero_grad(self) -> None:
        self.grad = 0.0

    def seed(self) -> None:
        self.grad = np.ones_like(self.data)

    def __matmul__(self, other: Tensor) -> Tensor:
        return Tensor(self.data @ other.data, (self, other), "@",
                      lambda g: self.rules.matmul_backward(self.data, other.data, g), self.rules)

    def __add__(self, other: Tensor) -> Tensor:
        return Tensor(self.data + other.data, (self, other), "+",
                      lambda g: (self.rules.unbroadcast(g, self.data.shape), self.rules.unbroadcast(g, other.data.shape)),
                      self.rules)

    def relu(self) -> Tensor:
        return Tensor(np.maximum(self.data, 0.0), (self,), "relu", lambda g: (g * (self.data > 0),), self.rules)


def softmax_cross_entropy(logits: Tensor, y: np.ndarray) -> Tensor:
    """Mean cross-entropy of softmax(logits (n, k)) against labels y (n,) ints, fused: backward (ŷ − y)/n."""
    exp = np.exp(logits.data - logits.data.max(axis=1, keepdims=True))   # shifted: no overflow
    totals = exp.sum(axis=1, keepdims=True)
    rows = np.arange(len(y))
    loss = np.mean(np.log(totals[:, 0]) - np.log(exp[rows, y]))

    def vjp(g: np.ndarray) -> tuple[np.ndarray]:
        dlogits = exp / totals
        dlogits[rows, y] -= 1.0
        return (g * dlogits / len(y),)
    return Tensor(loss, (logits,), "softmax-CE", vjp, logits.rules)


def network_loss(params: dict[str, Tensor], X: np.ndarray, y: np.ndarray) -> Tensor:
    """The course's network as a graph: Dense → ReLU → Dense → softmax + cross-entropy on X (n, i), y (n,)."""
    inputs = Tensor(X, rules=params["W1"].rules, label="X")
    hidden = (inputs @ params["W1"] + params["b1"]).relu()
    return softmax_cross_entropy(hidden @ params["W2"] + params["b2"], y)


def tensors(params: dict[str, np.ndarray], rules: Rules = REFERENCE) -> dict[str, Tensor]:
    """Leaf tensors holding copies of params (a dict of arrays)."""
    return {name: Tensor(value.copy(), rules=rules, label=name) for name, value in params.items()}


def gradients(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray,
              rules: Rules = REFERENCE) -> tuple[float, dict[str, np.ndarray]]:
    """(loss, gradients) of the network at params, by the array engine with these rules."""
    leaves_ = tensors(params, rules)
    loss = network_loss(leaves_, X, y)
    backward(loss)
    return float(loss.data), {name: leaf.grad for name, leaf in leaves_.items()}



# ---------------------------------------------------------------- expressions typed as text

FUNCTIONS = {"exp": Value.exp, "log": Value.log, "tanh": Value.tanh, "relu": Value.relu}
BINARY = {ast.Add: Value.__add__, ast.Sub: Value.__sub__, ast.Mult: Value.__mul__, ast.Div: Value.__truediv__}


def expression(text: str, **values: Number) -> Value:
    """The graph of an arithmetic expression in the named variables, e.g. expression("a*b + c", a=2, b=-3, c=10):
    + − × ÷, ** with a number, exp, log, tanh, relu. Anything else raises ValueError (nothing is evaluated)."""
    variables = leaves(**values)

    def build(node: ast.AST) -> Value:
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return Value(node.value, label=f"{node.value:g}")
        if isinstance(node, ast.Name) and node.id in variables:
            return variables[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -build(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
            return BINARY[type(node.op)](build(node.left), build(node.right))
        if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant)
                and type(node.right.value) in (int, float)):
            return build(node.left) ** node.right.value
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS
                and len(node.args) == 1 and not node.keywords):
            return FUNCTIONS[node.func.id](build(node.args[0]))
        shown = ast.get_source_segment(text, node) or type(node).__name__
        raise ValueError(f"cannot use {shown!r}: write + - * / ** (by a number), exp, log, tanh, relu and "
                         f"the variables {', '.join(variables)}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise ValueError(f"not an expression: {error.msg}") from None
    try:
        return build(tree.body)
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        raise ValueError(str(error) or type(error).__name__) from None
