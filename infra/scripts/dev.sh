#!/usr/bin/env bash
# `make dev`: installs what is missing, starts a local stack, creates the table, the
# signing secret and a demo workspace, writes .tessera/demo.env, prints ready-to-paste
# requests and serves the API until Ctrl-C, then stops the stack.
#
# TESSERA_PORT (default 3000) and TESSERA_DEMO_ENV (default .tessera/demo.env) may be set,
# e.g. by the smoke test that runs this script inside `make test`; TESSERA_PREBUILT=1 (set by
# `make test`, which builds the whole workspace once) uses the binaries already in target/debug.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
port="${TESSERA_PORT:-3000}"
demo_env="${TESSERA_DEMO_ENV:-$root/.tessera/demo.env}"
stack="${TESSERA_STACK_NAME:-dev}"

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "error: 127.0.0.1:$port is already in use. Stop what holds it, or run: TESSERA_PORT=3001 make dev" >&2
  exit 1
fi

bash infra/scripts/install.sh
if [ "${TESSERA_PREBUILT:-}" != 1 ]; then
  echo "==> building tessera-admin and tessera-local-api"
  cargo build --quiet -p tessera-admin -p tessera-local-api
fi

trap 'echo; echo "==> stopping the local stack"; bash infra/scripts/stack.sh stop "$stack"' EXIT
trap 'exit 130' INT TERM
bash infra/scripts/stack.sh start "$stack"
set -a
# shellcheck source=/dev/null
. ".tessera/$stack/stack.env"
set +a
export TABLE_NAME="tessera-dev"
export SIGNING_SECRET_ID="tessera-dev-signing-key"
# Where SeaTable clients are told the base servers are (the platform's own, on AWS).
export DTABLE_SERVER_URL="http://127.0.0.1:$port/dtable-server/"
export DTABLE_SOCKET_URL="http://127.0.0.1:$port/"
export DTABLE_DB_URL="http://127.0.0.1:$port/dtable-db/"
# Secret-scanning reports are verified with the fixture's key list (infra/scripts/new-scan-events.py
# signs events/secret-scanning with it), not fetched from GitHub.
SECRET_SCANNING_PUBLIC_KEYS="$(cat infra/fixtures/secret-scanning-keys.json)"
export SECRET_SCANNING_PUBLIC_KEYS
admin="$root/target/debug/tessera-admin"

echo "==> creating table $TABLE_NAME from template.yaml and the signing secret"
"$admin" table create --table-name "$TABLE_NAME" >/dev/null
"$admin" secret ensure --secret-id "$SIGNING_SECRET_ID" >/dev/null

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
  cat ".tessera/$stack/stack.env"
} >"$demo_env.tmp"
mv "$demo_env.tmp" "$demo_env" # appears whole: scripts may wait for it

basic="$(printf '%s:' "$WORKSPACE_TOKEN" | base64 -w0)"
cat <<MSG

Tessera is starting on $TESSERA_URL (demo workspace $WORKSPACE_ID).
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

Operator CLI against the same stack:  set -a; . $demo_env; set +a; target/debug/tessera-admin workspace list
Press Ctrl-C to stop.

MSG
"$root/target/debug/tessera-local-api" --listen "127.0.0.1:$port" --template template.yaml
