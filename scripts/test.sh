#!/usr/bin/env bash
# The whole suite: the tools the tests need, lint and format, the type check, then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-test-tools.sh
npx biome check .
npx tsc --noEmit -p tsconfig.json
npx vitest run "$@"
