#!/usr/bin/env python3
"""Checks every Embedded Metric Format line of a functions' log (the runtime test's) against
the specification: its schema (tests/emf/emf-schema.json, with jsonschema) and the rules a
schema cannot state. Also that Tessera's own rules hold (namespace Tessera, Function always a
dimension, no id as a dimension) and that the metrics the runtime test's events must produce
were produced.

usage: check-emf.py FUNCTIONS_LOG METRIC...
"""
import json
import os
import sys

import jsonschema

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# A dimension per token, workspace or base would be a metric per id, billed monthly.
FORBIDDEN_DIMENSIONS = {"tokenId", "workspaceId", "baseId", "userId", "id", "token", "TokenId", "WorkspaceId"}
MAX_DIMENSION_VALUE = 1024


def problems(doc, validator):
    for error in validator.iter_errors(doc):
        yield f"schema: {error.message} at {'/'.join(map(str, error.absolute_path))}"
    for directive in doc.get("_aws", {}).get("CloudWatchMetrics", []):
        if directive.get("Namespace") != "Tessera":
            yield f"namespace {directive.get('Namespace')!r}, not Tessera"
        for dimension_set in directive.get("Dimensions", []):
            if "Function" not in dimension_set:
                yield f"dimension set {dimension_set} lacks Function"
            if len(dimension_set) > 3:
                yield f"dimension set {dimension_set}: more than Function and two more"
            for name in dimension_set:
                value = doc.get(name)
                if not isinstance(value, str) or not value or len(value) > MAX_DIMENSION_VALUE:
                    yield f"dimension {name}: the root has no string member of 1 to 1024 characters"
                if name in FORBIDDEN_DIMENSIONS:
                    yield f"dimension {name} names an id"
        for metric in directive.get("Metrics", []):
            value = doc.get(metric.get("Name"))
            numbers = value if isinstance(value, list) else [value]
            if not numbers or len(numbers) > 100 or not all(
                isinstance(n, (int, float)) and not isinstance(n, bool) for n in numbers
            ):
                yield f"metric {metric.get('Name')}: the root has no number (or array of up to 100) for it"


def main(argv):
    log, expected = argv[1], set(argv[2:])
    with open(os.path.join(ROOT, "tests", "emf", "emf-schema.json"), encoding="utf-8") as f:
        validator = jsonschema.Draft202012Validator(json.load(f))
    seen, checked, failed = set(), 0, 0
    with open(log, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            if '"_aws"' not in line:
                continue
            try:
                doc = json.loads(line)
            except json.JSONDecodeError as err:
                print(f"emf: FAILED line {number}: not one JSON object ({err})")
                failed += 1
                continue
            if not isinstance(doc, dict) or "_aws" not in doc:
                continue
            checked += 1
            for problem in problems(doc, validator):
                print(f"emf: FAILED line {number}: {problem}: {line.strip()[:300]}")
                failed += 1
            for directive in doc["_aws"].get("CloudWatchMetrics", []):
                seen.update(m.get("Name") for m in directive.get("Metrics", []))
    missing = expected - seen
    if missing:
        print(f"emf: FAILED: no line of {', '.join(sorted(missing))} (saw {', '.join(sorted(seen)) or 'none'})")
        failed += 1
    if failed:
        return 1
    print(f"runtime: ok {checked} EMF lines valid against the specification's schema "
          f"({len(seen)} metrics: {', '.join(sorted(seen))})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
