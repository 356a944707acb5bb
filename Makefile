# One task runner for people and CI. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT ?= out

.PHONY: install demo test lint typecheck unit bench lock clean

# The tested versions (constraints.txt) within pyproject's ranges.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]" -c constraints.txt
	touch $(STAMP)

install: $(STAMP)

## The synthetic demo on SQLite: generate, encode, import, and say where the outputs are.
demo: install
	$(BIN)/victim-monitor demo --out $(OUT)

## Everything CI checks: lint, format, strict types, all tests (SQLite and PostgreSQL).
test: lint typecheck unit

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest -n 2 --dist loadgroup

## After upgrading packages in .venv and a green `make test`: record them as the tested set.
lock: install
	{ sed -n '1,/^# A plain/p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(OUT) .mypy_cache .ruff_cache .pytest_cache
