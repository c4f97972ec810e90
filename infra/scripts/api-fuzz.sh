#!/usr/bin/env bash
# Property-based API tests: schemathesis generates requests for every operation of
# openapi.yaml and sends them to a real `make dev` with the demo credentials, checking that
# no answer is a 5xx, and that every status, content type and body conforms to the spec.
#
#   infra/scripts/api-fuzz.sh [EXAMPLES]   # per operation; make test: 200, make fuzz-api: 2000
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
examples="${1:-200}"
# shellcheck source=infra/scripts/dev-server.sh
. infra/scripts/dev-server.sh
dev_server_start api-fuzz api-fuzz
basic="$(printf '%s:' "$WORKSPACE_TOKEN" | base64 -w0)"
ACCESS_TOKEN="$(curl -s -X POST "$TESSERA_URL/accessTokens" -H "Authorization: Basic $basic" \
  -H 'Content-Type: application/json' -d '{"name": "api-fuzz"}' \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["token"])')"
export ACCESS_TOKEN

echo "==> schemathesis: every operation of openapi.yaml, $examples examples each"
started=$(date +%s)
set +e
"$root/.tessera/tools/venv/bin/schemathesis" --config-file tests/schemathesis.toml run openapi.yaml \
  --url "$TESSERA_URL" --max-examples "$examples" --workers 2 --seed 7 \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --phases examples,coverage,fuzzing --no-color --report ndjson --report-ndjson-path "$work/events.ndjson" \
  >"$work/st.log" 2>&1
status=$?
set -e
tail -40 "$work/st.log"
cases="$(python3 - "$work/events.ndjson" <<'PY'
import json, sys
total = 0
for line in open(sys.argv[1]):
    event = json.loads(line)
    for value in event.values():
        if isinstance(value, dict) and "recorder" in value:
            total += len(value["recorder"].get("cases", {}))
print(total)
PY
)" || cases="?"
echo "api-fuzz: $cases test cases in $(( $(date +%s) - started )) s"
[ "$status" = 0 ] || fail "schemathesis found problems (above)"
echo "api-fuzz: ok $cases cases, no 5xx, every answer as openapi.yaml says"
