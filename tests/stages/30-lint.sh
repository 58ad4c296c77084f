#!/usr/bin/env bash
# ansible-lint (production profile, offline), antsibull-changelog lint
set -euo pipefail
cd "$COLL"
ansible-lint --offline
antsibull-changelog lint
