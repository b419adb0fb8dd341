"""gradlab.workspace: the student's copies are made once and never overwritten, student mode is configured,
and `submit` validates and archives in the layout the grader reads."""
from __future__ import annotations

import json
import shutil
import zipfile

import nbformat
import pytest
from course import CHAPTER_IDS, CHAPTERS, notebook_path

from gradlab import labserver, workspace


@pytest.fixture
def releases(tmp_path):
    """A copy of two chapters' releases, to change as a course update would."""
    root = tmp_path / "chapters"
    for chapter in CHAPTER_IDS[:2]:
        shutil.copytree(CHAPTERS / chapter, root / chapter)
    return root


def test_sync_copies_once_and_never_overwrites(releases, tmp_path):
    mine = tmp_path / "workspace"
    messages = workspace.sync(releases, mine)
    assert [m for m in messages if m.startswith("new: ")] == [f"new: {chapter}/{notebook_path(releases, chapter).name}"
                                                              for chapter in CHAPTER_IDS[:2]]
    first = notebook_path(mine, CHAPTER_IDS[0])
    first.write_text(first.read_text().replace("raise NotImplementedError()", "return 42", 1))   # the student's work
    work = first.read_text()
    assert workspace.sync(releases, mine) == []
    assert first.read_text() == work


def test_an_update_keeps_the_students_copy_and_says_how_to_get_the_new_one(releases, tmp_path):
    mine = tmp_path / "workspace"
    workspace.sync(releases, mine)
    ours = notebook_path(mine, CHAPTER_IDS[0])
    before = ours.read_bytes()
    release = notebook_path(releases, CHAPTER_IDS[0])
    release.write_text(release.read_text().replace("Chapter 1", "Chapter One", 1))
    shutil.copytree(CHAPTERS / CHAPTER_IDS[2], releases / CHAPTER_IDS[2])     # a new chapter arrives
    messages = workspace.sync(releases, mine)
    assert ours.read_bytes() == before
    assert any(m.startswith(f"update: {CHAPTER_IDS[0]}/") and "your copy is kept" in m and "-mine.ipynb" in m
               for m in messages)
    assert any(m.startswith(f"new: {CHAPTER_IDS[2]}/") for m in messages)
    ours.rename(ours.with_name("mine.ipynb"))            # what the message advises
    workspace.sync(releases, mine)
    assert "Chapter One" in ours.read_text() and (ours.parent / "mine.ipynb").read_bytes() == before


def test_student_mode_hides_instructor_tools_but_keeps_validate(tmp_path):
    environment = workspace.student_mode(tmp_path)
    page = json.loads((environment["JUPYTER_CONFIG_DIR"] / "labconfig" / "page_config.json").read_text())
    assert "@jupyter/nbgrader:menu" in page["disabledExtensions"]
    assert "@jupyter/nbgrader:validate-assignment" not in page["disabledExtensions"]
    settings = environment["JUPYTERLAB_SETTINGS_DIR"]
    assert json.loads((settings / "@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings").read_text()) == {
        "saveState": True}
    server = json.loads((environment["JUPYTER_CONFIG_DIR"] / "jupyter_server_config.json").read_text())
    assert server == labserver.CONFIG
    news = settings / "@jupyterlab/apputils-extension/notification.jupyterlab-settings"
    news.write_text('{"fetchNews": "true"}')              # the student's own choice survives
    workspace.student_mode(tmp_path)
    assert json.loads(news.read_text()) == {"fetchNews": "true"}


def test_submit_archives_the_graders_layout_and_names_what_is_unfinished(releases, tmp_path):
    mine = tmp_path / "workspace"
    workspace.sync(releases, mine)
    archive, report = workspace.submit("jdoe", mine, tmp_path / "out.zip", check=False)
    with zipfile.ZipFile(archive) as z:
        assert sorted(z.namelist()) == sorted(f"jdoe/{chapter}/{notebook_path(releases, chapter).name}"
                                              for chapter in CHAPTER_IDS[:2])
    assert all("not yet answered: " in line for line in report)
    nb = nbformat.reads(zipfile.ZipFile(archive).read(f"jdoe/{CHAPTER_IDS[0]}/{notebook_path(releases, CHAPTER_IDS[0]).name}"),
                        as_version=4)
    assert workspace.unfinished(nb)[0] == "forward_difference"


def test_submit_runs_nbgraders_validator(tmp_path):
    mine = tmp_path / "workspace"
    chapter = CHAPTER_IDS[0]
    shutil.copytree(CHAPTERS / chapter, mine / chapter)
    _, report = workspace.submit("jdoe", mine, tmp_path / "out.zip")
    assert "test cell(s) fail" in report[0] and "not yet answered" in report[0]


@pytest.mark.parametrize("student", ["", "../x", "a b", "x" * 65])
def test_submit_refuses_an_unusable_student_id(student, tmp_path):
    with pytest.raises(ValueError, match="not a student id"):
        workspace.submit(student, tmp_path)


def test_submit_without_a_workspace_says_what_to_do(tmp_path):
    with pytest.raises(ValueError, match="run `make lab` first"):
        workspace.submit("jdoe", tmp_path)

