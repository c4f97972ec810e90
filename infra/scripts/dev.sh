#!/usr/bin/env bash
# `make dev`: installs what is missing, starts a local stack, creates the table, the
# signing secret and a demo workspace, writes .tessera/demo.env, prints ready-to-paste
# requests and serves the API until Ctrl-C, then stops the stack.
#
# TESSERA_PORT (default 3000) and TESSERA_DEMO_ENV (default .tessera/demo.env) may be set,
# e.g. by the smoke test that runs this script inside `make test`; TESSERA_PREBUILT=1 (set by
# `make test`, which builds the whole workspace once) uses the binaries already in target/debug.
#
# TESSERA_SERVER=sam-local (`make sam-local`) serves the template through SAM's own emulation,
# `sam local start-api`, instead of tessera-local-api: the same stack, demo and printed
# requests, with the functions in Docker containers (infra/scripts/docker.sh) and their
# variables in .tessera/sam-local.env. The functions are built by `sam build` (cargo-lambda,
# debug, for this machine's architecture) or, with TESSERA_PREBUILT=1, are make test's own.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
port="${TESSERA_PORT:-3000}"
server="${TESSERA_SERVER:-local-api}"
case "$server" in
  local-api) demo_env="${TESSERA_DEMO_ENV:-$root/.tessera/demo.env}" stack="${TESSERA_STACK_NAME:-dev}" ;;
  sam-local) demo_env="${TESSERA_DEMO_ENV:-$root/.tessera/sam-local.env}" stack="${TESSERA_STACK_NAME:-sam-local}" ;;
  *) echo "error: TESSERA_SERVER is local-api or sam-local, not $server" >&2; exit 2 ;;
esac

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "error: 127.0.0.1:$port is already in use. Stop what holds it, or run: TESSERA_PORT=3001 make dev" >&2
  exit 1
fi

bash infra/scripts/install.sh
# shellcheck source=infra/scripts/build-progress.sh
. infra/scripts/build-progress.sh
if [ "${TESSERA_PREBUILT:-}" != 1 ]; then
  announce_build "building tessera-admin and tessera-local-api (every function, debug)" "10 minutes"
  cargo build "${cargo_progress[@]}" -p tessera-admin -p tessera-local-api
fi

server_pid=""
cleanup() {
  echo
  if [ "$server" = sam-local ]; then
    if [ -n "$server_pid" ]; then
      echo "==> stopping sam local (pid $server_pid) and removing its containers"
      kill -TERM "$server_pid" 2>/dev/null || true
      wait "$server_pid" 2>/dev/null || true
    fi
    if declare -F docker_remove_containers >/dev/null; then
      docker_remove_containers
      docker_stop_if_started
    fi
  fi
  echo "==> stopping the local stack"
  bash infra/scripts/stack.sh stop "$stack"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ "$server" = sam-local ]; then
  # shellcheck source=infra/scripts/docker.sh
  . infra/scripts/docker.sh
  docker_ensure || { echo "error: sam local needs a Docker engine (above: why there is none)" >&2; exit 1; }
  arch="$(sam_local_arch)"
  docker_base_image "$arch" || exit 1
  # The containers reach the stack at the docker bridge's address, as the host does.
  # Never 127.0.0.1: inside a container that is the container itself.
  TESSERA_STACK_HOST="$(docker_bridge_address)" || exit 1
  export TESSERA_STACK_HOST
  echo "==> the containers reach the local stack at $TESSERA_STACK_HOST (the docker bridge)"
  sam_dir="$root/.tessera/sam-local"
  mkdir -p "$sam_dir"
  sam_python="$root/.tessera/tools/venv/bin/python"
  if [ "${TESSERA_PREBUILT:-}" = 1 ]; then
    echo "==> laying out make test's function binaries as sam build would ($arch)"
    rm -rf "$sam_dir/build"
    "$sam_python" infra/scripts/sam-local-template.py prebuilt "$sam_dir/build" "$arch" "$root/target/debug"
  else
    announce_build "cargo lambda build: every function, debug, for $arch" "12 minutes"
    "$sam_python" infra/scripts/sam-local-template.py source "$sam_dir/template.yaml" "$arch"
    packages=()
    for dir in functions/*/; do if [ -f "$dir/src/main.rs" ]; then packages+=(-p "$(basename "$dir")"); fi; done
    # One build of every function first (both cores), which sam build's per-function builds then find.
    PATH="$root/.tessera/tools/venv/bin:$PATH" cargo lambda build "${cargo_progress[@]}" "${packages[@]}"
    echo "==> sam build: laying the binaries out per function (about a minute; its log: $sam_dir/build.log)"
    (cd "$sam_dir" && SAM_BUILD_MODE=debug SAM_CLI_TELEMETRY=0 PATH="$root/.tessera/tools/venv/bin:$PATH" \
      sam build --template template.yaml --build-dir build >"$sam_dir/build.log" 2>&1) ||
      { tail -20 "$sam_dir/build.log" >&2; echo "error: sam build failed; see $sam_dir/build.log" >&2; exit 1; }
  fi
fi
bash infra/scripts/stack.sh start "$stack"
set -a
# shellcheck source=/dev/null
. ".tessera/$stack/stack.env"
set +a
export TABLE_NAME="tessera-dev"
export SIGNING_SECRET_ID="tessera-dev-signing-key"
# The events pipeline: the bus, the webhook queue, the key webhook secrets derive from, and
# receivers on this machine allowed (http://127.0.0.1:<port>; a deployed stack refuses them).
export EVENT_BUS_NAME="tessera-dev-events" WEBHOOK_QUEUE_NAME="tessera-dev-webhooks"
export WEBHOOK_KEY_SECRET_ID="tessera-dev-webhook-key" WEBHOOKS_ALLOW_LOOPBACK=true
# Where SeaTable clients are told the base servers are (the platform's own, on AWS).
export DTABLE_SERVER_URL="http://127.0.0.1:$port/dtable-server/"
export DTABLE_SOCKET_URL="http://127.0.0.1:$port/"
export DTABLE_DB_URL="http://127.0.0.1:$port/dtable-db/"
# Secret-scanning reports are verified with the fixture's key list (infra/scripts/new-scan-events.py
# signs events/secret-scanning with it), not fetched from GitHub.
SECRET_SCANNING_PUBLIC_KEYS="$(cat infra/fixtures/secret-scanning-keys.json)"
export SECRET_SCANNING_PUBLIC_KEYS
admin="$root/target/debug/tessera-admin"

echo "==> creating table $TABLE_NAME from template.yaml (with its stream), the signing secret and the webhook key"
"$admin" table create --table-name "$TABLE_NAME" >/dev/null
"$admin" secret ensure --secret-id "$SIGNING_SECRET_ID" >/dev/null
"$admin" secret ensure --secret-id "$WEBHOOK_KEY_SECRET_ID" >/dev/null

echo "==> creating the demo workspace"
json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
workspace_json="$("$admin" --json workspace create --name demo)"
WORKSPACE_ID="$(json_field workspace_id <<<"$workspace_json")"
WORKSPACE_TOKEN="$(json_field workspace_token <<<"$workspace_json")"
USER_ID="$(json_field user_id <<<"$workspace_json")"
READ_ONLY_WORKSPACE_TOKEN="$("$admin" --json workspace token issue --workspace-id "$WORKSPACE_ID" \
  --user-id "$USER_ID" --read-only | json_field workspace_token)"

echo "==> creating the demo user, base, API token and share link"
DTABLE_NAME="Hello"
user_json="$("$admin" --json user create --name demo@example.com)"
SEATABLE_USER_ID="$(json_field user_id <<<"$user_json")"
AUTH_TOKEN="$(json_field auth_token <<<"$user_json")"
# The demo user administers the workspace (owning a base grants nothing beyond that base).
"$admin" member grant --workspace-id "$WORKSPACE_ID" --user-id "$SEATABLE_USER_ID" --permission admin >/dev/null
DTABLE_UUID="$("$admin" --json base create --workspace-id "$WORKSPACE_ID" --name "$DTABLE_NAME" \
  --owner-id "$SEATABLE_USER_ID" | json_field dtable_uuid)"
API_TOKEN="$("$admin" --json api-token create --workspace-id "$WORKSPACE_ID" --base "$DTABLE_NAME" \
  --app-name demo-app --permission rw --generated-by demo@example.com | json_field api_token)"
SHARE_LINK_TOKEN="$("$admin" --json share-link create --workspace-id "$WORKSPACE_ID" --base "$DTABLE_NAME" \
  --user-id "$SEATABLE_USER_ID" --expire-days 7 | json_field share_link_token)"
TESSERA_URL="http://127.0.0.1:$port"

mkdir -p "$(dirname "$demo_env")"
umask 077 # the file holds tokens
{
  echo "TESSERA_URL=$TESSERA_URL"
  echo "WORKSPACE_ID=$WORKSPACE_ID"
  echo "WORKSPACE_TOKEN=$WORKSPACE_TOKEN"
  echo "READ_ONLY_WORKSPACE_TOKEN=$READ_ONLY_WORKSPACE_TOKEN"
  echo "USER_ID=$USER_ID"
  echo "SEATABLE_USER_ID=$SEATABLE_USER_ID"
  echo "AUTH_TOKEN=$AUTH_TOKEN"
  echo "DTABLE_NAME=$DTABLE_NAME"
  echo "DTABLE_UUID=$DTABLE_UUID"
  echo "API_TOKEN=$API_TOKEN"
  echo "SHARE_LINK_TOKEN=$SHARE_LINK_TOKEN"
  echo "TABLE_NAME=$TABLE_NAME"
  echo "SIGNING_SECRET_ID=$SIGNING_SECRET_ID"
  echo "EVENT_BUS_NAME=$EVENT_BUS_NAME"
  echo "WEBHOOK_KEY_SECRET_ID=$WEBHOOK_KEY_SECRET_ID"
  cat ".tessera/$stack/stack.env"
} >"$demo_env.tmp"
mv "$demo_env.tmp" "$demo_env" # appears whole: scripts may wait for it

basic="$(printf '%s:' "$WORKSPACE_TOKEN" | base64 -w0)"
cat <<MSG

Tessera is starting on $TESSERA_URL (demo workspace $WORKSPACE_ID).

The web console:  $TESSERA_URL/console/
  sign in with the demo's workspace token (admin): WORKSPACE_TOKEN in $demo_env
  or its read-only one: READ_ONLY_WORKSPACE_TOKEN
Variables for scripts and shells: $demo_env   (set -a; . $demo_env; set +a)

Try the RudderStack access-token API:

curl --location -X POST '$TESSERA_URL/accessTokens' \\
-H 'Authorization: Basic $basic' \\
-H 'Content-Type: application/json' \\
-d '{
    "name": "some-test-access-token",
    "description": "some-description"
}'

curl --location -X GET '$TESSERA_URL/accessTokens' \\
-H 'Authorization: Basic $basic'

curl --location -X DELETE '$TESSERA_URL/accessTokens?name=some-test-access-token' \\
-H 'Authorization: Basic $basic'

Protect an API with an access token: the authorizer guards GET /whoami, a demo route
(AuthorizerCacheSeconds, 10 s, is how long a revoked token may still pass):

TOKEN=\$(curl -s -X POST '$TESSERA_URL/accessTokens' -H 'Authorization: Basic $basic' \\
  -H 'Content-Type: application/json' -d '{"name": "ci", "scopes": ["read:events"]}' \\
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["token"])')
curl -H "Authorization: Bearer \$TOKEN" '$TESSERA_URL/whoami'
curl -X POST '$TESSERA_URL/introspect' -H 'Authorization: Basic $basic' --data-urlencode "token=\$TOKEN"
curl '$TESSERA_URL/auditLog?limit=5' -H 'Authorization: Basic $basic'

Try the SeaTable base access-token API (the seed's samples):

curl \\
-H 'Authorization: Token $AUTH_TOKEN' \\
-H 'Accept: application/json; charset=utf-8; indent=4' \\
"$TESSERA_URL/api/v2.1/workspace/$WORKSPACE_ID/dtable/$DTABLE_NAME/access-token/"

curl \\
-H 'Accept: application/json; charset=utf-8; indent=4' \\
"$TESSERA_URL/api/v2.1/dtable/share-link-access-token/?token=$SHARE_LINK_TOKEN"

curl -H 'Authorization: Token $API_TOKEN' "$TESSERA_URL/api/v2.1/dtable/app-access-token/"

SeaTable 4's external links (the same records as share links; a custom token is optional):

curl -X POST -H 'Authorization: Token $AUTH_TOKEN' -H 'Content-Type: application/json' \\
  -d '{"token": "my-report", "permission": "read-only", "expire_days": 7}' \\
  "$TESSERA_URL/api/v2.1/workspace/$WORKSPACE_ID/dtable/$DTABLE_NAME/external-links/"
curl "$TESSERA_URL/api/v2.1/external-link-tokens/my-report/access-token/"
curl -H 'Authorization: Token $AUTH_TOKEN' "$TESSERA_URL/api/v2.1/workspace/$WORKSPACE_ID/dtable/$DTABLE_NAME/external-links/"

The official Python client:  .tessera/tools/venv/bin/python -c \\
  "from seatable_api import Base; b = Base('$API_TOKEN', '$TESSERA_URL'); b.auth(); print(b.dtable_uuid)"

Events and webhooks: every change is published to the bus $EVENT_BUS_NAME (printed below as
it happens) and delivered to the workspace's webhook endpoints. A receiver on this machine:

curl -X POST '$TESSERA_URL/webhooks' -H 'Authorization: Basic $basic' -H 'Content-Type: application/json' \\
  -d '{"url": "http://127.0.0.1:8099/hook"}'    # answers the endpoint's secret (whsec_...), once
.tessera/tools/venv/bin/python tests/receivers/standard_webhooks_receiver.py 8099 whsec_...   # verifies each delivery

Operator CLI against the same stack:  set -a; . $demo_env; set +a; target/debug/tessera-admin workspace list
Press Ctrl-C to stop.

MSG
if [ "$server" = local-api ]; then
  "$root/target/debug/tessera-local-api" --listen "127.0.0.1:$port" --template template.yaml --events
  exit
fi
# The functions' variables that the template leaves to the stack (sam local passes a function
# only what its template declares: infra/scripts/sam-local-template.py declares these).
"$sam_python" - "$sam_dir/env.json" <<'PY'
import json, os, sys
names = ["TABLE_NAME", "SIGNING_SECRET_ID", "WEBHOOK_KEY_SECRET_ID", "WEBHOOKS_ALLOW_LOOPBACK",
         "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SECRETS_MANAGER", "SECRET_SCANNING_PUBLIC_KEYS"]
with open(os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
    json.dump({"Parameters": {name: os.environ[name] for name in names}}, f)
PY
echo "==> sam local start-api on 127.0.0.1:$port: starting one warm container per function"
(cd "$sam_dir/build" && exec env SAM_CLI_TELEMETRY=0 "$root/.tessera/tools/venv/bin/sam" local start-api \
  --template template.yaml --host 127.0.0.1 --port "$port" --skip-pull-image --warm-containers EAGER \
  --env-vars "$sam_dir/env.json" --parameter-overrides \
  "DtableServerUrl=$DTABLE_SERVER_URL DtableSocketUrl=$DTABLE_SOCKET_URL DtableDbUrl=$DTABLE_DB_URL") &
server_pid=$!
wait "$server_pid"
