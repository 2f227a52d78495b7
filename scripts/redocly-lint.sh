#!/usr/bin/env bash
# Lints an OpenAPI document with Redocly CLI 2.x (npm @redocly/cli, its recommended rules) and
# exits non-zero on any error. Installs the CLI on first use into ORION_REDOCLY_HOME
# (~/.cache/orion/redocly). Redocly 2 needs Node 20.19+ or 22.12+; where the system's node is
# older (Debian 12 ships 18), Node 22 comes from npm too (the `node` package), into the same place.
#
#   scripts/redocly-lint.sh openapi.json
set -euo pipefail
doc=${1:?usage: redocly-lint.sh OPENAPI_FILE}
home=${ORION_REDOCLY_HOME:-$HOME/.cache/orion/redocly}
command -v npm >/dev/null || { echo "redocly-lint: npm is required (apt-get install -y npm)" >&2; exit 2; }
mkdir -p "$home"

node_ok() { # NODE: is it a version Redocly 2 supports?
  "$1" -e 'const [a, b] = process.versions.node.split(".").map(Number);
    process.exit(a >= 23 || (a === 22 && b >= 12) || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null
}

cli="$home/node_modules/@redocly/cli/bin/cli.js"
[ -f "$cli" ] || npm install --prefix "$home" --no-audit --no-fund --loglevel=error @redocly/cli@2 >&2
node=node
if ! command -v node >/dev/null || ! node_ok node; then
  node="$home/node_modules/node/bin/node"
  [ -x "$node" ] || npm install --prefix "$home" --no-audit --no-fund --loglevel=error node@22 >&2
fi
exec "$node" "$cli" lint --format=stylish "$doc"
