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

stack=console-test
# shellcheck source=infra/scripts/dev-server.sh
. infra/scripts/dev-server.sh
dev_server_start console "$stack"
grep -q "/console/" "$dev_log" || fail "make dev did not print the console's URL"
echo "console: ok make dev prints the console's URL"
shots="$root/.tessera/console-screenshots"
rm -rf "$shots"
DYNAMODB_PID="$(cat ".tessera/$stack/dynamodb.pid")" AXE_JS="$tools/console/node_modules/axe-core/axe.min.js" \
  SCREENSHOTS="$shots" SE_OFFLINE=true "$tools/venv/bin/python" tests/console/console_test.py ||
  fail "a journey failed (above)"
echo "console: screenshots in $shots"
