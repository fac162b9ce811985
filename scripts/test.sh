#!/usr/bin/env bash
# The whole suite: tools the tests need, the type check, then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-test-tools.sh
npx tsc --noEmit -p tsconfig.json
npx vitest run "$@"
