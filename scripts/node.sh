#!/usr/bin/env bash
# Runs a command on a Node.js that tfmon supports (>= 22). The system's node when it is new enough;
# else a current LTS Node from the npm registry (the `node` package ships the binary inside a
# registry package), installed once into .node/ of this checkout and put first on PATH.
#   bash scripts/node.sh ensure          only make sure it is there (npm install's prepare step)
#   bash scripts/node.sh CMD [ARGS…]     run CMD with it first on PATH
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MIN_MAJOR=22
BROUGHT=26.10.0 # Active LTS; the exact version keeps every machine on the same binary
DIR="$ROOT/.node"

major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if command -v node >/dev/null 2>&1 && [ "$(major node)" -ge "$MIN_MAJOR" ]; then
  :
else
  if [ ! -x "$DIR/node_modules/.bin/node" ] || [ "$("$DIR/node_modules/.bin/node" -p process.versions.node 2>/dev/null)" != "$BROUGHT" ]; then
    found=$(command -v node >/dev/null 2>&1 && node --version || echo none)
    printf 'node: tfmon needs Node.js >= %s, this system has %s: installing node@%s from the npm registry into .node/\n' "$MIN_MAJOR" "$found" "$BROUGHT" >&2
    mkdir -p "$DIR"
    [ -f "$DIR/package.json" ] || printf '{"private":true,"description":"the Node.js tfmon runs on where the system has an older one"}\n' >"$DIR/package.json"
    npm install --prefix "$DIR" --no-save --no-audit --no-fund --loglevel=error "node@$BROUGHT" >&2 ||
      { echo "node: could not install node@$BROUGHT from the npm registry; install Node.js >= $MIN_MAJOR yourself" >&2; exit 1; }
  fi
  export PATH="$DIR/node_modules/.bin:$PATH"
fi

[ "${1:-}" = ensure ] && exit 0
[ $# -gt 0 ] || { echo "usage: scripts/node.sh ensure | CMD [ARGS…]" >&2; exit 2; }
exec "$@"
