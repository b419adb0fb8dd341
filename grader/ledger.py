"""What has been graded, by content: a re-run grades only submissions that are new or changed.

output/graded.jsonl gets one line per merged submission: its key, the digest of everything its grade
depends on (the submission's files, the chapter's release and solution, the grader's and gradlab's
code, the locked packages, the limits), and its outcome. Lines are appended, so a run killed at any
moment leaves every finished submission recorded; the last line of a key wins, and a half-written
last line is ignored.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from grader import REPO


def digest_files(files: list[Path], base: Path, seed: str = "") -> str:
    """sha256 of seed and each file's path (relative to base) and bytes, in path order."""
    h = hashlib.sha256(seed.encode())
    for path in sorted(files):
        h.update(path.relative_to(base).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def grading_digest(chapter: str, settings: dict) -> str:
    """What a chapter's grade depends on besides the submission."""
    code = [*(REPO / "grader").glob("*.py"), *(REPO / "gradlab").rglob("*.py"), *(REPO / "gradlab").rglob("*.js"),
            REPO / "requirements" / "lock.txt", *(REPO / "chapters" / chapter).glob("*.ipynb"),
            *(REPO / "solutions" / chapter).glob("*.ipynb")]
    return digest_files(code, REPO, json.dumps(settings, sort_keys=True))


def submission_digest(folder: Path, grading: str) -> str:
    return digest_files([p for p in folder.rglob("*") if p.is_file()], folder, grading)


class Ledger:
    def __init__(self, path: Path):
        self.path = path
        self.entries: dict[str, dict] = {}
        text = path.read_text() if path.exists() else ""
        if text and not text.endswith("\n"):
            with open(path, "a") as handle:  # end the half-written line, so the next entry starts its own
                handle.write("\n")
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:  # the line a killed run was writing
                continue
            self.entries[entry["key"]] = entry

    def done(self, student: str, chapter: str, digest: str) -> dict | None:
        """The recorded outcome if this content was graded, else None."""
        entry = self.entries.get(f"{student}/{chapter}")
        return entry["outcome"] if entry and entry["digest"] == digest else None

    def record(self, student: str, chapter: str, digest: str | None, outcome=None) -> None:
        """Append an entry; digest None forgets the submission's grade (it is graded again)."""
        entry = {"key": f"{student}/{chapter}", "digest": digest, "outcome": asdict(outcome) if outcome else None}
        self.entries[entry["key"]] = entry
        with open(self.path, "a") as handle:
            handle.write(json.dumps(entry) + "\n")
