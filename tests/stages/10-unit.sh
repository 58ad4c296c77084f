#!/usr/bin/env bash
# pytest: unit tests of module_utils and modules, emulator tests, contract tests (one run, one closing line)
set -euo pipefail
cd "$COLL"
dirs=()
for d in tests/unit tests/emulator tests/contract tests/docs; do [ -d "$d" ] && dirs+=("$d"); done
python -m pytest -q -p no:cacheprovider -n 2 "${dirs[@]}"
