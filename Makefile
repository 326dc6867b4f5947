# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := demo
DEMO_DATE ?= 2026-11-23
PORT ?= 5000
NOTEBOOK_PORT ?= 8888

.PHONY: run test lint fmt bench install dev demo clean vendor notebooks notebooks-run

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
dev: $(VENV)/.dev

demo: $(VENV)/.runtime
	$(BIN)/planner demo $(DEMO) --seed 1 --date $(DEMO_DATE)
	$(BIN)/planner validate $(DEMO)
	$(BIN)/planner match $(DEMO) --date $(DEMO_DATE) --out $(DEMO)/matches.csv

run: demo
	$(BIN)/planner serve --demo --date $(DEMO_DATE) --port $(PORT)

# The analysts' notebooks in JupyterLab (installed with the dev dependencies), opened on
# notebooks/; their figures go to notebooks/figures/ (git-ignored).
notebooks: $(VENV)/.dev
	$(BIN)/jupyter lab --notebook-dir=notebooks --port=$(NOTEBOOK_PORT) --no-browser

# Run every notebook top to bottom without opening anything: each run copy, with its outputs,
# and its figures land in notebooks/figures/.
notebooks-run: $(VENV)/.dev
	mkdir -p notebooks/figures
	cd notebooks && MPLBACKEND=Agg ../$(BIN)/jupyter nbconvert --to notebook --execute \
		--ExecutePreprocessor.timeout=600 --output-dir=figures *.ipynb

test: $(VENV)/.dev lint
	$(BIN)/python -m pytest -n auto

lint: $(VENV)/.dev
	$(BIN)/ruff check planner web tests benchmarks
	$(BIN)/ruff format --check planner web tests benchmarks
	$(BIN)/mypy

fmt: $(VENV)/.dev
	$(BIN)/ruff check --fix planner web tests benchmarks
	$(BIN)/ruff format planner web tests benchmarks

# Re-fetch the pinned front-end assets (GOV.UK Frontend, Leaflet) from the npm registry into
# web/static; the result is committed, so only run this to change a version.
vendor:
	scripts/vendor-static.sh

bench: $(VENV)/.dev
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(DEMO) instance .pytest_cache .mypy_cache .ruff_cache notebooks/figures
