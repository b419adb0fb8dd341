"""The browser side of an explorer, as an anywidget: accessible names and values, alt text, the progress
bar's role, the stale notice, and the screen's pixel density sent back to the kernel (access.js, access.css)."""
from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

HERE = Path(__file__).parent


class Access(anywidget.AnyWidget):
    """Hidden; placed inside the explorer's box (dom class gradlab-explorer), whose controls it labels."""

    _esm = HERE / "access.js"
    _css = HERE / "access.css"
    alt = traitlets.Unicode("").tag(sync=True)              # what the picture shows, for screen readers
    pixel_ratio = traitlets.Float(1.0).tag(sync=True)       # window.devicePixelRatio, set by the browser
