# shellcheck shell=bash
# Start and stop the Telnyx emulator from bash (source this file).
#   emulator_start [flags...]   start .venv/bin/telnyx-emulator on a free 127.0.0.1 port with these extra flags;
#                               sets EMULATOR_PID, EMULATOR_URL (http://127.0.0.1:PORT/v2), EMULATOR_ROOT
#                               (without /v2) and EMULATOR_LOG; returns once the emulator answers
#   emulator_stop               stop it by its PID (SIGTERM, then SIGKILL after 10 s); safe to call twice;
#                               a log holding a Python traceback (an emulator crash) is printed and kept and
#                               emulator_stop returns 1; else it removes EMULATOR_LOG unless EMULATOR_KEEP_LOG is
#                               set. With BYOC_EMULATOR_LOG_DIR (set by scripts/test) the log is written and kept
#                               there, and scripts/test fails the stage on a traceback in it.
# Example:  source scripts/lib/emulator.sh; emulator_start --api-key k --rate-limit 20; trap emulator_stop EXIT
_emulator_bin() {
  local here repo
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  repo=$(cd "$here/../.." && pwd)
  if [ -x "$repo/.venv/bin/telnyx-emulator" ]; then echo "$repo/.venv/bin/telnyx-emulator"; else command -v telnyx-emulator; fi
}

emulator_start() {
  local bin out
  bin=$(_emulator_bin) || { echo "emulator_start: telnyx-emulator not found (run scripts/setup)" >&2; return 1; }
  out=$(mktemp /tmp/telnyx-emulator.XXXXXX)
  if [ -n "${BYOC_EMULATOR_LOG_DIR:-}" ]; then
    mkdir -p "$BYOC_EMULATOR_LOG_DIR" && EMULATOR_LOG=$(mktemp "$BYOC_EMULATOR_LOG_DIR/telnyx-emulator-sh.XXXXXX.log")
  else
    EMULATOR_LOG="$out.log"
  fi
  "$bin" --port 0 "$@" >"$out" 2>"$EMULATOR_LOG" &
  EMULATOR_PID=$!
  EMULATOR_URL=""
  for _ in $(seq 1 200); do
    EMULATOR_URL=$(sed -n 's/^telnyx-emulator listening on //p' "$out")
    [ -n "$EMULATOR_URL" ] && break
    kill -0 "$EMULATOR_PID" 2>/dev/null || break
    sleep 0.05
  done
  rm -f "$out"
  if [ -z "$EMULATOR_URL" ]; then
    echo "emulator_start: telnyx-emulator did not start:" >&2; cat "$EMULATOR_LOG" >&2; emulator_stop; return 1
  fi
  EMULATOR_ROOT=${EMULATOR_URL%/v2}
  for _ in $(seq 1 200); do
    if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$EMULATOR_ROOT/_emulator/stats" 2>/dev/null; then
      export EMULATOR_PID EMULATOR_URL EMULATOR_ROOT EMULATOR_LOG
      return 0
    fi
    sleep 0.05
  done
  echo "emulator_start: telnyx-emulator did not answer:" >&2; cat "$EMULATOR_LOG" >&2; emulator_stop; return 1
}

emulator_stop() {
  if [ -n "${EMULATOR_PID:-}" ] && kill -0 "$EMULATOR_PID" 2>/dev/null; then
    kill -TERM "$EMULATOR_PID" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$EMULATOR_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$EMULATOR_PID" 2>/dev/null && kill -KILL "$EMULATOR_PID" 2>/dev/null
    wait "$EMULATOR_PID" 2>/dev/null || true
  fi
  EMULATOR_PID=""
  if [ -n "${EMULATOR_LOG:-}" ] && grep -q 'Traceback (most recent call last)' "$EMULATOR_LOG" 2>/dev/null; then
    echo "emulator_stop: the emulator logged a traceback (log kept at $EMULATOR_LOG):" >&2
    grep -A40 'Traceback (most recent call last)' "$EMULATOR_LOG" | head -n 60 >&2
    EMULATOR_LOG=""
    return 1
  fi
  [ -n "${EMULATOR_LOG:-}" ] && [ -z "${EMULATOR_KEEP_LOG:-}" ] && [ -z "${BYOC_EMULATOR_LOG_DIR:-}" ] && rm -f "$EMULATOR_LOG"
  return 0
}
