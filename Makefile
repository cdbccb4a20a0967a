# `make run` and `make test` set up everything they need (a .venv with the package) and then run.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test build bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/factbot run

test: $(STAMP)
	$(VENV)/bin/python -m pytest

build: $(STAMP)
	$(VENV)/bin/factbot build

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/bench_facts.py

lint: $(STAMP)
	$(VENV)/bin/ruff check facts bot tests benchmarks

clean:
	rm -rf $(VENV) data .pytest_cache
