# Everything runs from .venv, created on first use; PostgreSQL and Redis come from devstack
# unless DATABASE_URL / REDIS_URL point elsewhere (see `python -m devstack --help`).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.install-stamp
DEVSTACK := $(PY) -m devstack
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.DEFAULT_GOAL := help
.PHONY: help install run dev manage test test-in-env lint format lock up down status chromium bench \
	backup restore screenshots

help:
	@echo "make run                 migrate, load reference + demo data, serve on 127.0.0.1:\$$PORT (8000)"
	@echo "make dev                 the same with Django's autoreloading runserver instead of gunicorn"
	@echo "make manage ARGS=...     run a management command, e.g. ARGS=createsuperuser"
	@echo "make test                lint, Django checks, mypy and pytest (PYTEST_ARGS=... passes through)"
	@echo "make lint | format       ruff check + format check | apply ruff fixes and formatting"
	@echo "make bench [N=1000000]   load N entries (100,000) into registry_bench; time search, browse, exports, gunicorn load, a sweep"
	@echo "make screenshots         PNGs of every page type, 1366 and 390 px, English and Chinese, in screenshots/"
	@echo "make up | down | status  the project-local PostgreSQL and Redis in .devstack/"
	@echo "make backup              dump the database to backups/registry-<UTC time>.dump"
	@echo "make restore FILE=...    replace the database with that dump (asks first)"
	@echo "make lock                re-resolve pyproject.toml's .[dev] and rewrite constraints.txt"

$(PY):
	$(PYTHON) -m venv $(VENV)

# The stamp makes a second `make` skip pip until pyproject.toml or constraints.txt change.
$(STAMP): $(PY) pyproject.toml constraints.txt
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@

install: $(STAMP)

run: install
	$(DEVSTACK) run

# RELOAD=1: runserver, restarting on every code change (gunicorn does not reload).
dev: install
	RELOAD=1 $(DEVSTACK) run

manage: install
	$(DEVSTACK) exec -- $(PY) manage.py $(ARGS)

# The browser tests drive Debian's Chromium; install it when missing and possible (root with
# apt-get). Elsewhere those tests skip and say why.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
			|| echo "Could not install chromium: browser tests will be skipped"; \
	else echo "No /usr/bin/chromium and no root to install it: browser tests will be skipped"; fi

# `make run` uses Redis databases 0-2 (broker, cache, status checks); tests take 3-5, so a test's
# cache.clear() or purge never touches a running `make run`.
# A PostgreSQL that `make test` starts itself holds only test databases: it runs without
# fsync (devstack/postgres.py NOT_DURABLE). One already running for `make run` is used as is.
test: lint chromium
	DEVSTACK_PG_DURABLE=0 DEVSTACK_REDIS_DB=3 $(DEVSTACK) exec -- $(MAKE) --no-print-directory test-in-env

# Needs DATABASE_URL and REDIS_URL: `make test` runs it inside `devstack exec`. mypy's
# django-stubs plugin imports the test settings (they read both) but connects to neither.
test-in-env: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m mypy
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Every page type on the demo register (tests/e2e/pages.py), photographed by the browser tests'
# own live server at 1366 and 390 px in both languages. Like `make test` it needs only devstack
# (or DATABASE_URL / REDIS_URL) and Chromium; SCREENSHOTS=dir writes elsewhere.
SCREENSHOTS ?= screenshots
screenshots: install chromium
	@rm -f $(SCREENSHOTS)/*.png
	DEVSTACK_REDIS_DB=3 $(DEVSTACK) exec -- $(PY) -m pytest tests/e2e/test_screenshots.py \
		--screenshots=$(SCREENSHOTS) -q -rs
	@ls $(SCREENSHOTS)/*.png >/dev/null 2>&1 || { echo "No screenshots taken: see the skip reason above" >&2; exit 1; }
	@echo "$$(ls $(SCREENSHOTS)/*.png | wc -l) screenshots in $(SCREENSHOTS)/"

# The benchmark, in one run: N generated entries in a separate database on the same server
# (registry_bench; dev data is untouched); the query mix through the API and as raw SQL;
# browse pages deep and cold; exports; 8 clients against gunicorn started as `make run`
# starts it, a whole-register export through it and its workers' memory; then a local-rules
# status sweep with 30% of live entries due to expire (put back after). One table and
# .bench/results.json. It creates that database, so it connects as the owner.
# BENCH_ARGS passes more options, e.g. BENCH_ARGS="--reuse --repetitions 20 --seconds 60".
N ?= 100000
bench: install
	$(DEVSTACK) exec -- sh -c 'DATABASE_URL="$${MIGRATION_DATABASE_URL:-$$DATABASE_URL}" MIGRATION_DATABASE_URL= exec $(PY) manage.py bench_search --n $(N) $(BENCH_ARGS)'

# pg_dump/pg_restore of the server's major version (README, Backup and restore).
backup: install
	$(DEVSTACK) exec -- $(PY) manage.py backup

restore: install
	@if [ -z "$(FILE)" ]; then \
		echo "make restore needs FILE=backups/registry-<UTC time>.dump (see ls backups/)" >&2; \
		exit 2; fi
	$(DEVSTACK) exec -- $(PY) manage.py restore "$(FILE)"

up down status: install
	$(DEVSTACK) $@

# Resolves in a throwaway venv so the pins hold exactly what `.[dev]` pulls in, nothing local.
lock:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/pip" install --quiet -e ".[dev]"; \
	"$$tmp/venv/bin/pip" freeze --exclude-editable > "$$tmp/constraints.txt"; \
	if cmp -s "$$tmp/constraints.txt" constraints.txt; then echo "constraints.txt is current"; \
	else cp "$$tmp/constraints.txt" constraints.txt; echo "constraints.txt updated: commit it"; fi
