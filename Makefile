# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DB     ?= sqlite:///accord.db

.PHONY: demo test install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/accord ingest examples --db $(DB)
	$(BIN)/accord summary --db $(DB)

test: $(STAMP)
	$(BIN)/pytest

clean:
	rm -rf $(VENV) accord.db accord.db-wal accord.db-shm
