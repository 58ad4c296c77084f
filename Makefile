# Developer shortcuts. scripts/setup and scripts/test are the reference commands; these call them or sit beside them.
PYTHON ?= .venv/bin/python
BENCH_ARGS ?=

.PHONY: setup test bench bench-quick

setup:
	scripts/setup

test:
	scripts/test

# The fleet benchmark (about 31 minutes on a quiet 2-core machine): writes bench/results.json and prints the table (see bench/README.md).
bench: setup
	$(PYTHON) bench/run.py $(BENCH_ARGS)

# A small run of the same harness (about 2 minutes): bench/results-quick.json.
bench-quick: setup
	$(PYTHON) bench/run.py --quick --out bench/results-quick.json $(BENCH_ARGS)
