#!/usr/bin/env bash
# Builds local stand-ins for the registry images standin's Dockerfiles and
# docker-compose.test.yml name, where no image registry is reachable:
# `node:20-bookworm-slim` is a debootstrap
# minbase of Debian bookworm, imported, with this machine's Node 20 (binary and
# npm) copied in where the official image keeps them, and a `node` user (uid
# 1000) like the official image's; `postgres:15-bookworm` is Debian's PostgreSQL 15
# on the same rootfs with an entrypoint honouring the official image's
# POSTGRES_USER/POSTGRES_PASSWORD/POSTGRES_DB. They are tagged with the official
# names, so the Dockerfiles and the compose file are exactly what users run.
#
# The debootstrap rootfs is cached as a tarball (STANDIN_CACHE), so only the
# first run pays for it (about 30 s); an image already present is kept.
# Needs: DOCKER_HOST (scripts/docker/engine.sh), debootstrap, root.
set -euo pipefail

cache="${STANDIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/standin}"
tag="${STANDIN_BASE_IMAGE:-node:20-bookworm-slim}"
pg_tag="${STANDIN_POSTGRES_IMAGE:-postgres:15-bookworm}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
rootfs_tar="$cache/debian-bookworm-minbase.tar"

present() { docker image inspect "$1" >/dev/null 2>&1 && [ -z "${STANDIN_REBUILD_BASE:-}" ]; }
if present "$tag" && present "$pg_tag"; then
  echo "base images $tag, $pg_tag: present"
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
  rm -rf "$work"
fi

docker import "$rootfs_tar" standin-local/debian:bookworm >/dev/null

ctx="$(mktemp -d /tmp/standin-base.XXXXXX)"
trap 'rm -rf "$ctx"' EXIT
here="$(cd "$(dirname "$0")" && pwd)"
if ! present "$pg_tag"; then
  mkdir "$ctx/postgres"
  cp "$here/postgres-entrypoint.sh" "$ctx/postgres/"
  cat > "$ctx/postgres/Dockerfile" <<'DOCKERFILE'
FROM standin-local/debian:bookworm
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
 && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
EXPOSE 5432
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
DOCKERFILE
  docker build -q -t "$pg_tag" "$ctx/postgres" >/dev/null
  echo "base image $pg_tag: built from debootstrap bookworm + Debian's postgresql-15"
fi
present "$tag" && exit 0
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
# Where this machine's Node trusts extra certificate authorities (a TLS-inspecting proxy in
# front of the registries), the stand-in trusts them too, or npm inside a build could not
# reach the registry the host reaches. The official image needs nothing of the kind.
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r "$NODE_EXTRA_CA_CERTS" ]; then
  cp "$NODE_EXTRA_CA_CERTS" "$ctx/extra-ca.crt"
  printf '%s\n' 'COPY extra-ca.crt /usr/local/share/ca-certificates/standin-host-extra.crt' \
    'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/standin-host-extra.crt' >> "$ctx/Dockerfile"
fi
docker build -q -t "$tag" "$ctx" >/dev/null
echo "base image $tag: built from debootstrap bookworm + Node $(node -v)"
