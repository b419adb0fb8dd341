"""What every explorer shares: a figure drawn once, blitted updates, a PNG in an Image widget.

Subclasses build their controls and static picture, call ``freeze(moving, settled)`` once, and
implement ``state()`` (the numbers the picture shows) and ``update()`` (move the artists, then
``self.show()``). No ipympl: the PNG goes through ``ipywidgets.Image``, so it works in any front
end, and the mimebundle carries a static copy for nbconvert, GitHub and nbval.

The picture is drawn in layers: the background (everything static, drawn once), the settled
artists (drawn onto it by ``settle()`` when they change, which is rarely: a training run's
curves) and the moving artists (drawn on every ``show()``). An explorer whose moving artists
stay in place and change only what they show (the graph's numbers) sets ``dirty_rectangles``:
then ``show()`` redraws only the rectangles that changed.
"""
from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from contextlib import AbstractContextManager

import ipywidgets
import matplotlib
import numpy as np
import PIL.Image
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

# For text redrawn on every update: unhinted glyphs render much faster and look the same at these sizes.
TEXT_RC = {"text.hinting": "no_hinting"}

Box = tuple[int, int, int, int]  # pixels x1, y1, x2, y2 in display coordinates (y up)


def look(artist: Artist) -> tuple:
    """What a text or line shows: its text, or its points."""
    if isinstance(artist, Text):
        return (artist.get_text(),)
    if isinstance(artist, Line2D):
        return tuple(map(tuple, artist.get_xydata()))
    raise TypeError(f"dirty rectangles follow texts and lines, not {type(artist).__name__}")


def choice_slider(values: Sequence[float], value: float, description: str, **kwargs) -> ipywidgets.SelectionSlider:
    """A slider over exactly these values (shown as the code writes them, 0.5 and 1e-05), where a log slider
    would snap 0.5 to 10^-0.3 = 0.501: what the student sees is what the code computes with."""
    return ipywidgets.SelectionSlider(options=[(f"{v:g}", float(v)) for v in values], value=float(value),
                                      description=description, **kwargs)


REVIVE = ("<small>After a kernel restart, or when you reopen the notebook, this is the last picture: run the "
          "cell again to make the controls live.</small>")


def walk(widget: ipywidgets.Widget) -> list[ipywidgets.Widget]:
    """widget and every widget inside it, in display order."""
    inner = widget.children if isinstance(widget, ipywidgets.Box) else ()
    return [widget, *(w for child in inner for w in walk(child))]


def overlap(a: Box, b: Box) -> bool:
    """Whether two pixel boxes share any pixel."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class Explorer:
    """Base class: ``self.figure``, ``self.image``, ``self.label`` and ``self.widget`` (set by subclasses)."""

    widget: ipywidgets.Widget
    rc: dict[str, str] = {}          # matplotlib settings for all drawing (TEXT_RC where text moves)
    dirty_rectangles: bool = False   # redraw only what changed (moving artists stay in place)

    def __init__(self, figsize: tuple[float, float], dpi: int = 80) -> None:
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        self._canvas = FigureCanvasAgg(self.figure)
        self._moving: list[Artist] = []
        self._settled: list[Artist] = []
        self._background = self._scene = None
        self._drawn: dict[Artist, tuple] = {}          # what each moving artist showed when last drawn
        self._extents: dict[Artist, Box | None] = {}   # where it was drawn
        self._extent_cache: dict[tuple[Artist, tuple], Box | None] = {}
        self.image = ipywidgets.Image(format="png")
        self.label = ipywidgets.HTML()

    def drawing(self) -> AbstractContextManager:
        """The explorer's matplotlib settings, for any drawing."""
        return matplotlib.rc_context(self.rc)

    def freeze(self, moving: Sequence[Artist], settled: Sequence[Artist] = ()) -> None:
        """Draw everything but the moving and settled artists once and cache it as the background; then settle."""
        self._moving, self._settled = list(moving), list(settled)
        for artist in (*self._moving, *self._settled):
            artist.set_animated(True)
        with self.drawing():
            self._canvas.draw()
        self._background = self._canvas.copy_from_bbox(self.figure.bbox)
        self.settle()

    def settle(self) -> None:
        """Draw the settled artists onto the background and cache the result as the scene the moving ones go on."""
        self._canvas.restore_region(self._background)
        with self.drawing():
            for artist in self._settled:
                artist.axes.draw_artist(artist)
        self._scene = self._canvas.copy_from_bbox(self.figure.bbox)
        self._drawn.clear()  # the canvas holds the scene alone: every moving artist is to be drawn
        self._extents.clear()

    def show(self) -> None:
        """Draw the moving artists onto the scene (only the changed rectangles, with dirty_rectangles) and send."""
        with self.drawing():
            if self.dirty_rectangles:
                self._redraw_changed()
            else:
                self._canvas.restore_region(self._scene)
                for artist in self._moving:
                    artist.axes.draw_artist(artist)
        self.send()

    def _redraw_changed(self) -> None:
        """Restore each changed artist's old and new extents from the scene, draw again every moving artist
        that a restored rectangle touches (in the usual order), and leave the rest of the canvas as it is:
        the picture is the same as after drawing every moving artist."""
        renderer = self._canvas.get_renderer()
        changed = [a for a in self._moving if self._drawn.get(a) != look(a)]
        dirty = [box for a in changed for box in (self._extents.get(a), self._extent(a, renderer)) if box]
        redraw = set(changed)
        grown = True
        while grown:  # an unchanged artist that a restored rectangle cuts must be drawn again, whole
            grown = False
            for artist in self._moving:
                box = self._extents.get(artist)
                if artist not in redraw and box and any(overlap(box, other) for other in dirty):
                    redraw.add(artist)
                    dirty.append(box)
                    grown = True
        height = renderer.height
        for x1, y1, x2, y2 in dirty:  # display boxes (y up) to the saved region's rows (y down)
            self._canvas.restore_region(self._scene, bbox=(x1, height - y2, x2, height - y1), xy=(0, 0))
        for artist in self._moving:
            if artist in redraw:
                artist.axes.draw_artist(artist)
                self._drawn[artist], self._extents[artist] = look(artist), self._extent(artist, renderer)

    def _extent(self, artist: Artist, renderer) -> Box | None:
        """The artist's pixels, padded for antialiasing; None if it draws nothing. Moving artists stay in
        place, so an extent depends only on what the artist shows: it is measured once per look."""
        key = (artist, look(artist))
        if key not in self._extent_cache:
            box = None
            if look(artist) not in {("",), ()}:
                extent = artist.get_window_extent(renderer)
                width, height = self._canvas.get_width_height()
                box = (max(int(extent.x0) - 2, 0), max(int(extent.y0) - 2, 0),
                       min(int(extent.x1) + 3, width), min(int(extent.y1) + 3, height))
            self._extent_cache[key] = box
        return self._extent_cache[key]

    def send(self) -> None:
        """Put the canvas, as an RGB PNG (the figure is opaque), into the Image widget."""
        out = io.BytesIO()
        rgb = PIL.Image.fromarray(np.asarray(self._canvas.buffer_rgba())).convert("RGB")
        rgb.save(out, format="png", compress_level=1)
        self.image.value = out.getvalue()

    def arrange(self) -> None:
        """Make self.widget fit any window: rows of controls wrap instead of squeezing sliders to nothing,
        the picture shrinks with the window; every control is named by its tooltip; and a line above the
        label says how to revive the widget after a kernel restart or when the notebook is reopened."""
        self.image.layout.max_width = "100%"
        self.image.layout.height = "auto"
        for widget in walk(self.widget):
            if isinstance(widget, ipywidgets.HBox):
                widget.layout.flex_flow = "row wrap"
            elif isinstance(widget, (ipywidgets.FloatSlider, ipywidgets.IntSlider, ipywidgets.SelectionSlider)):
                widget.layout.min_width = "220px"
                widget.tooltip = widget.tooltip or widget.description
            elif isinstance(widget, (ipywidgets.Button, ipywidgets.IntProgress, ipywidgets.Text, ipywidgets.Dropdown)):
                widget.tooltip = widget.tooltip or widget.description
        *above, label = self.widget.children   # the label stays last: the line goes just above it
        self.widget.children = (*above, ipywidgets.HTML(REVIVE), label)

    def observe(self, *controls: ipywidgets.ValueWidget) -> None:
        """Call update() whenever one of the controls changes value."""
        for control in controls:
            control.observe(lambda _: self.update(), names="value")

    def state(self) -> dict[str, float]:
        """The numbers the picture currently shows."""
        raise NotImplementedError

    def update(self) -> None:
        """Move the artists to the controls' values, refresh the label, then self.show()."""
        raise NotImplementedError

    def png(self) -> bytes:
        """The current picture as PNG bytes."""
        return bytes(self.image.value)

    def _repr_mimebundle_(self, **kwargs) -> dict:
        """The live widget view plus a static image/png (base64) for front ends without a kernel."""
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.png()).decode("ascii")
        return bundle
