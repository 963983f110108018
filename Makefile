# Vecinos: `make demo` runs it, `make test` tests it. Nothing else needs to be installed by hand.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# A Python >= 3.12: the first that answers among these (PYTHON=... overrides).
PYTHON ?= $(shell for p in python3.13 python3.12 "$$(pyenv root 2>/dev/null)/versions/3.13.0/bin/python" "$$HOME/.pyenv/versions/3.13.0/bin/python" /root/.pyenv/versions/3.13.0/bin/python /usr/local/bin/python3.13 /usr/bin/python3.13 python3; do \
	if "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then command -v "$$p"; break; fi; done)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
CHROMIUM ?= /usr/bin/chromium
export VECINOS_DATA_DIR ?= $(CURDIR)/var

.PHONY: stress help demo test test-fast lint bench messages translations fonts clean

help:
	@echo "make demo    run Vecinos with demo data on http://$(HOST):$(PORT)"
	@echo "make test    install the test tools and run lint, types and the whole suite"
	@echo "make lint    ruff and mypy only"
	@echo "make bench   run the benchmarks; results go to benchmarks/results/"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "No Python >= 3.12 found; run: make PYTHON=/path/to/python3.13 ..."; exit 1; }
	"$(PYTHON)" -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# Translations are compiled at install time; gettext's msgfmt does the work. Git keeps no
# empty directory, so a tree without catalogues has no locale/ directory at all, and there
# compilemessages stops with "should be run from the Django Git checkout or ... with the
# settings module specified": such a tree has nothing to compile.
translations: $(VENV)/.installed
	@[ -n "$$(find locale vecinos -path '*locale/*/LC_MESSAGES/*.po' 2>/dev/null)" ] || exit 0; \
	command -v msgfmt >/dev/null || [ "$$(id -u)" != 0 ] || { apt-get update -q && apt-get install -y -q gettext; }; \
	command -v msgfmt >/dev/null || { echo "Compiling translations needs gettext: sudo apt-get install -y gettext"; exit 1; }; \
	cd vecinos && $(abspath $(BIN))/vecinos compilemessages --ignore='.venv' -v 0

# The printed cards need Debian's Noto fonts (Latin, Cyrillic, Vietnamese, Armenian,
# Khmer, Arabic script in fonts-noto-core; Chinese, Japanese, Korean in fonts-noto-cjk);
# the tests read the PDFs with poppler-utils (pdffonts, pdftoppm).
FONT_FILES := /usr/share/fonts/truetype/noto/NotoSansKhmer-Regular.ttf /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
fonts:
	@missing=""; for f in $(FONT_FILES); do [ -e "$$f" ] || missing=1; done; \
	command -v pdffonts >/dev/null || missing=1; \
	[ -z "$$missing" ] && exit 0; \
	[ "$$(id -u)" = 0 ] || { echo "Printed cards need fonts: sudo apt-get install -y fonts-noto-core fonts-noto-cjk poppler-utils"; exit 1; }; \
	apt-get update -q && apt-get install -y -q fonts-noto-core fonts-noto-cjk poppler-utils

# Links and the printed address follow the port (VECINOS_PUBLIC_URL=... overrides).
demo: export VECINOS_PUBLIC_URL ?= http://$(HOST):$(PORT)
# The demo network covers Los Angeles County (a report from elsewhere is marked).
demo: export VECINOS_SERVICE_AREA ?= bbox:33.70,-118.95,34.82,-117.65
# A demo is what a tester sees: the site's own error pages (never Django's technical
# ones), static files compressed as in production; VECINOS_DEMO turns on what only a
# demo may do (vecinos/settings.py).
demo: export VECINOS_DEBUG ?= false
demo: export VECINOS_DEMO ?= true
demo: $(VENV)/.installed translations fonts
	$(BIN)/vecinos migrate --no-input -v 0
	$(BIN)/vecinos collectstatic --no-input -v 0
	$(BIN)/vecinos demo
	exec $(BIN)/vecinos run --bind $(HOST):$(PORT)

# Debian's Chromium drives the browser tests; Playwright never downloads a browser.
$(CHROMIUM):
	@[ "$$(id -u)" = 0 ] || { echo "Browser tests need Debian's chromium: sudo apt-get install -y chromium"; exit 1; }
	apt-get update -q && apt-get install -y -q chromium

test: $(VENV)/.installed-test translations fonts $(CHROMIUM)
	$(BIN)/ruff check vecinos tests benchmarks
	$(BIN)/ruff format --check vecinos tests benchmarks
	$(BIN)/mypy vecinos
	$(BIN)/vecinos makemigrations --check --dry-run -v 1
	$(BIN)/pytest $(PYTEST_ARGS)

# The standing proofs of tests/proofs/ at full size (VECINOS_STRESS=1): crash, fan-out,
# provider outage, flood and seizure drill, on each backend as CI runs them: SQLite with
# the embedded queue, then PostgreSQL with Redis (STRESS_DATABASE_URL, STRESS_REDIS_URL).
# Their figures go to benchmarks/results/stress/<backend>/.
STRESS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/stress
STRESS_REDIS_URL ?= redis://127.0.0.1:6379/15
stress: $(VENV)/.installed-test translations
	env -u DATABASE_URL -u REDIS_URL VECINOS_STRESS=1 VECINOS_FANOUT_RECIPIENTS=$${VECINOS_FANOUT_RECIPIENTS:-100000} \
		$(BIN)/pytest tests/proofs -p no:randomly -o timeout=3600 $(PYTEST_ARGS)
	DATABASE_URL="$(STRESS_DATABASE_URL)" REDIS_URL="$(STRESS_REDIS_URL)" VECINOS_STRESS=1 \
		VECINOS_FANOUT_RECIPIENTS=$${VECINOS_FANOUT_RECIPIENTS:-100000} \
		$(BIN)/pytest tests/proofs -p no:randomly -o timeout=3600 $(PYTEST_ARGS)
	# The county simulation on PostgreSQL + Redis (benchmarks/stress.py; STRESS_* sizes).
	$(BIN)/python -m benchmarks.stress

lint: $(VENV)/.installed-test
	$(BIN)/ruff check vecinos tests benchmarks
	$(BIN)/ruff format --check vecinos tests benchmarks
	$(BIN)/mypy vecinos

bench: $(VENV)/.installed-test translations fonts
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -q && apt-get install -y -q wrk; }
	$(BIN)/python -m benchmarks

# For developers: refresh the catalogues after changing user-facing text.
messages: $(VENV)/.installed
	cd vecinos && ../$(BIN)/vecinos makemessages -l es --no-obsolete --ignore='.venv' -v 0

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
