"""The contract every explorer widget keeps (gradlab.widgets.base.Explorer), checked for each of them.

A PNG of the whole figure from the start, a static image/png next to the live view in the mimebundle,
and for every slider: a new picture and a new label, drawn by blitting into the same figure, never
by drawing it again. Each widget's drawing logic and numbers are tested in tests/test_widgets_<name>.py.
"""
from __future__ import annotations

import asyncio
import base64
import io
from collections.abc import Callable

import ipywidgets
import matplotlib
import numpy as np
import PIL.Image
import pytest
from IPython.core.formatters import DisplayFormatter

from gradlab.datasets import spiral_data
from gradlab.functions import square, square_deriv
from gradlab.widgets import ChainExplorer, ExpressionExplorer, GraphExplorer, PartialsExplorer, TangentExplorer, TrainingExplorer
from gradlab.widgets.access import Access
from gradlab.widgets.base import DPI, REVIVE, SHARPEN_AFTER, Explorer, png_bytes, walk

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
PNG_SIZES = {TangentExplorer: (864, 326), PartialsExplorer: (864, 403), ChainExplorer: (864, 432),  # inches × 96
             GraphExplorer: (864, 499), TrainingExplorer: (864, 345), ExpressionExplorer: (864, 441)}


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


def size(png: bytes) -> tuple[int, int]:
    return PIL.Image.open(io.BytesIO(png)).size


def test_renders_the_whole_figure_as_png_at_construction(explorer):
    png = explorer.png()
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG") and png == explorer.image.value
    assert size(png) == PNG_SIZES[type(explorer)]
    assert explorer.image.layout.width == f"{PNG_SIZES[type(explorer)][0]}px"  # one image pixel per CSS pixel


def test_png_bytes_are_the_canvas_exactly():
    rgba = np.random.default_rng(0).integers(0, 256, (7, 5, 4), dtype=np.uint8)
    assert np.array_equal(np.asarray(PIL.Image.open(io.BytesIO(png_bytes(rgba)))), rgba[..., :3])


def test_the_explorer_box_carries_its_browser_side(explorer):
    """The class access.css and access.js find it by, the stale line (hidden while live), alt text saying
    what the picture shows, and a tooltip for every control."""
    box = explorer.widget
    assert "gradlab-explorer" in box._dom_classes
    assert box.children[-1] is explorer.access and isinstance(explorer.access, Access)
    assert box.children[-3].value == REVIVE and 'class="gradlab-revive"' in REVIVE
    assert len(explorer.access.alt) > 60 and explorer.access.layout.display == "none"
    controls = [w for w in walk(box) if isinstance(w, (Slider, ipywidgets.Button, ipywidgets.IntProgress))]
    assert controls and all(w.tooltip for w in controls)


def pixels(explorer: Explorer, ratio: float) -> tuple[int, int]:
    """The picture's size in pixels at ratio image pixels per CSS pixel."""
    return tuple(int(ratio * DPI * inches) for inches in explorer.figure.get_size_inches())


def test_a_dense_screen_gets_a_sharper_picture_of_the_same_scene(explorer):
    """sharpen() draws at the screen's density (at most 2); moves after it are drawn at 96 dpi again, exactly
    as before it."""
    start, controls = explorer.png(), sliders(explorer.widget)
    values = [slider.value for slider in controls]
    explorer.access.pixel_ratio = 3.0
    explorer.sharpen()
    sharp = explorer.png()
    assert size(sharp) == pixels(explorer, 2.0)
    explorer.sharpen()  # again, with nothing moved (the density reported twice): the same picture
    assert explorer.png() == sharp
    move_every_slider(explorer)
    for slider, value in zip(controls, values):
        slider.value = value
    assert explorer.png() == start


def test_sharpening_waits_for_the_controls_to_be_still():
    """In a kernel (an event loop runs): one sharp picture SHARPEN_AFTER seconds after the last move, none
    before; on an ordinary screen, none at all. (Explorer's timing, the same for every explorer.)"""
    explorer = EXPLORERS["tangent"]()
    sizes = []
    explorer.image.observe(lambda change: sizes.append(size(change["new"])), names="value")
    slider = sliders(explorer.widget)[0]

    async def moves(ratio: float) -> None:
        explorer.access.pixel_ratio = ratio
        sizes.clear()
        for value in (other_value(slider), slider.value, other_value(slider)):
            slider.value = value
            await asyncio.sleep(SHARPEN_AFTER / 3)
        await asyncio.sleep(SHARPEN_AFTER)

    base = PNG_SIZES[type(explorer)]
    asyncio.run(moves(1.0))
    assert sizes == [base] * 3
    asyncio.run(moves(1.5))
    assert sizes[:-1] == [base] * len(sizes[:-1]) and sizes[-1] == pixels(explorer, 1.5)


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
