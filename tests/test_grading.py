"""End-to-end grading: the corpus (tests/corpus.py) graded by the real command, `python -m grader`.

One run (tests/graded_class.py) grades the whole class in parallel sandboxes into a throwaway output folder; each case
is then checked against its expected score (from the gradebook, through nbgrader's API), its
reported problem and its integrity flag. Then the instructor's files (grades.csv, feedback,
report) and the gradebook's stability: regrading one student, and re-running a killed run.
"""
from __future__ import annotations

import csv
import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import corpus
import pytest
from course import CHAPTER_IDS, GRADER, HIDDEN, ROOT, SOLUTIONS, is_answer, is_test, notebook_path, read
from graded_class import GRADED_CLASS, REGRADES, grader
from nbgrader.api import Gradebook

from grader import COURSE_ID
from grader.grade import Outcome
from grader.report import GUARDED, class_mistakes, mistakes_section

CASES = corpus.class_cases() + corpus.adversarial_cases([], 0)  # secrets and port only shape the code


@pytest.fixture(scope="module")
def run(request) -> dict:
    """The class graded once (started by conftest.py at collection, while other tests run)."""
    return request.config.stash[GRADED_CLASS].result()


def scores(output: Path) -> dict[tuple[str, str], float]:
    with Gradebook(f"sqlite:///{output / 'gradebook.db'}", COURSE_ID) as gb:
        return {(s.student.id, s.assignment.name): s.score for a in gb.assignments for s in a.submissions}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.student}-{c.chapter[:2]}")
def test_case_is_graded_as_expected(run, case):
    result = run["results"][(case.student, case.chapter)]
    if case.score is not None:
        expected = case.score(corpus.Chapter(case.chapter))
        assert scores(run["output"])[(case.student, case.chapter)] == expected, result
    for reported, expected in ((result["problems"], case.problems), (result["flags"], case.flags),
                               (result["findings"], case.findings)):
        assert all(any(text in item for item in reported) for text in expected), reported
        assert reported if expected else not reported, reported


@pytest.mark.parametrize("chapter", CHAPTER_IDS)
def test_the_student_version_fails_every_test_and_runs_every_demo(run, chapter):
    """Graded untouched, the release's stubs fail each test cell, and every other cell runs
    without error or stderr (demos never depend on a student's answer)."""
    (notebook,) = (run["output"] / "autograded" / "untouched" / chapter).glob("*.ipynb")
    nb = read(notebook)
    tests = [c for c in nb.cells if is_test(c)]
    assert len(tests) >= 4 and all(any(o.output_type == "error" for o in c.outputs) for c in tests)  # 4+ exercises each
    broken = [f"cell {i}: {o.get('ename') or o.get('text', '')[:200]}"
              for i, c in enumerate(nb.cells) if c.cell_type == "code" and not (is_answer(c) or is_test(c))
              for o in c.outputs if o.output_type == "error" or o.get("name") == "stderr"]
    assert not broken, "demo cells failed before any exercise was solved:\n" + "\n".join(broken)


def test_summary_table_counts_students_notebooks_failures_and_flags(run):
    summary = run["summary"]
    problems = sum(bool(r["problems"]) for r in run["results"].values())
    flagged = sum(bool(r["flags"]) for r in run["results"].values())
    guarded = sum(bool(r["findings"]) for r in run["results"].values())
    students = len({student for student, _ in run["results"]})
    assert f"Graded {len(run['results'])} notebooks" in summary
    total = next(line for line in summary.splitlines() if line.startswith("all "))
    assert total.split() == ["all", str(students), str(problems), str(flagged), str(guarded)]


def hidden_lines(chapter: str) -> list[str]:
    """The lines of the chapter's hidden tests (what no student may see)."""
    solution = read(notebook_path(SOLUTIONS, chapter))
    return [line.strip() for cell in solution.cells if is_test(cell)
            for line in cell.source.partition(HIDDEN)[2].partition("### END HIDDEN TESTS")[0].splitlines() if line.strip()]


@pytest.mark.parametrize("chapter", CHAPTER_IDS)
def test_no_feedback_page_or_kernel_output_shows_a_hidden_test(run, chapter):
    """Feedback pages show hidden tests' outcomes, not their source; and nothing a student's code printed
    while it was graded (the corpus prints IPython's history and linecache) holds a hidden test."""
    secret = hidden_lines(chapter)
    assert secret
    for page in (run["output"] / "feedback").glob(f"*/{chapter}/*.html"):
        text = html.unescape(page.read_text(encoding="utf-8"))
        assert not [line for line in secret if line in text], page
    for notebook in (run["output"] / "autograded").glob(f"*/{chapter}/*.ipynb"):
        printed = "".join(o.get("text", "") for c in read(notebook).cells if not is_test(c) for o in c.get("outputs", []))
        assert not [line for line in secret if line in printed], notebook


def test_grades_csv_is_nbgraders_export_of_the_gradebook(run):
    with open(run["output"] / "grades.csv", newline="") as handle:
        rows = {(r["student_id"], r["assignment"]): float(r["score"]) for r in csv.DictReader(handle)}
    graded = scores(run["output"])
    assert {key: rows[key] for key in graded} == graded
    assert all(score == 0 for key, score in rows.items() if key not in graded)  # nothing submitted


def export(output: Path, roster: str) -> subprocess.CompletedProcess:
    (output / "roster.csv").write_text(roster, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "grader", "export", "--roster", str(output / "roster.csv"),
                           "--output", str(output)], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_export_writes_canvas_and_moodle_imports(run, tmp_path):
    """The documented import columns, one row per roster student, the gradebook's points (as nbgrader's own
    export has them); a chapter with no submission is blank; graded students not on the roster are named."""
    shutil.copy(run["output"] / "gradebook.db", tmp_path / "gradebook.db")
    roster = ("\ufeffstudent,name,canvas_id,sis_user_id,sis_login_id,section,email\n"  # as a spreadsheet saves it
              "reference,\"Ref, Erin\",101,S1,erin,A,erin@example.org\none_wrong,Wong Una,102,S2,una,B,una@example.org\n"
              "absent,Abe Sent,103,S3,abe,A,abe@example.org\n")
    result = export(tmp_path, roster)
    assert result.returncode == 0, result.stderr
    assert "untouched: graded, but not on the roster" in result.stdout
    with open(run["output"] / "grades.csv", newline="") as handle:
        nbgrader = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(handle)}
    with open(tmp_path / "grades-canvas.csv", newline="") as handle:
        canvas = list(csv.reader(handle))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *CHAPTER_IDS]
    assert canvas[1][0] == "Points Possible" and [float(p) for p in canvas[1][5:]] == [
        float(nbgrader["reference", chapter]["max_score"]) for chapter in CHAPTER_IDS]
    assert [row[:5] for row in canvas[2:]] == [["Ref, Erin", "101", "S1", "erin", "A"], ["Wong Una", "102", "S2", "una", "B"],
                                              ["Abe Sent", "103", "S3", "abe", "A"]]
    for row, student in zip(canvas[2:4], ["reference", "one_wrong"]):
        assert [float(p) for p in row[5:]] == [float(nbgrader[student, chapter]["score"]) for chapter in CHAPTER_IDS]
    assert canvas[4][5:] == [""] * len(CHAPTER_IDS)
    with open(tmp_path / "grades-moodle.csv", newline="") as handle:
        moodle = list(csv.reader(handle))
    assert moodle[0] == ["Email address", *CHAPTER_IDS]
    assert [row[0] for row in moodle[1:]] == ["erin@example.org", "una@example.org", "abe@example.org"]
    assert [row[1:] for row in moodle[1:]] == [row[5:] for row in canvas[2:]]


def test_export_explains_a_bad_roster(run, tmp_path):
    shutil.copy(run["output"] / "gradebook.db", tmp_path / "gradebook.db")
    result = export(tmp_path, "id,name\nann,Ann\n")
    assert result.returncode == 2 and "no `student` column" in result.stderr
    result = export(tmp_path, "student\nann\nann\n")
    assert result.returncode == 2 and "'ann' is listed twice" in result.stderr


def test_every_graded_notebook_has_feedback(run):
    pictures = 0
    for (student, chapter), result in run["results"].items():
        if any("scores 0" in p for p in result["problems"]):
            continue
        (page,) = (run["output"] / "feedback" / student / chapter).glob("*.html")
        text = page.read_text(encoding="utf-8")
        assert "(Score:" in text and text.rstrip().endswith("</html>")
        images = re.findall(r"<img\b[^>]*>", text)  # every picture named for screen readers
        assert all(re.search(r"\salt=\"[^\"]+\"", image) for image in images), [i[:80] for i in images]
        pictures += len(images)
    assert pictures, "the chapters' plots are in the feedback"


def test_the_report_counts_the_class_mistakes(run):
    """Each chapter's one_wrong student made one diagnosed mistake: results.json holds its message, and the
    report lists its hint under the test cell, with the student one click away; the reference fails nothing."""
    page = (run["output"] / "report" / "index.html").read_text()
    assert "<h2>What the class gets wrong</h2>" in page
    for chapter in CHAPTER_IDS:
        assert run["results"][("reference", chapter)]["failures"] == {}
        ((test, message),) = run["results"][("one_wrong", chapter)]["failures"].items()
        hint = message.split("Likely mistake: ")[1].splitlines()[0]
        section = page.split(f"<h3>{html.escape(chapter)} · {html.escape(test)}</h3>")[1].split("<h3>")[0]
        assert f"<li>{html.escape(hint)}: <details>" in section and "one_wrong" in section


def test_mistakes_are_grouped_by_hint_and_by_message():
    wrong = "f(x=2.0): expected 8, got 4\nLikely mistake: forgot the factor 2"
    outcomes = [Outcome("ann", "01", failures={"t1": wrong}), Outcome("bob", "01", failures={"t1": wrong}),
                Outcome("cy", "01", failures={"t1": "f(x=1.0): expected 3, got 7"}),
                Outcome("dee", "01", failures={"t1": "f(x=5.5): expected 1e-3, got 2"}), Outcome("eve", "01"),
                Outcome("fay", "01", failures={"t1": "dh1_dx(x=[-2., 1.]) returned None"}),
                Outcome("gil", "01", failures={"t1": "IntegrityError: this test scores 0: cell 3 ..."})]
    ((cell, (diagnosed, other)),) = class_mistakes(outcomes).items()
    assert cell == ("01", "t1") and diagnosed == {"forgot the factor 2": ["ann", "bob"]}
    assert other == {"f(x=#): expected #, got #": ["cy", "dee"], "dh1_dx(x=[#, #]) returned None": ["fay"],
                     GUARDED: ["gil"]}
    section = mistakes_section(outcomes)
    assert "forgot the factor 2: <details><summary>2 students</summary>ann, bob" in section
    assert "<summary>1 student</summary>fay" in section


def test_report_page_shows_the_plot_problems_and_flags(run):
    page = (run["output"] / "report" / "index.html").read_text()
    assert (run["output"] / "report" / "scores.png").read_bytes().startswith(b"\x89PNG")
    for (student, _), result in run["results"].items():
        if result["problems"] or result["flags"]:
            assert f"<td>{student}</td>" in page
    assert "uses gradlab&#x27;s gradlab.numeric.forward_difference" in page


def test_huge_output_is_cut_in_the_graded_notebook(run):
    (notebook,) = (run["output"] / "autograded" / "runaway" / CHAPTER_IDS[0]).glob("*.ipynb")
    assert notebook.stat().st_size < 1_000_000


def test_a_killed_run_resumes_where_it_stopped_and_leaves_the_same_gradebook(request, run):
    """Two students graded again with --force in a copy of the class's output, killed after the first
    notebook, run again without --force (tests/graded_class.py): the re-run grades only the other one, and
    the gradebook and the report are the same as before."""
    resumed = request.config.stash[REGRADES]["resumed"].result()
    assert "Graded 1 notebooks" in resumed["summary"]
    assert "Skipped 1 notebooks graded before with the same content" in resumed["summary"]
    assert scores(resumed["output"]) == scores(run["output"])
    results = json.loads((resumed["output"] / "report" / "results.json").read_text())
    assert {(r["student"], r["chapter"]): r["score"] for r in results} == \
        {key: r["score"] for key, r in run["results"].items()}


def test_the_ledger_knows_a_submission_by_its_content(tmp_path):
    from grader.ledger import Ledger, submission_digest

    folder = tmp_path / "alice" / CHAPTER_IDS[0]
    folder.mkdir(parents=True)
    (folder / "a.ipynb").write_text("{}")
    before = submission_digest(folder, "grading")
    ledger = Ledger(tmp_path / "graded.jsonl")
    ledger.record("alice", CHAPTER_IDS[0], before, Outcome("alice", CHAPTER_IDS[0], score=3))
    with open(tmp_path / "graded.jsonl", "a") as handle:
        handle.write('{"key": "bob/01", "dig')  # a run killed while writing
    again = Ledger(tmp_path / "graded.jsonl")
    assert again.done("alice", CHAPTER_IDS[0], before)["score"] == 3
    assert submission_digest(folder, "grading, another release") != before
    (folder / "a.ipynb").write_text('{"cells": []}')
    assert again.done("alice", CHAPTER_IDS[0], submission_digest(folder, "grading")) is None
    again.record("alice", CHAPTER_IDS[0], None)  # what --force writes first
    assert Ledger(tmp_path / "graded.jsonl").done("alice", CHAPTER_IDS[0], before) is None


def test_the_grader_explains_what_it_needs(tmp_path):
    process = grader("--submitted", str(tmp_path), "--output", str(tmp_path / "out"))
    out, err = process.communicate(timeout=120)
    assert process.returncode == 1 and "no submissions under" in err
    help_text = subprocess.run([sys.executable, "-m", "grader", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert "--workers" in help_text.stdout and "--no-sandbox" in help_text.stdout
    assert GRADER.joinpath("__main__.py").is_file()
