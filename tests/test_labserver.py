"""gradlab.labserver: the student's JupyterLab server sends kernel messages at once and saves stale widgets'
pictures. The latency it buys is measured in the browser (tests/test_browser.py, GRADLAB_LATENCY=1); the
restart-save-reopen path is walked there too."""
from __future__ import annotations

import copy
import inspect
import subprocess
import sys

import nbformat
from traitlets.utils.importstring import import_item

from gradlab import labserver
from gradlab.labserver import STALE, WIDGET_STATE, WIDGET_VIEW, keep_pictures

PNG = "iVBORw0KGgo="


def widget_output(model_id: str, picture: bool = True) -> dict:
    data = {WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": model_id}, "text/plain": "VBox()"}
    return {"output_type": "display_data", "metadata": {}, "data": {**data, **({"image/png": PNG} if picture else {})}}


def notebook(outputs: list[dict], saved: list[str]) -> dict:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("explorer", outputs=outputs), nbformat.v4.new_markdown_cell("text")]
    nb.metadata["widgets"] = {WIDGET_STATE: {"version_major": 2, "version_minor": 0,
                                             "state": {model_id: {"state": {}} for model_id in saved}}}
    return {"type": "notebook", "content": nbformat.from_dict(nb)}


def test_a_widget_the_notebook_holds_is_saved_as_it_is():
    model = notebook([widget_output("live")], saved=["live"])
    before = copy.deepcopy(model)
    keep_pictures(model=model, path="a.ipynb")
    assert model == before


def test_a_widget_the_notebook_lost_is_saved_as_its_picture_and_a_line():
    model = notebook([widget_output("gone"), widget_output("plain", picture=False)], saved=[])
    keep_pictures(model=model, path="a.ipynb")
    picture, line, plain = model["content"]["cells"][0]["outputs"]
    assert WIDGET_VIEW not in picture["data"] and picture["data"]["image/png"] == PNG
    assert line == {"output_type": "stream", "name": "stdout", "text": STALE}
    assert WIDGET_VIEW in plain["data"]  # no picture to fall back on: left alone
    nbformat.validate(nbformat.from_dict(model["content"]))


def test_other_files_are_not_touched():
    model = {"type": "file", "content": "text", "format": "text"}
    keep_pictures(model=model, path="a.txt")
    assert model == {"type": "file", "content": "text", "format": "text"}


def test_the_labs_kernel_connection_is_jupyter_servers_without_nagle():
    """The class the server config names loads, and importing gradlab.labserver alone (as a graded kernel
    does) brings no jupyter_server in."""
    from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

    connection = import_item(labserver.CONFIG["ServerApp"]["kernel_websocket_connection_class"])
    assert issubclass(connection, ZMQChannelsWebsocketConnection) and "set_nodelay(True)" in inspect.getsource(connection)
    assert import_item(labserver.CONFIG["ContentsManager"]["pre_save_hook"]) is keep_pictures
    loaded = subprocess.run([sys.executable, "-c", "import sys, gradlab.labserver; print('jupyter_server' in sys.modules)"],
                            capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "False"
