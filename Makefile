# The README's commands. Everything runs from the project's own .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails point where `make run` serves, unless TESSERA_SITE_URL says otherwise.
SITE_URL := $(or $(TESSERA_SITE_URL),http://$(HOST):$(PORT))

.PHONY: run test test-fast lint install migrate demo messages bench bench-imports clean system

$(BIN)/python:
	@PYTHON=$(PYTHON) tools/check_system.sh python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installed again only when the dependencies change.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --no-input -v0

demo: migrate
	$(BIN)/python manage.py seed_demo

# `make run` serves as customers see it, with DEBUG off: a 404 is the site's page, never Django's
# technical page listing every URL. Developers who want those pages: `make run TESSERA_DEBUG=true`.
# Outside DEBUG Tessera needs a secret key of its own: one is generated on the first run into a file
# git ignores (under .venv/), so sessions and signed links stay valid from one run to the next.
# Plain http on loopback: no redirect to https, no HSTS, cookies without the secure flag; static files
# from the source folders (runserver --insecure), without the hashed names collectstatic would write.
SECRET_KEY_FILE := $(VENV)/secret_key
# Serving on another address than loopback (HOST=0.0.0.0)? Name the hosts in TESSERA_ALLOWED_HOSTS.
comma := ,
RUN_ALLOWED_HOSTS := $(or $(TESSERA_ALLOWED_HOSTS),$(HOST)$(comma)127.0.0.1$(comma)localhost)
RUN_ENV := TESSERA_SITE_URL=$(SITE_URL) TESSERA_DEBUG=$(or $(TESSERA_DEBUG),false) \
	TESSERA_SECRET_KEY="$$(cat $(SECRET_KEY_FILE))" TESSERA_ALLOWED_HOSTS=$(RUN_ALLOWED_HOSTS) \
	TESSERA_SSL_REDIRECT=false TESSERA_SECURE_COOKIES=false TESSERA_HSTS_SECONDS=0 TESSERA_STATIC_MANIFEST=false

$(SECRET_KEY_FILE): | $(BIN)/python
	@umask 077; $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > $@.tmp && mv $@.tmp $@

# Web server and task worker side by side; Ctrl-C stops both.
run: demo $(SECRET_KEY_FILE)
	@echo "Tessera runs at http://$(HOST):$(PORT)/ (Ctrl-C stops the web server and the task worker)"
	@$(RUN_ENV) $(BIN)/python manage.py run_automation
	@$(RUN_ENV) $(BIN)/python manage.py db_worker --queue-name '*' --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(BIN)/python manage.py runserver --insecure --noreload $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .

# The system packages the suite needs (browsers, gettext, Node.js, Xvfb): installed with apt-get as root,
# otherwise the one `sudo apt-get install` line is printed (tools/check_system.sh).
system:
	@PYTHON=$(PYTHON) tools/check_system.sh test

# puppeteer-core drives Firefox ESR over WebDriver BiDi: installed from package-lock.json, no browser download.
node_modules/.package-lock.json: package.json package-lock.json | system
	PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

test: system install node_modules/.package-lock.json
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run -v0
	$(BIN)/pytest -q -n 2

# The inner loop: no browser, a few hypothesis examples per property. `make test` is the whole suite.
test-fast: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/pytest -q -n 2 -m "not e2e" --hypothesis-profile=fast

messages: install
	cd tessera && ../$(BIN)/python ../manage.py makemessages -l it -l de --no-obsolete --no-location
	cd tessera && ../$(BIN)/python ../manage.py compilemessages -v0

bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Imports at a vendor's scale (bench/imports.py): 10,000 organizations with 30,000 contacts, 100,000 tickets.
bench-imports: install
	$(BIN)/python bench/imports.py $(BENCH_ARGS)

clean:
	rm -rf var
