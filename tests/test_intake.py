"""python -m grader collect: Canvas and Moodle downloads and students' `make submit` archives into submitted/.

The samples are written member by member in the naming each LMS documents in its source (grader/intake.py's
docstring); the `make submit` archives are made by the students' own command."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from course import CHAPTER_IDS, CHAPTERS, ROOT, notebook_path

from gradlab import workspace

FIRST = CHAPTER_IDS[0]
NB1 = notebook_path(CHAPTERS, FIRST).name
STEM1 = NB1.removesuffix(".ipynb")
ROSTER = """student,name,canvas_id,email
alice,"Smith, Alice",101,alice@uni.example
bob,Bob Jones,102,bob@uni.example
carol,Carol Doe,103,carol@uni.example
"""
WORKSHEET = """Identifier,Full name,Email address,Status,Grade
Participant 880001,Alice Smith,alice@uni.example,Submitted for grading,
Participant 880002,Robert Jones,bob@uni.example,Submitted for grading,
"""
EARLY, LATE = (2026, 11, 2, 9, 0, 0), (2026, 11, 3, 9, 0, 0)


def notebook(text: str) -> bytes:
    """A chapter notebook as a student hands it in, marked so a test can tell copies apart."""
    nb = json.loads(notebook_path(CHAPTERS, FIRST).read_text())
    nb["cells"].insert(0, {"cell_type": "markdown", "metadata": {}, "source": text})
    return json.dumps(nb).encode()


def archive(path: Path, members: dict[str, bytes], when: tuple = LATE) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, when)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return path


def make_submit(tmp_path: Path, student: str) -> bytes:
    """The archive `make submit STUDENT=student` writes from a fresh workspace."""
    mine = tmp_path / f"workspace-{student}"
    workspace.sync(CHAPTERS, mine)
    made, _ = workspace.submit(student, mine, tmp_path / f"submission-{student}.zip", check=False)
    return made.read_bytes()


def collect(tmp_path: Path, *archives: Path, extra: tuple = ()) -> subprocess.CompletedProcess:
    (tmp_path / "roster.csv").write_text(ROSTER)
    return subprocess.run([sys.executable, "-m", "grader", "collect", *map(str, archives), "--roster",
                           str(tmp_path / "roster.csv"), "--submitted", str(tmp_path / "submitted"), *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def placed(tmp_path: Path) -> dict[str, bytes]:
    root = tmp_path / "submitted"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.ipynb"))}


def test_a_canvas_download_is_placed_by_canvas_id(tmp_path):
    canvas = archive(tmp_path / "canvas.zip", {
        f"smithalice_101_5001_{NB1}": notebook("alice"),
        f"jonesbob_LATE_102_5002_{STEM1}-1.ipynb": notebook("bob"),         # re-uploaded, late
        "doecarol_103_5003_submission-carol.zip": make_submit(tmp_path, "carol"),  # her own archive
        f"anon_Xy7Qk_5004_{NB1}": notebook("anonymous"),
        f"strangerjoe_999_5005_{NB1}": notebook("stranger"),
        "smithalice_101_5006_notes.pdf": b"%PDF-1.4",
        "doecarol_103_text.html": b"<p>see attached</p>",
    })
    run = collect(tmp_path, canvas)
    assert run.returncode == 1, run.stderr
    assert placed(tmp_path).keys() == {f"alice/{FIRST}/{NB1}", f"bob/{FIRST}/{NB1}",
                                       *(f"carol/{c}/{notebook_path(CHAPTERS, c).name}" for c in CHAPTER_IDS)}
    assert b"alice" in placed(tmp_path)[f"alice/{FIRST}/{NB1}"]
    out = run.stdout
    assert "anonymous grading hides the student" in out and "no roster student has canvas_id 999" in out
    assert "notes.pdf: not a notebook" in out and "doecarol_103_text.html: cannot place it" in out
    assert (tmp_path / "submitted" / "alice" / FIRST / "timestamp.txt").read_text() == "2026-11-03 09:00:00\n"


def test_a_moodle_download_is_placed_by_name_or_by_the_worksheet(tmp_path):
    moodle = archive(tmp_path / "moodle.zip", {
        f"Alice Smith_880001_assignsubmission_file/{NB1}": notebook("alice"),        # in folders
        f"Robert Jones_880002_assignsubmission_file_{STEM1} (1).ipynb": notebook("bob"),  # flat, a copy's name
        "Carol Doe_880003_assignsubmission_onlinetext/onlinetext.html": b"<p>hi</p>",
        f"Erin Nobody_880004_assignsubmission_file/{NB1}": notebook("erin"),
    })
    by_name = collect(tmp_path, moodle)
    assert placed(tmp_path).keys() == {f"alice/{FIRST}/{NB1}"}  # "Smith, Alice" is Alice Smith
    assert "no roster student is named 'Robert Jones'" in by_name.stdout
    assert "onlinetext.html: not a notebook" in by_name.stdout and "'Erin Nobody'" in by_name.stdout
    (tmp_path / "worksheet.csv").write_text(WORKSHEET)
    by_worksheet = collect(tmp_path, moodle, extra=("--moodle-worksheet", str(tmp_path / "worksheet.csv")))
    assert placed(tmp_path).keys() == {f"alice/{FIRST}/{NB1}", f"bob/{FIRST}/{NB1}"}
    assert f"alice {FIRST}: unchanged" in by_worksheet.stdout


def test_make_submit_archives_go_in_as_they_are_and_the_newest_copy_wins(tmp_path):
    first = make_submit(tmp_path, "alice")
    old = archive(tmp_path / "old.zip", {f"alice/{FIRST}/{NB1}": notebook("first try")}, EARLY)
    new = archive(tmp_path / "new.zip", {f"alice/{FIRST}/{NB1}": notebook("second try"),
                                         f"zed/{FIRST}/{NB1}": notebook("not enrolled")})
    (tmp_path / "submission-alice.zip").write_bytes(first)
    run = collect(tmp_path, new, old)  # the command line's order does not matter: the stored times do
    assert b"second try" in placed(tmp_path)[f"alice/{FIRST}/{NB1}"]
    assert f"alice {FIRST}: handed in more than once; kept new.zip: alice/{FIRST}/{NB1}, not old.zip" in run.stdout
    assert "student 'zed' is not on the roster" in run.stdout


def test_a_submission_already_there_is_replaced_only_by_a_newer_one_and_kept(tmp_path):
    collect(tmp_path, archive(tmp_path / "a.zip", {f"bob/{FIRST}/{NB1}": notebook("monday")}, EARLY))
    older = collect(tmp_path, archive(tmp_path / "b.zip", {f"bob/{FIRST}/{NB1}": notebook("sunday")}, (2026, 11, 1, 9, 0, 0)))
    assert b"monday" in placed(tmp_path)[f"bob/{FIRST}/{NB1}"] and "kept what is in" in older.stdout
    newer = collect(tmp_path, archive(tmp_path / "c.zip", {f"bob/{FIRST}/{NB1}": notebook("tuesday")}))
    assert b"tuesday" in placed(tmp_path)[f"bob/{FIRST}/{NB1}"] and "replaced by c.zip" in newer.stdout
    (kept,) = (tmp_path / "replaced").glob(f"*/bob/{FIRST}/{NB1}")
    assert b"monday" in kept.read_bytes()
    hand_placed = tmp_path / "submitted" / "carol" / FIRST
    hand_placed.mkdir(parents=True)
    (hand_placed / NB1).write_bytes(notebook("by hand"))
    unknown = collect(tmp_path, archive(tmp_path / "d.zip", {f"carol/{FIRST}/{NB1}": notebook("zip")}))
    assert b"by hand" in (hand_placed / NB1).read_bytes() and "its time unknown" in unknown.stdout


def test_bad_archives_are_named_and_hurt_no_one_else(tmp_path):
    (tmp_path / "not-a-zip.zip").write_text("hello")
    inner = archive(tmp_path / "inner.zip", {"deeper.zip": b"PK", "__MACOSX/._notes": b"",
                                              f"carol/{FIRST}/{NB1}": notebook("carol")})
    members = {f"alice/{FIRST}/{NB1}": notebook("fine"), f"../../{NB1}": notebook("slip"),
               f"/etc/{NB1}": notebook("absolute"), "doecarol_103_5003_nested.zip": inner.read_bytes()}
    bad = archive(tmp_path / "bad.zip", members)
    dateless = archive(tmp_path / "dateless.zip", {f"bob/{FIRST}/{NB1}": notebook("no date")}, (2026, 0, 0, 0, 0, 0))
    run = collect(tmp_path, tmp_path / "not-a-zip.zip", bad, tmp_path / "missing.zip", dateless)
    assert run.returncode == 1, run.stderr
    assert placed(tmp_path).keys() == {f"alice/{FIRST}/{NB1}", f"carol/{FIRST}/{NB1}", f"bob/{FIRST}/{NB1}"}
    assert "._notes: not a notebook" in run.stdout  # a stray file costs only itself
    assert "not-a-zip.zip: not a zip archive" in run.stdout and "missing.zip: not a zip archive" in run.stdout
    assert run.stdout.count("a path that leaves the archive; refused") == 2
    assert "deeper.zip: an archive inside the student's archive; refused" in run.stdout
    assert not list(tmp_path.parent.glob(NB1)) and not (tmp_path.parent.parent / NB1).exists()


def test_an_oversized_member_is_refused_whatever_the_archive_claims(tmp_path):
    from grader.intake import Intake, members

    path = archive(tmp_path / "big.zip", {f"alice/{FIRST}/{NB1}": b" " * (3 << 20)})
    intake = Intake(None, {STEM1: FIRST}, max_mb=1)
    intake.read(path)
    assert not intake.newest and intake.problems == [f"big.zip: alice/{FIRST}/{NB1}: more than 1 MB unpacked; refused"]
    with zipfile.ZipFile(path) as z:
        z.infolist()[0].file_size = 10  # a directory that lies: unpacking stops and says so
        ((_, refused),) = members(z, 1 << 20, "big.zip")
    assert "cannot be unpacked" in str(refused)


@pytest.mark.parametrize("roster", ["name\nalice\n", "student\nalice\nalice\n"])
def test_a_bad_roster_is_refused_with_the_reason(tmp_path, roster):
    (tmp_path / "r.csv").write_text(roster)
    run = subprocess.run([sys.executable, "-m", "grader", "collect", "x.zip", "--roster", str(tmp_path / "r.csv")],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and ("no `student` column" in run.stderr or "listed twice" in run.stderr)


def test_a_students_archive_unpacks_to_a_few_notebooks_at_most(tmp_path):
    from grader.intake import Intake, Roster

    inner = archive(tmp_path / "inner.zip", {f"carol/{FIRST}/copy{k}.ipynb": b" " * (900 << 10) for k in range(6)})
    outer = archive(tmp_path / "canvas.zip", {"doecarol_103_5003_submission-carol.zip": inner.read_bytes()})
    intake = Intake(Roster([{"student": "carol", "canvas_id": "103"}]), {STEM1: FIRST}, max_mb=1)
    intake.read(outer)
    assert intake.problems == [f"canvas.zip: doecarol_103_5003_submission-carol.zip: carol/{FIRST}/copy5.ipynb: not read, "
                               f"the archive unpacks to more than 4 MB"]
