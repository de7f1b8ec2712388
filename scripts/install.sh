#!/usr/bin/env bash
# Installs everything standin needs, from nothing:
#  - Debian packages: chromium (the browser Playwright drives: Playwright's own
#    download is not reachable everywhere), ffmpeg (Playwright video), and
#    postgresql (the reference target's tests run on PostgreSQL too), and for the
#    container suite docker.io, debootstrap and docker-compose;
#  - the npm packages, at their locked versions.
# Elsewhere (a laptop without apt) it installs Playwright's own Chromium instead.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v apt-get >/dev/null 2>&1; then
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  # The container suite (scripts/docker/e2e.sh): an engine started by hand, a debootstrap
  # base where no image registry is reachable, and compose (Debian's 1.29 where no v2 plugin).
  # A machine whose Docker already runs (docker-ce, Docker Desktop) needs neither.
  if ! docker info >/dev/null 2>&1; then
    command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
    command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  fi
  docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

# `npm install`, not `npm ci`: the lock holds every package at its locked version, but npm
# leaves out of it the optional platform builds a registry does not serve (biome's macOS and
# Windows binaries, here), and `npm ci` then refuses the lock as out of sync.
npm install --no-audit --no-fund

if ! [ -x /usr/bin/chromium ] && ! [ -x /usr/bin/chromium-browser ] && ! [ -x /usr/bin/google-chrome ] && [ -z "${STANDIN_CHROMIUM:-}" ]; then
  echo "no system Chromium: installing Playwright's own"
  npx playwright install chromium
fi
echo "standin: installed"
