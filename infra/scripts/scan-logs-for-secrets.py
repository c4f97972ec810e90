#!/usr/bin/env python3
"""Fails when a log holds a secret: a token, a token's SHA-256 digest, a JWT, the signing key,
a webhook signing secret or the webhook key.

usage: scan-logs-for-secrets.py LOG SECRET_ID RESPONSES...

The secrets looked for are the public fixture tokens (events/ carries them), every token
and JWT found in the RESPONSES files (what the functions issued), the digest of each
token, and every version of the signing secret SECRET_ID (read from the Secrets Manager
emulator that AWS_ENDPOINT_URL_SECRETS_MANAGER names), every webhook secret (`whsec_...`) the
RESPONSES show, and the webhook key WEBHOOK_KEY_SECRET_ID when it is set. A hit prints the kind of secret and
the line number, never the secret itself.
"""

import base64
import hashlib
import json
import os
import re
import sys

import boto3

TOKEN = re.compile(r"ts[wauks]_[0-9A-Za-z]{36}")
JWT = re.compile(r"eyJ[0-9A-Za-z_-]+\.eyJ[0-9A-Za-z_-]+\.[0-9A-Za-z_-]+")
BASIC = re.compile(r"Basic ([A-Za-z0-9+/]+=*)")
WEBHOOK_SECRET = re.compile(r"whsec_([A-Za-z0-9+/]+=*)")
EVENTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "events")


def decoded(encoded):
    try:
        return base64.b64decode(encoded, validate=True).decode(errors="replace")
    except ValueError:  # e.g. `Basic realm=...` of a WWW-Authenticate header
        return ""


def signing_keys(secret_id):
    client = boto3.client(
        "secretsmanager",
        endpoint_url=os.environ["AWS_ENDPOINT_URL_SECRETS_MANAGER"],
        region_name=os.environ.get("AWS_REGION", "us-east-1"),
    )
    versions = client.list_secret_version_ids(SecretId=secret_id, IncludeDeprecated=True)["Versions"]
    for version in versions:
        value = client.get_secret_value(SecretId=secret_id, VersionId=version["VersionId"])
        yield value["SecretString"]


def main():
    log_path, secret_id, *responses = sys.argv[1:]
    texts = [open(path, encoding="utf-8", errors="replace").read() for path in responses]
    for root, _, files in os.walk(EVENTS):
        texts += [open(os.path.join(root, f), encoding="utf-8").read() for f in files]
    # Workspace tokens appear in events only inside Basic credentials.
    texts += [decoded(encoded) for text in list(texts) for encoded in BASIC.findall(text)]
    secrets = {}
    for text in texts:
        # Tokens can be JSON-escaped or URL-encoded in events; they are plain ASCII.
        for token in TOKEN.findall(text):
            secrets[token] = f"token {token[:4]}..."
            secrets[hashlib.sha256(token.encode()).hexdigest()] = f"digest of a {token[:4]} token"
            # As HTTP Basic credentials carry it (user name, empty password).
            secrets[base64.b64encode(f"{token}:".encode()).decode()] = f"Basic credentials of a {token[:4]} token"
        for encoded in WEBHOOK_SECRET.findall(text):
            secrets[encoded] = "webhook secret"
        for jwt in JWT.findall(text):
            secrets[jwt.split(".")[2]] = "JWT signature"
            secrets[jwt] = "JWT"
    for key in signing_keys(secret_id):
        secrets[key] = "signing key"
    if os.environ.get("WEBHOOK_KEY_SECRET_ID"):
        for key in signing_keys(os.environ["WEBHOOK_KEY_SECRET_ID"]):
            secrets[key] = "webhook key"
        if "webhook secret" not in secrets.values():
            sys.exit("runtime: FAILED: no webhook secret in the responses to look for; is the scan wired up?")
    kinds = {s for s in secrets.values() if s.startswith("token")}
    if len(kinds) < 5 or "signing key" not in secrets.values():
        sys.exit(f"runtime: FAILED: found only {sorted(kinds)} to look for; is the scan wired up?")
    lines = open(log_path, encoding="utf-8", errors="replace").read().splitlines()
    # The functions must really have logged below INFO, or this scan proves nothing.
    if not any('"level":"DEBUG"' in line for line in lines):
        sys.exit("runtime: FAILED: no DEBUG line in the functions' logs; did they run at TRACE?")
    hits = []
    for number, line in enumerate(lines, 1):
        for secret, kind in secrets.items():
            if secret in line:
                hits.append(f"  line {number}: {kind}")
    if hits:
        print(f"runtime: FAILED: {len(hits)} secrets in the functions' TRACE logs ({log_path}):")
        kinds = sorted({h.split(": ", 1)[1] for h in hits})
        print("  kinds: " + "; ".join(kinds))
        print("\n".join(sorted(set(hits))[:20]))
        sys.exit(1)
    print(f"runtime: ok no secret in {len(lines)} lines of TRACE logs "
          f"(looked for {len(secrets)} secrets: tokens, digests, JWTs, signing keys, webhook secrets and key)")


if __name__ == "__main__":
    main()
