"""Answer cells as text for chapter 06 (see __init__.py): the graph walks are judged by custom checks, so their
wrong and tuned answers are here, with the answers the corpus grades and what a callable cannot express."""
from __future__ import annotations


def rules(divide: str = "1 / b, -a / b ** 2", tanh: str = "1 - out ** 2", power: str = "n * x ** (n - 1)") -> str:
    """The local-rules answer cell with one rule replaced by a wrong one."""
    return (f"def divide_local(a, b, out):\n    return {divide}\n"
            f"def tanh_local(x, out):\n    return {tanh}\n"
            f"def power_local(x, n, out):\n    return {power}\n")


def order(visit: str) -> str:
    """A recursive topological_order answer cell whose place(node) body is visit."""
    return ("def topological_order(root):\n    order, visited = [], set()\n"
            f"    def place(node):\n{visit}"
            "    place(root)\n    return order\n")


def walk(zero: str = "node.grad = 0.0", seed: str = "root.grad = 1.0", nodes: str = "reversed(order)",
         add: str = "parent.grad += local * node.grad") -> str:
    """A backward answer cell with some steps replaced by wrong ones."""
    return ("def backward(root):\n    order = autodiff.topological_order(root)\n"
            f"    for node in order:\n        {zero}\n    {seed}\n"
            f"    for node in {nodes}:\n"
            "        for parent, local in zip(node.parents, node.local_grads()):\n"
            f"            {add}\n")


# Breadth-first from the root, reversed: right when every path from a node to the root is as long (the neuron,
# a·a + a), wrong on the diamond, whose two sides differ.
BREADTH_FIRST = ("def topological_order(root):\n"
                 "    order, seen, queue = [], {root}, [root]\n"
                 "    while queue:\n        node = queue.pop(0)\n        order.append(node)\n"
                 "        for parent in node.parents:\n            if parent not in seen:\n"
                 "                seen.add(parent)\n                queue.append(parent)\n"
                 "    return order[::-1]\n")

WRONG: dict[str, list[tuple[str, str]]] = {
    "test_divide_local": [
        (rules(divide="1 / b, a / b ** 2"), "sign error"),
        (rules(divide="-a / b ** 2"), "expected the tuple (dout_da, dout_db)"),
    ],
    "test_tanh_local": [
        (rules(tanh="1 - x ** 2"), "not 1 − x²"),
        ("import math\n" + rules(tanh="1 - math.tanh(x) ** 2"), "raised TypeError"),
    ],
    "test_power_local": [
        (rules(power="n * out"), "lower the exponent by one"),
    ],
    "test_topological_order": [
        (order("        for parent in node.parents:\n            place(parent)\n        order.append(node)\n"),
         "more than once"),
        (order("        if node in visited:\n            return\n        visited.add(node)\n        order.append(node)\n"
               "        for parent in node.parents:\n            place(parent)\n"), "the order is reversed"),
        ("def topological_order(root):\n    return [root]\n", "misses"),
        (BREADTH_FIRST, "finish every parent first"),
        ("def topological_order(root):\n    return [node.data for node in root.parents] + [root.data]\n",
         "expected a list of the graph's nodes"),
    ],
    "test_backward": [
        (walk(add="parent.grad = local * node.grad"), "not parent.grad = …"),
        (walk(zero="pass"), "reset every node's grad to 0"),
        (walk(nodes="order"), "walk from the output back"),
        (walk(add="parent.grad += local"), "multiply each local derivative"),
        ("def backward(root):\n    root.grad = 1.0\n", "expected"),
    ],
    "test_unbroadcast": [
        ("def unbroadcast(grad, shape):\n    return grad.sum(axis=0)\n", "unbroadcast"),
        ("import numpy as np\ndef unbroadcast(grad, shape):\n    while grad.ndim > len(shape):\n"
         "        grad = grad.mean(axis=0)\n    for axis, size in enumerate(shape):\n"
         "        if size == 1 and grad.shape[axis] != 1:\n            grad = grad.mean(axis=axis, keepdims=True)\n"
         "    return grad\n", "sum, not average"),
    ],
    "test_matmul_backward": [
        ("def matmul_backward(A, B, dout):\n    return dout @ B.T, A.T @ dout\n", "raised ValueError"),
        ("def matmul_backward(A, B, dout):\n    return A.T @ dout, dout @ B.T\n", "swapped"),
    ],
}

HARD_CODED: dict[str, str] = {
}
