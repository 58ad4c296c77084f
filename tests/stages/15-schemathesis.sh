#!/usr/bin/env bash
# schemathesis against the emulator: a bounded run (fixed seed, about 550 cases, under 2 minutes) that fails on any
# 5xx, any reply that breaks the spec and any accepted request the spec forbids (tests/contract/fuzz_schemathesis.py)
set -euo pipefail
cd "$COLL"
python -m pytest -q -p no:cacheprovider -s tests/contract/fuzz_schemathesis.py
