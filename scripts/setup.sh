#!/usr/bin/env bash
# The first command of the README: install everything, then run the main job
# on the embedded default (every simulator + the reference target, no Docker).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
npm run --silent main
