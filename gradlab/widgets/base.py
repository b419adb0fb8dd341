"""What every explorer shares: a figure drawn once, blitted updates, a PNG in an Image widget.

Subclasses build their controls and static picture, call ``freeze(moving_artists)`` once,
and implement ``state()`` (the numbers the picture shows) and ``update()`` (move the artists,
then ``self.show()``). No ipympl: the PNG goes through ``ipywidgets.Image``, so it works in
any front end, and the mimebundle carries a static copy for nbconvert, GitHub and nbval.
"""
from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import ipywidgets
import numpy as np
import PIL.Image
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

# For text redrawn on every update: unhinted glyphs render much faster and look the same at these sizes.
TEXT_RC = {"text.hinting": "no_hinting"}


class Explorer:
    """Base class: ``self.figure``, ``self.image``, ``self.label`` and ``self.widget`` (set by subclasses)."""

    widget: ipywidgets.Widget

    def __init__(self, figsize: tuple[float, float], dpi: int = 80) -> None:
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        self._canvas = FigureCanvasAgg(self.figure)
        self._moving: list[Artist] = []
        self._background = None
        self.image = ipywidgets.Image(format="png")
        self.label = ipywidgets.HTML()

    def freeze(self, moving: Sequence[Artist]) -> None:
        """Draw everything but the moving artists once and cache it as the background."""
        self._moving = list(moving)
        for artist in self._moving:
            artist.set_animated(True)
        self._canvas.draw()
        self._background = self._canvas.copy_from_bbox(self.figure.bbox)

    def show(self) -> None:
        """Blit the moving artists onto the background and send the picture to the Image widget."""
        self._canvas.restore_region(self._background)
        for artist in self._moving:
            artist.axes.draw_artist(artist)
        self.send()

    def send(self) -> None:
        """Put the canvas, as PNG, into the Image widget."""
        out = io.BytesIO()
        PIL.Image.fromarray(np.asarray(self._canvas.buffer_rgba())).save(out, format="png", compress_level=1)
        self.image.value = out.getvalue()

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
