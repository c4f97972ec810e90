#!/usr/bin/env bash
# `make build`: sam build of every function (rust-cargolambda: release, arm64, no Docker),
# then the zipped size of each function's bootstrap, as Lambda would receive it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
bash infra/scripts/install.sh
export PATH="$root/.tessera/tools/venv/bin:$PATH" SAM_CLI_TELEMETRY=0
started=$(date +%s)
sam build --template template.yaml
echo "==> sam build took $(( $(date +%s) - started )) s"
bash infra/scripts/zip-sizes.sh
