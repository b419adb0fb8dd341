"""The course's grading command: parallel, sandboxed autograding on top of nbgrader (python -m grader)."""
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COURSE = REPO / "course"  # the course's working data (git-ignored): submissions, gradebook, feedback, report
COURSE_ID = "gradlab"     # nbgrader's course id, here and in nbgrader_config.py
TIMESTAMP = "timestamp.txt"  # in a submitted folder: when it was handed in (nbgrader collect writes it; autograde reads it)


@dataclass
class Limits:
    """What one submission may use (README, "What grading does with each submission")."""
    cell_seconds: int = 60
    notebook_seconds: int = 600
    memory_mb: int = 2048
    processes: int = 32
    file_mb: int = 64
    disk_mb: int = 256
