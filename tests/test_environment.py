"""The environment files agree: environment.yml installs exactly what `make setup` does."""
from __future__ import annotations

import re

import yaml
from course import ROOT

REQUIREMENTS = ROOT / "requirements" / "requirements.in"
LOCK = ROOT / "requirements" / "lock.txt"


def names(path) -> set[str]:
    """Normalised package names listed in a requirements file."""
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return {re.split(r"[=<>!~\[ ]", line)[0].lower().replace("_", "-") for line in lines if line}


def test_every_top_level_package_is_pinned_exactly():
    pinned = {line.split("==")[0].lower().replace("_", "-")
              for line in LOCK.read_text().splitlines() if "==" in line}
    assert all("==" in line for line in LOCK.read_text().splitlines() if line and not line.startswith("#"))
    assert names(REQUIREMENTS) <= pinned, names(REQUIREMENTS) - pinned


def test_environment_yml_is_a_conda_spec_of_the_same_environment():
    spec = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert set(spec) >= {"name", "channels", "dependencies"}
    conda = [d for d in spec["dependencies"] if isinstance(d, str)]
    assert any(d.startswith("python") for d in conda) and "pip" in conda
    (pip,) = [d["pip"] for d in spec["dependencies"] if isinstance(d, dict)]
    assert pip == ["-c requirements/lock.txt", "-r requirements/requirements.in", "-e ."]
    assert LOCK.is_file() and REQUIREMENTS.is_file() and (ROOT / "pyproject.toml").is_file()
