#!/usr/bin/env bash
# Prints the size of each built function's bootstrap, raw and zipped (zip -9, as a
# deployment package), from .aws-sam/build. Run after `make build`; docs/performance.md records it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
python3 - "$root/.aws-sam/build" <<'PY'
import os, sys, zipfile, io
build = sys.argv[1]
rows = []
for function in sorted(os.listdir(build)):
    bootstrap = os.path.join(build, function, "bootstrap")
    if not os.path.isfile(bootstrap):
        continue
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.write(bootstrap, "bootstrap")
    rows.append((function, os.path.getsize(bootstrap), len(buffer.getvalue())))
if not rows:
    sys.exit("no built functions in .aws-sam/build: run make build")
print(f"| function | bootstrap | zipped |\n|---|---:|---:|")
for function, raw, zipped in rows:
    print(f"| {function} | {raw / 2**20:.2f} MiB | {zipped / 2**20:.2f} MiB |")
over = [f for f, _, z in rows if z > 4 * 2**20]
if over:
    print(f"over the 4 MiB target: {', '.join(over)}")
PY
