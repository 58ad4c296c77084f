#!/usr/bin/env bash
# ansible-test integration against the Telnyx emulator: starts it (by PID, stopped on exit), writes
# tests/integration/integration_config.yml (telnyx_api_url, telnyx_api_key, telnyx_test_password,
# telnyx_test_token; ansible-test reads it as vars) and tests/integration/integration.cfg (pipelining: fewer
# processes per task) in the copy, runs every target in ONE ansible-test invocation at -vvv (one set-up, no
# second pass) and checks that no secret appears in the output of the module targets listed below.
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
cat > tests/integration/integration.cfg <<CFG
[defaults]
interpreter_python = auto_silent
[connection]
pipelining = True
CFG
pyver=$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
# every target runs in one ansible-test invocation (setup_* and prepare_* are helpers)
targets=()
for dir in tests/integration/targets/*/; do
  name=$(basename "$dir")
  case "$name" in setup_*|prepare_*) continue;; esac
  targets+=("$name")
done
# the targets whose -vvv output must hold no secret (ansible-test starts each with "Running <name> integration
# test role"; only their parts of the log are searched). sip_connections is the bulk engineer's: not yet listed.
secret_targets=(sip_connection sip_inbound sip_outbound sip_connection_info phone_number outbound_voice_profile sip_connections)
for required in "${secret_targets[@]}"; do
  case " ${targets[*]} " in *" $required "*) ;; *) echo "integration target $required is missing"; exit 1;; esac
done
status=0
start=$SECONDS
ansible-test integration --local --python "$pyver" --color no -vvv "${targets[@]}" >"$log" 2>&1 || status=$?
grep -E '^(PLAY RECAP|localhost|fatal|FAILED|ERROR)' "$log" | tail -n 20 || true
if [ "$status" -ne 0 ]; then
  grep -E -B2 -A30 'fatal:|FAILED!' "$log" | grep -v -e '...ignoring' | head -n 120 || true
  echo "integration (${targets[*]}) failed"; exit "$status"
fi
checked=$(mktemp /tmp/byoc-integration-checked.XXXXXX)
trap 'emulator_stop || true; rm -f "$log" "$checked"' EXIT
awk -v names=" ${secret_targets[*]} " '/^Running [^ ]+ integration test role$/ {t = $2} t != "" && index(names, " " t " ") {print}' "$log" >"$checked"
for name in "${secret_targets[@]}"; do
  grep -q "^Running $name integration test role$" "$checked" || { echo "no -vvv output of target $name to check"; exit 1; }
done
for secret in "$key" "$password" "$token"; do
  if grep -q -- "$secret" "$checked"; then
    echo "a secret appears in the -vvv output of ${secret_targets[*]}:"
    grep -n -e '^Running .* integration test role$' -e "$secret" "$checked" | sed "s/$secret/<SECRET>/g" | grep -B1 '<SECRET>' | head -n 20
    exit 1
  fi
done
echo "integration: ${#targets[@]} targets in $((SECONDS - start)) s; no secret in $(wc -l <"$checked") lines of -vvv output of ${secret_targets[*]}"
