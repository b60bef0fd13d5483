#!/usr/bin/env bash
# The whole test suite: installs what the tests drive for real, type-checks, runs jest.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
bash scripts/install-test-deps.sh
npx tsc --noEmit -p .
npx eslint --max-warnings 0 .
mkdir -p node_modules/.cache
results=node_modules/.cache/jest-results.json
status=0
npx jest --json --outputFile="$results" "$@" || status=$?
# One plain closing line for CI logs, whatever jest printed above it; a suite that failed to load counts as a failure.
node -e 'const r = require(process.argv[1]); console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests + r.numRuntimeErrorTestSuites} failed, ${r.numPendingTests} skipped`)' "$PWD/$results" || true
exit "$status"
