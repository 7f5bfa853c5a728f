# Two commands for a fresh machine (see README):  make demo  |  make test
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[train,dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/ranpilot demo

lint: install
	$(BIN)/ruff check .

test: install lint
	$(BIN)/pytest -q

bench: install
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/sim_speed.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
