# Docker for `sam local`, sourced by dev.sh: installs Debian's docker.io and debootstrap when
# missing, starts dockerd when none answers (and stops it again, by its pid, if this run
# started it), and builds the Lambda base image that SAM expects, since no registry is
# reachable: a Debian minbase root file system (the same glibc as the host's builds), tagged
# with the name SAM asks for.
#
#   docker_ensure                # 0 when a Docker engine answers; else says why, returns 1
#   docker_base_image ARCH       # public.ecr.aws/lambda/provided:al2023-ARCH, built once
#   docker_bridge_address        # the address the host has on the docker bridge (172.17.0.1)
#   docker_remove_containers     # the containers of SAM's images (by ancestor image)
#   docker_stop_if_started       # stops the dockerd this run started

docker_state="$root/.tessera/docker"
docker_started_pid=""

docker_say() { printf '==> %s\n' "$*" >&2; }

docker_install() { # packages...
  local missing=()
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ "${#missing[@]}" = 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    docker_say "sam local needs ${missing[*]} (Debian packages); as root: apt-get install -y ${missing[*]}"
    return 1
  fi
  docker_say "installing ${missing[*]} (apt)"
  # A new machine may have no package lists yet.
  if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
    apt-get update -q >"$docker_state/apt-update.log" 2>&1 || {
      docker_say "apt-get update failed; see $docker_state/apt-update.log"
      return 1
    }
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >"$docker_state/apt.log" 2>&1 || {
    docker_say "apt-get install ${missing[*]} failed; see $docker_state/apt.log"
    return 1
  }
}

docker_ensure() {
  mkdir -p "$docker_state"
  docker info >/dev/null 2>&1 && return 0
  docker_install docker.io || return 1
  docker info >/dev/null 2>&1 && return 0
  if [ "$(id -u)" != 0 ]; then
    docker_say "no Docker engine answers, and only root can start one here (or add yourself to the docker group)"
    return 1
  fi
  if ! grep -q cgroup /proc/filesystems; then
    docker_say "this machine has no cgroups, so no container can run"
    return 1
  fi
  docker_say "starting dockerd (log: $docker_state/dockerd.log)"
  # In a session of its own: a Ctrl-C meant for make must not stop dockerd before SAM has
  # removed its containers; this script stops it afterwards, by its pid.
  setsid dockerd --pidfile "$docker_state/dockerd.pid" >"$docker_state/dockerd.log" 2>&1 &
  docker_started_pid=$!
  for _ in $(seq 1 100); do
    docker info >/dev/null 2>&1 && return 0
    kill -0 "$docker_started_pid" 2>/dev/null || break
    sleep 0.2
  done
  docker_say "dockerd did not start; the last lines of its log:"
  tail -5 "$docker_state/dockerd.log" >&2
  docker_started_pid=""
  return 1
}

docker_bridge_address() {
  local address
  address="$(docker network inspect bridge --format '{{range .IPAM.Config}}{{.Gateway}}{{end}}' 2>/dev/null || true)"
  # Seen empty once, on a machine whose docker.io had just been installed: docker0's own
  # address is the same one.
  if [ -z "$address" ]; then
    address="$(ip -4 -o addr show docker0 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }')"
  fi
  if [ -z "$address" ]; then
    docker_say "the docker bridge has no address (docker network inspect bridge and docker0 give none)"
    return 1
  fi
  printf '%s\n' "$address"
}

docker_base_image() { # arch
  local image="public.ecr.aws/lambda/provided:al2023-$1"
  docker image inspect "$image" >/dev/null 2>&1 && return 0
  docker_install debootstrap || return 1
  # The mirror the machine's own apt configuration names.
  local mirror
  mirror="$(grep -hsoE '^(URIs: *|deb +)https?://[^ ]+' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list |
    grep -v security | head -1 | sed -E 's/^(URIs: *|deb +)//')"
  mirror="${mirror:-http://deb.debian.org/debian}"
  local rootfs="$docker_state/rootfs-$1"
  rm -rf "$rootfs"
  docker_say "building the Lambda base image $image: debootstrap minbase from $mirror (about a minute, once)"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$docker_state/debootstrap.log" 2>&1 || {
    docker_say "debootstrap failed; see $docker_state/debootstrap.log"
    return 1
  }
  tar -C "$rootfs" -c . | docker import - "$image" >/dev/null
  rm -rf "$rootfs"
}

docker_remove_containers() {
  local ids
  ids="$(docker ps -aq --filter "ancestor=public.ecr.aws/lambda/provided:al2023-rapid-$(sam_local_arch)" 2>/dev/null || true)"
  [ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1
  return 0
}

docker_stop_if_started() {
  [ -n "$docker_started_pid" ] || return 0
  kill "$docker_started_pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$docker_started_pid" 2>/dev/null || break
    sleep 0.2
  done
  docker_started_pid=""
}

# Lambda's name for this machine's architecture.
sam_local_arch() {
  case "$(uname -m)" in
    aarch64 | arm64) echo arm64 ;;
    *) echo x86_64 ;;
  esac
}
