# Two commands do all the set-up: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: demo test test-second-host lint format bench e2e-deps lock check-deploy wheel clean

# The venv is rebuilt only when the lock file changes, so a second run installs nothing.
$(STAMP): requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $(STAMP)

demo: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	@echo ""
	@echo "  Clinic records (demo data) at http://127.0.0.1:$(PORT)/"
	@echo "  Log in as physio, admin or frontdesk, password: demo"
	@echo ""
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# The plugin's suite against tests/second_host, a host without clinic: SQLite by default,
# PostgreSQL with DATABASE_URL=postgres://... (its own pytest.ini, so run from there). The
# plugin comes from the source tree with our venv, or from the wheel with PY=<its python>.
test-second-host: $(STAMP)
	cd tests/second_host && $(if $(filter $(PY),$(VENV)/bin/python),PYTHONPATH=$(CURDIR)) \
	  $(abspath $(PY)) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)
	$(PY) -m pytest tests/bench -s $(PYTEST_ARGS)

# Browser tests drive Debian's Chromium (never a downloaded browser).
e2e-deps:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium)

check-deploy: $(STAMP)
	DEBUG=0 SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  ALLOWED_HOSTS=clinic.example $(PY) manage.py check --deploy --fail-level WARNING

# The plugin as a wheel (and an sdist) in dist/: assessments, treatments and the clinic host,
# their templates, static files and migrations. setuptools comes from the index, as
# pyproject.toml's [build-system] asks.
wheel: $(STAMP)
	rm -rf dist build
	$(PY) -m build --outdir dist .

lock: $(STAMP)
	{ head -n 2 requirements.lock; $(PY) -m pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean:
	rm -rf $(VENV) staticfiles .pytest_cache dist build
