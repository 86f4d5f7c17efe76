# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DB     ?= sqlite:///accord.db

.PHONY: demo test install browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/accord ingest examples --db $(DB)
	$(BIN)/accord summary --db $(DB)

# The browser tests drive Debian's Chromium (Playwright cannot download browsers here).
browser:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

test: $(STAMP) browser
	$(BIN)/pytest

clean:
	rm -rf $(VENV) accord.db accord.db-wal accord.db-shm
