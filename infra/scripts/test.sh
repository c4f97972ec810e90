#!/usr/bin/env bash
# `make test`: installs what is missing, then runs every check on a local stack of its
# own (other free ports than `make dev`), stops the stack, and fails on any failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
log="$root/.tessera/test-output.log"
mkdir -p .tessera
: >"$log"

started=$(date +%s)
# A test run leaves the tree as it found it (a lock file it rewrote once changed every run).
tree_before="$(git status --porcelain 2>/dev/null || true)"
step() { printf '\n==> [%4d s] %s\n' "$(( $(date +%s) - started ))" "$*"; }

bash infra/scripts/install.sh
venv="$root/.tessera/tools/venv/bin"

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
# --locked everywhere: a stale Cargo.lock fails the run instead of being rewritten by it.
cargo clippy --locked --workspace --all-targets --quiet -- -D warnings

step "template lint: cfn-lint and sam validate --lint (Tessera's and the example API's)"
for template in template.yaml infra/examples/protected-api.yaml; do
  "$venv/cfn-lint" "$template"
  SAM_CLI_TELEMETRY=0 "$venv/sam" validate --lint --template "$template" --region us-east-1
done

step "checkov on template.yaml: no failed check beyond .checkov.yaml's reasoned skips"
if ! checkov_out="$("$root/.tessera/tools/checkov/bin/checkov" --config-file .checkov.yaml 2>&1)"; then
  echo "$checkov_out"
  echo "test: FAILED: checkov found failed checks (fix them, or skip one in .checkov.yaml with its reason)"
  exit 1
fi
grep -E "Passed checks" <<<"$checkov_out"
echo "test: ok checkov found no failed check in template.yaml" | tee -a "$log"

step "the README and docs/: every relative link and repository path resolves"
python3 infra/scripts/check-docs.py | tee -a "$log"

step "openapi.yaml is a valid OpenAPI 3.1 document"
"$venv/openapi-spec-validator" openapi.yaml

step "docs/events.md: each event type's example matches its JSON Schema (jsonschema)"
"$venv/python" infra/scripts/check-event-schemas.py | tee -a "$log"

trap 'bash infra/scripts/stack.sh stop test' EXIT
step "starting the test stack"
bash infra/scripts/stack.sh start test
set -a
# shellcheck source=/dev/null
. .tessera/test/stack.env
set +a

# One build of everything, with the features cargo test selects: every later step runs these
# binaries (TESSERA_PREBUILT, BENCH_NO_BUILD) instead of building a second variant of the tree.
step "cargo build: the whole workspace, every target, once"
cargo build --locked --workspace --all-targets --quiet
export TESSERA_PREBUILT=1 BENCH_NO_BUILD=1

step "cargo test (every test gets a fresh table on the test stack)"
cargo test --locked --workspace 2>&1 | tee -a "$log"

step "every function under the real Lambda runtime API: cargo lambda watch + invoke of events/"
bash infra/scripts/runtime-test.sh 2>&1 | tee -a "$log"

step "make dev smoke test: the seed's requests against a real 'make dev'"
bash infra/scripts/dev-smoke.sh 2>&1 | tee -a "$log"

step "the web console in headless Chromium: every journey, secrets, CSP, axe-core, screenshots"
bash infra/scripts/console-test.sh 2>&1 | tee -a "$log"

step "sam local: the template through SAM's own emulation of API Gateway, the same smoke test"
bash infra/scripts/sam-local-smoke.sh 2>&1 | tee -a "$log"

step "fuzzing the parsers: cargo fuzz, ${TESSERA_FUZZ_SECONDS:-20} s per target"
bash infra/scripts/fuzz.sh "${TESSERA_FUZZ_SECONDS:-20}" 2>&1 | tee -a "$log"

step "property-based API tests: schemathesis on every operation of openapi.yaml"
bash infra/scripts/api-fuzz.sh "${TESSERA_API_FUZZ_EXAMPLES:-200}" 2>&1 | tee -a "$log"

step "benchmark smoke: make bench's harness, one run each (numbers not checked; make bench measures)"
bash infra/scripts/bench.sh --smoke 2>&1 | tee -a "$log"

step "the tree is as the run found it (git status)"
tree_after="$(git status --porcelain 2>/dev/null || true)"
if [ "$tree_before" != "$tree_after" ]; then
  echo "test: FAILED: make test changed the tree:"
  diff <(echo "$tree_before") <(echo "$tree_after") || true
  exit 1
fi
echo "test: ok make test left the tree as it found it" | tee -a "$log"

step "done; target/ holds $(du -sh target | cut -f1)"
passed=$(grep -Eo '^test result: ok\. [0-9]+ passed' "$log" | awk '{s += $4} END {print s + 0}')
checks=$(grep -Ec '^(smoke|runtime|api-fuzz|fuzz|bench|docs|sam-local|console|test): ok ' "$log" || true)
cases=$(grep -Eo '^api-fuzz: ok [0-9]+ cases' "$log" | awk '{print $3}')
echo
echo "schemathesis: ${cases:-0} generated API test cases passed (counted as one check below)"
echo "summary: $((passed + checks)) passed, 0 failed"
