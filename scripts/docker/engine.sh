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
  # What stop() puts back: the firewall as it was before dockerd added its chains.
  iptables-save > "$run/iptables.before"
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
  [ -f "$run/iptables.before" ] || return 0
  # dockerd leaves its bridge and firewall rules behind: put the machine back as it was.
  ip link show docker0 >/dev/null 2>&1 && ip link delete docker0
  for bridge in $(ip -o link show type bridge 2>/dev/null | awk -F': ' '$2 ~ /^br-/ {print $2}'); do
    ip link delete "$bridge"
  done
  iptables-restore < "$run/iptables.before"
  rm -f "$run/iptables.before"
  echo "# dockerd stopped, docker0 and its iptables rules removed" >&2
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  purge) stop; rm -rf "$cache/docker-data" "$run" ;;
  *) echo "usage: $0 start|stop|purge" >&2; exit 2 ;;
esac
