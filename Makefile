# The two commands of the README: `make run` and `make test`. Each does all of
# its own set-up on a fresh Debian machine with Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# Two single-threaded sync workers per core, behind the TLS proxy (README,
# "Running in production"). Saving is CPU work plus one turn on SQLite's
# single writer. bench/submit.py on 2 cores, runs alternated, a connection per
# request: 4 workers 441, 432, 457 submissions/s; 5 workers 434, 431, 456 with
# 3-5 % more CPU per submission; 3 workers 423/s; 4 workers x 2 threads 431/s
# with p99 331 ms (threads fight over the GIL). Each worker keeping its
# connection: sync 618/s (p99 154 ms), gthread 4 x 2 threads 666/s (p99 210 ms).
WORKERS ?= $(shell echo $$((2 * $$(nproc 2>/dev/null || echo 2))))
THREADS ?= 1
FLASK := $(BIN)/flask --app app

.PHONY: run test venv system-deps pdf-deps lint bench messages translations clean replicate

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

venv: $(VENV)/.installed

# Debian packages: Chromium for the browser tests (Playwright never downloads
# one here); Pango and DejaVu fonts for WeasyPrint's PDFs (Cyrillic, Kazakh), and
# Noto as the fallback for whatever else an observer types: Arabic, Georgian,
# Armenian, Hebrew... (fonts-noto-core), Chinese, Japanese, Korean (fonts-noto-cjk)
# and emoji (fonts-noto-color-emoji). Without them those characters print as empty boxes.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-noto-core \
  fonts-noto-cjk fonts-noto-color-emoji
PDF_FONT_FILES := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf \
  /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf \
  /usr/share/fonts/truetype/noto/NotoSansGeorgian-Regular.ttf \
  /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
  /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
system-deps: pdf-deps
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y chromium; \
	  else echo "Browser tests need /usr/bin/chromium: run 'sudo apt-get install -y chromium'"; exit 1; fi; \
	fi

pdf-deps:
	@missing=0; for f in $(PDF_FONT_FILES); do [ -f "$$f" ] || missing=1; done; \
	if ! ldconfig -p | grep -q libpangoft2-1.0 || [ $$missing = 1 ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y $(PDF_PACKAGES); \
	  else echo "PDF reports need Pango, DejaVu and the Noto fonts: run 'sudo apt-get install -y $(PDF_PACKAGES)'"; fi; \
	fi

run: venv pdf-deps translations
	$(FLASK) init-db
	$(FLASK) demo --if-empty
	$(BIN)/gunicorn --config gunicorn.conf.py --preload --workers $(WORKERS) --threads $(THREADS) \
	  --bind 127.0.0.1:$(PORT) --access-logfile - 'app:create_app()'

# Beside `make run`, as the same user: streams the database (Litestream) and copies new
# photos to the replica named by LITESTREAM_REPLICA_URL (README, "A standby").
replicate: venv
	$(FLASK) replicate

test: $(VENV)/.installed-test system-deps translations
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

bench: $(VENV)/.installed-test
	$(BIN)/python bench/submit.py

clean:
	rm -rf $(VENV) .pytest_cache

# Collect every user-facing string (Python, templates, checklist YAML) and add the new
# ones to the Kazakh and Russian catalogues (translations/*/LC_MESSAGES/messages.po).
messages: venv
	PYTHONPATH=. $(BIN)/pybabel extract -F babel.cfg -k _l --ignore-dirs=.venv -o messages.pot .
	$(BIN)/pybabel update -i messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

# The catalogues as the app reads them (.mo, not committed). A catalogue that does not
# compile stops `make run` and `make test` here.
translations: venv
	$(BIN)/pybabel compile -d translations --statistics
