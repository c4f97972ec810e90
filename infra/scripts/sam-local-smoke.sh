#!/usr/bin/env bash
# make test's short form of `make sam-local`: the template served by `sam local start-api`
# (make test's function binaries, laid out as sam build would), then the whole `make dev`
# smoke test against it: the seeds' curl and httpie requests, the official seatable-api
# client, GET /whoami through SAM's emulation of the Lambda authorizer, both families' errors.
# Skipped, saying why, only where Docker cannot run at all; under CI it must run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=infra/scripts/docker.sh
. infra/scripts/docker.sh
if ! docker_ensure; then
  if [ -n "${CI:-}" ]; then
    echo "sam-local: FAILED: no Docker engine under CI, where sam local must run" >&2
    exit 1
  fi
  echo "sam-local: SKIPPED: Docker cannot run on this machine (above: why); make sam-local needs it"
  exit 0
fi
trap docker_stop_if_started EXIT
started=$(date +%s)
TESSERA_SERVER=sam-local TESSERA_PREBUILT=1 bash infra/scripts/dev-smoke.sh
echo "sam-local: ok the make dev smoke test through sam local start-api in $(( $(date +%s) - started )) s"
