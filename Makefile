# The two commands of the README: `make run` and `make test`. Everything else supports them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_DAY := 2025-12-10
HOST := 127.0.0.1:8000

.PHONY: setup run test test-fast lint format messages migrate demo worker worker-default worker-rankings worker-snapshots beat bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

migrate: setup
	DEBUG=on $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=on APP_TODAY=$(DEMO_DAY) $(BIN)/python manage.py seed_demo

run: demo
	@echo ""
	@echo "  Open http://$(HOST)/ and log in with one of the demo users above."
	@echo "  The app's day is fixed at $(DEMO_DAY) (week 5 of the demo campaign)."
	@echo ""
	DEBUG=on APP_TODAY=$(DEMO_DAY) $(BIN)/python manage.py runserver $(HOST)

test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the Vietnamese catalogue after changing UI strings, then translate and compile.
messages: setup
	DEBUG=on $(BIN)/python manage.py makemessages -l vi --ignore=.venv --ignore=staticfiles
	DEBUG=on $(BIN)/python manage.py compilemessages --ignore=.venv

worker: setup
	$(BIN)/celery -A config worker --loglevel=info

# With CELERY_SEPARATE_QUEUES=on: one worker per queue (each may run on a machine of its own).
worker-default: setup
	$(BIN)/celery -A config worker --loglevel=info -Q celery -n default@%h
worker-rankings: setup
	$(BIN)/celery -A config worker --loglevel=info -Q rankings -n rankings@%h
worker-snapshots: setup
	$(BIN)/celery -A config worker --loglevel=info -Q snapshots -n snapshots@%h

beat: setup
	$(BIN)/celery -A config beat --loglevel=info

# The whole app at a province's scale against the local PostgreSQL and Redis (bench/run.py; README
# "Performance"): builds or reuses its scratch database <name>_bench, serves it with gunicorn, loads it,
# prints one report and writes it to bench/results/. BENCH_PEOPLE / BENCH_ENROLLMENTS make it smaller.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bhxh
bench: setup
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.run $(BENCH_ARGS)
