# bankbot: `make run` starts the whole product, `make test` runs the test suite.
SHELL := /bin/bash
.DEFAULT_GOAL := run

PY311 := $(shell for c in python3.11 python3; do command -v $$c >/dev/null && $$c -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null && { echo $$c; break; }; done)
# Rasa 3.6 needs Python 3.10: an explicit BANKBOT_PYTHON310, a working python3.10, or pyenv's copy.
PY310 := $(shell for c in "$$BANKBOT_PYTHON310" python3.10 $$(ls -d "$$(pyenv root 2>/dev/null)"/versions/3.10.*/bin/python 2>/dev/null | sort -V -r); do [ -n "$$c" ] && "$$c" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null && { echo "$$c"; break; }; done)
TORCH_SPEC ?= torch==2.13.0

.PHONY: run test install train seed clean-models browser-deps

run: install
	.venv/bin/bankbot serve

# Models are trained once up front (a no-op when current) so every stack the tests start reuses them.
# The gates (configured in pyproject.toml) run first: lint, the import contracts (lower packages
# never import the app) and the type check of the packages mypy covers so far.
test: install browser-deps
	.venv/bin/ruff check
	.venv/bin/lint-imports
	.venv/bin/mypy
	.venv/bin/bankbot train
	.venv/bin/python -m pytest

install: .venv/.installed .venv-rasa/.installed node_modules/.installed

train: install
	.venv/bin/bankbot train

seed: install
	.venv/bin/bankbot seed

.venv/.installed: pyproject.toml
	@test -n "$(PY311)" || { echo "error: Python 3.11 is required for the main environment (python3.11 not found)"; exit 1; }
	test -d .venv || $(PY311) -m venv .venv
	.venv/bin/pip install --quiet --upgrade pip
	.venv/bin/pip install --quiet "$(TORCH_SPEC)"
	.venv/bin/pip install --quiet -e '.[dev]'
	touch $@

# Browser libraries the app serves itself (the dashboard's Chart.js), pinned by package-lock.json.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "error: npm is required to install the dashboard's chart library"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian packages the tests use: headless Chromium + chromedriver (browser tests) and espeak-ng
# (test and benchmark speech audio). Tests that need a missing one are skipped.
browser-deps:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null && command -v espeak-ng >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium chromium-driver espeak-ng; \
	else echo "note: install chromium chromium-driver espeak-ng (sudo make browser-deps) or those tests are skipped"; fi

.venv-rasa/.installed: requirements-rasa.txt
	@test -n "$(PY310)" || { echo "error: Python 3.10 is required for Rasa 3.6 and none was found."; \
	  echo "Install it (e.g. 'pyenv install 3.10.13') or point BANKBOT_PYTHON310 at a python3.10 binary."; exit 1; }
	test -d .venv-rasa || $(PY310) -m venv .venv-rasa
	.venv-rasa/bin/pip install --quiet -r requirements-rasa.txt
	touch $@

clean-models:
	rm -rf var/models var/rasa
