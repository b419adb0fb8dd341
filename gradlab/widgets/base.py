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

Each layer is cached per dpi. Pictures are drawn at 96 dpi and shown at their size in CSS pixels; on a
high-density screen (the browser reports it through ``Access``), the picture is drawn again at the
screen's density once the controls have been still for a moment, so moving a slider costs the same on
every screen.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import struct
import threading
import zlib
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager

import ipywidgets
import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from gradlab.widgets.access import Access

# For text redrawn on every update: unhinted glyphs render much faster and look the same at these sizes.
TEXT_RC = {"text.hinting": "no_hinting"}

Box = tuple[int, int, int, int]  # pixels x1, y1, x2, y2 in display coordinates (y up)
BufferRegion = object            # a saved part of the canvas (FigureCanvasAgg.copy_from_bbox)

DPI = 96             # figure pixels per inch = CSS pixels per inch: a figure's 10 pt text is the page's 10 pt
MAX_RATIO = 2.0      # image pixels per CSS pixel on the densest screens (4x the pixels of an ordinary one)
SHARPEN_AFTER = 0.3  # seconds of stillness before the picture is drawn again for a high-density screen


# ipykernel 7 may run one widget callback in a subshell's thread while another runs on the main thread
# (measured: the two clicks of a double-click on Train trained at once, and FreeType, which matplotlib
# shares between figures, failed with "invalid outline"). Every callback from the browser takes this lock.
CALLBACKS = threading.RLock()


def serially(callback: Callable[..., None]) -> Callable[..., None]:
    """The callback, run while holding CALLBACKS: one callback at a time, whatever thread runs it."""
    def run(*args) -> None:
        with CALLBACKS:
            callback(*args)
    return run


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


REVIVE = ('<div class="gradlab-revive">This is the last picture: the kernel behind these controls has restarted or '
          "stopped (or the notebook was reopened). Run the cell again to make the controls live.</div>")


def png_bytes(rgba: np.ndarray) -> bytes:
    """An (h, w, 4) uint8 canvas as an RGB PNG (the figures are opaque), quickly: no row filters, zlib's
    fastest level (PIL's adaptive filters cost half again as much for these flat-coloured figures)."""
    height, width, _ = rgba.shape
    rows = np.zeros((height, 1 + 3 * width), np.uint8)  # each row: filter type 0, then r, g, b per pixel
    for channel in range(3):  # three strided copies: ten times faster than reshaping the RGB view
        rows[:, 1 + channel::3] = rgba[..., channel]

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, not interlaced
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 1))
            + chunk(b"IEND", b""))


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

    def __init__(self, figsize: tuple[float, float], alt: str) -> None:
        """figsize in inches; alt says what the picture shows, for a screen reader."""
        self.figure = Figure(figsize=figsize, dpi=DPI, layout="constrained")
        self._canvas = FigureCanvasAgg(self.figure)
        self._moving: list[Artist] = []
        self._settled: list[Artist] = []
        self._backgrounds: dict[float, BufferRegion] = {}   # per dpi: everything but the moving and settled artists
        self._scenes: dict[float, BufferRegion] = {}        # per dpi: the background with the settled artists on it
        self._canvas_dpi = 0.0                               # the dpi whose scene (or picture) the canvas holds
        self._drawn: dict[Artist, tuple] = {}          # what each moving artist showed when last drawn
        self._extents: dict[Artist, Box | None] = {}   # where it was drawn
        self._extent_cache: dict[tuple[Artist, tuple], Box | None] = {}
        self._sharpening: asyncio.TimerHandle | None = None
        self.image = ipywidgets.Image(format="png", layout={"width": f"{figsize[0] * DPI:.0f}px"})
        self.label = ipywidgets.HTML()
        self.access = Access(alt=alt, layout={"display": "none"})
        self.access.observe(serially(lambda _: self.sharpen_later()), names="pixel_ratio")

    def drawing(self) -> AbstractContextManager:
        """The explorer's matplotlib settings, for any drawing."""
        return matplotlib.rc_context(self.rc)

    def freeze(self, moving: Sequence[Artist], settled: Sequence[Artist] = ()) -> None:
        """Draw everything but the moving and settled artists once and cache it as the background; then settle.
        The first freeze fixes the layout, so that pictures at any dpi line up."""
        self._moving, self._settled = list(moving), list(settled)
        for artist in (*self._moving, *self._settled):
            artist.set_animated(True)
        self._backgrounds.clear()
        self.settle()

    def settle(self) -> None:
        """Draw the settled artists onto the background and cache the result as the scene the moving ones go on."""
        self._scenes.clear()
        self._use(DPI)

    def _use(self, dpi: float) -> None:
        """Make the canvas draw at dpi and hold that dpi's scene (drawn first if need be), unless it does already."""
        if self._canvas_dpi == dpi and dpi in self._scenes:
            return
        self.figure.set_dpi(dpi)
        with self.drawing():
            if dpi not in self._backgrounds:
                self._canvas.draw()
                self.figure.set_layout_engine("none")   # the layout of the first draw, at every dpi
                self._backgrounds[dpi] = self._canvas.copy_from_bbox(self.figure.bbox)
            if dpi not in self._scenes:
                self._canvas.restore_region(self._backgrounds[dpi])
                for artist in self._settled:
                    artist.axes.draw_artist(artist)
                self._scenes[dpi] = self._canvas.copy_from_bbox(self.figure.bbox)
        self._canvas.restore_region(self._scenes[dpi])
        self._canvas_dpi = dpi
        self._drawn.clear()  # the canvas holds the scene alone: every moving artist is to be drawn
        self._extents.clear()

    def show(self) -> None:
        """Draw the moving artists onto the scene (only the changed rectangles, with dirty_rectangles) and send;
        on a high-density screen, a sharper picture follows once the controls are still."""
        self._use(DPI)
        with self.drawing():
            if self.dirty_rectangles:
                self._redraw_changed()
            else:
                self._canvas.restore_region(self._scenes[DPI])
                for artist in self._moving:
                    artist.axes.draw_artist(artist)
        self.send()
        self.sharpen_later()

    def sharpen_later(self) -> None:
        """In a kernel, on a screen of more than one pixel per CSS pixel: sharpen() SHARPEN_AFTER seconds from
        now unless the picture changes before; moving a slider costs no more than on any screen."""
        if self._sharpening is not None:
            self._sharpening.cancel()
            self._sharpening = None
        if self.ratio() > 1:
            with contextlib.suppress(RuntimeError):  # no event loop: no kernel, and no one watching
                self._sharpening = asyncio.get_running_loop().call_later(SHARPEN_AFTER, serially(self.sharpen))

    def ratio(self) -> float:
        """Image pixels per CSS pixel for this screen: its pixel density, between 1 and MAX_RATIO."""
        return min(max(self.access.pixel_ratio, 1.0), MAX_RATIO)

    def sharpen(self) -> None:
        """Send the picture again, drawn at the screen's pixel density (shown at the same size)."""
        self._sharpening = None
        dpi = DPI * self.ratio()
        self._use(dpi)
        self._canvas.restore_region(self._scenes[dpi])  # the canvas may hold an earlier sharp picture
        with self.drawing():
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
            self._canvas.restore_region(self._scenes[DPI], bbox=(x1, height - y2, x2, height - y1), xy=(0, 0))
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
        """Put the canvas, as a PNG, into the Image widget."""
        self.image.value = png_bytes(np.asarray(self._canvas.buffer_rgba()))

    def arrange(self) -> None:
        """Make self.widget fit any window: rows of controls wrap instead of squeezing sliders to nothing,
        the picture shrinks with the window; every control gets a tooltip; a line above the label, shown
        only when the explorer is stale (access.css), says how to revive it; and the hidden Access widget
        gives the controls and picture what a screen reader needs."""
        self.widget.add_class("gradlab-explorer")
        self.image.layout.max_width = "100%"
        self.image.layout.margin = "var(--jp-widgets-margin) 0"  # no side margins: 100% of the box is all of it
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
        self.widget.children = (*above, ipywidgets.HTML(REVIVE), label, self.access)

    def observe(self, *controls: ipywidgets.ValueWidget) -> None:
        """Call update() whenever one of the controls changes value (serially)."""
        for control in controls:
            control.observe(serially(lambda _: self.update()), names="value")

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
