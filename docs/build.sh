#!/usr/bin/env bash
# Build the byoc.carrier docs site offline with antsibull-docs + Sphinx:  docs/build.sh [OUTDIR]
# (module/role/filter pages from the collection as installed on ANSIBLE_COLLECTIONS_PATH, plus the
# guides in docs/docsite/rst). Offline needs two settings in conf.py: no intersphinx inventories to
# download, and the two labels of docs.ansible.com that cannot be resolved without them.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$repo/docs-build}
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$repo/.ansible/collections}
rm -rf "$out"
mkdir -p "$out"

antsibull-docs sphinx-init --use-current --dest-dir "$out" byoc.carrier >/dev/null
cat >> "$out/conf.py" <<'PY'

# offline build: no intersphinx inventories to download, and the references they would resolve are not warned about
intersphinx_mapping = {}
suppress_warnings = ['ref.ref']
PY
(cd "$out" && ./build.sh >"$out/build.log" 2>&1) || { tail -40 "$out/build.log"; exit 1; }
# antsibull-docs reports broken plugin docs as "nonfatal" and writes an error page: treat them as failures
if grep -q '^ERROR:antsibull' "$out/build.log"; then
  echo "docs: antsibull-docs could not render some plugin docs:"; grep '^ERROR:antsibull' "$out/build.log" | cut -c1-400; exit 1
fi
for page in collections/byoc/carrier/index.html collections/byoc/carrier/docsite/guide_byoc_setup.html \
    collections/byoc/carrier/sip_connection_module.html collections/byoc/carrier/trunk_role.html; do
  test -s "$out/build/html/$page" || { echo "docs: missing $page"; exit 1; }
done
echo "docs site: $out/build/html/collections/byoc/carrier/index.html"
