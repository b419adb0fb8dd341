"""Grades for a learning management system: Canvas's and Moodle's grade-import CSV files, from the gradebook
and the instructor's roster.

    python -m grader export --roster roster.csv [--output course]

roster.csv has one row per student: `student` is the id in submitted/ and the gradebook; the other columns
are the LMS's own, copied into its file (Canvas: `name`, `canvas_id`, `sis_user_id`, `sis_login_id`,
`section`; Moodle: `email`); other columns are ignored.

- Canvas (Grades › Import): columns Student, ID, SIS User ID, SIS Login ID, Section, then one per chapter,
  named as the chapter (Canvas creates an assignment for a new column); the second row, "Points Possible",
  gives each chapter's points.
- Moodle (Grades › Import › CSV file): Email address, then one column per chapter; on import, map users
  from "Email address" to "Email address" and each chapter column to its grade item.

A student with no graded submission for a chapter gets an empty cell, which both leave unchanged.
"""
from __future__ import annotations

import csv
from pathlib import Path

CANVAS_IDENTITY = {"Student": "name", "ID": "canvas_id", "SIS User ID": "sis_user_id",
                   "SIS Login ID": "sis_login_id", "Section": "section"}
MOODLE_IDENTITY = {"Email address": "email"}

Totals = dict[str, dict[str, float]]  # student -> chapter -> points


def read_roster(path: Path) -> list[dict[str, str]]:
    """The roster's rows; ValueError naming what is wrong (no `student` column, a student listed twice)."""
    with open(path, newline="", encoding="utf-8-sig") as handle:  # a spreadsheet's byte-order mark is no column
        rows = list(csv.DictReader(handle))
    if rows and "student" not in rows[0]:
        raise ValueError(f"{path}: no `student` column (the id in submitted/); columns: {', '.join(rows[0])}")
    seen: set[str] = set()
    for row in rows:
        if row["student"] in seen:
            raise ValueError(f"{path}: student {row['student']!r} is listed twice")
        seen.add(row["student"])
    return rows


def totals(gradebook: Path) -> tuple[Totals, dict[str, float]]:
    """Each student's points per chapter, and each chapter's maximum, from nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    from grader import COURSE_ID
    from grader.gradebook import url

    points: Totals = {}
    with Gradebook(url(gradebook), COURSE_ID) as gb:
        maxima = {assignment.name: assignment.max_score for assignment in gb.assignments}
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                points.setdefault(submission.student.id, {})[assignment.name] = submission.score
    return points, maxima


def table(roster: list[dict[str, str]], points: Totals, chapters: list[str], identity: dict[str, str]) -> list[list[str]]:
    """Header, then one row per roster student: identity columns from the roster, then points per chapter."""
    rows = [[*identity, *chapters]]
    for student in roster:
        mine = points.get(student["student"], {})
        rows.append([student.get(column, "") or "" for column in identity.values()]
                    + [f"{mine[chapter]:g}" if chapter in mine else "" for chapter in chapters])
    return rows


def export(gradebook: Path, roster_path: Path, output: Path) -> tuple[list[Path], list[str]]:
    """Write grades-canvas.csv and grades-moodle.csv into output; (the files, graded students not on the roster)."""
    roster = read_roster(roster_path)
    points, maxima = totals(gradebook)
    chapters = sorted(maxima)
    canvas = table(roster, points, chapters, CANVAS_IDENTITY)
    canvas.insert(1, ["Points Possible", "", "", "", "", *(f"{maxima[c]:g}" for c in chapters)])
    files = []
    for name, rows in (("grades-canvas.csv", canvas), ("grades-moodle.csv", table(roster, points, chapters, MOODLE_IDENTITY))):
        with open(output / name, "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
        files.append(output / name)
    listed = {row["student"] for row in roster}
    return files, sorted(student for student in points if student not in listed)
