# The two commands of a fresh clone: `make run` and `make test`. Everything else they need is here.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SOURCES := app tests bench
# Redocly CLI lints the OpenAPI document (tests/api/test_contract.py); pinned, kept in the venv.
REDOCLY_VERSION := 2.77.0
REDOCLY := $(VENV)/redocly/node_modules/.bin/redocly
# openapi-typescript, openapi-fetch and tsc type a TypeScript client (tests/api/test_contract.py).
TYPESCRIPT_PACKAGES := openapi-typescript@7.13.0 openapi-fetch@0.17.0 typescript@5.9.3
TSC := $(VENV)/typescript/node_modules/.bin/tsc
# pytest-xdist workers for `make test`: one per core of the 2-core CI machine.
TEST_WORKERS ?= 2
# Schemathesis gives every operation's test one node id, which pytest-xdist folds into one:
# the fuzzing runs in a process of its own after the rest.
FUZZ_TESTS := tests/api/test_fuzz.py

.PHONY: run test services lint typecheck redocly typescript bench mutation fuzz clean

# The virtual environment: runtime dependencies for `run`, plus the dev tools for `test`.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "Tamis needs Python 3.11 or newer (found: $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed-run
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

# Serves the API on 127.0.0.1:8000 with SQLite under ./data (TAMIS_DATABASE_URL to change it).
run: $(VENV)/.installed-run
	$(BIN)/tamis criteria validate
	$(BIN)/tamis db upgrade
	$(BIN)/tamis keys bootstrap
	$(BIN)/tamis users bootstrap
	$(BIN)/tamis serve --host 127.0.0.1 --port 8000

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy app

services:
	bash tests/ensure-services.sh

$(REDOCLY): | $(BIN)/python
	@command -v npm >/dev/null || { echo "npm is missing: apt-get install npm"; exit 1; }
	npm install --silent --no-fund --no-audit --prefix $(VENV)/redocly @redocly/cli@$(REDOCLY_VERSION)

redocly: $(REDOCLY)

$(TSC): | $(BIN)/python
	@command -v npm >/dev/null || { echo "npm is missing: apt-get install npm"; exit 1; }
	npm install --silent --no-fund --no-audit --prefix $(VENV)/typescript $(TYPESCRIPT_PACKAGES)

typescript: $(TSC)

test: services lint typecheck redocly typescript
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --ignore=$(FUZZ_TESTS)
	$(BIN)/pytest -p no:xdist $(FUZZ_TESTS)

# Mutation testing, nightly-sized (not part of `make test`): mutmut one module at a time, with
# its group's fast tests only; resumes where the last run stopped; writes tests/MUTATION.md.
# `make mutation GROUPS="core scoring:rules"`; MUTATION_ARGS="--recheck" (or "--verify")
# re-tests the survivors after new tests.
GROUPS ?=
MUTATION_ARGS ?=
mutation: $(VENV)/.installed-dev
	nice -n 10 $(BIN)/python tests/mutation.py $(GROUPS) $(MUTATION_ARGS)

# A deeper fuzzing run than `make test`'s: new random examples each time, 500 per operation.
FUZZ_EXAMPLES ?= 500
fuzz: $(VENV)/.installed-dev
	TAMIS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -p no:cacheprovider tests/api/test_fuzz.py

# Every benchmark, each against its baseline in the same run; bench/run_all.py writes
# bench/RESULTS.md from their output (commit, date, machine, every figure).
bench: $(VENV)/.installed-dev services
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } \
	  || { echo "wrk is missing: apt-get install wrk"; exit 1; }
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
