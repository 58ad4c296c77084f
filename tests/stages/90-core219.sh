#!/usr/bin/env bash
# The oldest ansible-core the collection supports (meta/runtime.yml: >= 2.19): ansible-core 2.19 on Python 3.11,
# in its own venv (.venv-core219, made by scripts/setup with BYOC_VENV/BYOC_PYTHON), runs the stages that
# exercise the collection under ansible-core: sanity, ansible-test units and the integration targets. A run of
# scripts/test of its own (its summary is printed here; this stage counts as one test; one repetition: an outer
# --repeat repeats this stage).
set -euo pipefail
cd "$REPO"
BYOC_REPEAT=1 BYOC_VENV=.venv-core219 BYOC_PYTHON=3.11 ./scripts/test sanity units integration
