#!/usr/bin/env bash
# roles cpaas and trunk: molecule scenarios against the emulator (converge, idempotence, verify), pytest of
# the filters, playbooks, inventories and the AWX-style ansible-runner run (tests/roles), `ansible-builder
# create` of the execution environment, and the docs site built offline by antsibull-docs.
set -euo pipefail
cd "$COLL"
# shellcheck source=../../scripts/lib/emulator.sh
source scripts/lib/emulator.sh
key=KEYmolecule$(date +%s)
emulator_start --api-key "$key"
trap "emulator_stop || true" EXIT
export BYOC_MOLECULE_API_URL=$EMULATOR_URL BYOC_MOLECULE_API_KEY=$key
molecule test -s cpaas
molecule test -s trunk
emulator_stop  # non-zero only when the emulator logged a traceback (a crash): that fails the stage

mkdir -p "$OUT/roles"
python -m pytest -q -p no:cacheprovider --basetemp "$(mktemp -d "$OUT/roles/run.XXXXXX")" tests/roles

# execution environment: the build context (no container engine here), and what ansible-builder's
# introspection finds in the collection tarball it installs
work=$(mktemp -d "$OUT/roles/ee.XXXXXX")
rm -rf dist && mkdir dist
ansible-galaxy collection build --force --output-path dist >/dev/null
mv dist/byoc-carrier-*.tar.gz dist/byoc-carrier.tar.gz
ansible-builder create -f meta/ee-build.yml -c "$work/context" >/dev/null
test -s "$work/context/Dockerfile"
test -s "$work/context/_build/collection/byoc-carrier.tar.gz"
grep -q 'byoc-carrier.tar.gz' "$work/context/_build/requirements.yml"
mkdir -p "$work/collections"
ansible-galaxy collection install --force -p "$work/collections" dist/byoc-carrier.tar.gz >/dev/null 2>&1
python "$work/context/_build/scripts/introspect.py" introspect "$work/collections" >"$work/introspect.txt"
grep -q "^- 'requests==" "$work/introspect.txt" && grep -q 'openssh' "$work/introspect.txt"
# ansible-builder drops voluptuous from collection requirements (it takes it for a test tool): the EE file lists it
grep -q '^voluptuous==' "$work/context/_build/requirements.txt"
echo "ansible-builder create: OK ($work/context); requests, voluptuous and openssh go into the image"

bash docs/build.sh "$OUT/roles/docs"
