"""Chapter 6: the expression explorer, the graph of any expression and its backward pass, node by node."""
from __future__ import annotations

import ipywidgets

from gradlab.autodiff import Value, expression, topological_order
from gradlab.plots import number_text, plot_graph
from gradlab.widgets.base import TEXT_RC, Explorer, serially

EXAMPLES = {
    "a·b + a·c: a used twice": "a*b + a*c",
    "a·b + c": "a*b + c",
    "a·a + a: a used three times": "a*a + a",
    "a diamond: (a·2)·((a + 3)·0.5)": "(a*2) * ((a + 3)*0.5)",
    "a neuron: relu(a·b + c)": "relu(a*b + c)",
    "tanh(a·b + c)": "tanh(a*b + c)",
    "a softmax share: exp(a) / (exp(a) + exp(b))": "exp(a) / (exp(a) + exp(b))",
}
MOST_NODES = 30   # larger graphs do not fit the picture


def walk(nodes: list[Value], steps: int) -> tuple[list[float | None], list[int]]:
    """The first `steps` operations of the backward pass over nodes (parents first, the output last): each
    node's gradient so far (None: nothing has reached it) and how many contributions it has added up."""
    index = {id(node): i for i, node in enumerate(nodes)}
    grads: list[float | None] = [None] * len(nodes)
    received = [0] * len(nodes)
    if steps == 0:
        return grads, received
    grads[-1] = 1.0
    for node in [n for n in reversed(nodes) if n.parents][:steps]:
        for parent, local in zip(node.parents, node.local_grads()):
            i = index[id(parent)]
            grads[i] = (grads[i] or 0.0) + local * grads[index[id(node)]]
            received[i] += 1
    return grads, received


ALT = ("The computational graph of the expression: each node with its forward value in blue and, as the backward pass "
       "steps through the operations, its gradient in red; a ring marks the current operation.")


class ExpressionExplorer(Explorer):
    """Pick or type an expression in a, b, c: its graph with forward values (blue) and, stepping the backward
    pass one operation at a time in reverse topological order, the gradients (red) as they arrive. The ring
    marks the operation of the current step; orange dots mark nodes whose gradient adds up several uses.

    A new expression redraws the graph once; sliders and steps change only numbers (dirty rectangles)."""

    rc = TEXT_RC
    dirty_rectangles = True

    def __init__(self, text: str = "a*b + a*c", a: float = 2.0, b: float = -1.0, c: float = 0.5) -> None:
        super().__init__(figsize=(9, 4.6), alt=ALT)
        options = [(name, example) for name, example in EXAMPLES.items()]
        self.example = ipywidgets.Dropdown(options=options, value=text if text in EXAMPLES.values() else None,
                                           description="example", layout=ipywidgets.Layout(flex="1 1 300px", max_width="420px"))
        self.text = ipywidgets.Text(value=text, description="expression", continuous_update=False,
                                    layout=ipywidgets.Layout(flex="1 1 300px", max_width="420px"))
        slider = {"min": -3.0, "max": 3.0, "step": 0.5, "readout_format": ".1f",
                  "layout": ipywidgets.Layout(width="250px"), "style": {"description_width": "30px"}}
        self.inputs = {name: ipywidgets.FloatSlider(value=v, description=name, **slider)
                       for name, v in (("a", a), ("b", b), ("c", c))}
        self.step = ipywidgets.IntSlider(value=0, min=0, max=1, description="backward",
                                         layout=ipywidgets.Layout(width="300px"), style={"description_width": "70px"})
        self.back = ipywidgets.Button(description="◀ step", layout=ipywidgets.Layout(width="80px"))
        self.forward = ipywidgets.Button(description="step ▶", layout=ipywidgets.Layout(width="80px"))
        self.back.on_click(serially(lambda _: self.move(-1)))
        self.forward.on_click(serially(lambda _: self.move(+1)))
        self.example.observe(serially(lambda change: self.choose(change["new"])), names="value")
        self.text.observe(serially(lambda _: self.rebuild()), names="value")
        self.observe(*self.inputs.values(), self.step)
        self.widget = ipywidgets.VBox([ipywidgets.HBox([self.example, self.text]),
                                       ipywidgets.HBox(list(self.inputs.values())),
                                       ipywidgets.HBox([self.back, self.step, self.forward]), self.image, self.label])
        self.arrange()
        self.error = ""
        self.shown_text = ""
        self.rebuild()

    def choose(self, text: str | None) -> None:
        if text is not None:
            self.text.value = text

    def move(self, by: int) -> None:
        """One backward step on (+1) or back (−1)."""
        self.step.value = min(max(self.step.value + by, 0), self.step.max)

    def graph(self) -> list[Value]:
        """The expression's nodes at the sliders' values, parents first."""
        return topological_order(expression(self.shown_text, **{n: s.value for n, s in self.inputs.items()}))

    def rebuild(self) -> None:
        """Draw the graph of the typed expression (or keep the last one and say what is wrong), then update."""
        previous, self.shown_text = self.shown_text, self.text.value
        try:
            nodes = self.graph()
            if len(nodes) > MOST_NODES:
                raise ValueError(f"{len(nodes)} nodes are too many to draw (at most {MOST_NODES})")
        except ValueError as error:
            self.shown_text, self.error = previous, f"{self.text.value!r}: {error}"
            if previous:
                return self.update()
            self.shown_text = "a*a + a"
            nodes = self.graph()
        else:
            self.error = ""
        self.figure.clear()
        ax = self.figure.add_subplot()
        with self.drawing():
            drawing = plot_graph(ax, nodes[-1], grads=False)
        self._values = [drawing.values[id(n)] for n in nodes]
        self._grads = [drawing.grads[id(n)] for n in nodes]
        self._positions = [drawing.positions[id(n)] for n in nodes]
        (self._ring,) = ax.plot([], [], "o", ms=34, mfc="none", mec="tab:orange", mew=2.5, zorder=5)
        (self._added,) = ax.plot([], [], "o", ms=7, color="tab:orange", zorder=6)
        self._title = ax.text(0.0, 1.0, "", transform=ax.transAxes, ha="left", va="top", fontsize=10)
        self.freeze([*self._values, *self._grads, self._ring, self._added, self._title])
        operations = sum(1 for n in nodes if n.parents)
        with self.step.hold_trait_notifications():
            self.step.max = max(operations, 1)
            self.step.value = self.step.max
        self.update()

    def state(self) -> dict:
        """The expression, the inputs, every node's value and gradient so far, and the step."""
        nodes = self.graph()
        grads, received = walk(nodes, self.step.value)
        operations = [n for n in reversed(nodes) if n.parents]
        current = operations[self.step.value - 1] if self.step.value else None
        return {"expression": self.shown_text, "inputs": {n: s.value for n, s in self.inputs.items()},
                "values": [n.data for n in nodes], "grads": grads, "received": received, "step": self.step.value,
                "steps": len(operations), "current": None if current is None else nodes.index(current),
                "labels": [n.label or n.op for n in nodes], "nodes": nodes}

    def caption(self, s: dict) -> str:
        """What the current step does."""
        if s["current"] is None:
            return f"forward pass: output {number_text(s['values'][-1])}. Step ▶ to send gradients backward."
        node = s["nodes"][s["current"]]
        sent = ", ".join(f"{parent.label or parent.op} += {number_text(local)} × {number_text(s['grads'][s['current']])}"
                         for parent, local in zip(node.parents, node.local_grads()))
        return f"step {s['step']}/{s['steps']}: node {node.op} sends its gradient to its parents: {sent}"

    def update(self) -> None:
        """Refresh values and the gradients reached so far, move the ring and the dots, then show."""
        try:
            s = self.state()
        except ValueError as error:  # log of a negative number, a division by 0: keep the last picture
            self.label.value = f"<span style='color:#b00'>{self.shown_text} at these values: {error}</span>"
            return
        for artist, value in zip(self._values, s["values"]):
            artist.set_text(number_text(value))
        for artist, grad in zip(self._grads, s["grads"]):
            artist.set_text("" if grad is None else number_text(grad))
        at = [] if s["current"] is None else [self._positions[s["current"]]]
        self._ring.set_data([p[0] for p in at], [p[1] for p in at])
        added = [self._positions[i] for i, count in enumerate(s["received"]) if count > 1]
        self._added.set_data([p[0] for p in added], [p[1] for p in added])
        self._title.set_text(f"{s['expression']}   backward step {s['step']}/{s['steps']}")
        leaves = ", ".join(f"d/d{label} = {number_text(g)}" for label, g, node in zip(s["labels"], s["grads"], s["nodes"])
                           if not node.parents and label in s["inputs"] and g is not None)
        error = f"<span style='color:#b00'>{self.error}</span><br>" if self.error else ""
        self.label.value = (f"{error}{s['expression']} = {number_text(s['values'][-1])} at "
                            f"{', '.join(f'{n} = {v:.1f}' for n, v in s['inputs'].items())}"
                            f"<br>{self.caption(s)}<br>{leaves or 'no input gradient yet'}"
                            "<br>orange dot: a node whose gradient added up more than one use")
        self.show()
