#!/usr/bin/env bash
# The tests of issue 15 (a green run that can be trusted), three times in a row on every run: scripts/test runs
# this stage three times (the line below), each repetition with its own JUnit files, skip check and summary row
# (95-trust#1..#3); a test failing in any repetition fails the run. The tests are listed once, in
# tests/stages/95-trust.list, each with the point of the issue it proves: the "parallel" ones in one pytest -n 2
# session (as 10-unit runs them), then each "serial" file in a pytest session of its own, one test at a time
# (none shares the machine with another). The figures they write (sbc-service.json, reliability-report.*) go to
# $OUT/trust/<n>, apart from those of stages 50 and 80.
# stage-repeat: 3
set -euo pipefail
cd "$COLL"
list=tests/stages/95-trust.list
python scripts/lib/trust_list.py check --root . "$list"
label=${BYOC_STAGE_LABEL:-95-trust}
rep=${label##*#}; [ "$rep" = "$label" ] && rep=1  # 95-trust#2 -> 2 (with --repeat R: 95-trust#r.n -> r.n)
figures="$OUT/trust/$rep"
rm -rf "$figures" && mkdir -p "$figures"
ids=$(python scripts/lib/trust_list.py ids --mode parallel "$list")
files=$(python scripts/lib/trust_list.py files --mode serial "$list")
status=0
readarray -t parallel <<<"$ids"
echo "--- parallel: ${#parallel[@]} listed tests (pytest -n 2)"
OUT=$figures python -m pytest -q -p no:cacheprovider -n 2 "${parallel[@]}" || status=1
readarray -t serial <<<"$files"
for file in "${serial[@]}"; do
  ids=$(python scripts/lib/trust_list.py ids --mode serial --file "$file" "$list")
  readarray -t chosen <<<"$ids"
  echo "--- serial: ${chosen[*]}"
  OUT=$figures python -m pytest -q -p no:cacheprovider --basetemp "$(mktemp -d "$figures/t.XXXXXX")" "${chosen[@]}" || status=1
done
exit "$status"
