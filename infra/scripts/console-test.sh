#!/usr/bin/env bash
# The web console in a real browser: tsc checks its modules, then `make dev` on a free port
# and tests/console/console_test.py drives Debian's headless Chromium through every journey.
# Screenshots land in .tessera/console-screenshots/ (docs/images/ holds the chosen ones).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
tools="$root/.tessera/tools"

# Debian's chromium and its chromedriver: the browser the tests drive (no download by Selenium).
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  echo "console: chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}') already installed"
else
  echo "console: installing chromium and chromium-driver (Debian packages; once, a minute or two)"
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null ||
    { "${sudo_cmd[@]}" apt-get update -q >/dev/null &&
      "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null; }
fi

"$tools/console/node_modules/.bin/tsc" -p functions/console/tsconfig.json
echo "console: ok tsc --checkJs: the console's modules type-check"

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
stack=console-test
TESSERA_PORT="$port" TESSERA_DEMO_ENV="$work/demo.env" TESSERA_STACK_NAME="$stack" \
  setsid bash infra/scripts/dev.sh >"$work/dev.log" 2>&1 &
dev_pid=$!
cleanup() {
  kill -TERM -- "-$dev_pid" 2>/dev/null || true
  wait "$dev_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "console: FAILED: $*" >&2; echo "--- make dev output:" >&2; cat "$work/dev.log" >&2; exit 1; }
for _ in $(seq 1 900); do
  [ -f "$work/demo.env" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$dev_pid" 2>/dev/null || fail "make dev exited early"
  sleep 0.2
done
[ -f "$work/demo.env" ] || fail "make dev did not write demo.env within 180 s"
grep -q "console/" "$work/dev.log" || fail "make dev did not print the console's URL"
echo "console: ok make dev prints the console's URL"
set -a
# shellcheck source=/dev/null
. "$work/demo.env"
set +a
shots="$root/.tessera/console-screenshots"
rm -rf "$shots"
DYNAMODB_PID="$(cat ".tessera/$stack/dynamodb.pid")" AXE_JS="$tools/console/node_modules/axe-core/axe.min.js" \
  SCREENSHOTS="$shots" SE_OFFLINE=true "$tools/venv/bin/python" tests/console/console_test.py ||
  fail "a journey failed (above)"
echo "console: screenshots in $shots"
