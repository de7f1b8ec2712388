#!/usr/bin/env bash
# Builds a local stand-in for the base image standin's Dockerfiles name
# (`node:20-bookworm-slim`) where no image registry is reachable: a debootstrap
# minbase of Debian bookworm, imported, with this machine's Node 20 (binary and
# npm) copied in where the official image keeps them, and a `node` user (uid
# 1000) like the official image's. It is tagged with the official name, so the
# Dockerfiles are exactly what users with a registry build.
#
# The debootstrap rootfs is cached as a tarball (STANDIN_CACHE), so only the
# first run pays for it (about 30 s); an image already present is kept.
# Needs: DOCKER_HOST (scripts/docker/engine.sh), debootstrap, root.
set -euo pipefail

cache="${STANDIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/standin}"
tag="${STANDIN_BASE_IMAGE:-node:20-bookworm-slim}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
rootfs_tar="$cache/debian-bookworm-minbase.tar"

if docker image inspect "$tag" >/dev/null 2>&1 && [ -z "${STANDIN_REBUILD_BASE:-}" ]; then
  echo "base image $tag: present"
  exit 0
fi

node_bin="$(readlink -f "$(command -v node)")"
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" != 20 ]; then
  echo "this machine's Node is $(node -v), the images name Node 20: install Node 20 or pull the real image" >&2
  exit 1
fi
npm_dir="$(dirname "$(readlink -f "$(command -v npm)")")/.."
npm_dir="$(cd "$npm_dir" && pwd)"

mkdir -p "$cache"
if [ ! -s "$rootfs_tar" ]; then
  command -v debootstrap >/dev/null || { echo "debootstrap not found: apt-get install debootstrap" >&2; exit 1; }
  work="$(mktemp -d /tmp/standin-rootfs.XXXXXX)"
  trap 'rm -rf "$work"' EXIT
  echo "debootstrap bookworm (minbase) from $mirror"
  debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  # The official image's apt sources: main, updates and security (chromium comes from security).
  rm -f "$work/rootfs/etc/apt/sources.list"
  cat > "$work/rootfs/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: ${mirror}
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
  tar -C "$work/rootfs" -cf "$rootfs_tar.part" .
  mv "$rootfs_tar.part" "$rootfs_tar"
fi

docker import "$rootfs_tar" standin-local/debian:bookworm >/dev/null

ctx="$(mktemp -d /tmp/standin-base.XXXXXX)"
trap 'rm -rf "$ctx"' EXIT
cp "$node_bin" "$ctx/node"
cp -r "$npm_dir" "$ctx/npm"
cat > "$ctx/Dockerfile" <<'DOCKERFILE'
FROM standin-local/debian:bookworm
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version && npm --version
ENV NODE_VERSION=20
CMD ["node"]
DOCKERFILE
docker build -q -t "$tag" "$ctx" >/dev/null
echo "base image $tag: built from debootstrap bookworm + Node $(node -v)"
