#!/usr/bin/env bash
# The fault suite alone (it is part of npm test too): an engine, a build, the faults' tests, then
# their one-line count ("faults: N injected, N survived, N data lost"). Fails when either fails.
set -uo pipefail
cd "$(dirname "$0")/.."
TFMON_ENGINE_FOR=tests bash scripts/engine.sh || exit 1
npm run --silent build || exit 1
mkdir -p .test-results
rm -f .test-results/faults.jsonl
npx vitest run test/faults test/integration/second-engine.test.tsx
rc=$?
node scripts/faults-summary.mjs || rc=1
exit $rc
