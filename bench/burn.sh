#!/usr/bin/env bash
# bench/burn: a tenant burns one core on its rented sandbox worker; time from the burn's start
# until GET /api/nodes shows the node `high`, with DEFAULT settings (agent heartbeat 10 s, load
# time constant 15 s, hysteresis 3): by heartbeats and, unless --no-monitoring, through Debian's
# Prometheus and Alertmanager with the shipped monitoring/ files. N rounds (default 3), the node
# back to low between them. Prints the figures and appends a dated run to docs/benchmarks.md (or
# --out FILE). Needs root (sandbox workers), prometheus and prometheus-alertmanager. About 4 min
# per round with monitoring, about 1 min without, plus a minute to start.
# Usage: bench/burn.sh [--rounds 3] [--out FILE] [--no-monitoring] [--favour]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o -pl api -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test >/dev/null
cp="api/target/test-classes:api/target/classes:$(cat api/target/classpath.txt)"
exec java -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" dev.orion.api.load.BurnBench "$@"
