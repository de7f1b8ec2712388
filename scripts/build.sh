#!/usr/bin/env bash
# Compiles the installable package into dist/: JavaScript and .d.ts for the
# library entry points (standin, standin/client, standin/msw,
# standin/testcontainers) and the CLI, plus the data files the code reads at run
# time beside itself (the Stripe spec, the dashboard's assets), which tsc does
# not copy. The repository itself runs the .ts sources with tsx.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
npx tsc -p tsconfig.build.json
find simulators -type f ! -name '*.ts' ! -name '*.md' ! -name '.gitignore' ! -path '*/node_modules/*' |
  while read -r asset; do
    mkdir -p "dist/$(dirname "$asset")"
    cp "$asset" "dist/$asset"
  done
