#!/usr/bin/env bash
# standin's containers exercised for real, as CI runs them (`npm test` suite
# "docker"): starts a Docker engine (scripts/docker/engine.sh: a hand-started
# dockerd, or the one already running), builds the local stand-ins for the
# registry base images (base-image.sh), builds standin's images (build.sh), runs
# docker-compose.test.yml end to end (the journeys against the composed reference
# target on PostgreSQL), then the StandinContainer tests against the engine, and
# stops what it started. Last line: `N passed, N failed` (journeys + tests; a
# step that cannot run counts as one failure).
set -uo pipefail
cd "$(dirname "$0")/../.."
here=scripts/docker
out=reports/docker
mkdir -p "$out" reports/vitest
passed=0
failed=0
fail() { echo "docker e2e: $*" >&2; failed=$((failed + 1)); }
finish() {
  echo "${passed} passed, ${failed} failed"
  exit $((failed > 0 ? 1 : 0))
}

if ! engine="$("$here/engine.sh" start)"; then
  fail "no Docker engine"
  finish
fi
eval "$engine"
cleanup() {
  [ -n "${compose:-}" ] && $compose down -v --remove-orphans >/dev/null 2>&1
  "$here/engine.sh" stop
}
trap cleanup EXIT

seconds() { echo $(($(date +%s) - $1)); }
t0="$(date +%s)"
if ! "$here/base-image.sh"; then
  fail "the stand-in base images could not be built"
  finish
fi
echo "base images ready in $(seconds "$t0") s"
t0="$(date +%s)"
# STANDIN_DOCKER_CONTEXT: build from another tree (e.g. a `git archive` of a commit) than this checkout.
if ! "$here/build.sh" ${STANDIN_DOCKER_CONTEXT:+"$STANDIN_DOCKER_CONTEXT"}; then
  fail "standin's images could not be built"
  finish
fi
echo "standin's images built in $(seconds "$t0") s"

# ------------------------------------------------------------ the compose run
# `docker compose` (v2 plugin) where it exists, else Debian's docker-compose 1.29.
if docker compose version >/dev/null 2>&1; then
  compose="docker compose -f docker-compose.test.yml -p standin-e2e"
elif command -v docker-compose >/dev/null 2>&1; then
  compose="docker-compose -f docker-compose.test.yml -p standin-e2e"
else
  fail "neither 'docker compose' nor docker-compose is installed"
  compose=""
fi
if [ -n "$compose" ]; then
  t0="$(date +%s)"
  $compose down -v --remove-orphans >/dev/null 2>&1
  $compose up --no-build --exit-code-from journeys > "$out/compose.log" 2>&1
  code=$?
  echo "compose run: exit code $code in $(seconds "$t0") s (log: $out/compose.log)"
  grep -E '^journeys_?[-_0-9]* *\|' "$out/compose.log" | sed -E 's/^[^|]*\| ?//' | tail -25
  rm -f "$out/verdict.json"
  runner="$($compose ps -q journeys 2>/dev/null)"
  [ -n "$runner" ] && docker cp "$runner:/src/reports/journeys/verdict.json" "$out/verdict.json" >/dev/null 2>&1
  # The same rule as the main job's tally: failed and not-run journeys fail; a non-zero
  # exit with neither (a broken set-up) is one more failure; not applicable is neither.
  counts="$(node -e '
    const v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).counts
    console.log(v.passed, v.failed + v["not-run"])' "$out/verdict.json" 2>/dev/null)"
  if [ -z "$counts" ]; then
    fail "the compose run left no verdict (exit code $code); tail of $out/compose.log:"
    tail -30 "$out/compose.log" >&2
  else
    read -r p f <<< "$counts"
    [ "$code" -ne 0 ] && [ "$f" -eq 0 ] && f=1
    echo "compose journeys: $p passed, $f failed"
    passed=$((passed + p))
    failed=$((failed + f))
  fi
  $compose down -v --remove-orphans >/dev/null 2>&1
fi

# ------------------------------------------------- the testcontainers module
t0="$(date +%s)"
json=reports/vitest/testcontainers.json
rm -f "$json"
TESTCONTAINERS_RYUK_DISABLED=true npx vitest run --config simulators/testcontainers/vitest.config.ts \
  --reporter=default --reporter=json "--outputFile.json=$json"
code=$?
counts="$(node -e '
  const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
  const broken = j.testResults.filter((f) => f.status === "failed" && f.assertionResults.length === 0).length
  console.log(j.numPassedTests, j.numFailedTests + broken)' "$json" 2>/dev/null)"
if [ -z "$counts" ]; then
  fail "the StandinContainer tests left no results (exit code $code)"
else
  read -r p f <<< "$counts"
  [ "$code" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  echo "testcontainers: $p passed, $f failed in $(seconds "$t0") s"
  passed=$((passed + p))
  failed=$((failed + f))
fi
finish
