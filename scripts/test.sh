#!/usr/bin/env bash
# The whole test suite: installs what the tests drive for real, type-checks, runs jest.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
bash scripts/install-test-deps.sh
npx tsc --noEmit -p .
npx jest "$@"
