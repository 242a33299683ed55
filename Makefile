# sitrep-analysis: `make help` lists the targets. Every target sets up .venv first if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help setup bytecode report test lint lock validate datapackage lab bench clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml constraints.txt
	@echo ">> creating $(VENV) and installing sitrep-analysis with its dev tools, at the versions in constraints.txt"
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv and install the project (done by every other target)

bytecode: $(STAMP) ## Byte-compile the package (done by report, test and bench)
	@echo ">> python -m compileall sitrep_analysis (Python would on first import, unless PYTHONDONTWRITEBYTECODE is set)"
	@$(BIN)/python -m compileall -q sitrep_analysis

report: bytecode ## Render the standard reports (reports.toml) and reports/index.html
	@echo ">> rendering the reports listed in reports.toml to reports/ (unchanged ones are skipped)"
	@$(BIN)/sitrep schedule reports.toml

test: lint bytecode ## Run the whole test suite (lint, data, notebooks, browser)
	@echo ">> pytest (tests/ and every docstring example in sitrep_analysis/)"
	@$(BIN)/python -m pytest

lint: $(STAMP) ## Check code style with ruff and the type hints with mypy
	@echo ">> ruff check"
	@$(BIN)/ruff check sitrep_analysis tests tools benchmarks
	@echo ">> mypy sitrep_analysis (disallow_untyped_defs, pandas-stubs)"
	@$(BIN)/mypy sitrep_analysis

lock: $(STAMP) ## Pin every dependency, for every Python the README allows, into constraints.txt
	@echo ">> uv pip compile: pyproject.toml (with dev tools) -> constraints.txt, universal (Python 3.11+)"
	@$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--quiet -o constraints.txt

lab: $(STAMP) ## Open JupyterLab on the project, with the project's kernel (python3 in .venv)
	@echo ">> starting JupyterLab in $(CURDIR) (notebooks/ holds the reports' notebooks; Ctrl-C stops it)"
	@$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/notebooks \
		$(if $(filter 0,$(shell id -u)),--allow-root)

bench: bytecode ## Print the benchmarks, as ratios against baselines measured in the same run
	@echo ">> rendering benchmark (about 2 minutes)"
	@$(BIN)/python benchmarks/bench_render.py
	@echo ">> ACLED import benchmark: a million synthetic rows against DuckDB (about 1 minute)"
	@$(BIN)/python benchmarks/bench_acled.py

validate: $(STAMP) ## Validate the curated data in data/
	@echo ">> sitrep validate data"
	@$(BIN)/sitrep validate data

datapackage: $(STAMP) ## Regenerate data/datapackage.json from the column dictionary and the CSVs
	@echo ">> writing data/datapackage.json"
	@$(BIN)/sitrep datapackage --write data

clean: ## Remove .venv and generated reports
	rm -rf $(VENV) reports/*.html
