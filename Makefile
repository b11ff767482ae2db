# betascale: the two commands of a fresh machine.
#   make demo   set up everything, then run the built-in demo study end to end
#   make test   set up everything, then lint and run the test suite
# Both install what they need (Debian packages, .venv, Kwant against MUMPS, MPICH,
# mpi4py, betascale) idempotently through scripts/setup_env.sh.

VENV ?= .venv
BIN := $(VENV)/bin
LINTED := src tests scripts

.PHONY: setup demo test lint bench

setup:
	bash scripts/setup_env.sh

demo: setup
	$(BIN)/betascale demo

lint: setup
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

test: lint
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/betascale bench
