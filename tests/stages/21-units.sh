#!/usr/bin/env bash
# ansible-test units
set -euo pipefail
cd "$COLL"
pyver=$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
ansible-test units --venv --python "$pyver" --color no --requirements
