#!/usr/bin/env bash
# Re-makes demo.gif from a real run of tfmon on a fresh demo cluster (see scripts/demo/record.ts).
# Installs the recording tools from Debian's packages when missing: tmux, librsvg2-bin (rsvg-convert),
# imagemagick (convert), gifsicle, fonts-dejavu-core.
set -euo pipefail
cd "$(dirname "$0")/.."
# On the Node.js the project runs on (scripts/node.sh brings one where the system's is older).
[ -n "${TFMON_ON_NODE:-}" ] || exec env TFMON_ON_NODE=1 bash scripts/node.sh bash "$0" "$@"
need=()
command -v tmux >/dev/null || need+=(tmux)
command -v rsvg-convert >/dev/null || need+=(librsvg2-bin)
convert -version 2>/dev/null | grep -q ImageMagick || need+=(imagemagick)
command -v gifsicle >/dev/null || need+=(gifsicle)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  echo "demo-gif: installing ${need[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; }
fi
# ImageMagick from Debian, not a stand-in earlier on PATH; the Node chosen above stays first.
export PATH="$(dirname "$(command -v node)"):/usr/bin:$PATH"
bash scripts/engine.sh
npm run --silent build
# A fresh seed cluster: the recording adds tf-worker-2 and recreates nodes.
node dist/cli.js down --yes >/dev/null 2>&1 || true
node dist/cli.js up
node dist/scripts/demo/record.js "${1:-demo.gif}"
node dist/cli.js down --yes >/dev/null
node dist/cli.js up >/dev/null
ls -la "${1:-demo.gif}"
