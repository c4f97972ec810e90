#!/usr/bin/env python3
"""Writes the events of events/secret-scanning/ and the key list they are signed for
(infra/fixtures/secret-scanning-keys.json, GitHub's format), with a key pair made afresh:
the private key is never kept, so a new run replaces both together.

  .tessera/tools/venv/bin/python infra/scripts/new-scan-events.py

The functions read the key list from SECRET_SCANNING_PUBLIC_KEYS in the event tests, the
runtime test and make dev; on AWS they fetch GitHub's.
"""

import base64
import copy
import importlib.util
import json
import os

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEY_ID = "tessera-fixture-scanner-key"
ROUTE = "/secret-scanning/github"
# The token format (prefix, body, CRC-32 in base62) as new-event.py writes it.
_spec = importlib.util.spec_from_file_location("new_event", os.path.join(ROOT, "infra/scripts/new-event.py"))
_new_event = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_new_event)
token = _new_event.token


def report(tokens):
    return json.dumps([{"token": t, "type": "tessera_access_token",
                        "url": "https://github.com/octo/leaky/blob/abc/config.yml",
                        "source": "commit"} for t in tokens])


key = ec.generate_private_key(ec.SECP256R1())
public_pem = key.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
with open(os.path.join(ROOT, "infra/fixtures/secret-scanning-keys.json"), "w") as out:
    json.dump({"public_keys": [{"key_identifier": KEY_ID, "key": public_pem, "is_current": True}]},
              out, indent=2)
    out.write("\n")


def sign(body):
    return base64.b64encode(key.sign(body.encode(), ec.ECDSA(hashes.SHA256()))).decode()


with open(os.path.join(ROOT, "events/create-access-token/200-create.json")) as template_file:
    template = json.load(template_file)


def event(name, body, signature):
    e = copy.deepcopy(template)
    e["routeKey"] = e["requestContext"]["routeKey"] = f"POST {ROUTE}"
    e["rawPath"] = e["requestContext"]["http"]["path"] = ROUTE
    e["headers"] = {"accept": "*/*", "host": e["headers"]["host"], "user-agent": "GitHub-Hookshot/secret-scanning",
                    "x-forwarded-proto": "https", "content-type": "application/json"}
    e["requestContext"]["http"]["userAgent"] = "GitHub-Hookshot/secret-scanning"
    if signature:
        e["headers"]["github-public-key-identifier"] = KEY_ID
        e["headers"]["github-public-key-signature"] = signature
    e["body"] = body
    os.makedirs(os.path.join(ROOT, "events/secret-scanning"), exist_ok=True)
    with open(os.path.join(ROOT, f"events/secret-scanning/{name}.json"), "w") as out:
        json.dump(e, out, indent=2)
        out.write("\n")


leaked = report([token("tsa", "FixtureAccessToken000000000001"), token("tsa", "NotATokenTesseraEverIssued0001")])
event("200-leaked-access-token", leaked, sign(leaked))
event("401-unsigned", leaked, None)
event("401-tampered", leaked.replace("commit", "issue"), sign(leaked))
event("400-not-a-report", "{}", sign("{}"))
