# The README's commands. Everything runs from the project's own .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails point where `make run` serves, unless TESSERA_SITE_URL says otherwise.
SITE_URL := $(or $(TESSERA_SITE_URL),http://$(HOST):$(PORT))

.PHONY: run test test-fast lint install migrate demo messages bench clean

$(BIN)/python:
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

# Web server and task worker side by side; Ctrl-C stops both.
run: demo
	@echo "Tessera runs at http://$(HOST):$(PORT)/ (Ctrl-C stops the web server and the task worker)"
	@TESSERA_SITE_URL=$(SITE_URL) $(BIN)/python manage.py run_automation
	@TESSERA_SITE_URL=$(SITE_URL) $(BIN)/python manage.py db_worker --queue-name '*' --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	TESSERA_SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .

test: install
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

clean:
	rm -rf var
