#!/usr/bin/env python3
"""Writes one event of events/<function>/: the event API Gateway sends a function, built from
`sam local generate-event apigateway http-api-proxy` and filled in with a route and the public
fixture tokens (infra/admin/src/fixtures.rs). For an authorizer (--authorizer), the
request API Gateway sends a Lambda authorizer (payload 2.0) instead.

The file is named <status>-<case>.json after what the function must answer (for an
authorizer: 200 allowed, 403 denied); tests/tests/events.rs and the runtime test check it.
Events are committed files: run this to add one, e.g.

  .tessera/tools/venv/bin/python infra/scripts/new-event.py create-access-token 200-create \
      POST /accessTokens --auth workspace --json '{"name": "ci"}'
  .tessera/tools/venv/bin/python infra/scripts/new-event.py authorizer 200-bearer \
      GET /whoami --auth bearer-access --authorizer

--auth: workspace, read-only, user, api, share-link, bearer-access, basic-access,
bearer-metered, none, or
raw:<header value>.
"""

import argparse
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


WORKSPACE_ID = "1"
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

ACCESS_TOKEN = token("tsa", "FixtureAccessToken000000000001")
METERED_ACCESS_TOKEN = token("tsa", "FixtureMeteredAccessToken00001")
AUTH = {
    "workspace": BASIC,
    "read-only": READ_ONLY_BASIC,
    "user": USER,
    "api": f"Token {API_TOKEN}",
    "share-link": f"Token {SHARE_LINK_TOKEN}",
    "bearer-access": f"Bearer {ACCESS_TOKEN}",
    "basic-access": "Basic " + base64.b64encode(f"{ACCESS_TOKEN}:".encode()).decode(),
    "bearer-metered": f"Bearer {METERED_ACCESS_TOKEN}",
    "none": None,
}
# Placeholders an argument may name: --query token={SHARE_LINK_TOKEN}, --param id={...}.
PLACEHOLDERS = {
    "WORKSPACE_ID": WORKSPACE_ID,
    "SHARE_LINK_TOKEN": SHARE_LINK_TOKEN,
    "ACCESS_TOKEN": ACCESS_TOKEN,
    "METERED_ACCESS_TOKEN": METERED_ACCESS_TOKEN,
    "API_TOKEN": API_TOKEN,
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
        # A greedy {name+} takes the rest of the path, slashes and all.
        path = path.replace("{" + name + "+}", urllib.parse.quote(value, safe="/"))
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


def authorizer_request(http_event, auth):
    """What API Gateway sends a Lambda authorizer for this request (payload 2.0)."""
    ctx = http_event["requestContext"]
    return {
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": f"arn:aws:execute-api:us-east-1:123456789012:api-id/$default/{ctx['http']['method']}"
                    f"{http_event['routeKey'].split(' ', 1)[1]}",
        "identitySource": [auth] if auth else [],
        "routeKey": http_event["routeKey"],
        "rawPath": http_event["rawPath"],
        "rawQueryString": http_event["rawQueryString"],
        "headers": http_event["headers"],
        "requestContext": ctx,
    }


def fill(text):
    for name, value in PLACEHOLDERS.items():
        text = text.replace("{" + name + "}", value) if text else text
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("function")
    parser.add_argument("name", help="<status>-<case>, e.g. 200-create")
    parser.add_argument("method")
    parser.add_argument("route", help="the template's path, e.g. /accessTokens/{id}")
    parser.add_argument("--param", action="append", default=[], help="a path parameter, name=value")
    parser.add_argument("--query", default="")
    parser.add_argument("--auth", default="none")
    body = parser.add_mutually_exclusive_group()
    body.add_argument("--json")
    body.add_argument("--form")
    parser.add_argument("--authorizer-context", help="requestContext.authorizer.lambda, as JSON")
    parser.add_argument("--authorizer", action="store_true", help="an authorizer's request")
    args = parser.parse_args()

    auth = args.auth[4:] if args.auth.startswith("raw:") else AUTH[args.auth]
    params = dict(fill(p).split("=", 1) for p in args.param)
    content_type, text = (JSON, args.json) if args.json is not None else (FORM, args.form)
    e = event(sam_event(), args.method.upper(), args.route, params, fill(args.query), auth,
              content_type if text is not None else None, fill(text))
    if args.authorizer_context:
        e["requestContext"]["authorizer"] = {"lambda": json.loads(args.authorizer_context)}
    if args.authorizer:
        e = authorizer_request(e, auth)
    folder = os.path.join(ROOT, "events", args.function)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{args.name}.json")
    with open(path, "w") as f:
        json.dump(e, f, indent=2)
        f.write("\n")
    print(f"wrote {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    main()
