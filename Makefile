# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := src/lodestar/static/vendor
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint typecheck pytest e2e-browser bench openapi clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# --ignore-scripts: no front-end package needs to run code at install time (swagger-ui-dist's
# dependency would otherwise report the install to its author).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

$(VENDOR)/.copied: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/sortablejs/Sortable.min.js $(VENDOR)/Sortable.min.js
	mkdir -p $(VENDOR)/swagger-ui
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
		node_modules/swagger-ui-dist/LICENSE $(VENDOR)/swagger-ui/
	touch $(VENDOR)/.copied

install: $(STAMP) $(VENDOR)/.copied

# `make run` serves in production mode (no debug pages), as a self-hoster's server would: the
# secret key is generated once and kept in the data directory (readable by you alone), and
# plain HTTP is allowed because the server listens on this machine only. Set LODESTAR_DEBUG=1
# for development mode, or LODESTAR_SECRET_KEY to use your own key.
DATA_DIR := $(or $(LODESTAR_DATA_DIR),$(HOME)/.local/share/lodestar)
SECRET_KEY_FILE := $(DATA_DIR)/secret_key
# Lodestar reads the key from the data directory's secret_key file (LODESTAR_SECRET_KEY wins),
# so the CLI run by hand afterwards (`.venv/bin/lodestar backlog list ...`) uses the same key.
RUN_ENV = LODESTAR_DATA_DIR="$(DATA_DIR)" LODESTAR_INSECURE_HTTP=1

$(SECRET_KEY_FILE):
	mkdir -p -m 700 "$(DATA_DIR)"
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > "$@"

run: install $(SECRET_KEY_FILE)
	$(RUN_ENV) $(BIN)/lodestar migrate
	$(RUN_ENV) $(BIN)/lodestar demo --if-empty --address http://$(HOST):$(PORT)/
	$(RUN_ENV) $(BIN)/lodestar serve --host $(HOST) --port $(PORT)

# Debian's Chromium drives the browser tests; installed when missing and we are root.
e2e-browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests"; \
		(apt-get install -y -qq chromium >/dev/null 2>&1 || \
		 (apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null)) || \
		echo "WARNING: could not install chromium; browser tests will be skipped"; \
	fi

# The layering contracts (pyproject.toml, [tool.importlinter]) are part of the lint.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: install
	LODESTAR_TESTING=1 $(BIN)/mypy

# The API fuzz runs on its own, in one process: schemathesis gives each operation's test the same
# node id, and pytest-xdist then runs (and reports) only one of them.
FUZZ := tests/api/test_fuzz.py
pytest: install e2e-browser
	$(BIN)/pytest -n 2 --dist loadfile --ignore=$(FUZZ)
	$(BIN)/pytest $(FUZZ)

test: lint typecheck pytest

openapi: install
	$(BIN)/python -m lodestar.api.openapi > docs/openapi.json

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
