#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster, then removes it.
#
#   reference-target/scripts/with-postgres.sh npx vitest run reference-target
#
# Starts a cluster on a free port (127.0.0.1 only, trust auth), exports
# DATABASE_URL and REFERENCE_TEST_DATABASE_URL for the command, and stops and
# deletes the cluster when the command ends (its exit code is kept).
# PGBIN overrides where initdb/pg_ctl live (default: on PATH, else
# the newest /usr/lib/postgresql/*/bin). As root, the server runs as user postgres.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi

if [ -z "${PGBIN:-}" ]; then
  if command -v initdb >/dev/null 2>&1; then
    PGBIN="$(dirname "$(command -v initdb)")"
  else
    # Debian keeps the server binaries off PATH, under the major version (the newest wins).
    PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
  fi
fi
if [ ! -x "$PGBIN/initdb" ]; then
  echo "Failed to start PostgreSQL: no initdb in $PGBIN. Install PostgreSQL or set PGBIN." >&2
  exit 1
fi

# A port nothing listens on right now (the kernel picks it).
PORT="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
DIR="$(mktemp -d /tmp/rt-postgres.XXXXXX)"
mkdir -p "$DIR/data" "$DIR/sock"

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" -eq 0 ]; then chown -R postgres "$DIR"; fi

cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

as_pg "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 >"$DIR/initdb.log" 2>&1 || {
  cat "$DIR/initdb.log" >&2
  exit 1
}
as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR/sock -c fsync=off -c max_connections=200" start >/dev/null || {
  cat "$DIR/server.log" >&2
  exit 1
}

export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
export REFERENCE_TEST_DATABASE_URL="$DATABASE_URL"
echo "PostgreSQL on 127.0.0.1:$PORT ($DIR)" >&2
set +e
"$@"
status=$?
set -e
exit "$status"
