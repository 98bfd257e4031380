# Thin wrappers. `make run` and `make test` work on a fresh machine with only Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app ecosystem

.PHONY: run test install install-dev translations worker beat lint format bench clean messages browser seed-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[postgres,redis,server]'
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed translations

install-dev: $(VENV)/.installed-dev translations

translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d ecosystem/translations

run: install
	$(FLASK) setup
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install-dev browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Browser journeys drive Debian's Chromium (Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium for the browser tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }; \
	  else echo "note: install Debian's chromium package to run the browser tests"; fi; }

worker: install
	$(BIN)/celery -A ecosystem.celery_worker worker --loglevel INFO --concurrency 2 --queues celery,matching

beat: install
	$(BIN)/celery -A ecosystem.celery_worker beat --loglevel INFO --schedule instance/celerybeat-schedule

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

seed-check: install
	$(BIN)/python scripts/check_seed.py

bench: install-dev
	$(BIN)/python bench/bench_matching.py --sizes 10000,100000
	$(BIN)/python bench/bench_search.py --records 100000
	$(BIN)/python bench/bench_fund.py --backends postgresql

clean:
	rm -rf $(VENV) instance .pytest_cache

messages: install-dev
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 --no-location --sort-output -o ecosystem/translations/messages.pot .
	$(BIN)/pybabel -q update -i ecosystem/translations/messages.pot -d ecosystem/translations --no-fuzzy-matching
