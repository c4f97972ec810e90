"""Verifies JWTs as SeaTable's Python servers do (dtable-events, `dtable_io/request_handler.py`):
`jwt.decode(token, key, algorithms=["HS256"])`, PyJWT, no audience.

Reads `{"key": str, "clock_offset": seconds, "tokens": {name: token}}` on standard input,
where `clock_offset` moves the verifier's clock (negative: it runs behind the issuer's), and
prints `{name: {"ok": bool, "error": str | null, "claims": {...} | null}}`.
"""

import datetime
import json
import sys

import jwt
import jwt.api_jwt


def with_clock_offset(seconds: float) -> None:
    """PyJWT reads the time as `datetime.now(tz=timezone.utc)` in `jwt.api_jwt`."""

    class OffsetClock(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.datetime.now(tz) + datetime.timedelta(seconds=seconds)

    jwt.api_jwt.datetime = OffsetClock


def main() -> int:
    request = json.load(sys.stdin)
    with_clock_offset(request.get("clock_offset", 0))
    results = {}
    for name, token in request["tokens"].items():
        try:
            claims = jwt.decode(token, request["key"], algorithms=["HS256"])
            results[name] = {"ok": True, "error": None, "claims": claims}
        except jwt.PyJWTError as err:
            results[name] = {"ok": False, "error": f"{type(err).__name__}: {err}", "claims": None}
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
