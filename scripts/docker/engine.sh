#!/usr/bin/env bash
# A Docker engine for standin's container tests on a machine where none runs:
# Debian's docker.io daemon started by hand (no systemd here), on a socket of
# its own, and stopped again with what it leaves behind removed (the docker0
# bridge, its iptables chains and the FORWARD DROP policy). With an ordinary
# Docker install none of this is needed: `start` finds the running engine and
# `stop` leaves it alone.
#
#   scripts/docker/engine.sh start   # prints `export DOCKER_HOST=…` for eval
#   scripts/docker/engine.sh stop
#   scripts/docker/engine.sh purge   # stop, then delete the cached images too
#
# The daemon's data (images, build cache) lives under the cache folder, so a
# second run reuses what the first built; the run state under $STANDIN_DOCKER_RUN.
set -euo pipefail

cache="${STANDIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/standin}"
run="${STANDIN_DOCKER_RUN:-/tmp/standin-docker}"
sock="$run/docker.sock"

started_here() { [ -f "$run/dockerd.pid" ] && kill -0 "$(cat "$run/dockerd.pid")" 2>/dev/null; }

start() {
  if [ -z "${STANDIN_DOCKER_OWN:-}" ] && docker info >/dev/null 2>&1; then
    echo "# using the running Docker engine" >&2
    return 0
  fi
  if started_here; then
    echo "export DOCKER_HOST=unix://$sock"
    return 0
  fi
  command -v dockerd >/dev/null || { echo "dockerd not found: apt-get install docker.io" >&2; exit 1; }
  [ "$(id -u)" -eq 0 ] || { echo "starting dockerd by hand needs root" >&2; exit 1; }
  mkdir -p "$run" "$cache/docker-data"
  # What stop() puts back: the FORWARD policy dockerd turns to DROP.
  iptables -S FORWARD | awk 'NR == 1 { print $3 }' > "$run/forward.policy"
  dockerd --data-root "$cache/docker-data" --exec-root "$run/exec" --pidfile "$run/dockerd.pid" \
    -H "unix://$sock" > "$run/dockerd.log" 2>&1 &
  for _ in $(seq 1 60); do
    DOCKER_HOST="unix://$sock" docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  if ! DOCKER_HOST="unix://$sock" docker info >/dev/null 2>&1; then
    echo "dockerd did not come up; its log:" >&2
    tail -20 "$run/dockerd.log" >&2
    stop
    exit 1
  fi
  echo "# dockerd $(cat "$run/dockerd.pid") on $sock (log $run/dockerd.log)" >&2
  echo "export DOCKER_HOST=unix://$sock"
}

stop() {
  if [ -f "$run/dockerd.pid" ]; then
    pid="$(cat "$run/dockerd.pid")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    fi
    rm -f "$run/dockerd.pid"
  fi
  [ -f "$run/forward.policy" ] || return 0
  # dockerd leaves its bridges and firewall rules behind: put the machine back as it was.
  ip link show docker0 >/dev/null 2>&1 && ip link delete docker0
  for bridge in $(ip -o link show type bridge 2>/dev/null | awk -F': ' '$2 ~ /^br-/ {print $2}'); do
    ip link delete "$bridge"
  done
  for table in filter nat; do
    # Docker's rules in the built-in chains (they name its chains, its bridges or its subnets)...
    iptables -t "$table" -S | grep -E '^-A (FORWARD|PREROUTING|OUTPUT|POSTROUTING) .*(DOCKER|docker0|br-|172\.1[6-9]\.)' |
      while read -r rule; do
        eval "iptables -t $table ${rule/-A /-D }"
      done
    # ...then its own chains.
    for chain in DOCKER DOCKER-USER DOCKER-ISOLATION-STAGE-1 DOCKER-ISOLATION-STAGE-2; do
      iptables -t "$table" -F "$chain" 2>/dev/null && iptables -t "$table" -X "$chain"
    done
  done
  iptables -P FORWARD "$(cat "$run/forward.policy")"
  rm -f "$run/forward.policy"
  echo "# dockerd stopped, its bridges and iptables rules removed" >&2
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  purge) stop; rm -rf "$cache/docker-data" "$run" ;;
  *) echo "usage: $0 start|stop|purge" >&2; exit 2 ;;
esac
