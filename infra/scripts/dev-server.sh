# Sourced by the scripts that test a real `make dev` (dev-smoke.sh, api-fuzz.sh,
# console-test.sh): starts it on a free port with a stack and demo.env of the caller's own,
# waits until it answers, exports demo.env's variables, and stops it (and its stack) on exit.
#
#   . infra/scripts/dev-server.sh
#   dev_server_start LABEL STACK   # LABEL prefixes failures; sets $work, $port, $dev_log
#   fail "message"                 # prints LABEL: FAILED, make dev's output, and exits 1

dev_server_stop() {
  # SIGTERM, not SIGINT: background jobs of a script ignore SIGINT.
  kill -TERM -- "-$dev_pid" 2>/dev/null || true
  wait "$dev_pid" 2>/dev/null || true
  rm -rf "$work"
}

fail() {
  echo "$dev_label: FAILED: $*" >&2
  echo "--- make dev output (last 60 lines):" >&2
  tail -60 "$dev_log" >&2
  exit 1
}

dev_server_start() {
  dev_label="$1"
  work="$(mktemp -d)"
  dev_log="$work/dev.log"
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  TESSERA_PORT="$port" TESSERA_DEMO_ENV="$work/demo.env" TESSERA_STACK_NAME="$2" \
    setsid bash infra/scripts/dev.sh >"$dev_log" 2>&1 &
  dev_pid=$!
  trap dev_server_stop EXIT
  for _ in $(seq 1 900); do
    [ -f "$work/demo.env" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    kill -0 "$dev_pid" 2>/dev/null || fail "make dev exited early"
    sleep 0.2
  done
  [ -f "$work/demo.env" ] || fail "make dev did not write demo.env within 180 s"
  set -a
  # shellcheck source=/dev/null
  . "$work/demo.env"
  set +a
}
