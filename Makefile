# betascale: the two commands of a fresh machine.
#   make demo   set up everything, then run the built-in demo study end to end
#   make test   set up everything, then lint and type-check, run the test suite, build
#               the docs, and install with pip into a fresh venv without MUMPS and MPI
#               (scripts/pip_route.sh), running the serial and analysis tests there
#   make pip-route  that last step alone
#   make docs   build the documentation site (docs/ -> docs/_build/html), warnings as errors
# Both install what they need (Debian packages, .venv, Kwant against MUMPS, MPICH,
# mpi4py, betascale) idempotently through scripts/setup_env.sh.

VENV ?= .venv
BIN := $(VENV)/bin
LINTED := src tests scripts docs

# The docs' pinned dependencies (docs/requirements.txt), installed once into .venv and
# again only when the pins change; then Sphinx with warnings as errors, every page
# re-read (-E), so that the tutorials and results pages, notebooks, are executed
# against the current code at every build.
DOCS_STAMP := $(VENV)/.betascale-docs-ready
DOCS_BUILD = $(BIN)/sphinx-build -E -j auto -W --keep-going -q -b html docs docs/_build/html

.PHONY: setup demo test lint bench docs pip-route

setup:
	bash scripts/setup_env.sh

demo: setup
	$(BIN)/betascale demo

lint: setup
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy src/betascale

test: lint $(DOCS_STAMP)
	$(BIN)/python -m pytest -q
	$(DOCS_BUILD)
	bash scripts/pip_route.sh

pip-route:
	bash scripts/pip_route.sh

$(DOCS_STAMP): docs/requirements.txt constraints.txt | setup
	$(BIN)/python -m pip install --disable-pip-version-check -q -c constraints.txt -r docs/requirements.txt
	touch $@

docs: setup $(DOCS_STAMP)
	$(DOCS_BUILD)

bench: setup
	$(BIN)/betascale bench
