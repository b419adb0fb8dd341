"""The contract every explorer widget keeps (gradlab.widgets.base.Explorer), checked for each of them.

A PNG of the whole figure from the start, a static image/png next to the live view in the mimebundle,
and for every slider: a new picture and a new label, drawn by blitting into the same figure, never
by drawing it again. Each widget's drawing logic and numbers are tested in tests/test_widgets_<name>.py.
"""
from __future__ import annotations

import base64
import io
from collections.abc import Callable

import ipywidgets
import matplotlib
import PIL.Image
import pytest
from IPython.core.formatters import DisplayFormatter

from gradlab.datasets import spiral_data
from gradlab.functions import square, square_deriv
from gradlab.widgets import ChainExplorer, ExpressionExplorer, GraphExplorer, PartialsExplorer, TangentExplorer, TrainingExplorer
from gradlab.widgets.base import Explorer

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
Slider = ipywidgets.FloatSlider | ipywidgets.IntSlider | ipywidgets.SelectionSlider

EXPLORERS: dict[str, Callable[[], Explorer]] = {
    "tangent": lambda: TangentExplorer(square, square_deriv),
    "partials": lambda: PartialsExplorer(lambda x, y: x**2 + x * y + 2 * y**2, lambda x, y: 2 * x + y,
                                         lambda x, y: x + 4 * y),
    "chain": ChainExplorer,
    "graph": GraphExplorer,
    "expression": ExpressionExplorer,
    "training": lambda: TrainingExplorer(*spiral_data(100, 3), epochs=250),  # 250 epochs: trained at once
}
PNG_SIZES = {TangentExplorer: (720, 272), PartialsExplorer: (720, 336), ChainExplorer: (720, 360),
             GraphExplorer: (720, 416), TrainingExplorer: (720, 288), ExpressionExplorer: (720, 368)}


@pytest.fixture(params=EXPLORERS)
def explorer(request) -> Explorer:
    return EXPLORERS[request.param]()


def sliders(widget: ipywidgets.Widget) -> list[Slider]:
    """The sliders in a widget and its children, in display order."""
    if isinstance(widget, ipywidgets.Box):
        return [slider for child in widget.children for slider in sliders(child)]
    return [widget] if isinstance(widget, Slider) else []


def other_value(slider: Slider) -> float:
    """A value the slider is not at: the top of its range, or the bottom when it is at the top."""
    if isinstance(slider, ipywidgets.SelectionSlider):
        low, high = slider.options[0][1], slider.options[-1][1]
    else:
        low, high = slider.min, slider.max
    return low if slider.value == high else high


def move_every_slider(explorer: Explorer) -> None:
    """Set each slider in turn to another value."""
    for slider in sliders(explorer.widget):
        slider.value = other_value(slider)


def test_renders_the_whole_figure_as_png_at_construction(explorer):
    png = explorer.png()
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG") and png == explorer.image.value
    assert PIL.Image.open(io.BytesIO(png)).size == PNG_SIZES[type(explorer)]


def test_every_slider_changes_picture_and_label(explorer):
    assert sliders(explorer.widget)
    for slider in sliders(explorer.widget):
        label, image = explorer.label.value, explorer.image.value
        slider.value = other_value(slider)
        assert explorer.label.value != label, slider.description
        assert explorer.image.value != image, slider.description
        assert explorer.png().startswith(b"\x89PNG")


def test_the_picture_depends_only_on_the_sliders(explorer):
    start, controls = explorer.png(), sliders(explorer.widget)
    values = [slider.value for slider in controls]
    move_every_slider(explorer)
    for slider, value in zip(controls, values):
        slider.value = value
    assert explorer.png() == start


def test_updates_blit_into_the_same_figure(explorer, monkeypatch):
    figure, axes = explorer.figure, list(explorer.figure.axes)
    artists = [list(ax.get_children()) for ax in axes]  # lines, texts, patches, collections, legends, axis, ...
    monkeypatch.setattr(explorer._canvas, "draw", lambda: pytest.fail("an update drew the whole figure again"))
    move_every_slider(explorer)
    assert explorer.figure is figure and explorer.figure.axes == axes
    assert [list(ax.get_children()) for ax in axes] == artists


@pytest.mark.parametrize("name", EXPLORERS)
def test_matplotlib_settings_do_not_leak(name):
    """What a widget draws with (e.g. unhinted text for the numbers) stays inside it, from construction on."""
    rc = dict(matplotlib.rcParams)
    move_every_slider(EXPLORERS[name]())
    assert dict(matplotlib.rcParams) == rc


def test_mimebundle_has_widget_view_and_static_png(explorer):
    slider = sliders(explorer.widget)[0]
    slider.value = other_value(slider)
    bundle = explorer._repr_mimebundle_()
    assert bundle[WIDGET_VIEW]["model_id"] == explorer.widget.model_id
    assert base64.b64decode(bundle["image/png"]) == explorer.png()
    assert "text/plain" in bundle


def test_ipython_display_uses_the_mimebundle(explorer):
    data, _ = DisplayFormatter().format(explorer)
    assert WIDGET_VIEW in data and base64.b64decode(data["image/png"]) == explorer.png()
