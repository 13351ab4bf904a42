# GCM Tracker: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the suite.
# DATABASE_URL=postgres://... switches both from the embedded SQLite database to PostgreSQL.

VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
UV := $(BIN)/uv
UV_VERSION := 0.13.8

# The newest Python 3.12+ on PATH or in pyenv. A candidate must actually run:
# pyenv's shims exist for versions that are not selected and fail when called.
find_python = $(firstword $(foreach c,python3.14 python3.13 python3.12 \
	$(sort $(wildcard $(HOME)/.pyenv/versions/3.1[4-9]*/bin/python)) \
	$(sort $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python)) \
	$(sort $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python)) \
	$(sort $(wildcard $(PYENV_ROOT)/versions/3.1[2-9]*/bin/python)) python3, \
	$(shell $(c) -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && echo $(c))))

.PHONY: run test messages lint format install install-dev lock upgrade migrate demo backup restore scale-data bench load clean

$(BIN)/python:
	@PY="$(PYTHON)"; [ -n "$$PY" ] || PY="$(find_python)"; \
	if [ -z "$$PY" ]; then \
		echo "GCM Tracker needs Python 3.12 or newer and found none." >&2; \
		echo "Install one (Debian/Ubuntu: 'apt-get install python3.12 python3.12-venv'," >&2; \
		echo "or 'pyenv install 3.13'), or name it: make run PYTHON=/path/to/python3.12" >&2; \
		exit 1; \
	fi; \
	echo "Creating $(VENV) with $$PY ($$($$PY --version))"; \
	$$PY -m venv $(VENV)

# Dependencies come from uv.lock (every package pinned, with hashes); uv installs them.
# --locked stops with an error if uv.lock no longer matches pyproject.toml.
$(UV): $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --quiet --locked --inexact --python $(BIN)/python
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml uv.lock
	$(UV) sync --quiet --locked --inexact --python $(BIN)/python --extra dev
	touch $@

# After changing a range in pyproject.toml: make lock. To take the newest releases
# that the ranges allow: make upgrade (then run make test and commit uv.lock).
lock: $(UV)
	$(UV) lock

upgrade: $(UV)
	$(UV) lock --upgrade

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --no-input

demo: migrate
	$(BIN)/python manage.py load_demo

# Links in emails point at the address served, unless SITE_URL says otherwise. The
# background worker (emails, reminders, digests) runs beside the server and stops with it.
run: demo
	@export SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}"; \
	$(BIN)/python manage.py run_worker --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-dev
	$(BIN)/python -m pytest --numprocesses auto

# make backup            -> backups/<time>/ (data.json and media.tar.gz)
# make restore FROM=backups/<time>
backup: migrate
	$(BIN)/python manage.py backup_data

restore: migrate
	@[ -n "$(FROM)" ] || { echo "Say which backup: make restore FROM=backups/<folder>" >&2; exit 1; }
	$(BIN)/python manage.py restore_data "$(FROM)" --no-input

# Benchmarks and the load test (not part of `make test`): synthetic data at scale,
# served by gunicorn on 127.0.0.1. DATABASE_URL=postgres://... runs them on PostgreSQL.
BENCH_SQLITE ?= benchmarks/bench.sqlite3
scale-data: install
	SQLITE_PATH=$(BENCH_SQLITE) $(BIN)/python manage.py migrate --no-input -v0
	$(BIN)/python manage.py collectstatic --no-input -v0
	SQLITE_PATH=$(BENCH_SQLITE) $(BIN)/python manage.py generate_scale_data --if-missing

bench: scale-data
	SQLITE_PATH=$(BENCH_SQLITE) $(BIN)/python benchmarks/bench.py

# make load HOSTS=2: two gunicorn hosts sharing the database, Redis and an object store.
load: scale-data
	SQLITE_PATH=$(BENCH_SQLITE) $(BIN)/python benchmarks/load.py $(if $(HOSTS),--hosts $(HOSTS))

# The translation catalogs: `make messages` brings every locale/<lang>/LC_MESSAGES/django.po
# up to date with the code and compiles the .mo files (both are committed; the site needs no
# gettext to run). Needs GNU gettext (Debian: apt-get install gettext).
LOCALES := km th id ne fil
MESSAGES_IGNORE := --ignore=.venv --ignore=tests --ignore=benchmarks --ignore=staticfiles --ignore=var --ignore=backups
messages: install-dev
	$(BIN)/python manage.py makemessages $(addprefix -l ,$(LOCALES)) --no-obsolete --add-location=file $(MESSAGES_IGNORE)
	$(BIN)/python manage.py compilemessages $(addprefix -l ,$(LOCALES)) $(MESSAGES_IGNORE)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
