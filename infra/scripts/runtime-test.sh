#!/usr/bin/env bash
# Runs every function binary under the real Lambda runtime API (`cargo lambda watch`) against
# the local stack, loaded with the fixture, and sends each function its events from events/
# with `cargo lambda invoke`, checking the status each file's name promises.
# Needs a running stack: run from infra/scripts/test.sh (or with a stack.env sourced).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
: "${AWS_ENDPOINT_URL_DYNAMODB:?start a local stack first (infra/scripts/stack.sh start NAME)}"
export PATH="$root/.tessera/tools/venv/bin:$PATH" # cargo-lambda, and the Python whose zig it uses
work="$(mktemp -d)"
table="runtime-$(date +%s)"
secret="runtime-signing-$(date +%s)"
admin="$root/target/debug/tessera-admin"

"$admin" table create --table-name "$table" >/dev/null
"$admin" secret ensure --secret-id "$secret" >/dev/null
"$admin" fixtures load --table-name "$table" >/dev/null
{
  echo "TABLE_NAME=$table"
  echo "SIGNING_SECRET_ID=$secret"
  # The most verbose level, as the template allows: nothing secret may be logged even so.
  echo "AWS_LAMBDA_LOG_LEVEL=TRACE"
  echo "AWS_LAMBDA_LOG_FORMAT=JSON"
  env | grep -E '^AWS_(REGION|ACCESS_KEY_ID|SECRET_ACCESS_KEY|EC2_METADATA_DISABLED|ENDPOINT_URL_[A-Z_]+)='
} >"$work/functions.env"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$port" --ignore-changes \
  --env-file "$work/functions.env" >"$work/watch.log" 2>&1 &
watch_pid=$!
trap 'kill "$watch_pid" 2>/dev/null || true; wait "$watch_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$watch_pid" 2>/dev/null || { cat "$work/watch.log" >&2; echo "runtime: FAILED: cargo lambda watch exited" >&2; exit 1; }
  sleep 0.2
done

# One table for all: readers before writers, and each deletion after what needs its victim.
order="base-access-token share-link-access-token app-access-token temp-api-token list-api-tokens
  list-share-links list-access-tokens create-access-token create-api-token create-share-link
  update-api-token delete-access-tokens delete-share-link delete-api-token"
listed="$(ls events | sort | tr '\n' ' ')"
ordered="$(tr -s ' \n' '\n' <<<"$order" | sed '/^$/d' | sort | tr '\n' ' ')"
if [ "$listed" != "$ordered" ]; then
  echo "runtime: FAILED: events/ has [$listed] but this script orders [$ordered]" >&2
  exit 1
fi

failed=0
for function in $order; do
  for event in events/"$function"/*.json; do
    expected="$(basename "$event" | cut -d- -f1)"
    if ! out="$(cargo lambda invoke "$function" --invoke-address 127.0.0.1 --invoke-port "$port" \
      --data-file "$event" --output-format json 2>"$work/invoke.err" | tee -a "$work/responses.json")"; then
      echo "runtime: FAILED $event: cargo lambda invoke failed: $(tail -3 "$work/invoke.err")"
      failed=1
      continue
    fi
    status="$(python3 -c 'import json, sys; print(json.load(sys.stdin)["statusCode"])' <<<"$out")"
    if [ "$status" = "$expected" ]; then
      echo "runtime: ok $event -> $status"
    else
      echo "runtime: FAILED $event -> $status (expected $expected): $out"
      failed=1
    fi
  done
done
# Everything the functions printed at TRACE, scanned for every secret they saw or issued.
"$root/.tessera/tools/venv/bin/python" infra/scripts/scan-logs-for-secrets.py \
  "$work/watch.log" "$secret" "$work/responses.json" || { cp "$work/watch.log" "$root/.tessera/runtime-trace.log"; failed=1; }
if [ "$failed" != 0 ]; then
  echo "--- cargo lambda watch log (last 40 lines):"
  tail -40 "$work/watch.log"
  exit 1
fi
