"""Test session set-up: the venv's console scripts (nbgrader calls `alembic`) on PATH, Agg plots."""
import os
import sys
from pathlib import Path

os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
os.environ.setdefault("MPLBACKEND", "Agg")
