"""Chapter 4: the graph explorer, one ReLU neuron's computational graph with its backward pass."""
from __future__ import annotations

from collections.abc import Sequence

import ipywidgets
from matplotlib.patches import Circle, FancyBboxPatch

from gradlab.backprop import neuron_pass
from gradlab.widgets.base import TEXT_RC, Explorer, serially

# Where the graph's nodes sit (data coordinates of a 10 × 6.4 canvas).
LEAVES = {"x0": (1.3, 5.9), "w0": (1.3, 5.0), "x1": (1.3, 3.6), "w1": (1.3, 2.7), "x2": (1.3, 1.3), "w2": (1.3, 0.4)}
MULTIPLY = [(3.2, 5.45), (3.2, 3.15), (3.2, 0.85)]
BIAS = (6.0, 1.0)
SUM = (6.0, 3.15)
RELU = (8.1, 3.15)
OUTPUT = (9.8, 3.15)
RADIUS = 0.38
FORWARD_COLOUR, GRADIENT_COLOUR, HIGHLIGHT_COLOUR = "tab:blue", "tab:red", "tab:orange"
STEPS = 6  # backward steps: output, ReLU, sum, then the three multiply nodes one at a time
STEP_TITLES = ["forward pass only: step ▶ to go backward", "backward step 1/6: the upstream gradient reaches y",
               "backward step 2/6: the ReLU node", "backward step 3/6: the sum node",
               *(f"backward step {4 + k}/6: multiply node {k}" for k in range(3))]


def number(value: float) -> str:
    """Two decimals."""
    return f"{value:.2f}"


ALT = ("The computational graph of a neuron, y = ReLU(x0·w0 + x1·w1 + x2·w2 + b): each node with its forward value in "
       "blue and, once the backward pass reaches it, its gradient in red.")


class GraphExplorer(Explorer):
    """y = ReLU(x0·w0 + x1·w1 + x2·w2 + b): forward values in blue, gradients in red, and a step control that
    walks the backward pass node by node (output, ReLU, sum, multiply 0, 1, 2); nodes not yet reached show no
    gradient.

    Drawing all 25 numbers takes about 20 ms; a slider or step change alters a handful, so only the
    rectangles that changed are drawn again (Explorer.dirty_rectangles)."""

    rc = TEXT_RC
    dirty_rectangles = True

    def __init__(self, x: Sequence[float] = (1.0, -2.0, 3.0), w: Sequence[float] = (-3.0, -1.0, 2.0),
                 b: float = 1.0, dvalue: float = 1.0, step: int = STEPS) -> None:
        super().__init__(figsize=(9, 5.2), alt=ALT)
        # Steps of 0.5 keep every product and sum exact in binary, so z = 0 really is 0 at the kink.
        slider = {"continuous_update": True, "readout_format": ".2f",
                  "layout": ipywidgets.Layout(width="270px"), "style": {"description_width": "60px"}}
        self.x = [ipywidgets.FloatSlider(value=v, min=-3, max=3, step=0.5, description=f"x{i}", **slider)
                  for i, v in enumerate(x)]
        self.w = [ipywidgets.FloatSlider(value=v, min=-3, max=3, step=0.5, description=f"w{i}", **slider)
                  for i, v in enumerate(w)]
        self.b = ipywidgets.FloatSlider(value=b, min=-8, max=8, step=0.5, description="b", **slider)
        self.dvalue = ipywidgets.FloatSlider(value=dvalue, min=-2, max=2, step=0.5, description="dvalue", **slider)
        self.step = ipywidgets.IntSlider(value=step, min=0, max=STEPS, description="backward",
                                         layout=ipywidgets.Layout(width="280px"), style={"description_width": "75px"})
        self.back = ipywidgets.Button(description="◀ step", layout=ipywidgets.Layout(width="80px"))
        self.forward = ipywidgets.Button(description="step ▶", layout=ipywidgets.Layout(width="80px"))
        self.back.on_click(serially(lambda _: self.move(-1)))
        self.forward.on_click(serially(lambda _: self.move(+1)))
        controls = ipywidgets.HBox([ipywidgets.VBox(self.x), ipywidgets.VBox(self.w),
                                    ipywidgets.VBox([self.b, self.dvalue])])
        stepper = ipywidgets.HBox([self.back, self.step, self.forward])
        self.widget = ipywidgets.VBox([controls, stepper, self.image, self.label])
        self.arrange()
        self._build_figure()
        self.observe(*self.x, *self.w, self.b, self.dvalue, self.step)
        self.update()

    def move(self, by: int) -> None:
        """One backward step on (+1) or back (−1), within 0..STEPS."""
        self.step.value = min(max(self.step.value + by, 0), STEPS)

    def _build_figure(self) -> None:
        """Draw nodes, edges and static labels once; create the moving number texts and the highlight ring."""
        ax = self.figure.add_subplot()
        ax.set(xlim=(0, 10.2), ylim=(-0.1, 6.5), aspect="equal")
        ax.set_axis_off()
        line = {"color": "0.35", "lw": 1.2, "zorder": 1}
        for k, (mx, my) in enumerate(MULTIPLY):
            for name in (f"x{k}", f"w{k}"):
                lx, ly = LEAVES[name]
                ax.plot([lx + 0.35, mx - RADIUS], [ly, my], **line)
            ax.plot([mx + RADIUS, SUM[0] - RADIUS], [my, SUM[1]], **line)
        ax.plot([BIAS[0], SUM[0]], [BIAS[1] + 0.25, SUM[1] - RADIUS], **line)
        ax.plot([SUM[0] + RADIUS, RELU[0] - 0.55], [SUM[1], RELU[1]], **line)
        ax.annotate("", xy=OUTPUT, xytext=(RELU[0] + 0.55, RELU[1]), arrowprops={"arrowstyle": "->", "color": "0.35"})
        box = {"boxstyle": "round,pad=0.08", "facecolor": "#f3f3f3", "edgecolor": "0.35"}
        for name, (lx, ly) in {**LEAVES, "b": BIAS}.items():
            ax.add_patch(FancyBboxPatch((lx - 0.3, ly - 0.22), 0.6, 0.44, zorder=2, **box))
            ax.text(lx, ly, name, ha="center", va="center", fontweight="bold", zorder=3)
        for centre, symbol in [*((m, "×") for m in MULTIPLY), (SUM, "+")]:
            ax.add_patch(Circle(centre, RADIUS, facecolor="#eef3fb", edgecolor="C0", zorder=2))
            ax.text(*centre, symbol, ha="center", va="center", fontsize=15, zorder=3)
        ax.add_patch(FancyBboxPatch((RELU[0] - 0.5, RELU[1] - 0.28), 1.0, 0.56, zorder=2,
                                    **{**box, "facecolor": "#eef3fb", "edgecolor": "C0"}))
        ax.text(*RELU, "ReLU", ha="center", va="center", fontweight="bold", zorder=3)
        ax.text(OUTPUT[0], OUTPUT[1] + 0.35, "y", ha="center", fontweight="bold")
        ax.text(7.2, 1.15, "blue: forward value", color=FORWARD_COLOUR, fontsize=9)
        ax.text(7.2, 0.8, "red: gradient (dvalue · ∂y/∂·)", color=GRADIENT_COLOUR, fontsize=9)

        # Each node's output value (blue) sits over its gradient (red), clear of the edges: left of the
        # leaves, on the side of each multiply node's outgoing edge that it does not cross.
        anchors = {**{name: (lx - 0.4, ly, "right") for name, (lx, ly) in LEAVES.items()},
                   "xw0": (MULTIPLY[0][0] + 0.62, MULTIPLY[0][1] + 0.45, "left"),
                   "xw1": (MULTIPLY[1][0] + RADIUS + 0.1, MULTIPLY[1][1], "left"),
                   "xw2": (MULTIPLY[2][0] + 0.62, MULTIPLY[2][1] - 0.45, "left"),
                   "b": (BIAS[0] + 0.4, BIAS[1], "left"), "z": (SUM[0] + RADIUS + 0.1, SUM[1], "left"),
                   "y": (RELU[0] + 0.6, RELU[1], "left")}
        text = {"fontsize": 10, "zorder": 4}
        self._values = {name: ax.text(x, y + 0.03, "", ha=ha, va="bottom", color=FORWARD_COLOUR, **text)
                        for name, (x, y, ha) in anchors.items()}
        self._gradients = {f"d{name}": ax.text(x, y - 0.03, "", ha=ha, va="top", color=GRADIENT_COLOUR, **text)
                           for name, (x, y, ha) in anchors.items()}
        self._caption = ax.text(0.0, 6.45, "", ha="left", va="top", fontsize=10)
        (self._ring,) = ax.plot([], [], "o", ms=54, mfc="none", mec=HIGHLIGHT_COLOUR, mew=2.5, zorder=5)
        self.freeze([*self._values.values(), *self._gradients.values(), self._caption, self._ring])

    def state(self) -> dict[str, float]:
        """Inputs, every node's forward value and every gradient (drawn or not yet), and the step."""
        x, w = [s.value for s in self.x], [s.value for s in self.w]
        p = neuron_pass(x, w, self.b.value, self.dvalue.value)
        numbers = {
            **{f"x{k}": v for k, v in enumerate(x)}, **{f"w{k}": v for k, v in enumerate(w)},
            "b": self.b.value, "dvalue": self.dvalue.value,
            **{f"xw{k}": v for k, v in enumerate(p.products)}, "z": p.z, "y": p.y,
            "dy": p.dy, "dz": p.dz, **{f"dxw{k}": v for k, v in enumerate(p.dproducts)}, "db": p.db,
            **{f"dx{k}": v for k, v in enumerate(p.dx)}, **{f"dw{k}": v for k, v in enumerate(p.dw)},
        }
        return {**{name: float(v) + 0.0 for name, v in numbers.items()}, "step": int(self.step.value)}  # + 0.0: no -0.0

    def shown(self) -> list[str]:
        """The gradients the backward pass has reached at the current step, in the order it reaches them."""
        groups = [["dy"], ["dz"], ["dxw0", "dxw1", "dxw2", "db"], ["dx0", "dw0"], ["dx1", "dw1"], ["dx2", "dw2"]]
        return [name for group in groups[: self.step.value] for name in group]

    def caption(self, s: dict[str, float]) -> str:
        """What the current backward step does, with its local derivatives."""
        step = s["step"]
        if step == 0:
            return f"forward pass: z = {number(s['z'])}, y = ReLU(z) = {number(s['y'])}.  Step ▶ to go backward."
        if step == 1:
            return f"step 1: the upstream gradient dvalue = {number(s['dy'])} arrives at y"
        if step == 2:
            mask = 1 if s["z"] > 0 else 0
            return (f"step 2, ReLU: local derivative 1(z > 0) = {mask}, "
                    f"so dz = {number(s['dy'])} × {mask} = {number(s['dz'])}")
        if step == 3:
            return f"step 3, sum: every local derivative is 1, so each input gets dz = {number(s['dz'])}"
        k = step - 4
        return (f"step {step}, multiply {k}: ∂(x{k}w{k})/∂x{k} = w{k} = {number(s[f'w{k}'])}, "
                f"∂(x{k}w{k})/∂w{k} = x{k} = {number(s[f'x{k}'])}, so dx{k} = {number(s[f'dx{k}'])}, "
                f"dw{k} = {number(s[f'dw{k}'])}")

    def update(self) -> None:
        """Refresh every number, hide the gradients not reached yet, move the ring, then show."""
        s = self.state()
        for name, artist in self._values.items():
            artist.set_text(number(s[name]))
        shown = set(self.shown())
        for name, artist in self._gradients.items():
            artist.set_text(number(s[name]) if name in shown else "")
        ring_at = {1: OUTPUT, 2: RELU, 3: SUM, 4: MULTIPLY[0], 5: MULTIPLY[1], 6: MULTIPLY[2]}
        at = ring_at.get(s["step"])
        if at is None:
            self._ring.set_data([], [])
        else:
            self._ring.set_data([at[0]], [at[1]])
        self._caption.set_text(STEP_TITLES[s["step"]])
        dx = ", ".join(number(s[f"dx{k}"]) for k in range(3))
        dw = ", ".join(number(s[f"dw{k}"]) for k in range(3))
        self.label.value = (
            f"z = {number(s['z'])}, output y = ReLU(z) = {number(s['y'])}, upstream gradient {number(s['dvalue'])}"
            f"<br>dx = [{dx}], dw = [{dw}], db = {number(s['db'])}"
            f"<br>{self.caption(s)}"
        )
        self.show()
