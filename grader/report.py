"""What the instructor reads after grading: a summary table, and a report page with the
per-exercise score distribution, the mistakes the class made, the submissions with problems, the
guard's findings and the flagged ones."""
from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

from grader.grade import Outcome


def summary_table(outcomes: list[Outcome], chapters: list[str], seconds: float, workers: int) -> str:
    def counts(mine: list[Outcome]) -> tuple[str, str, str]:
        return tuple(str(sum(bool(getattr(o, kind)) for o in mine)) for kind in ("problems", "flags", "findings"))

    rows = [("chapter", "students", "mean score", "failures", "flagged", "guard")]
    for chapter in chapters:
        mine = [o for o in outcomes if o.chapter == chapter]
        if mine:
            mean = sum(o.score for o in mine) / len(mine)
            rows.append((chapter, str(len(mine)), f"{mean:.1f} / {mine[0].max_score:g}", *counts(mine)))
    rows.append(("all", str(len({o.student for o in outcomes})), "", *counts(outcomes)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
             for row in rows]
    head = f"Graded {len(outcomes)} notebooks in {seconds:.0f} s with {workers} workers"
    return "\n".join([head, lines[0], "-" * len(lines[0]), *lines[1:]])


def plot_scores(scores: dict[str, dict[str, list[float]]], path: Path) -> None:
    """One bar per test cell: the share of submissions with full, partial and no marks."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cells = [(chapter, name, values) for chapter, tests in scores.items() for name, values in tests.items()]
    fig, ax = plt.subplots(figsize=(8, 0.28 * len(cells) + 1.2))
    labels, full, none = [], [], []
    for chapter, name, values in cells:
        labels.append(f"{chapter[:2]} {name}")
        full.append(sum(v == 1 for v in values) / max(len(values), 1))
        none.append(sum(v == 0 for v in values) / max(len(values), 1))
    partial = [1 - f - n for f, n in zip(full, none)]
    y = range(len(cells))
    ax.barh(y, full, color="#2a9d8f", label="full marks")
    ax.barh(y, partial, left=full, color="#e9c46a", label="partial")
    ax.barh(y, none, left=[f + p for f, p in zip(full, partial)], color="#e76f51", label="no marks")
    ax.set_yticks(list(y), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of submissions")
    ax.legend(loc="lower right", fontsize=8, ncols=3, bbox_to_anchor=(1, 1))
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


HINT = re.compile(r"^Likely mistake: (.*)$", re.MULTILINE)
NUMBER = re.compile(r"(?<![\w.])-?\d+\.?\d*(?:e[-+]?\d+)?(?!\w)")  # 2, -0.5, 1., 1e-05; not the 1 of dh1_dx
GUARDED = "stopped by the guard (see below)"

Groups = dict[str, list[str]]  # what went wrong: the students who did it


def class_mistakes(outcomes: list[Outcome]) -> dict[tuple[str, str], tuple[Groups, Groups]]:
    """Per (chapter, test cell): the diagnosed mistakes (the checks' "Likely mistake" hints) and the other
    failures (their first line with the numbers masked as #; the guard's zeros as one), each with the
    students who made it."""
    found: dict[tuple[str, str], tuple[Groups, Groups]] = defaultdict(lambda: (defaultdict(list), defaultdict(list)))
    for outcome in outcomes:
        for test, message in outcome.failures.items():
            diagnosed, other = found[outcome.chapter, test]
            hint = HINT.search(message)
            if hint:
                diagnosed[hint.group(1)].append(outcome.student)
            elif message.startswith("IntegrityError:"):
                other[GUARDED].append(outcome.student)
            else:
                other[NUMBER.sub("#", message.splitlines()[0] if message else "(no message)")].append(outcome.student)
    return dict(sorted(found.items()))


def mistakes_section(outcomes: list[Outcome]) -> str:
    """The report's mistakes: per test cell, most frequent first, the students one click away."""
    def listed(groups: Groups, kind: str) -> str:
        return "".join(
            f"<li>{kind}{html.escape(what)}: <details><summary>{len(who)} student{'s' * (len(who) != 1)}</summary>"
            f"{html.escape(', '.join(sorted(who)))}</details></li>"
            for what, who in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])))

    cells = [f"<h3>{html.escape(chapter)} · {html.escape(test)}</h3><ul>{listed(diagnosed, '')}"
             f"{listed(other, 'no hint matched: ')}</ul>"
             for (chapter, test), (diagnosed, other) in class_mistakes(outcomes).items()]
    return "".join(cells) or "<p>No test failed.</p>"


def rows(outcomes: list[Outcome], attribute: str) -> str:
    out = []
    for o in outcomes:
        items = getattr(o, attribute)
        if items:
            link = f"../feedback/{o.student}/{o.chapter}/"
            listed = "".join(f"<li>{html.escape(item)}</li>" for item in items)
            out.append(f"<tr><td>{html.escape(o.student)}</td><td><a href='{html.escape(link)}'>"
                       f"{html.escape(o.chapter)}</a></td><td><ul>{listed}</ul></td></tr>")
    return "".join(out) or "<tr><td colspan=3>none</td></tr>"


def merged(path: Path, outcomes: list[Outcome]) -> list[Outcome]:
    """The outcomes kept in path from earlier runs, updated with these (a regrade replaces)."""
    kept = {(o["student"], o["chapter"]): Outcome(**o) for o in json.loads(path.read_text())} if path.exists() else {}
    kept.update({(o.student, o.chapter): o for o in outcomes})
    return [kept[key] for key in sorted(kept)]


def write(folder: Path, outcomes: list[Outcome], scores: dict[str, dict[str, list[float]]], summary: str) -> Path:
    """report/index.html, scores.png and results.json (every submission graded so far); returns
    the page's path."""
    folder.mkdir(parents=True, exist_ok=True)
    plot_scores(scores, folder / "scores.png")
    outcomes = merged(folder / "results.json", outcomes)
    (folder / "results.json").write_text(json.dumps([asdict(o) for o in outcomes], indent=1))
    page = folder / "index.html"
    page.write_text(f"""<!doctype html><meta charset=utf-8><title>Grading report</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}} td{{vertical-align:top;padding:.2em .6em}}
tr:nth-child(even){{background:#f4f4f4}} pre{{background:#f8f8f8;padding:1em}}</style>
<h1>Grading report</h1><pre>{html.escape(summary)}</pre>
<p>Grades: <a href="../grades.csv">grades.csv</a> (nbgrader export). Feedback: one page per student
and chapter under <a href="../feedback/">feedback/</a>.</p>
<h2>Which exercises the class finds hard</h2><img src="scores.png" alt="score distribution per test cell">
<h2>What the class gets wrong</h2><p>Per test cell: the likely mistakes the checks diagnosed, with how
many students made each (click for who), then failures no hint matched, grouped by their message with
numbers masked. Each student's messages are in results.json (<code>failures</code>).</p>
{mistakes_section(outcomes)}
<h2>Submissions with problems</h2><table>{rows(outcomes, "problems")}</table>
<h2>Stopped by the guard</h2><p>What the guard in the kernel found while the notebook ran: state
changed that judging depends on (put back), introspection or hooks it refused, gradlab code an answer
used where its exercise does not allow it. The test cell named, and for the first two every later one,
scored 0.</p><table>{rows(outcomes, "findings")}</table>
<h2>Flagged for review</h2><p>Answer code that reaches outside its exercise, read without running it.
It is not marked down: read the cell and decide.</p><table>{rows(outcomes, "flags")}</table>
""")
    return page
