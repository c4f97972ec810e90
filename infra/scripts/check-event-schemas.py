#!/usr/bin/env python3
"""The events' JSON Schemas (docs/event-schemas/), checked with `jsonschema`.

  check-event-schemas.py               each example of docs/events.md against its type's schema,
                                       and every type with both a schema and an example
  check-event-schemas.py EVENTS.json   each EventBridge envelope of a JSON array (what a
                                       subscriber receives) against its detail-type's schema
"""
import json
import pathlib
import re
import sys

import jsonschema

root = pathlib.Path(__file__).resolve().parents[2]
schemas_dir = root / "docs" / "event-schemas"


def slug(detail_type):
    return detail_type.lower().replace(" ", "-")


def schema_of(detail_type):
    path = schemas_dir / f"{slug(detail_type)}.json"
    if not path.exists():
        raise SystemExit(f"events: FAILED no schema for {detail_type!r} (expected {path.relative_to(root)})")
    return json.loads(path.read_text())


def check(envelope, where):
    detail_type = envelope.get("detail-type")
    if envelope.get("source") != "tessera":
        raise SystemExit(f"events: FAILED {where}: source is {envelope.get('source')!r}, not 'tessera'")
    validator = jsonschema.Draft202012Validator(schema_of(detail_type), format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(envelope.get("detail")), key=lambda e: list(e.path))
    if errors:
        lines = "\n".join(f"  {'/'.join(map(str, e.path)) or '(detail)'}: {e.message}" for e in errors)
        raise SystemExit(f"events: FAILED {where} ({detail_type}):\n{lines}")


def examples():
    """The catalogue's examples: a JSON block under each '### `<detail-type>`' heading."""
    text = (root / "docs" / "events.md").read_text()
    found = {}
    for match in re.finditer(r"^### `([^`]+)`\n(.*?)(?=^### |\Z)", text, re.S | re.M):
        block = re.search(r"```json\n(.*?)```", match.group(2), re.S)
        if not block:
            raise SystemExit(f"events: FAILED docs/events.md: {match.group(1)} has no example")
        found[match.group(1)] = json.loads(block.group(1))
    return found


if len(sys.argv) > 1:
    envelopes = json.loads(pathlib.Path(sys.argv[1]).read_text())
    for i, envelope in enumerate(envelopes):
        check(envelope, f"event {i}")
    print(f"events: ok {len(envelopes)} events match their schemas")
else:
    catalogue = examples()
    schemas = {json.loads(p.read_text())["title"] for p in schemas_dir.glob("*.json")}
    for missing in sorted(schemas - set(catalogue)):
        raise SystemExit(f"events: FAILED docs/events.md has no example of {missing}")
    for detail_type, envelope in catalogue.items():
        if envelope.get("detail-type") != detail_type:
            raise SystemExit(f"events: FAILED the example under {detail_type} is a {envelope.get('detail-type')}")
        check(envelope, f"docs/events.md's example of {detail_type}")
    print(f"events: ok {len(catalogue)} event types, each example matching its schema")
