#!/usr/bin/env bash
# `make build`: sam build of every function (rust-cargolambda: release, arm64, no Docker),
# then the zipped size of each function's bootstrap, as Lambda would receive it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
bash infra/scripts/install.sh
export PATH="$root/.tessera/tools/venv/bin:$PATH" SAM_CLI_TELEMETRY=0
started=$(date +%s)
# shellcheck source=infra/scripts/build-progress.sh
. infra/scripts/build-progress.sh
# One cargo-lambda build of every function package first: both cores link binaries in
# parallel, and the per-function builds sam runs next find them fresh (15.8 min -> ~10 s
# for sam build itself, measured on 2 cores). Features match: same packages, same flags.
packages=()
# A function is a crate with a main.rs; common, jwt, rudderstack and seatable are libraries.
for dir in functions/*/; do
  if [ -f "$dir/src/main.rs" ]; then packages+=(-p "$(basename "$dir")"); fi
done
announce_build "cargo lambda build: every function, release (LTO), arm64" "12 minutes"
cargo lambda build "${cargo_progress[@]}" --release --arm64 "${packages[@]}"
echo "==> sam build: the template's functions from those binaries (about a minute)"
sam build --template template.yaml
echo "==> sam build took $(( $(date +%s) - started )) s"
bash infra/scripts/zip-sizes.sh
