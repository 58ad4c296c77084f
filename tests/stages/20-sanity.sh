#!/usr/bin/env bash
# ansible-test sanity (ignore files stay empty), from the copy at .../ansible_collections/byoc/carrier
set -euo pipefail
cd "$COLL"
pyver=$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
ansible-test sanity --venv --python "$pyver" --color no
