#!/usr/bin/env bash
# The demo: an engine, the seed cluster (tf-network: tf-ps-0, tf-worker-0, tf-worker-1), then tfmon on it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/engine.sh
[ -f dist/cli.js ] || npm run --silent build
./dist/cli.js up --network tf-network
echo "opening tfmon (q quits; tfmon down --yes removes the demo cluster)"
exec ./dist/cli.js --network tf-network "$@"
