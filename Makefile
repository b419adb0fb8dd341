# Two commands do everything on a fresh machine with python3 and make:
#   make lab    set up .venv and open the course in JupyterLab
#   make test   set up .venv and run every test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV)/bin)
STAMP := $(VENV)/.installed
CHAPTERS := $(notdir $(wildcard solutions/[0-9][0-9]_*))
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
# nbgrader runs from grader/ to read its config, and calls other venv tools (alembic) by name.
NBGRADER := cd grader && PATH="$(BIN):$$PATH" $(BIN)/nbgrader

.PHONY: setup lab submit test notebooks release grade scheduler worker lock clean

setup: $(STAMP)

# Exact versions come from requirements/lock.txt, used as pip constraints so that a package
# only another Python version needs still installs. gradlab goes in editable. Building
# matplotlib's font cache here keeps its one-time notice out of notebook outputs.
$(STAMP): requirements/requirements.in requirements/lock.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
		{ echo "Python 3.10 or newer is needed, found: $$($(PYTHON) --version)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -c requirements/lock.txt -r requirements/requirements.in
	$(PIP) install --no-deps -e .
	$(BIN)/python -c "import matplotlib.pyplot"
	touch $@

# The student's work lives in workspace/ (git-ignored): each chapter's release is copied in on first use
# and never overwritten; JupyterLab opens there in student mode. Jupyter refuses to run as root unless told;
# containers and CI machines often are root.
lab: setup
	PATH="$(BIN):$$PATH" $(BIN)/python -m gradlab.workspace lab $(if $(filter 0,$(shell id -u)),--allow-root)

# One archive of the workspace's notebooks for the instructor, each validated: make submit STUDENT=<your id>
submit: setup
	PATH="$(BIN):$$PATH" $(BIN)/python -m gradlab.workspace submit --student "$(STUDENT)"

# The browser tests (mostly waiting on JupyterLab and chromium) run beside the rest, which grades a class
# on both cores: two independent groups, one wall-clock budget. The browser's report follows the rest's.
test: setup
	$(BIN)/ruff check .
	@$(BIN)/python -m pytest -rsP -p no:cacheprovider tests/test_browser.py > .browser-tests.log 2>&1 & browser=$$!; \
	$(BIN)/python -m pytest -rs --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg tests solutions \
		--ignore=tests/test_browser.py; rest=$$?; \
	wait $$browser; browsed=$$?; echo "---- tests/test_browser.py"; cat .browser-tests.log; rm -f .browser-tests.log; \
	exit $$(( rest != 0 || browsed != 0 ))

# The notebooks alone against their stored outputs; CI also runs this under another BLAS kernel
# (OPENBLAS_CORETYPE=Sandybridge make notebooks), so an output only one CPU reproduces cannot land.
notebooks: setup
	$(BIN)/python -m pytest -q --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg solutions

# Student versions: chapters/ is generated from solutions/ by nbgrader, never edited by hand.
release: setup
	for chapter in $(CHAPTERS); do ($(NBGRADER) generate_assignment $$chapter --force --no-db) || exit 1; done

# Autograde every submission in course/submitted/<student>/<chapter>/ in parallel sandboxes:
# gradebook, feedback, grades.csv and report/ in course/. Options: make grade ARGS="--help".
grade: setup
	$(BIN)/python -m grader $(ARGS)

# A Dask cluster's scheduler for grading (it unpickles the grader's jobs, so it too runs from a clone at the
# grader's commit), e.g. make scheduler ARGS="--tls-ca-file ca.pem --tls-cert scheduler.pem --tls-key scheduler.key"
scheduler: setup
	cd $(CURDIR) && PYTHONPATH=$(CURDIR) $(BIN)/dask scheduler --no-dashboard $(ARGS)

# A grading machine for a Dask cluster (as root, at the grader's commit): one single-threaded Dask worker per
# core, e.g. make worker SCHEDULER=tls://grader.example:8786 ARGS="--tls-ca-file ca.pem --tls-cert me.pem --tls-key me.key"
worker: setup
	cd $(CURDIR) && PYTHONPATH=$(CURDIR) PATH="$(BIN):$$PATH" $(BIN)/dask worker "$(SCHEDULER)" --nworkers $$(nproc) \
		--nthreads 1 --no-dashboard $(ARGS)

# Refresh the pins after editing requirements/requirements.in.
lock:
	rm -rf /tmp/gradlab-lock && $(PYTHON) -m venv /tmp/gradlab-lock
	/tmp/gradlab-lock/bin/pip install --quiet -r requirements/requirements.in
	/tmp/gradlab-lock/bin/pip freeze --exclude-editable > requirements/lock.txt

clean:
	rm -rf $(VENV) course
