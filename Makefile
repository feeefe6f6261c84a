# Two commands for a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: serve test check format install lock bench clean

# First run: say what is happening; pip shows each package and a progress bar (a few minutes on a fresh
# machine), instead of a silent --quiet install that looks hung.
$(STAMP): requirements.lock pyproject.toml
	@echo "==> Creating $(VENV) and installing the locked dependencies (first run only; a few minutes)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --progress-bar on --require-hashes -r requirements.lock
	touch $(STAMP)
	@echo "==> Dependencies installed in $(VENV)"

install: $(STAMP)

## Start the embedded PostgreSQL (unless DATABASE_URL is set), migrate, load demo data once, serve.
serve: $(STAMP)
	@echo "==> Starting: embedded PostgreSQL (unless DATABASE_URL is set), migrations, demo data, API"
	$(BIN)/python -m api serve

## The whole test suite, on the embedded PostgreSQL (or DATABASE_URL when set).
test: $(STAMP)
	$(BIN)/pytest -n auto --dist loadfile  # one worker per core; a file's tests stay on one worker

## Lint, format and types: what CI runs before the tests.
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Apply the formatter and the safe lint fixes.
format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m bench

## Re-resolve requirements.lock from pyproject.toml (needs network to PyPI).
lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --extra test --generate-hashes \
		--python-version 3.11 --output-file requirements.lock

clean:
	rm -rf $(VENV)
