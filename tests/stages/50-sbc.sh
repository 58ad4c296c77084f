#!/usr/bin/env bash
# sbc role: molecule scenario (converge, idempotence, verify), then real SIP calls through a Kamailio the role
# configured (tests/sbc: Kamailio, sipp, rtpengine and tcpdump on 127.0.0.0/8, every process stopped by PID)
set -euo pipefail
cd "$COLL"
molecule test -s sbc
mkdir -p "$OUT/sbc"
base=$(mktemp -d "$OUT/sbc/run.XXXXXX")
python -m pytest -q -p no:cacheprovider --basetemp "$base" tests/sbc
