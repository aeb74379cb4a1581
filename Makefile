# Octets — the two commands: `make run` and `make test`. Everything else serves them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OCTETS := $(BIN)/octets
PYTEST := $(BIN)/pytest
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: run test install install-dev chromium lint test-sqlite test-postgres test-e2e messages lock clean

## make run: set up everything (venv, pinned deps, migrations, demo data) and serve Octets + worker.
run: export OCTETS_BASE_URL ?= http://$(HOST):$(PORT)
run: install
	$(OCTETS) migrate --noinput
	$(OCTETS) build-content --output var/content/release.json
	$(OCTETS) load-content var/content/release.json
	$(OCTETS) load-target-profiles
	$(OCTETS) demo
	@test -f var/ElevesSansAdresses.zip || $(OCTETS) generate-siecle --uai 0750001A --pupils 600 --with-demo-pupil var/ElevesSansAdresses.zip
	@echo "Export SIECLE fictif du Collège Demo, à importer depuis Élèves > Importer : var/ElevesSansAdresses.zip"
	@echo "Octets : http://$(HOST):$(PORT)/  (Ctrl+C pour arrêter)"
	@$(OCTETS) worker & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null; wait $$WORKER 2>/dev/null' EXIT INT TERM; \
	$(OCTETS) runserver $(HOST):$(PORT)

## make test: everything CI checks (lint, SQLite, PostgreSQL when DATABASE_URL says so, browser).
test: install-dev chromium lint test-sqlite test-postgres test-e2e

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.base-installed: requirements/base.txt pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/base.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.dev-installed: requirements/dev.txt pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@ $(VENV)/.base-installed

install: $(VENV)/.base-installed
install-dev: $(VENV)/.dev-installed

chromium:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/djlint src/octets/templates --lint
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=octets.config.settings.test $(OCTETS) makemigrations --check --dry-run

test-sqlite: install-dev
	env -u DATABASE_URL $(PYTEST) -m "not e2e" -n 2 -q

test-postgres: install-dev
	@if [[ "$${DATABASE_URL:-}" == postgres* ]]; then \
		echo "== PostgreSQL: $${DATABASE_URL%%@*}@…"; \
		$(PYTEST) -m "not e2e" -n 2 -q; \
	else \
		echo "== PostgreSQL: DATABASE_URL is not a postgres:// URL, suite skipped on PostgreSQL"; \
	fi

test-e2e: install-dev chromium
	env -u DATABASE_URL $(PYTEST) -m e2e -q

## Translations: regenerate the English catalogue after changing French strings.
messages: install-dev
	cd src/octets && ../../$(OCTETS) makemessages -l en --no-obsolete && ../../$(OCTETS) compilemessages -l en

## Regenerate the hashed lock files from pyproject.toml (needs uv in the venv or PATH).
lock:
	uv pip compile pyproject.toml requirements/build.in --universal --python-version 3.11 --generate-hashes --no-header -o requirements/base.txt
	uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 --generate-hashes --no-header -o requirements/dev.txt

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
