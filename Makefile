# whatworks: two commands on a fresh machine with Python 3.
#   make demo       set up .venv (the runtime only), render every demo evaluation into reports/
#   make test       set up .venv with the test extras, run the whole suite (every tier)
#   make test-fast  the unit tier only: the inner loop, under a minute
# (Without make: python3 -m venv .venv, .venv/bin/pip install -c requirements.lock -e ".[test]",
#  then  .venv/bin/python -m whatworks demo )

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-runtime
TESTSTAMP := $(VENV)/.installed-test
WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(WORKERS) --dist loadgroup tests lib/whatworks

.PHONY: demo test test-fast test-tier lint golden lab setup data clean help browser bench lock

help:
	@echo "make demo   render every demo evaluation into reports/ (sets everything up first)"
	@echo "make test   run the whole test suite (sets everything up first)"
	@echo "make test-fast   the unit tier only (under a minute)"
	@echo "make test-tier TIER=simulation   one tier: unit, template, browser, simulation or e2e"
	@echo "make lint   ruff and mypy (strict); part of make test"
	@echo "make golden remake the golden executed notebooks after a deliberate change of output"
	@echo "make lab    open JupyterLab on the templates"
	@echo "make data   remake the synthetic demo data (seeded, so identical)"
	@echo "make bench  time whatworks against the plain papermill + nbconvert pipeline"

# The runtime only: what a user needs to run evaluations.
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=23"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e .
	@touch $(STAMP)

# The runtime plus the test extras (pytest, the browser driver, the reference implementations) and the
# distributed extra (the Dask cluster test).
$(TESTSTAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[test,distributed]"
	@touch $(TESTSTAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m whatworks demo

NBVAL := $(BIN)/python -m pytest -p no:xdist -p no:cacheprovider --nbval --nbval-sanitize-with tests/golden/sanitize.cfg tests/golden

test: $(TESTSTAMP) browser
	$(PYTEST)
	$(NBVAL)
	$(MAKE) --no-print-directory lint

# Style and types: ruff (rules in pyproject.toml) and mypy in strict mode on lib/whatworks.
lint: $(TESTSTAMP)
	$(BIN)/python -m ruff check lib tests benchmarks data setup.py
	$(BIN)/python -m mypy

# Remake the golden executed notebooks (tests/golden/) after a deliberate change of output.
golden: $(TESTSTAMP)
	$(BIN)/python tests/golden/make_golden.py

test-fast: $(TESTSTAMP)
	$(PYTEST) -m unit

test-tier: $(TESTSTAMP) browser
	$(PYTEST) -m "$(TIER)"
	@if [ "$(TIER)" = template ]; then $(NBVAL); fi

# The browser tests use Debian's Chromium; install it when missing (needs root or sudo).
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  echo "Installing Chromium for the browser tests..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo "sudo -n" ); \
	  ( $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null ) \
	  || echo "Chromium could not be installed: the browser tests will say so."; }

bench: $(TESTSTAMP)
	$(BIN)/python benchmarks/pipeline.py

lab: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[lab]"
	cd notebooks && ../$(BIN)/jupyter lab

data: $(STAMP)
	$(BIN)/python data/make_demo_data.py

# Remake the universal lock (Linux, Windows, macOS) from pyproject.toml, keeping current pins where they
# still fit, and write environment.yml from it.
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/python -m uv pip compile pyproject.toml --extra test --extra lab --extra distributed --universal --python-version 3.11 \
	  --no-header --no-annotate --no-emit-package whatworks -o requirements.lock
	$(BIN)/python -c "import pathlib; p = pathlib.Path('requirements.lock'); body = p.read_text(); \
	  head = '# Exact pins for every package whatworks installs, for Linux, Windows and macOS (a universal lock:\n' \
	  '# environment markers select the lines a platform needs). make test/demo use it as a pip constraints file.\n' \
	  '# pyproject.toml holds the version ranges; environment.yml lists these same lines. Remake with: make lock\n'; \
	  lines = [l for l in body.splitlines() if l.strip() and not l.startswith('#')]; \
	  p.write_text(head + chr(10).join(lines) + chr(10)); \
	  env = pathlib.Path('environment.yml'); old = env.read_text().split('  - pip:')[0]; \
	  env.write_text(old + '  - pip:\n' + ''.join(f'      - \"{l}\"\n' if ';' in l else f'      - {l}\n' for l in lines))"

clean:
	rm -rf reports test-artefacts .pytest_cache
