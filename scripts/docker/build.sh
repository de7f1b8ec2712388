#!/usr/bin/env bash
# Builds standin's images from the Dockerfiles users build, and prints each
# one's build time and size:
#   standin/hub               docker/hub.Dockerfile
#   standin/reference-target  reference-target/Dockerfile
#   standin/journeys          docker/journeys.Dockerfile
#   scripts/docker/build.sh [context]   # default: this checkout
# Needs a running engine (DOCKER_HOST) and the base image the Dockerfiles name.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
context="${1:-$here/../..}"
log="${STANDIN_DOCKER_LOG:-/tmp/standin-docker-build.log}"
: > "$log"

build() {
  local tag="$1" dockerfile="$2" start end
  start="$(date +%s)"
  if ! docker build -f "$context/$dockerfile" -t "$tag" "$context" >> "$log" 2>&1; then
    echo "build of $tag failed; the end of its log ($log):" >&2
    tail -30 "$log" >&2
    return 1
  fi
  end="$(date +%s)"
  printf '  %-34s %4d s  %s\n' "$tag" "$((end - start))" \
    "$(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1 / 1e6}')"
}

echo "building standin's images (log: $log)"
build standin/hub:latest docker/hub.Dockerfile
build standin/reference-target:latest reference-target/Dockerfile
build standin/journeys:latest docker/journeys.Dockerfile
