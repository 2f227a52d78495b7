#!/usr/bin/env bash
# Prints the path of axe-core's axe.min.js (npm axe-core 4.x) for the console's accessibility
# scan, installing it on first use into ORION_AXE_HOME (~/.cache/orion/axe-core). The browser
# tests inject it into the page; nothing is fetched at run time by the page itself.
#   scripts/axe-core.sh
set -euo pipefail
home=${ORION_AXE_HOME:-$HOME/.cache/orion/axe-core}
file="$home/node_modules/axe-core/axe.min.js"
if [ ! -f "$file" ]; then
  command -v npm >/dev/null || { echo "axe-core: npm is required (apt-get install -y npm)" >&2; exit 2; }
  mkdir -p "$home"
  npm install --prefix "$home" --no-audit --no-fund --loglevel=error axe-core@4 >&2
fi
echo "$file"
