#!/usr/bin/env bash
# galaxy-importer (Galaxy's / Automation Hub's import checks) on the collection tarball as `ansible-galaxy
# collection build` makes it: ansible-doc of every plugin, role READMEs and metadata, ansible-lint; ansible-test off
# (the sanity stage runs it). galaxy-importer lives in its own venv, made here from tests/galaxy-importer-requirements.txt.
set -euo pipefail
gvenv="$REPO/.venv-galaxy"
req="$REPO/tests/galaxy-importer-requirements.txt"
want="$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')|$(sha256sum "$req" | cut -c1-16)"
if [ ! -x "$gvenv/bin/python" ] || [ "$(cat "$gvenv/.byoc-stamp" 2>/dev/null)" != "$want" ]; then
  rm -rf "$gvenv"
  python -m venv "$gvenv"
  "$gvenv/bin/python" -m pip install -q --disable-pip-version-check -r "$req" 2>&1 | { grep -v '^WARNING: Location' || true; }
  [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "could not install galaxy-importer ($req)"; exit 1; }
  echo "$want" >"$gvenv/.byoc-stamp"
fi
work=$(mktemp -d "$OUT/galaxy.XXXXXX")
cd "$COLL"
ansible-galaxy collection build --force --output-path "$work" >/dev/null
printf '[galaxy-importer]\nRUN_ANSIBLE_TEST = False\nRUN_ANSIBLE_LINT = True\n' >"$work/galaxy-importer.cfg"
cd "$work"
# galaxy-importer calls ansible-doc and ansible-lint from PATH: its own venv's
if ! PATH="$gvenv/bin:$PATH" GALAXY_IMPORTER_CONFIG="$work/galaxy-importer.cfg" \
    "$gvenv/bin/python" -m galaxy_importer.main "$work"/byoc-carrier-*.tar.gz >"$work/import.log" 2>&1; then
  grep -v '^Loading ' "$work/import.log" | tail -n 40
  echo "galaxy-importer refused the collection (log: $work/import.log)"
  exit 1
fi
grep -v '^Loading ' "$work/import.log"
grep -q '^Importer processing completed successfully' "$work/import.log"
# a lint finding is printed as a warning and does not fail the import: fail on any here
if grep -E '^WARNING' "$work/import.log" | grep -v 'Location'; then
  echo "galaxy-importer warned (see above)"; exit 1
fi
echo "galaxy-importer: the collection imports"
