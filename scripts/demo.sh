#!/usr/bin/env bash
# The demo: an engine, the seed cluster (tf-network: tf-ps-0, tf-worker-0, tf-worker-1), then tfmon on it.
#   npm run demo -- --framework pytorch   a real PyTorch DDP job instead (ddp-network: ddp-rank-0..2;
#                                         the image is built the first time, a few minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
framework=tensorflow
if [ "${1:-}" = --framework ]; then framework=${2:-}; shift 2 || true; fi
bash scripts/engine.sh
[ -f dist/cli.js ] || npm run --silent build
case "$framework" in
  tensorflow) network=tf-network; ./dist/cli.js up --network "$network" ;;
  pytorch) network=ddp-network; ./dist/cli.js up --framework pytorch --workers 3 --network "$network" ;;
  *) echo "demo: --framework is tensorflow or pytorch" >&2; exit 2 ;;
esac
echo "opening tfmon (q quits; tfmon down --network $network --yes removes the demo cluster)"
exec ./dist/cli.js --network "$network" "$@"
