# Developer shortcuts. scripts/setup and scripts/test are the reference commands; these call them or sit beside them.
PYTHON ?= .venv/bin/python
BENCH_ARGS ?=

.PHONY: setup test bench bench-quick bench-scale

setup:
	scripts/setup

test:
	scripts/test

# The fleet benchmark and its scale suite (about 45 minutes on a quiet 2-core machine): writes bench/results.json
# (the scale figures under "scale", and bench/results-scale.md) and prints the tables (see bench/README.md).
bench: setup
	$(PYTHON) bench/run.py --scale $(BENCH_ARGS)

# The scale suite alone (rate-limit grid, 1,000 -> 10,000, where the no-change time goes; about 15 minutes).
bench-scale: setup
	$(PYTHON) bench/run.py --approaches "" --scale --out bench/results-scale.json $(BENCH_ARGS)

# A small run of the same harness (about 2 minutes): bench/results-quick.json.
bench-quick: setup
	$(PYTHON) bench/run.py --quick --out bench/results-quick.json $(BENCH_ARGS)
