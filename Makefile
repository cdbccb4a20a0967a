# `make run` and `make test` set up everything they need (a .venv with the package) and then run.
# `make check`: the fast tests (no PostgreSQL, no fake Telegram, nothing slow), under a minute.
# `make lint`: ruff (lint and format check) and mypy; `.ci/run` calls it before `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test check build bench lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/factbot run

test: $(STAMP)
	$(VENV)/bin/python -m pytest

check: $(STAMP)
	$(VENV)/bin/python -m pytest -m "not postgres and not e2e and not slow"

build: $(STAMP)
	$(VENV)/bin/factbot build

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/bench_facts.py

lint: $(STAMP)
	$(VENV)/bin/ruff check facts bot tests benchmarks
	$(VENV)/bin/ruff format --check facts bot tests benchmarks
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff check --fix facts bot tests benchmarks
	$(VENV)/bin/ruff format facts bot tests benchmarks

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache
