#!/usr/bin/env bash
# Reliability and security (issue 7): faults, overlapping runs, API errors, the bad-input table and secrets,
# all against real emulators on 127.0.0.1 (started and stopped by PID by the fixtures).
# Figures: $OUT/reliability-report.json and .md. Smaller fleets for a quick local look:
#   RELIABILITY_BULK_SIZE=100 RELIABILITY_SINGLE_SIZE=10 scripts/test reliability
set -euo pipefail
cd "$COLL"
rm -f "$OUT/reliability-report.json" "$OUT/reliability-report.md"
python -m pytest -q -p no:cacheprovider -n 2 --dist loadfile --durations 15 tests/reliability
