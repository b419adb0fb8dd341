"""Test session set-up: the venv's console scripts (nbgrader calls `alembic`) on PATH, Agg plots, the graded
class started in the background."""
import os
import sys
from pathlib import Path

import pytest
from graded_class import GRADED_CLASS, REGRADES, GradedClass, Regrade, killed_and_resumed, on_cluster, start_cluster, stop_cluster

os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Mark a test whose body failed (item.failed_call), so fixtures can keep evidence (screenshots)."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        item.failed_call = True


GRADING_TESTS = ("test_grading.py", "test_cluster.py")  # they read the graded class


def pytest_collection_modifyitems(session, config, items):
    """The grading tests last: the class they read is graded in the background meanwhile."""
    items.sort(key=lambda item: item.path.name in GRADING_TESTS)


def pytest_collection_finish(session):
    """Start grading the corpus's class now if a test will need it: it runs beside the other tests; so do
    the regrades tests read, once the class is graded."""
    if not any(item.path.name in GRADING_TESTS for item in session.items):
        return
    graded = session.config.stash[GRADED_CLASS] = GradedClass()
    regrades = session.config.stash[REGRADES] = {}
    if any(item.name.startswith("test_a_killed_run") for item in session.items):
        regrades["resumed"] = Regrade(graded, killed_and_resumed)
    if any(item.path.name == "test_cluster.py" and "cluster" in item.name for item in session.items):
        regrades["cluster"] = Regrade(graded, on_cluster, setup=start_cluster, teardown=stop_cluster)


def pytest_unconfigure(config):
    for regrade in config.stash.get(REGRADES, {}).values():
        regrade.close()
    if GRADED_CLASS in config.stash:
        config.stash[GRADED_CLASS].close()
