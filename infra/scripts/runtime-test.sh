#!/usr/bin/env bash
# Runs every function binary under the real Lambda runtime API (`cargo lambda watch
# --only-lambda-apis`) against the local stack and sends each function its events from
# events/ with `cargo lambda invoke`, checking the status each file's name promises (for an
# authorizer: 200 allowed, 403 denied). The fixture is loaded afresh before every event, so
# events never depend on one another and a new function needs nothing here. The functions
# run at TRACE, and everything they print is then scanned for secrets.
# The binaries are the ones `make test` built once for the whole workspace (target/debug):
# cargo lambda only serves the runtime API, so nothing is built a second time.
# Needs a running stack: run from infra/scripts/test.sh (or with a stack.env sourced).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
: "${AWS_ENDPOINT_URL_DYNAMODB:?start a local stack first (infra/scripts/stack.sh start NAME)}"
export PATH="$root/.tessera/tools/venv/bin:$PATH" # cargo-lambda, and the Python whose zig it uses
work="$(mktemp -d)"
table="runtime-$(date +%s)"
secret="runtime-signing-$(date +%s)"
export WEBHOOK_KEY_SECRET_ID="runtime-webhook-key-$(date +%s)"
admin="$root/target/debug/tessera-admin"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
keys_port="$(free_port)"
python3 -m http.server --bind 127.0.0.1 --directory infra/fixtures "$keys_port" >"$work/keys-server.log" 2>&1 &
keys_pid=$!
trap 'kill "$keys_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

"$admin" table create --table-name "$table" --without-stream >/dev/null
"$admin" secret ensure --secret-id "$secret" >/dev/null
"$admin" secret ensure --secret-id "$WEBHOOK_KEY_SECRET_ID" >/dev/null
# The bus publish-events puts its events on, in the emulator.
bus="runtime-events-$(date +%s)"
"$root/.tessera/tools/venv/bin/python" -c 'import boto3, os, sys
boto3.client("events", endpoint_url=os.environ["AWS_ENDPOINT_URL_EVENTBRIDGE"], region_name=os.environ["AWS_REGION"]).create_event_bus(Name=sys.argv[1])' "$bus"
{
  echo "TABLE_NAME=$table"
  echo "SIGNING_SECRET_ID=$secret"
  echo "WEBHOOK_KEY_SECRET_ID=$WEBHOOK_KEY_SECRET_ID"
  echo "EVENT_BUS_NAME=$bus"
  # The most verbose level, as the template allows: nothing secret may be logged even so.
  echo "AWS_LAMBDA_LOG_LEVEL=TRACE"
  echo "AWS_LAMBDA_LOG_FORMAT=JSON"
  # The key list events/secret-scanning is signed for, fetched as from GitHub.
  echo "SECRET_SCANNING_KEYS_URL=http://127.0.0.1:$keys_port/secret-scanning-keys.json"
  env | grep -E '^AWS_(REGION|ACCESS_KEY_ID|SECRET_ACCESS_KEY|EC2_METADATA_DISABLED|ENDPOINT_URL_[A-Z_]+)='
} >"$work/functions.env"

port="$(free_port)"
cargo lambda watch --only-lambda-apis --invoke-address 127.0.0.1 --invoke-port "$port" \
  >"$work/watch.log" 2>&1 &
watch_pid=$!
function_pid=""
trap 'kill $function_pid "$watch_pid" "$keys_pid" 2>/dev/null || true; wait "$watch_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$watch_pid" 2>/dev/null || { cat "$work/watch.log" >&2; echo "runtime: FAILED: cargo lambda watch exited" >&2; exit 1; }
  sleep 0.2
done

# The status API Gateway would answer for a function's output (a rotation step answers
# null when done; a stream consumer names the records to retry, none when done).
status_of='import json, sys
out = json.load(sys.stdin)
if out is None:
    print(200)
elif "batchItemFailures" in out:
    print(500 if out["batchItemFailures"] else 200)
else:
    print(out["statusCode"] if "statusCode" in out else (200 if out.get("isAuthorized") else 403))'

# One process per function, as Lambda keeps one warm, with the template's kind of environment;
# everything it prints goes to one log, scanned below.
start_function() {
  [ -x "$root/target/debug/$1" ] || { echo "runtime: FAILED: target/debug/$1 is not built"; return 1; }
  (
    set -a
    # shellcheck source=/dev/null
    . "$work/functions.env"
    set +a
    export AWS_LAMBDA_RUNTIME_API="http://127.0.0.1:$port/.rt/$1" AWS_LAMBDA_FUNCTION_NAME="$1" \
      AWS_LAMBDA_FUNCTION_VERSION=1 AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128
    exec "$root/target/debug/$1"
  ) >>"$work/functions.log" 2>&1 &
  function_pid=$!
}
stop_function() {
  [ -n "$function_pid" ] && { kill "$function_pid" 2>/dev/null || true; wait "$function_pid" 2>/dev/null || true; }
  function_pid=""
}

failed=0
for dir in events/*/; do
  function="$(basename "$dir")"
  stop_function
  start_function "$function" || { failed=1; continue; }
  for event in "$dir"*.json; do
    # A function that exited (an init error) is started again, as Lambda would.
    kill -0 "$function_pid" 2>/dev/null || start_function "$function"
    expected="$(basename "$event" | cut -d- -f1)"
    "$admin" fixtures load --table-name "$table" --reset >/dev/null
    if [ "$function" = rotate-signing-key ]; then
      "$root/.tessera/tools/venv/bin/python" infra/scripts/stage-rotation.py
    fi
    if out="$(timeout 60 cargo lambda invoke "$function" --invoke-address 127.0.0.1 --invoke-port "$port" \
      --data-file "$event" --output-format json 2>"$work/invoke.err" | tee -a "$work/responses.json")"; then
      status="$(python3 -c "$status_of" <<<"$out")"
    elif [ "$expected" = 500 ] && grep -q "errorMessage\|Error" "$work/invoke.err"; then
      status=500 # the function reported an error, as Lambda answers it
    else
      echo "runtime: FAILED $event: cargo lambda invoke failed: $(tail -3 "$work/invoke.err")"
      failed=1
      continue
    fi
    if [ "$status" = "$expected" ]; then
      echo "runtime: ok $event -> $status"
    else
      echo "runtime: FAILED $event -> $status (expected $expected): $out"
      failed=1
    fi
  done
done
stop_function
# Everything the functions printed at TRACE, scanned for every secret they saw or issued: a log
# without the debug lines that only a verbose level prints would prove nothing.
verbose_lines="$(grep -cE '"level":"(DEBUG|TRACE)"' "$work/functions.log" || true)"
echo "runtime: scanning $(wc -l <"$work/functions.log") log lines ($verbose_lines below INFO) for secrets"
[ "$verbose_lines" -gt 0 ] || { echo "runtime: FAILED: the functions logged nothing below INFO"; failed=1; }
# Each family library logs at the configured level too (the move into them once left them
# capped at INFO, silent at every LogLevel): one debug line of each.
for expected in "tessera_rudderstack:workspace token accepted" "tessera_seatable:user auth token accepted" \
  "tessera_jwt:signing key loaded" "tessera_metering:verification checked"; do
  library="${expected%%:*}" message="${expected#*:}"
  # No `grep -q` at the end of the pipe: it stops reading at the first match, the first grep
  # then dies of SIGPIPE, and pipefail turns a match into a failure (seen in a fresh run).
  if grep -F "\"message\":\"$message\"" "$work/functions.log" | grep -F '"level":"DEBUG"' >/dev/null; then
    echo "runtime: ok $library logs at DEBUG ($message)"
  else
    echo "runtime: FAILED: $library logged nothing below INFO (no \"$message\")"
    failed=1
  fi
done
# The metrics they wrote: every EMF line valid, and each metric the events exercise present.
"$root/.tessera/tools/venv/bin/python" infra/scripts/check-emf.py "$work/functions.log" \
  ColdStarts Verifications CreditsSpent LeakedTokensRevoked SigningKeyRotationSteps || failed=1
"$root/.tessera/tools/venv/bin/python" infra/scripts/scan-logs-for-secrets.py \
  "$work/functions.log" "$secret" "$work/responses.json" || { cp "$work/functions.log" "$root/.tessera/runtime-trace.log"; failed=1; }
if [ "$failed" != 0 ]; then
  echo "--- the functions' log (last 40 lines):"
  tail -40 "$work/functions.log"
  echo "--- cargo lambda watch log (last 10 lines):"
  tail -10 "$work/watch.log"
  exit 1
fi
