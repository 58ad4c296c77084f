#!/usr/bin/env bash
# ansible-test integration against the Telnyx emulator: starts it (by PID, stopped on exit), writes
# tests/integration/integration_config.yml (telnyx_api_url, telnyx_api_key, telnyx_test_password,
# telnyx_test_token; ansible-test reads it as vars), runs the module targets at -vvv and checks that no
# secret appears in that output, then runs the other targets.
set -euo pipefail
cd "$COLL"
# shellcheck source=scripts/lib/emulator.sh disable=SC2153  # REPO comes from scripts/test
source "$REPO/scripts/lib/emulator.sh"
key="it-key-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
password="ItPass$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
token="it-token-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
emulator_start --api-key "$key"
log=$(mktemp /tmp/byoc-integration.XXXXXX)
# emulator_stop returns the emulator's exit status (143 after SIGTERM); that must not fail the stage
trap 'emulator_stop || true; rm -f "$log"' EXIT
cat > tests/integration/integration_config.yml <<CONFIG
telnyx_api_url: $EMULATOR_URL
telnyx_api_key: $key
telnyx_test_password: $password
telnyx_test_token: $token
CONFIG
pyver=$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
secret_targets=(sip_connection sip_inbound sip_outbound)
status=0
ansible-test integration --local --python "$pyver" --color no -vvv "${secret_targets[@]}" >"$log" 2>&1 || status=$?
grep -E '^(TASK|PLAY RECAP|localhost|fatal|FAILED|ERROR)' "$log" | grep -v '^TASK' | tail -n 20 || true
if [ "$status" -ne 0 ]; then
  grep -E -B2 -A30 'fatal:|FAILED!' "$log" | head -n 120 || true
  echo "integration (${secret_targets[*]}) failed"; exit "$status"
fi
for secret in "$key" "$password" "$token"; do
  if grep -q -- "$secret" "$log"; then echo "a secret appears in the -vvv output of ${secret_targets[*]}"; exit 1; fi
done
echo "no secret in $(wc -l <"$log") lines of -vvv output"
others=()
for dir in tests/integration/targets/*/; do
  name=$(basename "$dir")
  case " ${secret_targets[*]} " in *" $name "*) continue;; esac
  case "$name" in setup_*|prepare_*) continue;; esac
  others+=("$name")
done
if [ ${#others[@]} -gt 0 ]; then
  ansible-test integration --local --python "$pyver" --color no "${others[@]}"
fi
