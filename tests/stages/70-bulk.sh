#!/usr/bin/env bash
# Smoke run of the fleet benchmark harness (bench/run.py) at a small size: sip_connections, the singular
# modules and the uri playbook against the emulator (cold create, no-change, 10% drift). Fails when a run
# fails, when the no-change re-run of sip_connections writes anything or when its drift repair writes more
# or less than the drifted objects. The timings of this small run are not judged (see make bench).
set -euo pipefail
cd "$COLL"
python bench/run.py --size 40 --subset 3 --runs 1 --out "$OUT/bench-smoke.json"
