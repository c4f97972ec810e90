# Sourced by the scripts whose builds take minutes (make dev, make sam-local, make bench,
# make build): cargo's progress bar when stderr is a terminal, quiet in a log (make test, CI),
# and before each long step a line saying how long it usually takes on this project's
# 2-core machines.
cargo_progress=()
[ -t 2 ] || cargo_progress=(--quiet)

# announce_build WHAT FIRST_TIME: e.g. announce_build "building the local API" "10 minutes"
announce_build() {
  echo "==> $1 (the first time about $2 on 2 cores; afterwards seconds to a minute, for what changed)" >&2
}
