#!/usr/bin/env bash
# Fuzzes the parsers with cargo fuzz (libFuzzer, on the nightly toolchain): credential
# headers, the token format, both families' request bodies, JWT verification. Each target
# runs for SECONDS; a crash fails the run and leaves its input under fuzz/artifacts/.
#
#   infra/scripts/fuzz.sh [SECONDS]   # make test: 20 per target; make fuzz: 300
# Without a nightly toolchain it says so and runs the proptest properties of the same
# parsers (in tessera-common's tests) on stable instead.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
seconds="${1:-20}"
cargo_fuzz_version="0.13.2"
tools="$root/.tessera/tools/cargo"

if ! rustup toolchain list | grep -q '^nightly'; then
  echo "fuzz: no nightly toolchain here, so no cargo fuzz: running the parsers' proptest properties on stable instead"
  cargo test --quiet -p tessera-common properties
  echo "fuzz: ok proptest properties (no nightly)"
  exit 0
fi
if [ "$("$tools/bin/cargo-fuzz" --version 2>/dev/null | awk '{print $2}')" != "$cargo_fuzz_version" ]; then
  echo "==> installing cargo-fuzz $cargo_fuzz_version into .tessera/tools/cargo"
  cargo install --quiet --locked --root "$tools" --version "$cargo_fuzz_version" cargo-fuzz
fi
export PATH="$tools/bin:$PATH"

started=$(date +%s)
# No sanitizer: the targets are safe Rust, and it halves the build of the AWS SDK crates.
# A short run (make test) builds unoptimised: half the build (2.3 min, not 4.7, on 2 cores)
# for a twentieth of the speed (about 50,000 inputs a second, still a million in 20 s).
profile=()
[ "$seconds" -lt 60 ] && profile=(--dev)
# The fuzz workspace's lock file is committed: a stale one fails here instead of being rewritten.
cargo metadata --locked --manifest-path fuzz/Cargo.toml --format-version 1 >/dev/null
cargo +nightly fuzz build "${profile[@]}" --sanitizer none --fuzz-dir fuzz
echo "==> fuzz targets built in $(( $(date +%s) - started )) s"
for target in $(cargo +nightly fuzz list --fuzz-dir fuzz); do
  mkdir -p "fuzz/corpus/$target"
  if cargo +nightly fuzz run "${profile[@]}" --sanitizer none --fuzz-dir fuzz "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -max_len=4096 >"fuzz/$target.log" 2>&1; then
    runs="$(grep -Eo '#[0-9]+' "fuzz/$target.log" | tail -1 | tr -d '#')"
    echo "fuzz: ok $target ran ${seconds} s clean (${runs:-?} inputs)"
  else
    tail -30 "fuzz/$target.log"
    echo "fuzz: FAILED $target crashed; the input is under fuzz/artifacts/$target/"
    exit 1
  fi
done
