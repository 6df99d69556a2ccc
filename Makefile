# The front door: `make run` and `make test` work from a fresh clone with only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run moderator serve test test-services fmt lint check lock upgrade bench screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# requirements.txt and requirements-dev.txt are lock files: every package of the tree, pinned
# with its hashes, compiled by pip-tools from requirements.in and requirements-dev.in (see
# `make lock`). A changed lock file reinstalls at the next make.
$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# package-lock.json pins the reader's font (@fontsource-variable/source-serif-4, served by
# skinsite/staticfiles.py) and the Nu HTML Checker (vnu.jar) that tests/test_valid_html.py runs with
# Debian's Java; installed when npm is there (without, the page falls back to the system's serif).
# No install scripts: vnu-jar's would download a Java.
NPM := $(shell command -v npm 2>/dev/null)
node_modules/.vnu: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Development settings for every manage.py command, not only for `make run` (the settings read
# .env; the real environment always wins, and tests never read it).
.env:
	printf '# Written by make run: development mode for manage.py. Delete it to run with production defaults.\nDJANGO_DEBUG=1\n' > $@

run: $(VENV)/.runtime .env $(if $(NPM),node_modules/.vnu)
	$(BIN)/python manage.py migrate --no-input
	@echo
	@echo "  The article:     http://$(HOST):$(PORT)/"
	@echo "  The moderation queue: http://$(HOST):$(PORT)/admin/ — create a moderator login with"
	@echo "      make moderator"
	@echo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# A moderator login for /admin/: asks for a name, an email (held-comment emails go there) and a password.
moderator: $(VENV)/.runtime .env
	@$(BIN)/python manage.py migrate --no-input --verbosity 0
	@printf "Moderator's user name: "; read name; printf "Their email (held-comment emails go there): "; read email; \
	$(BIN)/python manage.py createmoderator "$$name" --email "$$email"

# The production stack on this machine: DEBUG off, hashed static files, gunicorn, and a
# db_worker that sends the site's email from the database task queue. DJANGO_SECRET_KEY
# defaults to a key generated once into .secret-key (not committed); plain HTTP on
# loopback, so the HTTPS redirect is off unless you set it. The access log leaves out query strings
# and referrers: a moderator's search for an email is a query string.
WEB_CONCURRENCY ?= 2
serve: export DJANGO_DEBUG ?= 0
serve: export DJANGO_ALLOWED_HOSTS ?= 127.0.0.1,localhost
serve: export DJANGO_SECURE_SSL_REDIRECT ?= 0
serve: export DJANGO_TASKS_BACKEND ?= database
serve: $(VENV)/.runtime .secret-key $(if $(NPM),node_modules/.vnu)
	export DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat .secret-key)}"; \
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0 && \
	$(BIN)/python manage.py migrate --no-input && \
	$(BIN)/python manage.py createcachetable && \
	{ $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/gunicorn skinsite.wsgi --bind $(HOST):$(PORT) --workers $(WEB_CONCURRENCY) \
		--access-logfile - --access-logformat '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s"' \
		--error-logfile -; }

.secret-key:
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

# The browser journeys run in a process of their own: Playwright keeps an event loop
# running in the test thread, and Django's per-context connections must not outlive it.
test: $(VENV)/.dev $(if $(NPM),node_modules/.vnu)
	@command -v java >/dev/null && test -f node_modules/vnu-jar/build/dist/vnu.jar || echo "HTML validity tests will be skipped: they need Debian's Java (apt-get install -y default-jre-headless) and npm."
	$(BIN)/python -m pytest --ignore=tests/e2e $(PYTEST_ARGS)
	@test -x /usr/bin/chromium || echo "Browser tests will be skipped: Debian's chromium is not installed (apt-get install -y chromium)."
	$(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS) $(if $(findstring --cov,$(PYTEST_ARGS)),--cov-append)

# The same suite on PostgreSQL and Redis, plus the two-server scale-out test; a missing
# service fails the run instead of skipping. pytest-django creates test_skinsite itself.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/skinsite
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
test-services: export SKINSITE_REQUIRE_SERVICES = 1
test-services: export DATABASE_URL = $(TEST_DATABASE_URL)
test-services: export REDIS_URL = $(TEST_REDIS_URL)
test-services: test

# pre-commit's local hooks (.pre-commit-config.yaml) with the tools that requirements-dev.txt pins:
# ruff, django-upgrade, djade (templates) and pyproject-fmt. `make lint` changes no file and fails
# when one would change, then runs mypy; `make fmt` lets the same tools rewrite the files.
PRE_COMMIT := $(BIN)/pre-commit run --all-files
fmt: $(VENV)/.dev
	@$(PRE_COMMIT) --hook-stage manual >/dev/null || $(PRE_COMMIT) --hook-stage manual
	@echo "make fmt: done; git diff shows what changed."

lint: $(VENV)/.dev
	@$(PRE_COMMIT) || { echo; echo "make lint: files above would change; make fmt changes what a tool can."; exit 1; }
	$(BIN)/mypy

# What CI checks beyond the tests: no model change without its migration, and Django's deploy
# checks with production values (DEBUG off, a real secret key, a host name).
check: $(VENV)/.runtime
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=tests.settings
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY="check-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  DJANGO_ALLOWED_HOSTS=skin.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

# After editing requirements.in or requirements-dev.in: recompile the lock files, keeping every
# other pin. `make upgrade` moves every package that the .in files do not pin (the transitive
# ones) to its newest version instead. pip-compile's options are in pyproject.toml ([tool.pip-tools]).
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet
lock: $(VENV)/.dev
	$(PIP_COMPILE) requirements.in
	$(PIP_COMPILE) requirements-dev.in

upgrade: $(VENV)/.dev
	$(PIP_COMPILE) --upgrade requirements.in
	$(PIP_COMPILE) --upgrade requirements-dev.in

# The README's pictures, taken by the browser journeys.
screenshots: $(VENV)/.dev $(if $(NPM),node_modules/.vnu)
	SKINSITE_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/e2e -q -k "journey1 or journey2 or journey4 or screenshots or keyboard_alone or reasons_and_history"

# wrk drives every load: Debian's package, installed when missing, as .ci/run installs chromium.
# bench/spam.py: the spam classifier's evaluation on the YouTube Spam Collection and its scoring time.
bench: $(VENV)/.dev
	@command -v wrk >/dev/null || { echo "Installing Debian's wrk"; apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/run.py
	$(BIN)/python bench/spam.py

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 .pytest_cache .coverage htmlcov .secret-key .mypy_cache .ruff_cache .env
