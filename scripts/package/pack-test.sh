#!/usr/bin/env bash
# The installable package, tried as a user gets it (`npm test` suite "package"):
# `npm pack` (which builds dist/), the tarball installed into a scratch project
# under /tmp with the registry for its dependencies, then, from that project:
# the library entry points and their types (tsc against the .d.ts), the msw
# handlers, the client, and `npx standin up` (no tsx there). Last line:
# `N passed, N failed`.
set -uo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
scratch="$(mktemp -d /tmp/standin-pack.XXXXXX)"
trap 'rm -rf "$scratch"' EXIT
cd "$repo"

if ! npm pack --pack-destination "$scratch" > "$scratch/pack.log" 2>&1 || ! ls "$scratch"/*.tgz >/dev/null 2>&1; then
  tail -20 "$scratch/pack.log"
  echo "npm pack failed"
  echo "0 passed, 1 failed"
  exit 1
fi
tarball="$(basename "$(ls "$scratch"/*.tgz)")"
files="$(tar -tzf "$scratch/$tarball")"
echo "packed $tarball: $(du -k "$scratch/$tarball" | cut -f1) kB, $(wc -l <<< "$files") files"

passed=0
failed=0
verdict() { if [ "$1" -eq 0 ]; then passed=$((passed + 1)); echo "  ✓ $2"; else failed=$((failed + 1)); echo "  ✗ $2"; fi; }

# What must and must not be in it: compiled code with types, no TypeScript sources or tests.
missing=0
for f in package/bin/standin.js package/dist/simulators/index.js package/dist/simulators/index.d.ts \
  package/dist/simulators/core/control/client.d.ts package/dist/simulators/core/transports/msw.d.ts \
  package/dist/simulators/testcontainers/index.d.ts package/dist/simulators/hub/cli.js \
  package/dist/simulators/stripe/openapi/spec3.json.gz; do
  grep -qx "$f" <<< "$files" || { echo "    missing: $f"; missing=1; }
done
strays="$(grep -E '\.ts$' <<< "$files" | grep -v '\.d\.ts$' | head -3; grep -E '\.test\.' <<< "$files" | head -3)"
[ -n "$strays" ] && { echo "    sources or tests packed: $strays"; missing=1; }
verdict "$missing" "the tarball holds dist/ (JavaScript + .d.ts), the bin and the stripe spec, and no .ts sources"

cd "$scratch"
mkdir project && cd project
npm init -y >/dev/null && npm pkg set type=module >/dev/null
# msw and testcontainers are optional peers: a project using standin/msw or
# standin/testcontainers has them, as this one does (and @types/node, for its own tsc).
if ! npm install --no-audit --no-fund --loglevel=error "$scratch/$tarball" msw@2.15.0 testcontainers@12.0.1 \
  @types/node@20 > install.log 2>&1; then
  tail -20 install.log
  verdict 1 "npm install of the tarball"
  echo "${passed} passed, ${failed} failed"
  exit 1
fi
verdict 0 "npm install of the tarball into a scratch project"
[ -e node_modules/tsx ] && echo "    (tsx came in as a dependency: the bin would not prove it runs without)"
[ ! -e node_modules/tsx ]
verdict $? "tsx is not installed with it"

# The types as a user's TypeScript sees them, through the package's exports.
cat > types.ts <<'TS'
import { StandinClient, startHub } from 'standin'
import { StandinClient as Client } from 'standin/client'
import { standinHandlers } from 'standin/msw'
import { StandinContainer, type StartedStandinContainer } from 'standin/testcontainers'
const client: Client = new StandinClient({ url: 'http://127.0.0.1:4700' })
const hub: Promise<{ url: string }> = startHub({ port: 0 })
const use = (c: StartedStandinContainer): string => c.getStripeUrl()
void [client, hub, use, standinHandlers, StandinContainer]
// @ts-expect-error: a provider the container does not know
const bad = (c: StartedStandinContainer) => c.getProviderUrl('paypal')
TS
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true,
  "noEmit": true, "skipLibCheck": false, "types": ["node"] },
  "files": ["types.ts"] }
JSON
node "$repo/node_modules/typescript/bin/tsc" -p . > tsc.log 2>&1
code=$?
[ "$code" -ne 0 ] && head -20 tsc.log
verdict "$code" "its .d.ts type-check a user's code (tsc, NodeNext, strict)"

cp "$repo/scripts/package/installed.mjs" .
node installed.mjs > run.log 2>&1
cat run.log | sed '$d'
count="$(tail -1 run.log)"
if [[ "$count" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
  passed=$((passed + BASH_REMATCH[1]))
  failed=$((failed + BASH_REMATCH[2]))
else
  tail -20 run.log
  failed=$((failed + 1))
fi
echo "${passed} passed, ${failed} failed"
exit $((failed > 0 ? 1 : 0))
