"""Tests for gradlab.widgets.graph.GraphExplorer: the logic behind the sliders and the step control, without a browser.

What every explorer does (PNG, mimebundle, updates that blit into the same figure) is in tests/test_widgets.py.
"""
from __future__ import annotations

import io

import matplotlib
import numpy as np
import PIL.Image
import pytest

from gradlab.widgets.base import DPI
from gradlab.widgets.graph import STEPS, GraphExplorer

GRADIENTS = ["dy", "dz", "dxw0", "dxw1", "dxw2", "db", "dx0", "dw0", "dx1", "dw1", "dx2", "dw2"]


@pytest.fixture
def explorer():
    return GraphExplorer()  # the book's neuron, x = [1, -2, 3], w = [-3, -1, 2], b = 1, dvalue = 1, every step shown


def picture(explorer: GraphExplorer) -> np.ndarray:
    """The explorer's current PNG as an RGB array."""
    return np.asarray(PIL.Image.open(io.BytesIO(explorer.png())).convert("RGB"))


def full_redraw(explorer: GraphExplorer) -> np.ndarray:
    """The picture as a plain blit draws it: the whole background, then every moving artist."""
    with matplotlib.rc_context({"text.hinting": "no_hinting"}):
        explorer._canvas.restore_region(explorer._scenes[DPI])  # the graph has no settled artists
        for artist in explorer._moving:
            artist.axes.draw_artist(artist)
    return np.asarray(explorer._canvas.buffer_rgba())[..., :3].copy()


def test_controls_start_at_the_books_neuron(explorer):
    assert [s.value for s in explorer.x] == [1.0, -2.0, 3.0]
    assert [s.value for s in explorer.w] == [-3.0, -1.0, 2.0]
    assert (explorer.b.value, explorer.dvalue.value, explorer.step.value) == (1.0, 1.0, STEPS)
    assert (explorer.step.min, explorer.step.max) == (0, 6)


def test_state_holds_the_books_forward_and_backward_numbers(explorer):
    s = explorer.state()
    assert [s[f"xw{k}"] for k in range(3)] == [-3.0, 2.0, 6.0]
    assert (s["z"], s["y"]) == (6.0, 6.0)
    assert (s["dy"], s["dz"], s["db"]) == (1.0, 1.0, 1.0)
    assert [s[f"dxw{k}"] for k in range(3)] == [1.0, 1.0, 1.0]
    # the book prints drelu_dx0, drelu_dw0, drelu_dx1, ...: -3.0 1.0 -1.0 -2.0 2.0 3.0
    assert [s[name] for name in ("dx0", "dw0", "dx1", "dw1", "dx2", "dw2")] == [-3.0, 1.0, -1.0, -2.0, 2.0, 3.0]


def test_moving_sliders_gives_the_expected_numbers(explorer):
    explorer.x[0].value = 2.0
    explorer.w[2].value = -0.5
    explorer.dvalue.value = -1.5
    s = explorer.state()
    assert [s[f"xw{k}"] for k in range(3)] == [-6.0, 2.0, -1.5]
    assert s["z"] == -6.0 + 2.0 - 1.5 + 1.0 and s["y"] == 0.0
    assert (s["dy"], s["dz"], s["db"]) == (-1.5, 0.0, 0.0)
    assert all(s[f"dx{k}"] == 0.0 and s[f"dw{k}"] == 0.0 for k in range(3))
    explorer.b.value = 6.0  # z = 0.5 > 0: the gradient flows again
    s = explorer.state()
    assert (s["z"], s["y"], s["dz"]) == (0.5, 0.5, -1.5)
    assert [s[f"dx{k}"] for k in range(3)] == [4.5, 1.5, 0.75]
    assert [s[f"dw{k}"] for k in range(3)] == [-3.0, 3.0, -4.5]


def test_at_the_kink_the_gradient_is_zero(explorer):
    explorer.b.value = -5.0  # z = 0 exactly: ReLU's derivative is taken as 1(z > 0) = 0
    s = explorer.state()
    assert s["z"] == 0.0 and s["dz"] == 0.0 and s["dx0"] == 0.0


def test_step_control_reveals_gradients_node_by_node(explorer):
    expected = {0: [], 1: ["dy"], 2: ["dy", "dz"], 3: ["dy", "dz", "dxw0", "dxw1", "dxw2", "db"]}
    for step in range(STEPS + 1):
        explorer.step.value = step
        shown = explorer.shown()
        assert shown == expected.get(step, expected[3] + GRADIENTS[6:6 + 2 * (step - 3)])
        texts = {name: artist.get_text() for name, artist in explorer._gradients.items()}
        assert {name for name, text in texts.items() if text} == set(shown)  # not reached: no gradient drawn
    assert texts["dx2"] == "2.00" and texts["dw2"] == "3.00"
    assert explorer._values["z"].get_text() == "6.00"


def test_buttons_step_within_range(explorer):
    explorer.forward.click()
    assert explorer.step.value == STEPS  # already at the end
    for expected in (5, 4, 3, 2, 1, 0, 0):
        explorer.back.click()
        assert explorer.step.value == expected
    explorer.forward.click()
    assert explorer.step.value == 1


def test_highlight_ring_follows_the_step(explorer):
    explorer.step.value = 0
    assert len(explorer._ring.get_xdata()) == 0
    explorer.step.value = 3
    assert (explorer._ring.get_xdata()[0], explorer._ring.get_ydata()[0]) == (6.0, 3.15)  # the sum node


def test_label_has_output_and_all_gradients(explorer):
    explorer.step.value = 2
    assert explorer.label.value == (
        "z = 6.00, output y = ReLU(z) = 6.00, upstream gradient 1.00"
        "<br>dx = [-3.00, -1.00, 2.00], dw = [1.00, -2.00, 3.00], db = 1.00"
        "<br>step 2, ReLU: local derivative 1(z > 0) = 1, so dz = 1.00 × 1 = 1.00"
    )


def test_redrawing_only_what_changed_gives_the_full_picture(explorer):
    rng = np.random.default_rng(0)
    for _ in range(40):
        control = rng.integers(4)
        if control == 0:
            explorer.x[rng.integers(3)].value = float(rng.choice(np.arange(-3, 3.5, 0.5)))
        elif control == 1:
            explorer.step.value = int(rng.integers(STEPS + 1))
        elif control == 2:
            explorer.dvalue.value = float(rng.choice(np.arange(-2, 2.5, 0.5)))
        else:
            explorer.b.value = float(rng.choice(np.arange(-8, 8.5, 0.5)))
        shown = picture(explorer)
        np.testing.assert_array_equal(shown, full_redraw(explorer))
