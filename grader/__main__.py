"""python -m grader: autograde every submission in parallel, each in a sandbox, on top of nbgrader."""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from grader import COURSE, REPO, Limits


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m grader", description=(
        "Autograde every submission (SUBMITTED/<student>/<chapter>/) with nbgrader, several at a "
        "time, each student's kernel in its own sandbox; then merge into one gradebook, export "
        "grades.csv, write feedback and a report page."))
    limits = Limits()
    parser.add_argument("--submitted", type=Path, default=COURSE / "submitted",
                        help="submissions folder (default: course/submitted)")
    parser.add_argument("--output", type=Path, default=COURSE, help=(
        "where gradebook.db, autograded/, feedback/, grades.csv and report/ go (default: course/, "
        "where nbgrader's formgrader finds them)"))
    parser.add_argument("--chapter", action="append", help="grade only this chapter (repeatable)")
    parser.add_argument("--student", action="append", help="grade only this student (repeatable)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="submissions graded at once (default: the number of cores)")
    parser.add_argument("--cell-timeout", type=int, default=limits.cell_seconds, help="seconds per cell")
    parser.add_argument("--notebook-timeout", type=int, default=limits.notebook_seconds,
                        help="seconds per notebook, kernel start and feedback included")
    parser.add_argument("--memory-mb", type=int, default=limits.memory_mb, help="address space per kernel")
    parser.add_argument("--no-sandbox", action="store_true", help=(
        "run kernels with the grader's own rights and no limits: only for code you trust"))
    parser.add_argument("--force", action="store_true", help=(
        "grade every submission again, even those graded before with the same content"))
    parser.add_argument("--scheduler", metavar="ADDRESS", help=(
        "grade on this Dask cluster (tcp://host:8786, tls://host:8786) instead of local workers"))
    parser.add_argument("--tls-ca-file", help="the cluster's CA certificate (Dask TLS; else Dask's configuration)")
    parser.add_argument("--tls-cert", help="this client's certificate for the cluster")
    parser.add_argument("--tls-key", help="this client's private key for the cluster")
    parser.add_argument("--no-guard", action="store_true", help=(
        "run kernels without the guard, test cells included: only to measure the guard's cost "
        "(benchmarks/grading.py), since a cheat then pays"))
    return parser.parse_args(argv)


def check_sandbox() -> str:
    """Why the sandbox cannot run here, or ''."""
    if os.geteuid() != 0:
        return ("the sandbox needs root (it makes namespaces, mounts a private root and runs each "
                "kernel as its own unprivileged uid): run as root, or pass --no-sandbox for trusted code")
    if not shutil.which("unshare"):
        return "the sandbox needs util-linux's unshare (apt-get install util-linux)"
    return ""


def progress(outcome, done: int, total: int) -> None:
    mark = " problems" if outcome.problems else ""
    mark += " flagged" if outcome.flags else ""
    mark += " guard" if outcome.findings else ""
    width = 30
    bar = "#" * (width * done // total)
    line = f"[{bar:<{width}}] {done}/{total}  {outcome.student} {outcome.chapter}: {outcome.score:g}/{outcome.max_score:g}{mark}"
    print(line, file=sys.stderr, flush=True)


def export_main(argv: list[str]) -> int:
    """python -m grader export: the gradebook's grades in Canvas's and Moodle's import formats (grader/lms.py)."""
    parser = argparse.ArgumentParser(prog="python -m grader export", description=(
        "Write grades-canvas.csv and grades-moodle.csv from the gradebook, one row per roster student."))
    parser.add_argument("--roster", type=Path, required=True, help=(
        "CSV with a `student` column (the id in submitted/) and the LMS's: name, canvas_id, sis_user_id, "
        "sis_login_id, section (Canvas), email (Moodle)"))
    parser.add_argument("--output", type=Path, default=COURSE, help="where gradebook.db is and the files go")
    args = parser.parse_args(argv)
    from grader import lms
    gradebook = args.output / "gradebook.db"
    if not gradebook.exists():
        print(f"python -m grader export: no gradebook at {gradebook}: grade first", file=sys.stderr)
        return 2
    try:
        files, unlisted = lms.export(gradebook, args.roster, args.output)
    except (OSError, ValueError) as error:
        print(f"python -m grader export: {error}", file=sys.stderr)
        return 2
    for student in unlisted:
        print(f"  {student}: graded, but not on the roster (left out)")
    print("Wrote " + ", ".join(str(f) for f in files))
    return 0


def collect_main(argv: list[str]) -> int:
    """python -m grader collect: LMS downloads and `make submit` archives into submitted/ (grader/intake.py)."""
    parser = argparse.ArgumentParser(prog="python -m grader collect", description=(
        "Put the notebooks of Canvas and Moodle submission downloads and of students' `make submit` archives "
        "into SUBMITTED/<student>/<chapter>/, the newest of each, naming what it cannot place."))
    parser.add_argument("archives", nargs="+", type=Path, metavar="ARCHIVE", help="zip files, oldest first")
    parser.add_argument("--roster", type=Path, help=(
        "CSV with a `student` column and the LMS identities: canvas_id (Canvas), email or name (Moodle); "
        "needed for LMS downloads"))
    parser.add_argument("--moodle-worksheet", type=Path, help=(
        "Moodle's grading worksheet (CSV), to map participant ids to emails rather than matching names"))
    parser.add_argument("--chapter", help="the chapter of notebooks whose name does not say it")
    parser.add_argument("--submitted", type=Path, default=COURSE / "submitted", help="default: course/submitted")
    args = parser.parse_args(argv)
    from grader import intake
    from grader.lms import read_roster
    releases = sorted(p for p in (REPO / "chapters").glob("[0-9][0-9]_*/*.ipynb"))
    names = {p.parent.name: p.name for p in releases}
    if args.chapter and args.chapter not in names:
        print(f"python -m grader collect: no such chapter: {args.chapter} (have {', '.join(names)})", file=sys.stderr)
        return 2
    try:
        roster = args.roster and intake.Roster(read_roster(args.roster), intake.read_worksheet(args.moodle_worksheet)
                                               if args.moodle_worksheet else {})
    except (OSError, ValueError) as error:
        print(f"python -m grader collect: {error}", file=sys.stderr)
        return 2
    found = intake.Intake(roster or None, {p.stem: p.parent.name for p in releases} | {c: c for c in names},
                          args.chapter)
    for archive in args.archives:
        found.read(archive)
    for line in found.place(args.submitted, names):
        print(line)
    for line in found.problems:
        print(f"  not placed: {line}")
    print(f"{len({student for student, _ in found.newest})} students' notebooks read into {args.submitted}; "
          f"{len(found.problems)} files or archives not placed")
    return 1 if found.problems else 0


def connect(args: argparse.Namespace):
    """The Dask cluster at --scheduler, or None after saying why not."""
    try:
        from grader.cluster import Cluster
    except ImportError as error:
        print(f"python -m grader: --scheduler needs Dask's distributed package ({error})", file=sys.stderr)
        return None
    security = None
    if args.tls_ca_file or args.tls_cert or args.tls_key:
        from distributed.security import Security
        security = Security(tls_ca_file=args.tls_ca_file, tls_client_cert=args.tls_cert, tls_client_key=args.tls_key,
                            require_encryption=True)
    try:
        return Cluster(args.scheduler, security)
    except (OSError, ValueError, TypeError) as error:
        print(f"python -m grader: cannot reach the Dask scheduler at {args.scheduler}: {error}", file=sys.stderr)
        return None


def main(argv: list[str]) -> int:
    if argv[:1] == ["export"]:
        return export_main(argv[1:])
    if argv[:1] == ["collect"]:
        return collect_main(argv[1:])
    args = arguments(argv)
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"  # alembic
    why = "" if args.no_sandbox else check_sandbox()
    if why:
        print(f"python -m grader: {why}", file=sys.stderr)
        return 2
    chapters = sorted(p.name for p in (REPO / "solutions").iterdir() if p.is_dir())
    unknown = set(args.chapter or []) - set(chapters)
    if unknown:
        print(f"python -m grader: no such chapter: {', '.join(sorted(unknown))} (have {', '.join(chapters)})",
              file=sys.stderr)
        return 2
    chapters = [c for c in chapters if not args.chapter or c in args.chapter]
    from grader import gradebook, report  # nbgrader takes seconds to import: not for --help
    from grader.grade import Grader, discover
    submissions = discover(args.submitted, chapters, args.student)
    if not submissions:
        print(f"python -m grader: no submissions under {args.submitted}/<student>/<chapter>/", file=sys.stderr)
        return 1
    limits = Limits(cell_seconds=args.cell_timeout, notebook_seconds=args.notebook_timeout,
                    memory_mb=args.memory_mb)
    start = time.perf_counter()
    cluster = connect(args) if args.scheduler else False
    if cluster is None:
        return 2
    grader = Grader(args.output, chapters, max(args.workers, 1), limits, sandbox=not args.no_sandbox,
                    guard=not args.no_guard, force=args.force, cluster=cluster or None)
    try:
        outcomes = grader.run(submissions, progress)
    finally:
        if cluster:
            cluster.close()
    gradebook.export(grader.main, args.output / "grades.csv")
    graded_chapters = sorted({o.chapter for o in outcomes + grader.skipped})
    summary = report.summary_table(outcomes, graded_chapters, time.perf_counter() - start, grader.workers)
    if grader.skipped:
        summary += (f"\nSkipped {len(grader.skipped)} notebooks graded before with the same content "
                    f"(--force grades them again)")
    page = report.write(args.output / "report", outcomes + grader.skipped,
                        gradebook.scores(grader.main, graded_chapters), summary)
    print(summary)
    for outcome in outcomes:
        for item in outcome.problems:
            print(f"  {outcome.student} {outcome.chapter}: {item}")
    print(f"Grades: {args.output / 'grades.csv'}\nReport: {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
