# Quick start: `make run` (set up and start the app) and `make test` (set up and test).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test install system-deps index lint bench clean

run: index
	$(VENV)/bin/conflictmap ingest seeds/
	$(VENV)/bin/streamlit run app_server.py --server.headless true --server.address 127.0.0.1

test: install system-deps
	$(PY) -m ruff check geo tests bench app.py app_state.py app_server.py app_pages
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

# Debian's Chromium drives the browser tests (Playwright cannot download browsers here).
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing chromium (Debian) for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium; }

install: $(STAMP)

$(STAMP): pyproject.toml package-lock.json
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "Installing python3-venv (Debian)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update && $$SUDO apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

index: install
	$(VENV)/bin/conflictmap gazetteer build

lint: install
	$(PY) -m ruff check geo tests bench app.py app_state.py app_server.py app_pages
	$(PY) -m ruff format --check geo tests bench app.py app_state.py app_server.py app_pages

bench: index system-deps
	$(PY) -m pip install --quiet geotext
	$(PY) bench/gazetteer_bench.py
	$(PY) bench/geoparse_bench.py
	$(PY) bench/ingest_bench.py
	$(PY) bench/long_text_bench.py
	$(PY) bench/event_location_bench.py
	$(PY) bench/events_bench.py
	$(PY) bench/devsets_bench.py
	$(PY) bench/cyrillic_places_bench.py
	$(PY) bench/map_bench.py
	$(PY) bench/app_bench.py
	$(VENV)/bin/conflictmap eval ../shared/eval/lgl.jsonl --format table
	$(VENV)/bin/conflictmap eval ../shared/eval/gwn.jsonl --format table

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
