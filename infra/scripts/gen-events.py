#!/usr/bin/env python3
"""Writes events/<function>/<status>-<case>.json: API Gateway HTTP API (payload 2.0) events,
each starting from `sam local generate-event apigateway http-api-proxy` and filled in with a
route of template.yaml and the fixture tokens (functions/common/src/fixtures.rs).

The status in the file name is what the function must answer; tests/tests/events.rs checks
it for every file. Run again after changing a route or the fixture:
  .tessera/tools/venv/bin/python infra/scripts/gen-events.py
"""

import base64
import json
import os
import subprocess
import urllib.parse
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def token(prefix, body):
    """A Tessera token: the fixture's body with its CRC-32 checksum in base62."""
    text = f"{prefix}_{body}"
    n, digits = zlib.crc32(text.encode()), ""
    for _ in range(6):
        digits, n = BASE62[n % 62] + digits, n // 62
    return text + digits


WORKSPACE_ID = "FixtureWorkspace000001"
WORKSPACE_TOKEN = token("tsw", "FixtureWorkspaceToken000000001")
READ_ONLY_TOKEN = token("tsw", "FixtureReadOnlyWorkspaceToken1")
AUTH_TOKEN = token("tsu", "FixtureUserAuthToken0000000001")
API_TOKEN = token("tsk", "FixtureBaseApiToken00000000001")
SHARE_LINK_TOKEN = token("tss", "FixtureShareLink00000000000001")
BASIC = "Basic " + base64.b64encode(f"{WORKSPACE_TOKEN}:".encode()).decode()
READ_ONLY_BASIC = "Basic " + base64.b64encode(f"{READ_ONLY_TOKEN}:".encode()).decode()
USER = f"Token {AUTH_TOKEN}"
BASE = f"/api/v2.1/workspace/{{workspace_id}}/dtable/{{dtable_name}}"
BASE_PARAMS = {"workspace_id": WORKSPACE_ID, "dtable_name": "Hello"}
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"

# function: [(status, case, method, route, path parameters, query, auth, content type, body)]
CASES = {
    "create-access-token": [
        (200, "create", "POST", "/accessTokens", {}, "", BASIC, JSON,
         json.dumps({"name": "some-test-access-token", "description": "some-description"})),
        (400, "no-name", "POST", "/accessTokens", {}, "", BASIC, JSON, json.dumps({"description": "x"})),
        (401, "no-auth", "POST", "/accessTokens", {}, "", None, JSON, json.dumps({"name": "x"})),
        (403, "read-only", "POST", "/accessTokens", {}, "", READ_ONLY_BASIC, JSON, json.dumps({"name": "x"})),
    ],
    "list-access-tokens": [
        (200, "list", "GET", "/accessTokens", {}, "", BASIC, None, None),
        (401, "no-auth", "GET", "/accessTokens", {}, "", None, None, None),
    ],
    "delete-access-tokens": [
        (200, "delete", "DELETE", "/accessTokens", {}, "name=fixture-token", BASIC, None, None),
        (400, "no-name", "DELETE", "/accessTokens", {}, "", BASIC, None, None),
        (404, "unknown-name", "DELETE", "/accessTokens", {}, "name=nothing-by-this-name", BASIC, None, None),
    ],
    "base-access-token": [
        (200, "access-token", "GET", BASE + "/access-token/", BASE_PARAMS, "", USER, None, None),
        (401, "bad-token", "GET", BASE + "/access-token/", BASE_PARAMS, "",
         "Token 57782e1e42a7fefc6a5026e00c6a62c9d249e760", None, None),
        (404, "unknown-base", "GET", BASE + "/access-token/", dict(BASE_PARAMS, dtable_name="Hallo"), "",
         USER, None, None),
    ],
    "share-link-access-token": [
        (200, "share-link", "GET", "/api/v2.1/dtable/share-link-access-token/", {},
         f"token={SHARE_LINK_TOKEN}", None, None, None),
        (400, "no-token", "GET", "/api/v2.1/dtable/share-link-access-token/", {}, "", None, None, None),
    ],
    "app-access-token": [
        (200, "api-token", "GET", "/api/v2.1/dtable/app-access-token/", {}, "", f"Token {API_TOKEN}", None, None),
        (403, "bad-token", "GET", "/api/v2.1/dtable/app-access-token/", {}, "", "Token not-an-api-token", None, None),
    ],
    "temp-api-token": [
        (200, "temp-api-token", "GET", BASE + "/temp-api-token/", BASE_PARAMS, "", USER, None, None),
        (401, "no-auth", "GET", BASE + "/temp-api-token/", BASE_PARAMS, "", None, None, None),
    ],
    "list-api-tokens": [
        (200, "list", "GET", BASE + "/api-tokens/", BASE_PARAMS, "", USER, None, None),
        (401, "no-auth", "GET", BASE + "/api-tokens/", BASE_PARAMS, "", None, None, None),
    ],
    "create-api-token": [
        (201, "create", "POST", BASE + "/api-tokens/", BASE_PARAMS, "", USER, JSON,
         json.dumps({"app_name": "etl", "permission": "r"})),
        (201, "create-form", "POST", BASE + "/api-tokens/", BASE_PARAMS, "", USER, FORM,
         "app_name=form-app&permission=rw"),
        (400, "bad-permission", "POST", BASE + "/api-tokens/", BASE_PARAMS, "", USER, JSON,
         json.dumps({"app_name": "etl", "permission": "admin"})),
    ],
    "update-api-token": [
        (200, "update", "PUT", BASE + "/api-tokens/{app_name}/", dict(BASE_PARAMS, app_name="fixture-app"), "",
         USER, JSON, json.dumps({"permission": "r"})),
        (404, "unknown-app", "PUT", BASE + "/api-tokens/{app_name}/", dict(BASE_PARAMS, app_name="nope"), "",
         USER, JSON, json.dumps({"permission": "r"})),
    ],
    "delete-api-token": [
        (200, "delete", "DELETE", BASE + "/api-tokens/{app_name}/", dict(BASE_PARAMS, app_name="fixture-app"), "",
         USER, None, None),
        (401, "no-auth", "DELETE", BASE + "/api-tokens/{app_name}/", dict(BASE_PARAMS, app_name="fixture-app"), "",
         None, None, None),
    ],
    "create-share-link": [
        (200, "create", "POST", "/api/v2.1/dtables/share-links/", {}, "", USER, JSON,
         json.dumps({"workspace_id": WORKSPACE_ID, "table_name": "Hello", "permission": "r", "expire_days": 7})),
        (400, "no-table", "POST", "/api/v2.1/dtables/share-links/", {}, "", USER, JSON,
         json.dumps({"workspace_id": WORKSPACE_ID})),
    ],
    "list-share-links": [
        (200, "list", "GET", "/api/v2.1/dtables/share-links/", {}, "", USER, None, None),
        (401, "no-auth", "GET", "/api/v2.1/dtables/share-links/", {}, "", None, None, None),
    ],
    "delete-share-link": [
        (200, "delete", "DELETE", "/api/v2.1/dtables/share-links/{token}/", {"token": SHARE_LINK_TOKEN}, "",
         USER, None, None),
        (404, "unknown", "DELETE", "/api/v2.1/dtables/share-links/{token}/", {"token": "nope"}, "",
         USER, None, None),
    ],
}


def sam_event():
    out = subprocess.run(
        [os.path.join(ROOT, ".tessera/tools/venv/bin/sam"), "local", "generate-event", "apigateway", "http-api-proxy"],
        check=True, capture_output=True, text=True, env=dict(os.environ, SAM_CLI_TELEMETRY="0"),
    )
    return json.loads(out.stdout)


def event(template, method, route, params, query, auth, content_type, body):
    path = route
    for name, value in params.items():
        path = path.replace("{" + name + "}", urllib.parse.quote(value, safe=""))
    e = json.loads(json.dumps(template))
    route_key = f"{method} {route}"
    e["routeKey"] = route_key
    e["rawPath"] = path
    e["rawQueryString"] = query
    e.pop("cookies", None)
    headers = {"accept": "application/json", "host": "id.execute-api.us-east-1.amazonaws.com",
               "user-agent": "curl/8.5.0", "x-forwarded-proto": "https"}
    if auth:
        headers["authorization"] = auth
    if content_type:
        headers["content-type"] = content_type
    e["headers"] = headers
    if query:
        e["queryStringParameters"] = dict(urllib.parse.parse_qsl(query))
    else:
        e.pop("queryStringParameters", None)
    if params:
        e["pathParameters"] = params
    else:
        e.pop("pathParameters", None)
    ctx = e["requestContext"]
    ctx.pop("authentication", None)  # no mTLS
    ctx.pop("authorizer", None)  # no JWT authorizer on these routes
    ctx["routeKey"] = route_key
    ctx["http"].update({"method": method, "path": path, "sourceIp": "198.51.100.7", "userAgent": "curl/8.5.0"})
    if body is None:
        e.pop("body", None)
    else:
        e["body"] = body
    e["isBase64Encoded"] = False
    e.pop("stageVariables", None)
    return e


def main():
    template = sam_event()
    for function, cases in CASES.items():
        folder = os.path.join(ROOT, "events", function)
        os.makedirs(folder, exist_ok=True)
        for old in os.listdir(folder):
            os.remove(os.path.join(folder, old))
        for status, case, *request in cases:
            with open(os.path.join(folder, f"{status}-{case}.json"), "w") as f:
                json.dump(event(template, *request), f, indent=2)
                f.write("\n")
    print(f"wrote events for {len(CASES)} functions")


if __name__ == "__main__":
    main()
