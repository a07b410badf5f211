#!/usr/bin/env bash
# The whole test suite, as the README says: an engine (started here where possible), a build,
# the type check of tests, the linter and the formatter's check, then unit, UI and integration tests
# on the real engine. Nothing skips.
set -uo pipefail
cd "$(dirname "$0")/.."

TFMON_ENGINE_FOR=tests bash scripts/engine.sh || exit 1
# node_modules older than the lock (a dependency added since): installed again, as the lock says.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund || exit 1; fi
npm run --silent build || { echo "test: build failed" >&2; exit 1; }
npx tsc -p tsconfig.test.json || { echo "test: type check of tests failed" >&2; exit 1; }
npx biome ci --reporter=summary . || { echo "test: lint or format check failed (npm run format fixes the format; the rest is above)" >&2; exit 1; }

mkdir -p .test-results
rm -f .test-results/faults.jsonl
npx vitest run --reporter=default --reporter=json --outputFile=.test-results/vitest.json "$@"
rc=$?

# One plain closing line for CI: "tests: N passed, N failed".
node -e '
  const fs = require("fs");
  try {
    const r = JSON.parse(fs.readFileSync(".test-results/vitest.json", "utf8"));
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
  } catch { console.log("tests: 0 passed, 1 failed"); }
'
# The fault suite's counts (test/faults): faults injected, survived, data lost.
if [ -f .test-results/faults.jsonl ]; then node scripts/faults-summary.mjs || rc=1; fi
# Nothing the tests made may be left, on the engine and on the tests' own second engine (if it
# still answers); a check that cannot ask the engine fails rather than passing.
leftovers() {
  local ids
  ids=$(docker "$@" ps -aq --filter label=tfmon.test) || { echo "test: could not list containers (docker $* ps)" >&2; return 1; }
  [ -z "$ids" ] || { echo "test: $(wc -l <<<"$ids") containers labelled tfmon.test were left behind (docker $* ps)" >&2; return 1; }
}
leftovers || rc=1
second=/var/run/tfmon-test-docker2.sock
if [ -S "$second" ] && timeout 5 docker -H "unix://$second" info >/dev/null 2>&1; then leftovers -H "unix://$second" || rc=1; fi
exit $rc
