"""The official SeaTable Python client, unchanged, authenticates against a running Tessera.

Reads .tessera/demo.env's variables from the environment (make dev writes them). Checks the
base access token the client receives with PyJWT, an HS256 implementation independent of
Tessera's, using the key version the token's `kid` names, read from Secrets Manager.
"""

import os
import sys

import boto3
import jwt
from seatable_api import Base


def main() -> int:
    env = os.environ
    base = Base(env["API_TOKEN"], env["TESSERA_URL"])
    base.auth()

    secrets = boto3.client(
        "secretsmanager",
        endpoint_url=env["AWS_ENDPOINT_URL_SECRETS_MANAGER"],
        region_name=env["AWS_REGION"],
    )
    kid = jwt.get_unverified_header(base.jwt_token)["kid"]
    key = secrets.get_secret_value(SecretId=env["SIGNING_SECRET_ID"], VersionId=kid)["SecretString"]
    # As SeaTable's own servers verify it (dtable-events): no audience, no other option.
    claims = jwt.decode(base.jwt_token, key, algorithms=["HS256"])
    if "aud" in claims or "iat" in claims:
        print(f"smoke: FAILED: claims beyond SeaTable's: {sorted(claims)}", file=sys.stderr)
        return 1

    expected = {
        "dtable_uuid": env["DTABLE_UUID"],
        "app_name": "demo-app",
        "permission": "rw",
    }
    for name, value in expected.items():
        if claims.get(name) != value:
            print(f"smoke: FAILED: claim {name} is {claims.get(name)!r}, expected {value!r}", file=sys.stderr)
            return 1
    # workspace_id is a JSON number, as SeaTable answers it.
    if (base.dtable_uuid, base.dtable_name, base.workspace_id) != (
        env["DTABLE_UUID"],
        env["DTABLE_NAME"],
        int(env["WORKSPACE_ID"]),
    ) or not isinstance(base.workspace_id, int):
        print("smoke: FAILED: the client read the wrong base details", file=sys.stderr)
        return 1
    if not base.dtable_server_url.startswith("http"):
        print(f"smoke: FAILED: dtable_server {base.dtable_server_url!r}", file=sys.stderr)
        return 1
    print("smoke: ok official seatable-api client: Base(api_token, url).auth(), JWT verified by PyJWT")
    return 0


if __name__ == "__main__":
    sys.exit(main())
