#!/usr/bin/env bash
# `make bench`: every Tessera function, a hello-world lambda_http binary and a Python +
# boto3 peer of three handlers, each run under the Lambda Runtime API emulator of bench/
# against a local stack; then the local API under a bounded load (oha). Prints Markdown.
#
#   infra/scripts/bench.sh            # release builds, 7 cold starts x 300 warm each
#   infra/scripts/bench.sh --smoke    # debug builds, one run each: that it all still works
# BENCH_COLD_RUNS, BENCH_WARM and BENCH_LOAD_SECONDS override the full run's sizes;
# BENCH_NO_BUILD=1 measures the binaries already built; BENCH_FUNCTIONS="a b" only those
# functions (and the baseline and peers); BENCH_LOAD_SECONDS=0 skips the load;
# BENCH_HOT_SECONDS (10; 0 skips) is how long the hot-token simulation drives each scenario.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
tools="$root/.tessera/tools"
oha_version="1.16.0"

step() { printf '==> %s\n' "$*" >&2; }

if [ "${1:-}" = "--smoke" ]; then
  profile=debug cold_runs=1 warm=3 load_seconds=1 hot_seconds=1 hot_processes=2
  build_flags=()
else
  profile=release cold_runs="${BENCH_COLD_RUNS:-7}" warm="${BENCH_WARM:-300}" load_seconds="${BENCH_LOAD_SECONDS:-10}"
  hot_seconds="${BENCH_HOT_SECONDS:-10}" hot_processes=8
  build_flags=(--release)
fi

bash infra/scripts/install.sh >&2
# shellcheck source=infra/scripts/build-progress.sh
. infra/scripts/build-progress.sh
# The Python peer's runtime, and oha for the load: only make bench needs them.
req="$root/bench/requirements.txt"
stamp="$tools/bench-venv/.installed-$(sha256sum "$req" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  step "installing the Python peer's runtime (awslambdaric, boto3) into .tessera/tools/bench-venv"
  [ -x "$tools/bench-venv/bin/python" ] || python3 -m venv "$tools/bench-venv"
  "$tools/bench-venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
  rm -f "$tools/bench-venv"/.installed-*
  touch "$stamp"
fi
if [ "$("$tools/cargo/bin/oha" --version 2>/dev/null)" != "oha $oha_version" ]; then
  if [ "$profile" = debug ]; then
    # The smoke run keeps make test short: building oha takes six minutes on 2 cores.
    step "oha $oha_version is not installed (make bench installs it): the smoke run skips the load step"
    load_seconds=0
  else
    step "installing oha $oha_version (cargo install: about six minutes on 2 cores, once)"
    cargo install "${cargo_progress[@]}" --locked --root "$tools/cargo" "oha@$oha_version"
  fi
fi

# The functions API Gateway invokes (the rotation function runs once a month).
functions=()
for dir in events/*/; do
  grep -q '"headers"' "$(find "$dir" -name '2*.json' | sort | head -1)" && functions+=("$(basename "$dir")")
done
if [ -n "${BENCH_FUNCTIONS:-}" ]; then read -ra functions <<<"$BENCH_FUNCTIONS"; fi
packages=()
for function in "${functions[@]}"; do packages+=(-p "$function"); done
if [ "${BENCH_NO_BUILD:-}" != 1 ]; then
  if [ "$profile" = release ]; then usual="20 minutes"; else usual="10 minutes"; fi
  announce_build "building ${#functions[@]} functions, hello-world, lambda-bench and the local API ($profile)" "$usual"
  cargo build "${cargo_progress[@]}" "${build_flags[@]}" "${packages[@]}" -p tessera-bench -p tessera-local-api
  cargo build "${cargo_progress[@]}" -p tessera-admin
else
  step "using make test's builds of ${#functions[@]} functions, hello-world, lambda-bench and the local API ($profile)"
fi
bin="$root/target/$profile"
admin="$root/target/debug/tessera-admin"

trap 'bash infra/scripts/stack.sh stop bench >&2' EXIT
bash infra/scripts/stack.sh start bench >&2
set -a
# shellcheck source=/dev/null
. .tessera/bench/stack.env
set +a
export TABLE_NAME="bench-$(date +%s)" SIGNING_SECRET_ID="bench-signing-$(date +%s)"
export WEBHOOK_KEY_SECRET_ID="bench-webhook-key-$(date +%s)"
# As on Lambda: boto3 reads the region from AWS_DEFAULT_REGION.
export AWS_LAMBDA_LOG_LEVEL=INFO AWS_LAMBDA_LOG_FORMAT=JSON AWS_DEFAULT_REGION="$AWS_REGION"
# The secret scanner verifies with the fixture's key list (no fetch from GitHub offline).
SECRET_SCANNING_PUBLIC_KEYS="$(cat infra/fixtures/secret-scanning-keys.json)"
export SECRET_SCANNING_PUBLIC_KEYS
# Without the stream, which DynamoDB Local would write on every change: what is measured
# is the functions, as on DynamoDB, where a stream costs a write nothing.
"$admin" table create --table-name "$TABLE_NAME" --without-stream >/dev/null
"$admin" secret ensure --secret-id "$SIGNING_SECRET_ID" >/dev/null
"$admin" secret ensure --secret-id "$WEBHOOK_KEY_SECRET_ID" >/dev/null
# The fixture's workspace with 10 access tokens, reloaded before every cold start.
reset="$admin fixtures load --table-name $TABLE_NAME --reset --extra-access-tokens 9"

out="$root/target/bench"
mkdir -p "$out"
plan="$out/plan.tsv"
first_ok_event() { find "events/$1" -name '2*.json' | sort | head -1; }
{
  printf 'hello-world\tbaseline\t%s\t%s\n' "$(first_ok_event list-access-tokens)" "$bin/hello-world"
  for function in "${functions[@]}"; do
    printf '%s\trust\t%s\t%s\n' "$function" "$(first_ok_event "$function")" "$bin/$function"
  done
  # The verify API's valid answer, and the metered path (a rate limit and credits) of it and
  # of the authorizer: one more read and one more write than the unmetered token; and a
  # metered token whose record carries a 2 KB meta (the first extra token of the fixture).
  for row in "verify-access-token-valid:verify-access-token:events/verify-access-token/200-valid" \
    "verify-access-token-metered:verify-access-token:events/verify-access-token/200-valid-metered" \
    "verify-access-token-metered-2kb-meta:verify-access-token:bench/events/verify-access-token-200-valid-metered-2kb-meta" \
    "verify-access-token-metered-16-shards:verify-access-token:bench/events/verify-access-token-200-valid-hot-sharded" \
    "authorizer-metered:authorizer:events/authorizer/200-metered-bearer"; do
    IFS=: read -r group function event <<<"$row"
    if [[ " ${functions[*]} " == *" $function "* ]]; then
      printf '%s\trust\t%s.json\t%s\n' "$group" "$event" "$bin/$function"
    fi
  done
  python="$tools/bench-venv/bin/python -m awslambdaric"
  for function in list-access-tokens authorizer base-access-token; do
    printf '%s\tpython\t%s\t%s\n' "$function" "$(first_ok_event "$function")" "$python tessera_peer.${function//-/_}"
  done
} >"$plan"
export PYTHONPATH="$root/bench/python"

step "measuring every subject: $cold_runs cold starts, $warm warm invocations each, then its AWS calls"
"$bin/lambda-bench" --plan "$plan" --cold-runs "$cold_runs" --warm "$warm" --reset "$reset" \
  --count-calls --log-dir "$out/logs" --json-out "$out/results.json" >"$out/functions.md"

# One token verified by many processes at once (issue 28): the hottest keys it makes.
: >"$out/hot.md"
if [ "$hot_seconds" != 0 ] && [[ " ${functions[*]} " == *" verify-access-token "* ]]; then
  step "the hot-token simulation: $hot_processes verify processes on one token, ${hot_seconds} s per scenario"
  {
    echo
    echo "Hot token: $hot_processes \`verify-access-token\` processes (each a container with its own state) verifying one token as fast as they answer, ${hot_seconds} s per scenario, every DynamoDB call counted by partition key:"
    echo
    "$bin/hot-token" --command "$bin/verify-access-token" --processes "$hot_processes" \
      --seconds "$hot_seconds" --reset "$reset" --log-dir "$out/logs" --json-out "$out/hot.json" \
      --scenario "one-item=events/verify-access-token/200-valid-metered.json" \
      --scenario "16-shards=bench/events/verify-access-token-200-valid-hot-sharded.json" \
      --scenario "16-shards-cache-5s=bench/events/verify-access-token-200-valid-hot-sharded.json,VERIFICATION_CACHE_SECONDS=5"
  } >"$out/hot.md"
fi

if [ "$load_seconds" = 0 ]; then
  cat "$out/functions.md" "$out/hot.md"
  echo "bench: ok ${#functions[@]} functions measured ($profile); no load step" >&2
  exit 0
fi
step "the local API under load: oha, ${load_seconds} s per route, 8 connections"
$reset >/dev/null
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$bin/tessera-local-api" --listen "127.0.0.1:$port" >"$out/logs/local-api.log" 2>&1 &
api_pid=$!
trap 'kill "$api_pid" 2>/dev/null || true; bash infra/scripts/stack.sh stop bench >&2' EXIT
for _ in $(seq 1 150); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
fixture_token() { python3 -c 'import json, sys; print(json.load(sys.stdin)["headers"]["authorization"])' <"$1"; }
{
  echo
  echo "Local API (tessera-local-api, $profile build, on DynamoDB Local), ${load_seconds} s per route, 8 connections:"
  echo
  echo "| route | requests/s | p50 ms | p99 ms | statuses |"
  echo "|---|---:|---:|---:|---|"
} >"$out/load.md"
load() { # label path authorization-header
  "$tools/cargo/bin/oha" --no-tui --output-format json -z "${load_seconds}s" -c 8 \
    -H "authorization: $3" "http://127.0.0.1:$port$2" >"$out/oha.json"
  python3 - "$1" "$out/oha.json" >>"$out/load.md" <<'PY'
import json, sys
label, path = sys.argv[1], sys.argv[2]
r = json.load(open(path))
p = r["latencyPercentiles"]
codes = " ".join(f"{k}×{v}" for k, v in sorted(r["statusCodeDistribution"].items()))
print(f"| {label} | {r['summary']['requestsPerSec']:.0f} | {p['p50'] * 1000:.2f} | {p['p99'] * 1000:.2f} | {codes} |")
PY
}
load "GET /accessTokens (workspace token)" /accessTokens "$(fixture_token events/list-access-tokens/200-list.json)"
load "GET /whoami (authorizer, access token)" /whoami "$(fixture_token events/authorizer/200-bearer-access-token.json)"
load "GET base access token (user auth token)" \
  "$(python3 -c 'import json, sys; print(json.load(sys.stdin)["rawPath"])' <"$(first_ok_event base-access-token)")" \
  "$(fixture_token "$(first_ok_event base-access-token)")"

echo "Measured on $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d); $profile builds."
echo
cat "$out/functions.md" "$out/hot.md" "$out/load.md"
echo "bench: ok ${#functions[@]} functions measured ($profile)" >&2
