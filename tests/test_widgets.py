"""Tests for gradlab.widgets.TangentExplorer: the logic behind the sliders, without a browser."""
from __future__ import annotations

import base64
import io

import numpy as np
import PIL.Image
import pytest
from IPython.core.formatters import DisplayFormatter

from gradlab.plots import clipped_difference_errors
from gradlab.widgets import TangentExplorer

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def f(x):
    return 2 * x**2


def dfdx(x):
    return 4 * x


@pytest.fixture
def explorer():
    return TangentExplorer(f, dfdx)


def test_sliders_start_at_the_given_values(explorer):
    assert (explorer.x0.min, explorer.x0.max, explorer.x0.step) == (0.0, 4.0, 0.01)
    assert (explorer.delta.base, explorer.delta.min, explorer.delta.max) == (10, -16, 0)
    assert explorer.state()["x0"] == 1.0 and explorer.state()["delta"] == 0.5


def test_moving_the_sliders_gives_the_expected_slopes(explorer):
    explorer.delta.value = 1e-4
    state = explorer.state()
    assert state["x0"] == 1.0 and state["delta"] == 1e-4
    assert state["secant_slope"] == pytest.approx(4.0002, abs=1e-9)
    assert state["exact_slope"] == 4.0
    assert state["error"] == pytest.approx(2e-4, abs=1e-9)

    explorer.x0.value = 3.0
    state = explorer.state()
    assert state["secant_slope"] == pytest.approx(12.0002, abs=1e-9)
    assert state["exact_slope"] == 12.0


def test_slider_change_updates_label_and_image(explorer):
    label, image = explorer.label.value, explorer.image.value
    explorer.delta.value = 1e-4
    assert explorer.label.value != label and explorer.image.value != image
    assert explorer.label.value == (
        "x0 = 1.00, δ = 1.0e-04: secant slope 4.000200, exact slope 4.000000, error 2.0e-04"
    )
    image = explorer.image.value
    explorer.x0.value = 2.0
    assert explorer.label.value.startswith("x0 = 2.00,") and explorer.image.value != image


def test_updates_move_the_same_artists_of_the_same_figure(explorer):
    figure, lines = explorer.figure, [list(ax.lines) for ax in explorer.figure.axes]
    explorer.x0.value, explorer.delta.value = 2.5, 1e-3
    assert explorer.figure is figure
    assert [list(ax.lines) for ax in explorer.figure.axes] == lines
    np.testing.assert_array_equal(explorer._points.get_xdata(), [2.5, 2.5 + 1e-3])
    np.testing.assert_array_equal(explorer._marker.get_xdata(), [1e-3, 1e-3])


def test_error_curves_follow_x0():
    explorer = TangentExplorer(np.sin, np.cos, x_range=(0.0, 3.0))
    explorer.x0.value = 2.0
    forward, central = clipped_difference_errors(np.sin, np.cos, 2.0, explorer.deltas)
    np.testing.assert_array_equal(explorer._forward.get_ydata(), forward)
    np.testing.assert_array_equal(explorer._central.get_ydata(), central)


def test_png_is_the_current_picture(explorer):
    png = explorer.png()
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG") and png == explorer.image.value
    assert PIL.Image.open(io.BytesIO(png)).size == (720, 272)


def test_mimebundle_has_widget_view_and_static_png(explorer):
    explorer.delta.value = 1e-2
    bundle = explorer._repr_mimebundle_()
    assert bundle[WIDGET_VIEW]["model_id"] == explorer.widget.model_id
    assert base64.b64decode(bundle["image/png"]) == explorer.png()
    assert "text/plain" in bundle


def test_ipython_display_uses_the_mimebundle(explorer):
    data, _ = DisplayFormatter().format(explorer)
    assert WIDGET_VIEW in data and base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
