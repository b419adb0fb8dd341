"""Submissions in: LMS downloads and students' `make submit` archives, into submitted/<student>/<chapter>/.

    python -m grader collect ARCHIVE... --roster roster.csv [--submitted course/submitted] [--chapter CH]

Archive members it recognises (anything else is named as a file it cannot place):

- `make submit`:  <student>/<chapter>/<notebook>.ipynb; the student id must be on the roster.
- Canvas (Assignment › Download Submissions):  <name>_[LATE_]<canvas user id>_<attachment id>_<file>,
  where <name> is the sortable name lowercased with everything but letters, digits and `_` removed
  ("Doe, Jane" → doejane) and <file> is the uploaded file's name (a re-upload is renamed `hw-1.ipynb`).
  The user id is the roster's `canvas_id`. Anonymous grading writes `anon_<code>` instead: no roster
  id can be found for it. Text entries (`…_text.html`) and links (`…_link.html`) are not notebooks.
- Moodle (Assignment › View all submissions › Download all submissions), in folders or flat:
  <full name>_<participant id>_assignsubmission_file[_]/<file> or <full name>_<participant id>_assignsubmission_file_<file>.
  The participant id is the grading worksheet's "Participant N"; give the worksheet (Download grading
  worksheet) with --moodle-worksheet to map it through its "Email address" to the roster's `email`,
  otherwise the full name is matched to the roster's `name` (word order and punctuation ignored,
  so "Doe, Jane" is "Jane Doe").

An LMS member that is itself a zip is taken as the student's `make submit` archive (one level: an
archive inside it is refused); the LMS's identity decides whose work it is.

The chapter is the folder of a `make submit` member, else the notebook's name (`derivatives.ipynb`,
also `derivatives-1.ipynb` or `derivatives (1).ipynb`), else --chapter. When a student's chapter comes
more than once, the newest is kept: the time the archive stores for it (`make submit`: when the
student last saved it; Canvas and Moodle: when the archive was downloaded), then Canvas's upload
order. A submission already in submitted/ is replaced only by a newer one, and then moved to
replaced/<time>/ beside it, never lost; every replacement is reported.
"""
from __future__ import annotations

import csv
import io
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from grader import TIMESTAMP
from gradlab.workspace import STUDENT_ID  # what `make submit` accepts

MAX_MEMBER_MB = 50        # a notebook with pictures is a few MB
MAX_MEMBERS = 20_000      # a class of thousands, a few files each
ARCHIVE_BUDGET = 400      # an archive unpacks to at most this many members' worth (20 GB): a class's download
NESTED_BUDGET = 4         # a student's own archive: a few notebooks (200 MB)
SUBMIT = re.compile(rf"(?P<student>{STUDENT_ID.pattern})/(?P<chapter>\d\d_\w+)/(?P<file>[^/]+)")
CANVAS = re.compile(r"(?:(?P<name>\w*?)_)?(?:LATE_)?(?P<user>\d+|anon_[^\W_]+)_(?P<attachment>\d+)_(?P<file>[^/]+)")
MOODLE = re.compile(r"(?P<name>[^/]+)_(?P<participant>\d+)_assignsubmission_(?P<plugin>[a-z]+)(?:_?/|_)(?P<file>.+)")
COPY = re.compile(r"(?:-\d+| ?\(\d+\))$")  # Canvas's re-upload suffix, a browser's download copy


class Refused(Exception):
    """An archive or member that is not read, and why."""


@dataclass
class Piece:
    """One notebook found for one student's chapter."""
    student: str
    chapter: str
    data: bytes
    when: tuple[datetime, int]  # (the archive's time for it, Canvas's attachment id): the newest wins
    origin: str          # "archive.zip: member" for messages


@dataclass
class Roster:
    """The roster's students by each LMS identity."""
    rows: list[dict[str, str]]
    participants: dict[str, str] = field(default_factory=dict)  # Moodle participant id -> email

    def __post_init__(self):
        self.ids = {row["student"] for row in self.rows}
        self.canvas = {row["canvas_id"]: row["student"] for row in self.rows if row.get("canvas_id")}
        self.emails = {row["email"].lower(): row["student"] for row in self.rows if row.get("email")}
        self.names: dict[frozenset, list[str]] = {}
        for row in self.rows:
            if row.get("name"):
                self.names.setdefault(name_key(row["name"]), []).append(row["student"])

    def by_name(self, name: str) -> str:
        """The one roster student with this name; Refused when there is none or more than one."""
        found = self.names.get(name_key(name), [])
        if len(found) > 1:
            raise Refused(f"{len(found)} roster students are named {name!r} ({', '.join(found)}): give "
                          f"--moodle-worksheet to tell them apart")
        if not found:
            raise Refused(f"no roster student is named {name!r}")
        return found[0]

    def moodle(self, name: str, participant: str) -> str:
        email = self.participants.get(participant)
        if email is not None:
            if email.lower() not in self.emails:
                raise Refused(f"no roster student has the email {email} (Participant {participant})")
            return self.emails[email.lower()]
        if name.startswith("Participant"):
            raise Refused(f"Participant {participant}: blind marking hides the name; give --moodle-worksheet "
                          f"downloaded after revealing identities")
        return self.by_name(name)


def name_key(name: str) -> frozenset:
    return frozenset(re.findall(r"\w+", name.replace("_", " ").lower()))


def read_worksheet(path: Path) -> dict[str, str]:
    """Moodle's grading worksheet: participant id -> email address."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    if rows and not {"Identifier", "Email address"} <= set(rows[0]):
        raise ValueError(f"{path}: not Moodle's grading worksheet (it needs Identifier and Email address "
                         f"columns; columns: {', '.join(rows[0])})")
    return {row["Identifier"].split()[-1]: row["Email address"] for row in rows if row["Identifier"]}


class Intake:
    """Reads archives into pieces, then places the newest piece of each student's chapter."""

    def __init__(self, roster: Roster | None, notebooks: dict[str, str], chapter: str | None = None,
                 max_mb: int = MAX_MEMBER_MB):
        self.roster, self.notebooks, self.chapter, self.max_bytes = roster, notebooks, chapter, max_mb << 20
        self.newest: dict[tuple[str, str], Piece] = {}  # (student, chapter) -> the newest piece read so far
        self.dropped: list[str] = []
        self.problems: list[str] = []

    def read(self, archive: Path) -> None:
        """Every member of the archive, or one line saying why it cannot be read."""
        try:
            with zipfile.ZipFile(archive) as outer:
                for info, data in members(outer, self.max_bytes, archive.name):
                    self.member(archive.name, info, data)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            self.problems.append(f"{archive}: not a zip archive that can be read ({error})")
        except Refused as why:
            self.problems.append(str(why))

    def member(self, archive: str, info: zipfile.ZipInfo, data: bytes | Refused) -> None:
        origin = f"{archive}: {info.filename}"
        try:
            if isinstance(data, Refused):
                raise data
            when = (stored(info), 0)
            if match := MOODLE.fullmatch(info.filename):  # first: "Participant_12_…/01_x/x.ipynb" is no student id
                student = self.identity().moodle(match["name"], match["participant"])
                self.lms(student, match["file"], data, when, origin)
            elif match := SUBMIT.fullmatch(info.filename):
                student = match["student"]
                if self.roster is not None and student not in self.roster.ids:
                    raise Refused(f"{origin}: student {student!r} is not on the roster")
                self.add(student, match["chapter"], match["file"], data, when, origin)
            elif match := CANVAS.fullmatch(info.filename):
                if match["user"].startswith("anon_"):
                    raise Refused(f"{origin}: anonymous grading hides the student; download again with "
                                  f"anonymity off")
                student = self.identity().canvas.get(match["user"])
                if student is None:
                    raise Refused(f"{origin}: no roster student has canvas_id {match['user']}")
                self.lms(student, match["file"], data, (stored(info), int(match["attachment"])), origin)
            else:
                raise Refused(f"{origin}: cannot place it (not a `make submit`, Canvas or Moodle member)")
        except Refused as why:
            self.problems.append(str(why))

    def identity(self) -> Roster:
        if self.roster is None:
            raise Refused("an LMS archive needs --roster to know its students")
        return self.roster

    def lms(self, student: str, file: str, data: bytes, when: tuple, origin: str) -> None:
        """A file an LMS holds for student: a notebook, or the student's own `make submit` archive."""
        if not file.endswith(".zip"):
            self.add(student, None, Path(file).name, data, when, origin)
            return
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as inner:
                for info, content in members(inner, self.max_bytes, origin, nested=True):
                    try:  # each file on its own: a stray one costs only itself
                        if isinstance(content, Refused):
                            raise content
                        match = SUBMIT.fullmatch(info.filename)
                        chapter, name = (match["chapter"], match["file"]) if match else (None, Path(info.filename).name)
                        self.add(student, chapter, name, content, when, f"{origin}: {info.filename}")
                    except Refused as why:
                        self.problems.append(str(why))
        except zipfile.BadZipFile as error:
            raise Refused(f"{origin}: not a zip archive that can be read ({error})") from None

    def add(self, student: str, chapter: str | None, file: str, data: bytes, when: tuple, origin: str) -> None:
        stem = COPY.sub("", file.removesuffix(".ipynb"))
        if not file.endswith(".ipynb"):
            raise Refused(f"{origin}: not a notebook, so it cannot be graded")
        chapter = chapter or self.notebooks.get(stem) or self.chapter
        if chapter not in self.notebooks.values():
            raise Refused(f"{origin}: cannot tell which chapter {file} is for (name it as in the release, "
                          f"or pass --chapter)")
        piece, key = Piece(student, chapter, data, when, origin), (student, chapter)
        before = self.newest.get(key)
        if before is not None:
            kept, dropped = (piece, before) if piece.when >= before.when else (before, piece)  # a tie: the one read last
            self.dropped.append(f"{student} {chapter}: handed in more than once; kept {kept.origin}, not {dropped.origin}")
            piece = kept
        self.newest[key] = piece

    def place(self, submitted: Path, notebook_name: dict[str, str]) -> list[str]:
        """Write the newest piece of each student's chapter; what was done, one line each."""
        said = list(self.dropped)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        for (student, chapter), piece in sorted(self.newest.items()):
            folder = submitted / student / chapter
            target = folder / notebook_name[chapter]
            when = piece.when[0]
            if target.exists() and target.read_bytes() == piece.data:
                said.append(f"{student} {chapter}: unchanged")
                continue
            if folder.exists():
                before = stored_time(folder)
                if before is None or before > when:
                    said.append(f"{student} {chapter}: kept what is in {folder} "
                                f"({'newer' if before else 'its time unknown'}); {piece.origin} not placed")
                    continue
                keep = submitted.parent / "replaced" / stamp / student / chapter
                keep.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(folder, keep)
                said.append(f"{student} {chapter}: replaced by {piece.origin}; the older one is in {keep}")
            else:
                said.append(f"{student} {chapter}: placed from {piece.origin}")
            folder.mkdir(parents=True)
            target.write_bytes(piece.data)
            (folder / TIMESTAMP).write_text(f"{when:%Y-%m-%d %H:%M:%S}\n")
        return said


def stored(info: zipfile.ZipInfo) -> datetime:
    """The time an archive stores for a member; the zip format's first day if it is no date."""
    try:
        return datetime(*info.date_time)
    except ValueError:
        return datetime(1980, 1, 1)


def stored_time(folder: Path) -> datetime | None:
    try:
        return datetime.strptime((folder / TIMESTAMP).read_text().strip()[:19], "%Y-%m-%d %H:%M:%S")
    except (OSError, ValueError):
        return None


def members(archive: zipfile.ZipFile, max_bytes: int, origin: str, nested: bool = False):
    """(info, bytes) for each file of the archive, or (info, Refused) for one that must not be read:
    a path outside the archive, a link, an encrypted or oversized member, an archive inside a student's
    archive. Sizes are counted while reading, whatever the archive's directory claims."""
    infos = [info for info in archive.infolist() if not info.is_dir()]
    if len(infos) > MAX_MEMBERS:
        raise Refused(f"{origin}: {len(infos)} files, more than {MAX_MEMBERS}: not read")
    budget = max_bytes * (NESTED_BUDGET if nested else ARCHIVE_BUDGET)  # a student's archive holds a few notebooks
    for info in infos:
        name = info.filename
        if budget <= 0:
            yield info, Refused(f"{origin}: {name}: not read, the archive unpacks to more than "
                                f"{(max_bytes * (NESTED_BUDGET if nested else ARCHIVE_BUDGET)) >> 20} MB")
        elif name.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", name) or re.match(r"[A-Za-z]:", name):
            yield info, Refused(f"{origin}: {name}: a path that leaves the archive; refused")
        elif stat.S_ISLNK(info.external_attr >> 16):
            yield info, Refused(f"{origin}: {name}: a link; refused")
        elif info.flag_bits & 0x1:
            yield info, Refused(f"{origin}: {name}: encrypted; refused")
        elif nested and name.lower().endswith((".zip", ".tar", ".gz", ".tgz", ".7z", ".rar")):
            yield info, Refused(f"{origin}: {name}: an archive inside the student's archive; refused "
                                f"(hand in the notebooks, or one `make submit` archive)")
        else:
            data = read_capped(archive, info, max_bytes, origin)
            budget -= len(data) if isinstance(data, bytes) else 0
            yield info, data


def read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_bytes: int, origin: str) -> bytes | Refused:
    too_big = Refused(f"{origin}: {info.filename}: more than {max_bytes >> 20} MB unpacked; refused")
    if info.file_size > max_bytes:
        return too_big
    try:
        with archive.open(info) as handle:
            data = handle.read(max_bytes + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:  # CRC, truncation, method
        return Refused(f"{origin}: {info.filename}: cannot be unpacked ({error})")
    return too_big if len(data) > max_bytes else data
