# modelfit: the front door. `make` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Values from the command line reach recipes through the environment and are always quoted
# there ("$$COMPANY"), so the shell never parses them; `$(value ...)` keeps make from expanding
# them either (a value such as $(shell ...) stays plain text).
COMPANY ?= demo
REPORT_LANG ?= en
WORKERS ?=
override COMPANY := $(value COMPANY)
override REPORT_LANG := $(value REPORT_LANG)
override WORKERS := $(value WORKERS)
export COMPANY REPORT_LANG WORKERS

.PHONY: help setup recommend validate test lint bench report reports model lab notebooks clean

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-11s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed (python3.11 or python3 on PATH)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name modelfit --display-name "modelfit (.venv)" >/dev/null
	@touch $(STAMP)

setup: $(STAMP) ## create .venv and install modelfit with its dev tools and Jupyter kernel

recommend: $(STAMP) ## print the recommendation for COMPANY (default: demo)
	@case "$$COMPANY" in ""|[!a-z0-9]*|*[!a-z0-9_-]*) \
	  echo "modelfit: COMPANY must be a company id matching [a-z0-9][a-z0-9_-]* (a profile in params/), not a path" >&2; exit 2;; esac
	$(VENV)/bin/modelfit recommend "params/$$COMPANY.yaml"

validate: $(STAMP) ## check every profile in params/
	$(VENV)/bin/modelfit validate params/*.yaml

test: $(STAMP) ## run the tests and the notebooks (nbval)
	$(PY) -m pytest

lint: $(STAMP) ## ruff and mypy --strict
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy

report: $(STAMP) ## render reports/COMPANY.{ipynb,html,json} (COMPANY=demo, REPORT_LANG=en|zh)
	$(VENV)/bin/modelfit report --id-only --lang "$$REPORT_LANG" -- "$$COMPANY"

reports: $(STAMP) ## render every company in params/ in parallel, then the portfolio (WORKERS=N)
	$(VENV)/bin/modelfit batch --lang "$$REPORT_LANG" $${WORKERS:+--workers "$$WORKERS"}

model: $(STAMP) ## train the default classifier on synthetic data into data/classifier.skops (+ card)
	$(VENV)/bin/modelfit train

lab: $(STAMP) ## open JupyterLab on the notebooks, in the project's environment
	$(VENV)/bin/jupyter lab notebooks

notebooks: $(STAMP) ## regenerate the notebooks' reference outputs (after changing src/ or the framework)
	$(PY) tools/make_notebooks.py
	cd notebooks && for nb in *.ipynb; do ../$(VENV)/bin/papermill "$$nb" "$$nb" -k modelfit --cwd . || exit 1; done

bench: $(STAMP) ## run the benchmarks and print their ratios
	$(PY) bench/run.py

clean: ## remove generated reports and caches (keeps .venv)
	rm -rf reports .pytest_cache .mypy_cache .ruff_cache .hypothesis
