"""Grade every submission, N at a time, each in its own job and sandbox; merge, export, report."""
from __future__ import annotations

import json
import os
import queue
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from grader import REPO, Limits, gradebook, sandbox
from grader.job import Job
from grader.ledger import Ledger, grading_digest, submission_digest

FIRST_UID = 61000  # worker k runs its kernels as uid FIRST_UID + k, which owns nothing on disk


@dataclass
class Submission:
    student: str
    chapter: str
    folder: Path


@dataclass
class Outcome:
    student: str
    chapter: str
    score: float = 0.0
    max_score: float = 0.0
    problems: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)      # the static scan's, for review
    findings: list[str] = field(default_factory=list)   # the guard's: the tests they name score 0
    failures: dict[str, str] = field(default_factory=dict)  # each failed test cell's message, by grade id
    seconds: float = 0.0


def discover(submitted: Path, chapters: list[str], students: list[str] | None) -> list[Submission]:
    """nbgrader's layout: submitted/<student>/<chapter>/."""
    found = []
    for student in sorted(p.name for p in submitted.iterdir() if p.is_dir()) if submitted.is_dir() else []:
        if students and student not in students:
            continue
        for chapter in chapters:
            folder = submitted / student / chapter
            if folder.is_dir():
                found.append(Submission(student, chapter, folder))
    return found


class Worker:
    """A `python -m grader.job` process that grades one job at a time; restarted after a job
    that ran past the notebook limit (it is killed, with everything its kernel started)."""

    def __init__(self, slot: int, sandbox: bool, log: Path):
        self.uid = FIRST_UID + slot if sandbox else None
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> subprocess.Popen:
        if self.process is None or self.process.poll() is not None:
            with open(self.log, "a") as log:
                self.process = subprocess.Popen([sys.executable, "-m", "grader.job"], cwd=REPO, text=True,
                                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                                start_new_session=True)
        return self.process

    def stop(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None
        if self.uid is not None:
            sandbox.kill(self.uid)

    def grade(self, job: Job) -> tuple[list[str], bool]:
        """Run the job: (the problems if it did not finish, whether the grader is to blame: a retry may
        succeed, whereas a notebook past its time limit would only be stopped again)."""
        process = self.start()
        path = str(job.save())
        process.stdin.write(path + "\n")
        process.stdin.flush()
        ready, _, _ = select.select([process.stdout], [], [], job.limits.notebook_seconds)
        answer = process.stdout.readline() if ready else None
        if answer == f"done {path}\n":
            if self.uid is not None:
                sandbox.kill(self.uid)
            return [], False
        self.stop()
        if answer is None:
            return [f"grading stopped after the {job.limits.notebook_seconds} s limit per notebook; it scores 0"], False
        return [f"the grading job failed (see {self.log}); it scores 0"], True


class Grader:
    """Grades submissions into output/: gradebook.db, autograded/, feedback/, grades.csv, report/, and
    graded.jsonl, by which a re-run skips what it graded before (grader/ledger.py). Jobs run on local
    worker processes, or on a Dask cluster's workers (grader/cluster.py) when given one."""

    def __init__(self, output: Path, chapters: list[str], workers: int, limits: Limits, sandbox: bool,
                 guard: bool = True, force: bool = False, cluster=None):
        self.output, self.chapters, self.limits, self.sandbox, self.guard = output, chapters, limits, sandbox, guard
        self.force, self.cluster = force, cluster
        self.workers = cluster.threads if cluster else workers
        self.main = output / "gradebook.db"
        self.idle: queue.Queue[Worker] = queue.Queue()
        for slot in range(0 if cluster else workers):
            self.idle.put(Worker(slot, sandbox, output / "grader.log"))
        self.skipped: list[Outcome] = []

    def job(self, submission: Submission, work: Path, template: Path, uid: int | None) -> Job:
        return Job(submission.student, submission.chapter, str(submission.folder),
                   str(REPO / "chapters" / submission.chapter), str(template), str(work), uid, self.limits, self.guard)

    def grade_one(self, submission: Submission, tmp: Path, template: Path) -> tuple[Outcome, Path, bool, bool]:
        """Grade on the next idle worker: (outcome, the job's folder, whether the job failed, whether the
        grader is to blame)."""
        start = time.perf_counter()
        work = tmp / f"{submission.student}-{submission.chapter}"
        work.mkdir()
        if self.cluster:
            failed, blame = self.cluster.grade(self.job(submission, work, template, None), self.sandbox)
        else:
            worker = self.idle.get()
            try:
                failed, blame = worker.grade(self.job(submission, work, template, worker.uid))
            finally:
                self.idle.put(worker)
        result_file = work / "result.json"
        result = json.loads(result_file.read_text()) if result_file.exists() and not failed else {}
        outcome = Outcome(submission.student, submission.chapter,
                          problems=result.get("problems", []) + failed, flags=result.get("flags", []),
                          findings=result.get("findings", []), failures=result.get("failures", {}),
                          seconds=time.perf_counter() - start)
        return outcome, work, bool(failed), blame

    def collect(self, outcome: Outcome, work: Path, failed: bool) -> None:
        """Merge a finished job into the output: gradebook, autograded notebooks, feedback."""
        gradebook.merge(self.main, work / "gradebook.db", outcome.chapter, outcome.student, failed)
        for kind in ("autograded", "feedback"):
            source = work / "course" / kind / outcome.student / outcome.chapter
            target = self.output / kind / outcome.student / outcome.chapter
            shutil.rmtree(target, ignore_errors=True)
            if source.is_dir():
                shutil.copytree(source, target)
        log = work / "result.json"
        if log.exists():
            target = self.output / "logs" / f"{outcome.student}-{outcome.chapter}.log"
            target.parent.mkdir(exist_ok=True)
            target.write_text(json.loads(log.read_text()).get("log", ""))
        with gradebook.Gradebook(gradebook.url(self.main), gradebook.COURSE_ID) as gb:
            submitted = gb.find_submission(outcome.chapter, outcome.student)
            outcome.score, outcome.max_score = submitted.score, submitted.max_score
        shutil.rmtree(work, ignore_errors=True)

    def pending(self, submissions: list[Submission], ledger: Ledger) -> list[tuple[Submission, str]]:
        """The submissions to grade, with their digests; the others' recorded outcomes go to self.skipped."""
        settings = {"limits": vars(self.limits), "sandbox": self.sandbox, "guard": self.guard}
        grading = {chapter: grading_digest(chapter, settings) for chapter in {s.chapter for s in submissions}}
        graded = gradebook.graded(self.main)
        todo = []
        for submission in submissions:
            digest = submission_digest(submission.folder, grading[submission.chapter])
            done = ledger.done(submission.student, submission.chapter, digest)
            if done and not self.force and (submission.student, submission.chapter) in graded:
                self.skipped.append(Outcome(**done))
                continue
            if self.force:  # a forced run that is killed is still forced when run again
                ledger.record(submission.student, submission.chapter, None)
            todo.append((submission, digest))
        return todo

    def run(self, submissions: list[Submission], progress) -> list[Outcome]:
        """Grade what is new or changed; returns the outcomes of this run (self.skipped: the rest)."""
        self.output.mkdir(parents=True, exist_ok=True)
        ledger = Ledger(self.output / "graded.jsonl")
        todo = self.pending(submissions, ledger)
        for slot, worker in enumerate(self.idle.queue):
            worker.stop()  # a kernel left running by a run that was killed
            if slot < len(todo):
                worker.start()  # importing nbgrader takes seconds: overlap it with define()
        if self.cluster and todo:
            self.cluster.warm(self.sandbox)
        gradebook.define(self.main, REPO / "solutions", self.chapters)
        outcomes = []
        with tempfile.TemporaryDirectory(prefix="gradlab-grading-") as name:
            tmp = Path(name)
            template = tmp / "template.db"
            shutil.copy(self.main, template)
            try:
                with ThreadPoolExecutor(self.workers) as pool:
                    futures = {pool.submit(self.grade_one, s, tmp, template): digest for s, digest in todo}
                    for future in as_completed(futures):
                        outcome, work, failed, blame = future.result()
                        self.collect(outcome, work, failed)
                        ledger.record(outcome.student, outcome.chapter, None if blame else futures[future], outcome)
                        outcomes.append(outcome)
                        progress(outcome, len(outcomes), len(todo))
            finally:
                while not self.idle.empty():
                    self.idle.get().stop()
        return sorted(outcomes, key=lambda o: (o.student, o.chapter))
