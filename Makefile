# Two entry points do all of their own set-up on a fresh machine (Python 3.11, make, bash):
#   make book   - create .venv on first use, install the pinned stack, build the book into _build/html
#   make test   - the same set-up, then the whole test suite
# Optional: make serve - serve _build/html on http://localhost:8000
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# cffconvert needs jsonschema<4, the book jsonschema 4: it gets a venv of its own.
CFFCONVERT_VENV := $(VENV)/cffconvert
PORT ?= 8000

.PHONY: book test serve clean

$(STAMP): requirements.txt constraints.txt requirements-cffconvert.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or run make PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	test -x $(CFFCONVERT_VENV)/bin/python || $(PYTHON) -m venv $(CFFCONVERT_VENV)
	$(CFFCONVERT_VENV)/bin/python -m pip install --quiet -r requirements-cffconvert.txt
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "Book built: open file://$(CURDIR)/_build/html/index.html (or run: make serve)"

test: $(STAMP)
	$(BIN)/python -m pytest

serve:
	@test -f _build/html/index.html || { echo "error: build the book first with: make book"; exit 1; }
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _build/html $(PORT)

clean:
	rm -rf _build .jupyter_cache
