# YSH — Yello Solar Hub. `make run` brings the platform up on its embedded defaults;
# `make test` runs the test suite. Both set everything up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench install migrate demo schema clean messages

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py setup_periodic_tasks

demo: migrate
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo

# Web (runserver on 127.0.0.1:8000), Celery worker on every queue and beat — all on the
# embedded defaults unless DATABASE_URL / REDIS_URL / QDRANT_URL / S3_BUCKET / OPENAI_API_KEY say otherwise.
run: demo
	DEBUG=$${DEBUG:-1} $(PY) manage.py collectstatic --noinput -v0
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" DEBUG=$${DEBUG:-1} $(VENV)/bin/honcho -f Procfile.dev start

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	DEBUG=1 $(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

schema: install
	DEBUG=1 $(PY) manage.py spectacular --validate --file openapi.yaml

messages: install
	DEBUG=1 $(VENV)/bin/django-admin makemessages -l pt_BR --ignore=.venv --ignore=var
	DEBUG=1 $(VENV)/bin/django-admin compilemessages --ignore=.venv

bench: install
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf var/ .pytest_cache .ruff_cache
