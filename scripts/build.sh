#!/usr/bin/env bash
# Compiles the installable package into dist/: JavaScript and .d.ts for the
# library entry points (standin, standin/client, standin/msw,
# standin/testcontainers) and the CLI, plus the data files the code reads at run
# time (tsc copies only code). The repository itself runs the .ts sources with tsx.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
npx tsc -p tsconfig.build.json
mkdir -p dist/simulators/stripe/openapi
cp simulators/stripe/openapi/spec3.json.gz dist/simulators/stripe/openapi/
