"""The course the way a student meets it: real JupyterLab from .venv, in Debian's chromium.

For every chapter in solutions/: Run All, then no cell errored or wrote to stderr and no widget
failed to display; every widget speaks to a screen reader (named sliders with their shown values, alt
text, a progressbar role) and fits a 1400 px and an 800 px window (usable slider tracks, nothing cut
off); every slider is moved from the keyboard alone (Tab, arrow keys) and its label and picture must
change; a widget with a Train button is double-clicked (it must train once) and pressed with Enter.
The student version of chapter 01 is run in a student's lab (gradlab.workspace: a workspace copy,
student mode): its widget must work before any exercise is solved; after a kernel restart it says it
is stale; saved and reopened, it shows its last picture. nbgrader's Validate button is there but not
its instructor menu, and no news prompt shows. Moved to a 2x screen, pictures are sharpened. nbgrader's
formgrader must load in the instructor's lab. Notebooks are copies: nothing here writes to the
repository. On failure a screenshot is saved under browser-failures/.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from course import CHAPTER_IDS, CHAPTERS, ROOT, SOLUTIONS, notebook_path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
INSTALL = "install Debian's chromium (apt-get install chromium) to run the browser tests"
SHOTS = ROOT / "browser-failures"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]

if CHROMIUM is None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise RuntimeError(f"REQUIRE_BROWSER=1 but no chromium was found: {INSTALL}")
    pytest.skip(f"no chromium: {INSTALL}", allow_module_level=True)

from nbgrader.api import Gradebook
from playwright.sync_api import Page, sync_playwright

from gradlab import labserver, workspace

RUN_TIMEOUT = 180  # seconds for Run All of one notebook
TRAIN_TIMEOUT = 60  # seconds for one press of a Train button


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Cells off screen exist in the page.
SHOW_EVERY_CELL = {"@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"}}


def write_settings(folder: Path, settings: dict[str, dict]) -> None:
    for name, values in settings.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def course_copy(root: Path) -> None:
    """Solutions and the student version of chapter 01, a course config for formgrader, and the settings
    and server config of the student's lab (gradlab.workspace), rendering every cell."""
    shutil.copytree(SOLUTIONS, root / "solutions")
    shutil.copytree(CHAPTERS / CHAPTER_IDS[0], root / "chapters" / CHAPTER_IDS[0])
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        "c.CourseDirectory.course_id = 'gradlab'\n"
        "c.CourseDirectory.source_directory = 'solutions'\n"
        "c.CourseDirectory.release_directory = 'chapters'\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{root / 'gradebook.db'}'\n")
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "gradlab"):  # made once, as `make grade` would have:
        pass  # formgrader's first request otherwise spends seconds creating it (over 30 under a busy make test)
    write_settings(root / "settings", {**workspace.SETTINGS, **SHOW_EVERY_CELL})  # the student's lab settings
    (root / "config").mkdir()
    (root / "config" / "jupyter_server_config.json").write_text(json.dumps(labserver.CONFIG))


def serve(root: Path, environment: dict[str, str]):
    """Run JupyterLab on root until the generator is closed; yields (base URL, token)."""
    port, token = free_port(), "gradlab-browser-test"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", **environment}
    command = [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               "--LabApp.expose_app_in_browser=True", *(["--allow-root"] if os.geteuid() == 0 else [])]
    with open(root.parent / f"{root.name}-lab.log", "w") as log:
        server = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            assert time.monotonic() < deadline and server.poll() is None, (root.parent / f"{root.name}-lab.log").read_text()
            time.sleep(0.5)
    yield base, token
    server.terminate()
    server.wait(timeout=30)
    log = (root.parent / f"{root.name}-lab.log")
    if "KernelRestarter: restarting kernel" in log.read_text():  # a kernel died: keep the server's log, whatever the verdicts
        SHOTS.mkdir(exist_ok=True)
        shutil.copy(log, SHOTS / log.name)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """(base URL, token) of the instructor's JupyterLab serving a copy of the course."""
    root = tmp_path_factory.mktemp("lab")
    course_copy(root)
    yield from serve(root, {"JUPYTERLAB_SETTINGS_DIR": str(root / "settings"), "JUPYTER_CONFIG_DIR": str(root / "config")})


@pytest.fixture(scope="module")
def student_lab(tmp_path_factory):
    """(base URL, token) of a student's JupyterLab as `make lab` starts it, on a workspace of the releases."""
    root = tmp_path_factory.mktemp("student") / "workspace"
    workspace.sync(CHAPTERS, root)
    environment = {name: str(path) for name, path in workspace.student_mode(root).items()}
    write_settings(Path(environment["JUPYTERLAB_SETTINGS_DIR"]), SHOW_EVERY_CELL)
    yield from serve(root, environment)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    yield page
    if getattr(request.node, "failed_call", False):  # set by conftest's report hook
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=True)
    page.close()


KERNEL = "window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel"
CELLS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel.sessionContext.session?.kernel;
  return {status: kernel ? kernel.status : 'none', cells: panel.content.widgets.map(w => w.model.toJSON())};
}"""


def run_all(page: Page, base: str, token: str, path: str) -> list[dict]:
    """Open the notebook, Run All, wait until every code cell has run; the cells as nbformat JSON."""
    workspace = Path(path).stem  # a workspace of its own: only this notebook is open
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/{path}?reset&token={token}")
    page.wait_for_function(f"() => {KERNEL}?.status === 'idle'", timeout=60_000)
    page.evaluate(WATCH_CALLBACKS)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    deadline = time.monotonic() + RUN_TIMEOUT
    while True:
        state = page.evaluate(CELLS)
        waiting = [i for i, c in enumerate(state["cells"]) if c["cell_type"] == "code" and c["execution_count"] is None
                   and c["source"].strip()]
        if state["status"] == "idle" and not waiting:
            return state["cells"]
        assert time.monotonic() < deadline, f"{path}: cells never ran: {waiting} (kernel {state['status']})"
        time.sleep(0.5)


WATCH_CALLBACKS = f"""() => {{  // what the widgets' Python callbacks raise or print to stderr (JupyterLab shows it nowhere)
  window.callbackErrors = [];
  {KERNEL}.anyMessage.connect((_, {{direction, msg}}) => {{
    const type = msg.header.msg_type, content = msg.content;
    if (direction === 'recv' && msg.parent_header?.msg_type === 'comm_msg'
        && (type === 'error' || (type === 'stream' && content.name === 'stderr')))
      window.callbackErrors.push(type === 'error' ? (content.traceback || []).join('\\n') : content.text);
  }});
}}"""
# ipykernel's warning about a message for a comm it does not know. Seen about one run in three, for comms this
# page sent nothing to after the notebook opened (JupyterLab's own start-up messages); a message lost on its
# way to an explorer would fail the label and picture checks instead.
UNKNOWN_COMM = re.compile(r"^No such comm: [0-9a-f-]+\n?", re.MULTILINE)


def callback_errors(page: Page) -> str:
    """Everything the widgets' callbacks raised or wrote to stderr since the notebook was opened."""
    errors = "\n".join(page.evaluate("() => window.callbackErrors"))
    return UNKNOWN_COMM.sub("", re.sub(r"\x1b\[[0-9;]*m", "", errors)).strip()


def failures(cells: list[dict], allowed=lambda cell: False) -> list[str]:
    """Errors and stderr in the cells (but those allowed), one line each."""
    found = []
    for index, cell in enumerate(cells):
        for output in cell.get("outputs", []):
            if (output["output_type"] == "error" or output.get("name") == "stderr") and not allowed(cell):
                found.append(f"cell {index}: {output.get('ename') or output.get('text', '')[:200]}")
    return found


def widgets(page: Page):
    """The output areas that hold an explorer (a slider, a picture and a label)."""
    areas = page.locator(".jp-OutputArea-output:has(.widget-slider)")
    assert areas.count() > 0, "no widget was displayed"
    assert page.get_by_text("Error displaying widget").count() == 0
    return [areas.nth(i) for i in range(areas.count())]


def move_every_slider(area) -> None:
    """From the keyboard alone: Tab from control to control, each slider one step with an arrow key (back if
    it is at its end); the label and the picture must change every time."""
    image, label = area.locator("img").first, area.locator(".widget-html-content").last
    handles = area.locator(".noUi-handle")
    assert handles.count() > 0
    handles.first.focus()
    for i in range(handles.count()):
        handle = handles.nth(i)
        tab_to(area, handle)
        text, picture = label.inner_html(), image.get_attribute("src")
        at_end = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        area.page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
        deadline = time.monotonic() + 10
        while label.inner_html() == text or image.get_attribute("src") == picture:
            assert time.monotonic() < deadline, f"slider {i}: label or picture did not change"
            time.sleep(0.1)


def tab_to(area, control) -> None:
    """Press Tab until the control has the focus (at most 8 presses: a slider's readout, a text box between)."""
    for _ in range(8):
        if control.evaluate("c => c === document.activeElement"):
            return
        area.page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {control.evaluate('c => c.outerHTML.slice(0, 120)')}")


CONTROL = re.compile(r"^\s*- '?(slider|button|combobox|textbox|img|progressbar)( \"[^\"]+\")?", re.MULTILINE)


def speaks(area) -> None:
    """What a screen reader gets: every control and picture named (the page's accessibility tree), each slider's
    value as its readout shows it, the picture's alt text, a progress bar with its role; the stale line hidden
    while the kernel is live."""
    controls = CONTROL.findall(area.aria_snapshot())
    assert controls and all(name for _, name in controls), f"unnamed: {[role for role, name in controls if not name]}"
    for row in area.locator(".widget-slider").all():
        name, readout = row.locator(".widget-label").inner_text(), row.locator(".widget-readout").inner_text()
        slider = row.get_by_role("slider", name=name, exact=True)
        assert slider.get_attribute("aria-valuetext") == readout, (name, readout)
    assert len(area.get_by_role("img").first.get_attribute("alt")) > 60
    for bar in area.locator(".widget-progress").all():
        assert bar.get_by_role("progressbar").get_attribute("aria-valuenow") is not None
    assert not area.locator(".gradlab-revive").is_visible()


LATENCY = """a => {  // keydown on the first slider's handle to the picture's new src, timed in the page
  const img = a.querySelector('img'), handle = a.querySelector('.noUi-handle');
  a.latency = [];
  let pressed = 0;
  handle.addEventListener('keydown', () => { pressed = performance.now(); }, {capture: true});
  new MutationObserver(() => { if (pressed) { a.latency.push(performance.now() - pressed); pressed = 0; } })
    .observe(img, {attributes: true, attributeFilter: ['src']});
}"""


def report_latency(chapter: str, area, moves: int = 20) -> None:
    """Print the time from a key press on the first slider to the new picture (timed in the page), median
    and 95th percentile over `moves` presses (right, left, right, ...), each once the kernel is idle again
    and 0.1 s has passed, as a student's presses come: for the log, not an assertion.

        GRADLAB_LATENCY=1 .venv/bin/python -m pytest -rP tests/test_browser.py -k chapter_runs
    """
    area.evaluate(LATENCY)
    handle = area.locator(".noUi-handle").first
    handle.focus()
    for i in range(moves):
        handle.press("ArrowLeft" if i % 2 else "ArrowRight")
        deadline = time.monotonic() + 10
        while area.evaluate("a => a.latency.length") <= i:
            assert time.monotonic() < deadline, "a key press brought no new picture"
            time.sleep(0.005)
        area.page.wait_for_function(f"() => {KERNEL}?.status === 'idle'")
        time.sleep(0.1)
    times = sorted(area.evaluate("a => a.latency"))
    print(f"key press to new picture, {chapter}: median {times[len(times) // 2]:.0f} ms, "
          f"p95 {times[int(0.95 * (len(times) - 1))]:.0f} ms over {moves} presses")


def press_train(area) -> None:
    """If the widget has a Train button, double-click it: the progress bar must fill and the picture change,
    once (a second run would empty the bar again). Then train once more from the keyboard alone.

    The widget sends its last picture before it fills the bar and enables the button again, so a full
    bar, an enabled button and a new picture mean training has finished and been drawn.
    """
    button = area.get_by_role("button", name="Train", exact=True)
    if button.count() == 0:
        return
    image, bar = area.locator("img").first, area.locator(".progress-bar").first

    def trains(press) -> None:
        picture = image.get_attribute("src")
        press()
        deadline = time.monotonic() + TRAIN_TIMEOUT
        while (bar.evaluate("bar => bar.style.width") != "100%" or button.is_disabled()
               or image.get_attribute("src") == picture):
            assert time.monotonic() < deadline, "Train: the progress bar did not fill or the picture did not change"
            time.sleep(0.1)

    trains(button.dblclick)
    settled = time.monotonic() + 1
    while time.monotonic() < settled:  # the double-click's second click must not start another run
        assert bar.evaluate("bar => bar.style.width") == "100%" and not button.is_disabled(), "Train ran twice"
        time.sleep(0.05)
    area.locator(".noUi-handle").first.press("ArrowRight")   # new settings, then Tab to Train and press Enter
    trains(lambda: (tab_to(area, button), area.page.keyboard.press("Enter")))


@pytest.mark.parametrize("chapter", CHAPTER_IDS)
def test_chapter_runs_and_its_widget_responds(lab, page, chapter):
    cells = run_all(page, *lab, f"solutions/{chapter}/{notebook_path(SOLUTIONS, chapter).name}")
    assert not failures(cells)
    assert page.evaluate(f"() => {KERNEL}.commsOverSubshells") == "disabled"  # the student's setting holds
    for area in widgets(page):
        assert "press Train" not in area.locator(".widget-html-content").last.inner_text()  # a fresh explorer
        speaks(area)
        fits(area)
        move_every_slider(area)
        if os.environ.get("GRADLAB_LATENCY") == "1":  # a measurement, not a test: make test does not pay for it
            report_latency(chapter, area)
        press_train(area)
        speaks(area)
    errors = callback_errors(page)
    assert not errors, errors
    page.set_viewport_size({"width": 800, "height": 1000})
    for area in widgets(page):
        fits(area)
    if chapter == CHAPTER_IDS[1]:
        sharpened_on_a_dense_screen(page)


def sharpened_on_a_dense_screen(page: Page) -> None:
    """The window moves to a screen of 2 pixels per CSS pixel: once the slider is still, the picture is drawn
    again at twice the pixels, shown at the same size (natural width twice the width on the page)."""
    page.context.new_cdp_session(page).send("Emulation.setDeviceMetricsOverride", {
        "width": 1400, "height": 1000, "deviceScaleFactor": 2, "mobile": False})
    (area,) = widgets(page)
    move_every_slider(area)
    page.wait_for_function("a => a.querySelector('img').naturalWidth === 2 * a.querySelector('img').width",
                           arg=area.element_handle(), timeout=10_000)
    if os.environ.get("GRADLAB_LATENCY") == "1":
        report_latency(f"{CHAPTER_IDS[1]} at 2 pixels per CSS pixel", area)


CLIPPED = """a => [...a.querySelectorAll('.widget-box, .widget-label, .widget-readout, .widget-button, .widget-html-content')]
  .filter(e => e.scrollWidth > e.clientWidth + 1)
  .map(e => `${e.className.split(' ').pop()} "${e.innerText.slice(0, 40)}": ${e.scrollWidth} px in ${e.clientWidth}`)"""


def fits(area) -> None:
    """At this window's width: every slider track usable (at least 100 px), no box, label, readout, button
    or text cut off sideways."""
    area.scroll_into_view_if_needed()
    for track in area.locator(".noUi-target").all():
        assert track.bounding_box()["width"] >= 100, "a slider track narrower than 100 px"
    clipped = area.evaluate(CLIPPED)
    assert not clipped, f"cut off at {area.page.viewport_size['width']} px: {clipped}"


def test_student_version_widget_works_before_any_exercise(student_lab, page):
    chapter = CHAPTER_IDS[0]
    cells = run_all(page, *student_lab, f"{chapter}/{notebook_path(CHAPTERS, chapter).name}")
    exercise = lambda cell: "nbgrader" in cell.get("metadata", {})
    assert not failures(cells, allowed=exercise)
    assert failures(cells), "the stubs should fail their tests"
    for area in widgets(page):
        move_every_slider(area)
        press_train(area)
    assert not callback_errors(page)
    restarted_says_stale(page)
    reopened_with_pictures(page)   # saved after the restart


def restarted_says_stale(page: Page) -> None:
    """After a kernel restart each explorer keeps its picture, says it is stale and how to revive it, and
    greys its sliders."""
    page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart()")
    for area in widgets(page):
        area.locator(".gradlab-revive").wait_for(state="visible", timeout=30_000)
        assert "run the cell again" in area.locator(".gradlab-revive").inner_text().lower()
        assert area.locator(".widget-slider").first.evaluate("s => getComputedStyle(s).opacity") == "0.5"
        assert area.locator("img").first.get_attribute("src").startswith("blob:")


def reopened_with_pictures(page: Page) -> None:
    """Save, shut the kernel down and open the notebook again, as a student does the next day: each widget
    shows its last picture and the line on making it live again, not "Error displaying widget". Saved while
    live, the widget itself comes back (its saved state); saved after a restart, its static picture
    (gradlab.labserver.keep_pictures)."""
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=30_000)
    page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
    page.reload()
    page.wait_for_function("() => window.jupyterapp?.shell.currentWidget?.content?.widgets?.length > 0", timeout=60_000)
    page.get_by_text("run the cell again to make the controls live").first.wait_for(timeout=30_000)
    assert page.get_by_text("Error displaying widget").count() == 0
    explorer = page.locator(".jp-OutputArea:has-text('make the controls live')").first
    picture = explorer.locator("img").first
    assert (picture.get_attribute("src") or "").startswith(("blob:", "data:image/png"))
    assert picture.evaluate("img => img.complete && img.naturalWidth > 0")


def test_the_students_lab_has_no_instructor_tools_and_no_news_prompt(student_lab, page):
    chapter = CHAPTER_IDS[1]
    run_all(page, *student_lab, f"{chapter}/{notebook_path(CHAPTERS, chapter).name}")
    menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    assert "Kernel" in menus and "Nbgrader" not in menus, menus
    assert page.get_by_text("Validate", exact=True).count() >= 1   # nbgrader's Validate button stays
    assert page.get_by_text("official Jupyter news").count() == 0
    reopened_with_pictures(page)   # saved while the kernel is live


def test_formgrader_loads(lab, page):
    base, token = lab
    page.goto(f"{base}/formgrader?token={token}")
    page.get_by_text(CHAPTER_IDS[0]).first.wait_for(timeout=30_000)
