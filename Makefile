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
PDF ?=
XLSX ?=
FORCE ?=
override COMPANY := $(value COMPANY)
override REPORT_LANG := $(value REPORT_LANG)
override WORKERS := $(value WORKERS)
override PDF := $(value PDF)
override XLSX := $(value XLSX)
override FORCE := $(value FORCE)
export COMPANY REPORT_LANG WORKERS PDF XLSX FORCE

# System libraries of PDF reports (WeasyPrint needs Pango) and of the PDF tests (poppler).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils

.PHONY: pdf-libs pdf-libs-if-root help setup recommend validate test test-fast lint mutation bench report reports model lab notebooks clean

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-11s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed (python3.11 or python3 on PATH)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name modelfit --display-name "modelfit (.venv)" >/dev/null
	@$(MAKE) --no-print-directory pdf-libs-if-root
	@touch $(STAMP)

# As root with apt-get (a fresh CI machine), install what PDF reports need; never fail the set-up.
pdf-libs-if-root:
	@if $(PY) -c 'import weasyprint' >/dev/null 2>&1 && command -v pdftotext >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing the PDF libraries: $(SYSTEM_PACKAGES)"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null; } \
	  || echo "warning: could not install $(SYSTEM_PACKAGES); PDF reports and their tests are skipped"; \
	else echo "note: PDF reports need Pango (Debian: sudo make pdf-libs); skipped until then"; fi

setup: $(STAMP) ## create .venv and install modelfit with its dev tools and Jupyter kernel

recommend: $(STAMP) ## print the recommendation for COMPANY (default: demo)
	@case "$$COMPANY" in ""|[!a-z0-9]*|*[!a-z0-9_-]*) \
	  echo "modelfit: COMPANY must be a company id matching [a-z0-9][a-z0-9_-]* (a profile in params/), not a path" >&2; exit 2;; esac
	$(VENV)/bin/modelfit recommend "params/$$COMPANY.yaml"

validate: $(STAMP) ## check every profile in params/
	$(VENV)/bin/modelfit validate params/*.yaml

# The whole suite, then the committed notebooks re-executed by nbval, once, as on another machine
# (one thread, numpy on its baseline SIMD paths, another hash seed, time zone and locale:
# tests/machines.py), against reference outputs written here with every SIMD path on. Both runs
# always go; the first failure's status is the target's. The tests run on both cores, a test file
# on one worker each (--dist loadfile), so a module's rendered fixtures are made once.
test: $(STAMP) ## every test, then every notebook re-executed by nbval as on another machine (about 3.5 min)
	@status=0; \
	echo '$(PY) -m pytest -n 2 --dist loadfile tests'; $(PY) -m pytest -n 2 --dist loadfile tests || status=$$?; \
	echo '$(PY) tests/machines.py $(PY) -m pytest notebooks'; \
	$(PY) tests/machines.py $(PY) -m pytest notebooks || status=$$?; \
	exit $$status

# The quick loop while editing: no Jupyter kernel, Dask cluster, training run or notebook, and
# small hypothesis budgets (tests/conftest.py). Markers in pyproject.toml.
test-fast: $(STAMP) ## the tests that start no kernel, cluster or training, small hypothesis budgets, both cores (about 1 min)
	HYPOTHESIS_PROFILE=fast $(PY) -m pytest -n 2 -m "not kernel and not cluster and not training" tests

lint: $(STAMP) ## ruff and mypy --strict
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy

report: $(STAMP) ## render reports/COMPANY.{ipynb,html,json} (COMPANY=demo, REPORT_LANG=en|zh, PDF=1, XLSX=1)
	$(VENV)/bin/modelfit report --id-only --lang "$$REPORT_LANG" \
	  $$([ -n "$$PDF" ] && [ "$$PDF" != 0 ] && echo --pdf) \
	  $$([ -n "$$XLSX" ] && [ "$$XLSX" != 0 ] && echo --xlsx) -- "$$COMPANY"

pdf-libs: ## install the system libraries of PDF reports (Debian/Ubuntu, as root)
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(SYSTEM_PACKAGES)

reports: $(STAMP) ## render the companies in params/ that changed, then the portfolio (WORKERS=N, FORCE=1)
	$(VENV)/bin/modelfit batch --lang "$$REPORT_LANG" $${WORKERS:+--workers "$$WORKERS"} \
	  $$([ -n "$$FORCE" ] && [ "$$FORCE" != 0 ] && echo --force)

model: $(STAMP) ## train the default classifier on synthetic data into data/classifier.skops (+ card)
	$(VENV)/bin/modelfit train

# JupyterLab refuses to start as root (as in many containers) unless told to allow it.
LAB_ROOT = $(if $(filter 0,$(shell id -u)),--allow-root)
lab: $(STAMP) ## open JupyterLab on the notebooks, in the project's environment
	$(VENV)/bin/jupyter lab notebooks $(LAB_ROOT)

notebooks: $(STAMP) ## regenerate the notebooks' reference outputs (after changing src/ or the framework)
	$(PY) -m modelfit.deliver.notebooks
	cd notebooks && for nb in *.ipynb; do $(abspath $(VENV))/bin/papermill "$$nb" "$$nb" -k modelfit --cwd . || exit 1; done
	$(PY) -m modelfit.deliver.notebooks --strip-widgets

mutation: $(STAMP) ## mutation testing of the costly-mistake modules, score per module (docs/testing.md)
	$(PY) tools/mutation.py

bench: $(STAMP) ## run the benchmarks and print their ratios
	$(PY) bench/run.py

clean: ## remove generated reports and caches (keeps .venv)
	rm -rf reports .pytest_cache .mypy_cache .ruff_cache .hypothesis
