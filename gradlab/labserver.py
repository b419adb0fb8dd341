"""JupyterLab's server for the explorers: kernel messages sent at once, pictures that outlive the kernel.

- Tornado leaves Nagle's algorithm on for websockets, so a kernel's burst of small messages (busy, a
  widget's label and picture, idle) waits for the browser's delayed acknowledgement, up to 40 ms, on
  about every other key press: ``PromptConnection`` turns it off.
- JupyterLab saves the state of live widgets only. Saved after a kernel restart (or reopened, then
  saved), an explorer's output names a widget the notebook no longer holds, and the next time it opens
  it shows "Error displaying widget: model not found". ``keep_pictures`` saves such an output as the
  static picture the explorer put beside its widget, with a line saying how to make it live again.

``make lab`` (gradlab.workspace.student_mode) and the browser test use CONFIG. The connection class is
built on first use: graded kernels import every gradlab module, and jupyter_server has no place in them.
"""
from __future__ import annotations

import functools

CONFIG = {"ServerApp": {"kernel_websocket_connection_class": "gradlab.labserver.PromptConnection"},
          "ContentsManager": {"pre_save_hook": "gradlab.labserver.keep_pictures"}}
WIDGET_VIEW, WIDGET_STATE = "application/vnd.jupyter.widget-view+json", "application/vnd.jupyter.widget-state+json"
STALE = "The kernel behind the picture above has stopped: run the cell again to make the controls live.\n"


def keep_pictures(model: dict, **_) -> None:
    """Before a notebook is written: every widget output whose widget the notebook does not hold, but which
    carries a picture, becomes that picture followed by the line STALE."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    notebook = model["content"]
    saved = notebook.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for cell in notebook.get("cells", []):
        outputs = []
        for output in cell.get("outputs", []):
            outputs.append(output)
            data = output.get("data", {})
            if WIDGET_VIEW in data and data[WIDGET_VIEW].get("model_id") not in saved and "image/png" in data:
                del data[WIDGET_VIEW]
                outputs.append({"output_type": "stream", "name": "stdout", "text": STALE})
        if "outputs" in cell:
            cell["outputs"] = outputs


@functools.cache
def prompt_connection() -> type:
    """jupyter_server's websocket connection to a kernel, with Nagle's algorithm off."""
    from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

    class PromptConnection(ZMQChannelsWebsocketConnection):
        def connect(self):
            self.websocket_handler.set_nodelay(True)
            return super().connect()

    return PromptConnection


def __getattr__(name: str) -> type:
    if name == "PromptConnection":
        return prompt_connection()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
