# Pooling, from the inside: the two commands are `make book` and `make test`.
# Both create .venv (Python 3.11+) and install the pinned requirements on first use,
# and re-install only when requirements.txt or pyproject.toml change.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.requirements-installed
HTML   := _build/html
# `make test` builds into its own fresh folder, so a stale `make book` build never hides a problem.
STRICT := _build/strict
PORT   ?= 8000
# How many of the independent test steps `make test` runs at once.
TEST_JOBS ?= 2
# Extra arguments for `make lab`, e.g. LAB_ARGS=--no-browser
LAB_ARGS ?=

# `make test-oldest`: the library's tests against the oldest numpy that pyproject.toml allows
# (numpy>=1.26), pinned here (tests/test_oldest_numpy.py checks that the two agree), with the
# pytest and hypothesis of requirements.txt, in a venv of its own.
OLDEST       := .venv-oldest
OLDEST_BIN   := $(OLDEST)/bin
OLDEST_STAMP := $(OLDEST)/.requirements-installed
OLDEST_NUMPY := 1.26.4
# Only the library: that venv has no jupyter, matplotlib, ipywidgets or book, so the tests of
# the notebooks, the site, plots, widgets, animations, data and exercises are left out (the
# torch cross-checks skip: test-unit runs them). The course layer, poolkit/course/, is not in
# poolkit/*.py; tests/test_course_extra.py runs here: without the course extra the library
# works and a teaching module's import names the missing package.
OLDEST_SKIP  := tests/test_animate.py tests/test_data.py tests/test_notebooks_clean.py \
                tests/test_package.py tests/test_plot.py tests/test_quiz.py tests/test_site%.py tests/test_lab.py \
                tests/test_solutions_pass.py tests/test_widgets.py tests/test_exercises_%.py \
                tests/test_grid.py
OLDEST_TESTS  = $(filter-out $(OLDEST_SKIP),$(sort $(wildcard tests/test_*.py) $(wildcard poolkit/*.py)))

# Run every tool from the venv (the notebooks' "python3" kernel is then the venv's Python).
export PATH := $(abspath $(BIN)):$(PATH)
# ipykernel's debugger otherwise warns on stderr about frozen modules, which fails strict builds.
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# matplotlib's font cache lives in the venv, not in ~/.cache, which every venv on the machine shares:
# a cache written by another venv (or while one was being deleted) can lack matplotlib's own fonts,
# and then every figure warns "findfont: Font family ... not found" on stderr, which fails the build.
export MPLCONFIGDIR := $(abspath $(VENV))/matplotlib
MPL_STAMP := $(VENV)/matplotlib/.font-cache-built

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# pytest exits with 5 when it collects nothing; that is not a failure here.
define pytest_allow_empty
	status=0; $(BIN)/python -m pytest $(1) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "(pytest collected nothing: $(1))"; \
	elif [ $$status -ne 0 ]; then exit $$status; fi
endef

.PHONY: help venv book test test-unit test-notebooks test-build test-oldest test-site lab execute serve \
        lint-notebooks \
        clean distclean

help:
	@echo "make book     set up .venv if needed, build the site into $(HTML)"
	@echo "make test     set up .venv if needed, run the whole test suite (unit tests, doctests,"
	@echo "              nbval strict, strict build into $(STRICT), the library against the oldest"
	@echo "              numpy allowed in $(OLDEST), browser tests of the build)"
	@echo "make lab      open the chapters in JupyterLab with the venv's kernel"
	@echo "make execute  re-run every chapter notebook in place from a fresh kernel"
	@echo "make lint-notebooks  check that every chapter notebook is stored executed and clean (tools/nbcheck.py)"
	@echo "make serve    serve $(HTML) on http://127.0.0.1:$(PORT)"
	@echo "make clean    remove builds and caches (make distclean also removes .venv and $(OLDEST))"

# ------------------------------------------------------------------ environment

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "error: '$(PYTHON)' not found. Install Python 3.11 or newer (or run make PYTHON=/path/to/python3.11)." >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "error: Python 3.11 or newer is required, but '$(PYTHON)' is $$($(PYTHON) --version 2>&1)." >&2; \
	  echo "       Run e.g. 'make $(MAKECMDGOALS) PYTHON=python3.12'." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV) || { echo "error: could not create $(VENV) (on Debian/Ubuntu: apt-get install python3-venv)." >&2; exit 1; }

$(STAMP): $(BIN)/python requirements.txt pyproject.toml
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $(STAMP)

# Build matplotlib's font cache now, not inside the first chapter (it prints to stderr).
$(MPL_STAMP): $(STAMP)
	mkdir -p $(MPLCONFIGDIR)
	$(BIN)/python -c "import matplotlib.pyplot"
	touch $(MPL_STAMP)

venv: $(STAMP) $(MPL_STAMP)

# The oldest-numpy venv: numpy $(OLDEST_NUMPY) has wheels for Python 3.9 to 3.12.
$(OLDEST_STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(OLDEST)
	$(OLDEST_BIN)/python -m pip install --disable-pip-version-check -q "numpy==$(OLDEST_NUMPY)" \
	  $$(grep -E '^(pytest|hypothesis)==' requirements.txt)
	touch $(OLDEST_STAMP)

# ------------------------------------------------------------------ the two commands

book: venv
	$(BIN)/jupyter-book build .
	@echo ""
	@echo "The site is in $(HTML). Open file://$(CURDIR)/$(HTML)/index.html"
	@echo "or run 'make serve' and visit http://127.0.0.1:$(PORT)/"

# The first three steps are independent and mostly single-threaded: run them side by side
# (TEST_JOBS=1 runs them one after the other), then the browser tests of the fresh build.
test: venv
	@start=$$SECONDS; status=0; \
	echo "== unit tests, nbval, the strict build and the oldest numpy, $(TEST_JOBS) at a time (each step's output appears when it ends)"; \
	$(MAKE) --no-print-directory -k -j$(TEST_JOBS) --output-sync=target test-unit test-notebooks test-build \
	  test-oldest || status=1; \
	$(MAKE) --no-print-directory test-site || status=1; \
	if [ $$status -ne 0 ]; then echo "== make test FAILED after $$((SECONDS - start)) s: see the steps marked FAILED above"; exit 1; fi; \
	echo "== make test: all checks passed in $$((SECONDS - start)) s"

# Each step reports its time, and FAILED when it fails.
define timed
	start=$$SECONDS; trap 'rc=$$?; echo "   ($@: $$((SECONDS - start)) s$$([ $$rc -eq 0 ] || echo ", FAILED"))"' EXIT
endef

test-unit: venv
	@echo "== lint (ruff.toml), unit tests and doctests (tests/, poolkit/)"
	@$(timed); $(BIN)/ruff check --quiet . ; \
	$(call pytest_allow_empty,-q --ignore=tests/test_site.py --ignore=tests/test_site_chapters.py \
	  --ignore=tests/test_lab.py tests poolkit)

test-notebooks: venv
	@echo "== nbval, strict, over book/*.ipynb"
	@$(timed); shopt -s nullglob; notebooks=(book/*.ipynb); \
	if [ $${#notebooks[@]} -eq 0 ]; then echo "(no notebooks in book/ yet)"; else \
	$(call pytest_allow_empty,-q --nbval --nbval-current-env --nbval-cell-timeout=120 \
	  --nbval-sanitize-with tests/nbval_sanitize.cfg $${notebooks[*]}); fi

test-build: venv
	@echo "== strict build into $(STRICT) (warnings are errors, nitpicky references)"
	@$(timed); rm -rf $(STRICT); \
	$(BIN)/jupyter-book build . --path-output $(STRICT) --all -W -n --keep-going

# CI=false: here a torch test's skip is expected (test-unit runs them with torch).
# numpy $(OLDEST_NUMPY) has wheels for Python 3.9 to 3.12 only: with a newer $(PYTHON) the step says
# so and passes (make test stays green there), unless CI=true, where it must run.
test-oldest:
	@echo "== library unit tests and doctests against numpy $(OLDEST_NUMPY), the oldest allowed ($(OLDEST))"
	@if ! $(PYTHON) -c 'import sys; sys.exit(not (3, 9) <= sys.version_info < (3, 13))'; then \
	  msg="numpy $(OLDEST_NUMPY) has no wheel for $$($(PYTHON) --version 2>&1); run 'make test-oldest PYTHON=python3.12'"; \
	  if [ "$${CI:-}" = true ]; then echo "error: $$msg" >&2; exit 1; fi; \
	  echo "(skipped: $$msg)"; exit 0; fi; \
	$(MAKE) --no-print-directory $(OLDEST_STAMP); \
	$(timed); CI=false $(OLDEST_BIN)/python -m pytest -q -p no:cacheprovider $(OLDEST_TESTS)

test-site: venv
	@echo "== browser tests of $(STRICT)/_build/html, and of the chapters in JupyterLab"
	@# One pytest process per file: each starts its own playwright driver, and two sync drivers
	@# cannot share a process.
	@$(timed); export BOOK_HTML_DIR=$(STRICT)/_build/html; \
	$(call pytest_allow_empty,-q -rs tests/test_site.py); \
	$(call pytest_allow_empty,-q -rs tests/test_site_chapters.py); \
	$(call pytest_allow_empty,-q -rs tests/test_lab.py)

# ------------------------------------------------------------------ convenience

lab: venv
	cd book && $(abspath $(BIN))/jupyter lab --ServerApp.ip=127.0.0.1 \
	  $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

execute: venv
	@shopt -s nullglob; for nb in book/[0-9]*.ipynb; do \
	  echo "executing $$nb"; \
	  $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=120 \
	    --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.store_widget_state=False \
	    "$$nb"; \
	done

lint-notebooks: venv
	$(BIN)/python tools/nbcheck.py

serve:
	@test -f $(HTML)/index.html || { echo "No site in $(HTML) yet: run 'make book' first." >&2; exit 1; }
	@echo "Serving $(HTML) on http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	$(PYTHON) -m http.server $(PORT) --bind 127.0.0.1 --directory $(HTML)

clean:
	rm -rf _build .pytest_cache .hypothesis .jupyter_cache
	find . \( -path ./$(VENV) -o -path ./$(OLDEST) \) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	find . \( -path ./$(VENV) -o -path ./$(OLDEST) \) -prune -o -name .ipynb_checkpoints -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(OLDEST)
