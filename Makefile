# mailbot: the two commands are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench bench-quick clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 2>/dev/null || true
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## demo: seed the embedded Maildir with example replies, poll once, show the result
demo: $(STAMP)
	$(BIN)/mailbot demo

## test: lint, then every test (starts a private Dovecot, SMTP and PostgreSQL server and a headless Chromium; installs Dovecot, PostgreSQL and Chromium from Debian if missing)
test: $(STAMP) lint
	scripts/ensure-dovecot.sh
	scripts/ensure-postgres.sh
	scripts/ensure-chromium.sh
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check mailbot tests bench scripts
	$(BIN)/mypy mailbot/core

## bench: every benchmark under bench/ at the issue's sizes, ending with one summary table (figures, never assertions)
bench: $(STAMP)
	scripts/ensure-dovecot.sh
	$(BIN)/python bench/summary.py --full

## bench-quick: the same at smaller sizes (a few minutes)
bench-quick: $(STAMP)
	scripts/ensure-dovecot.sh
	$(BIN)/python bench/summary.py

clean:
	rm -rf $(VENV) storage/mailbot.sqlite3* storage/maildir storage/outbox storage/.demo-seeded
