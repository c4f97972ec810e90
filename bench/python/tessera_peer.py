"""The Python peer of `make bench`: three of Tessera's handlers in Python 3 + boto3, making
the same DynamoDB and Secrets Manager calls on the same table, run under awslambdaric.

Not a product: a fair, idiomatic baseline (clients and keys built once at init, like the
Rust functions; the same consistent reads; the same token checks) to measure against.
"""

import base64
import hashlib
import hmac
import json
import os
import time
import zlib

import boto3

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
TABLE = os.environ["TABLE_NAME"]
DYNAMODB = boto3.client("dynamodb")
SECRETS = boto3.client("secretsmanager")
LAST_USED_RESOLUTION = 60


def _warm_up():
    # The Rust functions open their connection during init with one GetItem: so do we.
    DYNAMODB.get_item(TableName=TABLE, Key=_key("WARMUP", "WARMUP"), ConsistentRead=True)


def _signing_keys():
    secret_id = os.environ.get("SIGNING_SECRET_ID")
    if not secret_id:
        return None
    keys = {}
    for stage in ("AWSCURRENT", "AWSPREVIOUS"):
        try:
            out = SECRETS.get_secret_value(SecretId=secret_id, VersionStage=stage)
        except SECRETS.exceptions.ResourceNotFoundException:
            continue
        keys[stage] = (out["VersionId"], out["SecretString"].encode())
    return keys


def _key(pk, sk):
    return {"pk": {"S": pk}, "sk": {"S": sk}}


_warm_up()
KEYS = _signing_keys()


def _checksum(body):
    n = zlib.crc32(body.encode())
    digits = []
    for _ in range(6):
        digits.append(BASE62[n % 62])
        n //= 62
    return "".join(reversed(digits))


def _parse_token(candidate, prefix):
    """The token's SHA-256 hex digest when its prefix, format and checksum are valid."""
    head, _, rest = candidate.partition("_")
    if head != prefix or len(rest) != 36 or any(c not in BASE62 for c in rest):
        return None
    if _checksum(candidate[:-6]) != candidate[-6:]:
        return None
    return hashlib.sha256(candidate.encode()).hexdigest()


def _lookup(digest):
    item = DYNAMODB.get_item(TableName=TABLE, Key=_key(f"TOKEN#{digest}", "TOKEN"), ConsistentRead=True)
    return item.get("Item")


def _get(pk, sk):
    return DYNAMODB.get_item(TableName=TABLE, Key=_key(pk, sk), ConsistentRead=True).get("Item")


def _s(item, name):
    return item.get(name, {}).get("S", "")


def _n(item, name):
    value = item.get(name, {}).get("N")
    return int(value) if value is not None else None


def _response(status, body, headers=None):
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json", "cache-control": "no-store", **(headers or {})},
        "body": json.dumps(body),
    }


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _rfc3339(secs):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(secs)) if secs is not None else None


def list_access_tokens(event, _context):
    """GET /accessTokens: the workspace token as HTTP Basic user name."""
    unauthorized = _response(401, {"success": False, "error": "Unauthorized"},
                             {"www-authenticate": 'Basic realm="tessera", charset="UTF-8"'})
    header = (event.get("headers") or {}).get("authorization", "")
    if not header.startswith("Basic "):
        return unauthorized
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return unauthorized
    digest = _parse_token(user, "tsw") if password == "" else None
    lookup = _lookup(digest) if digest else None
    if not lookup or _s(lookup, "kind") != "workspace_token":
        return unauthorized
    workspace_id = _s(lookup, "workspace_id")
    items, start = [], None
    while True:
        args = dict(TableName=TABLE, ConsistentRead=True,
                    KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                    ExpressionAttributeValues={":pk": {"S": f"WS#{workspace_id}"}, ":prefix": {"S": "AT#"}})
        if start:
            args["ExclusiveStartKey"] = start
        page = DYNAMODB.query(**args)
        items.extend(page.get("Items", []))
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    tokens = []
    for item in items:
        entry = {
            "id": _s(item, "id"), "name": _s(item, "name"), "description": _s(item, "description"),
            "userId": _s(item, "user_id"), "createdAt": _s(item, "created_at"),
            "expiresAt": _rfc3339(_n(item, "token_expires_at")),
            "scopes": [s["S"] for s in item.get("scopes", {}).get("L", [])],
            "lastUsedAt": _rfc3339(_n(item, "last_used_at")),
        }
        if "rerolled_to" in item:
            entry["rerolledTo"] = _s(item, "rerolled_to")
        tokens.append(entry)
    return _response(200, tokens)


def authorizer(event, _context):
    """The HTTP API authorizer (payload 2.0, simple responses): Bearer or Basic access token."""
    deny = {"isAuthorized": False}
    header = (event.get("headers") or {}).get("authorization", "")
    if header.startswith("Bearer "):
        presented = header[7:]
    elif header.startswith("Basic "):
        try:
            presented = base64.b64decode(header[6:]).decode().partition(":")[0]
        except ValueError:
            return deny
    else:
        return deny
    digest = _parse_token(presented, "tsa")
    lookup = _lookup(digest) if digest else None
    if not lookup or _s(lookup, "kind") != "access_token":
        return deny
    now = int(time.time())
    expires_at = _n(lookup, "expires_at")
    if expires_at is not None and expires_at <= now:
        return deny
    last_used = _n(lookup, "last_used_at")
    if last_used is None or now >= last_used + LAST_USED_RESOLUTION:
        _record_use(digest, lookup, last_used, now)
    scopes = [s["S"] for s in lookup.get("scopes", {}).get("L", [])]
    return {"isAuthorized": True, "context": {
        "workspaceId": int(_s(lookup, "workspace_id")), "tokenId": _s(lookup, "token_id"),
        "tokenName": _s(lookup, "name"), "scopes": " ".join(scopes)}}


def _record_use(digest, lookup, last_used, now):
    # Best effort, like Tessera: the lookup and the record in one transaction, once a minute.
    name = _b64url(_s(lookup, "name").encode())
    condition = "attribute_not_exists(last_used_at)" if last_used is None else "last_used_at = :was"
    values = {":now": {"N": str(now)}}
    if last_used is not None:
        values[":was"] = {"N": str(last_used)}
    update = lambda key, cond, vals: {"Update": {  # noqa: E731
        "TableName": TABLE, "Key": key, "UpdateExpression": "SET last_used_at = :now",
        "ConditionExpression": cond, "ExpressionAttributeValues": vals}}
    try:
        DYNAMODB.transact_write_items(TransactItems=[
            update(_key(f"TOKEN#{digest}", "TOKEN"), condition, values),
            update(_key(f"WS#{_s(lookup, 'workspace_id')}", f"AT#{name}#{_s(lookup, 'token_id')}"),
                   "attribute_exists(pk)", {":now": {"N": str(now)}}),
        ])
    except DYNAMODB.exceptions.ClientError:
        pass


def base_access_token(event, _context):
    """GET /api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/access-token/."""
    header = (event.get("headers") or {}).get("authorization", "")
    scheme, _, presented = header.partition(" ")
    digest = _parse_token(presented.strip(), "tsu") if scheme in ("Token", "Bearer") else None
    lookup = _lookup(digest) if digest else None
    if not lookup or _s(lookup, "kind") != "user_auth_token":
        return _response(401, {"detail": "Invalid token"})
    params = event.get("pathParameters") or {}
    workspace_id, dtable_name = params.get("workspace_id", ""), params.get("dtable_name", "")
    user_id, username = _s(lookup, "user_id"), _s(lookup, "username")
    base = _get(f"WS#{workspace_id}", f"BASE#{_b64url(dtable_name.encode())}")
    member = _get(f"WS#{workspace_id}", f"MEMBER#{user_id}")
    if base and _s(base, "owner_id") == user_id:
        permission = "admin"
    elif member:
        permission = _s(member, "permission")
    else:
        return _response(403, {"error_msg": "Permission denied."})
    if not base:
        return _response(404, {"error_msg": f"dtable {dtable_name} not found."})
    now = int(time.time())
    claims = {"exp": now + 3 * 24 * 3600,
              "dtable_uuid": _s(base, "dtable_uuid"), "username": username,
              "permission": "rw" if permission in ("admin", "rw") else "r",
              "workspace_id": workspace_id}
    kid, key = KEYS["AWSCURRENT"]
    header_b64 = _b64url(json.dumps({"typ": "JWT", "alg": "HS256", "kid": kid}).encode())
    payload_b64 = _b64url(json.dumps(claims).encode())
    signature = hmac.new(key, f"{header_b64}.{payload_b64}".encode(), hashlib.sha256).digest()
    return _response(200, {
        "access_token": f"{header_b64}.{payload_b64}.{_b64url(signature)}",
        "dtable_uuid": _s(base, "dtable_uuid"),
        "dtable_server": os.environ.get("DTABLE_SERVER_URL", "http://127.0.0.1:3000/dtable-server/"),
        "dtable_socket": os.environ.get("DTABLE_SOCKET_URL", "http://127.0.0.1:3000/"),
        "workspace_id": int(workspace_id), "dtable_name": dtable_name,
    })
