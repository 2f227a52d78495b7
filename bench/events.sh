#!/usr/bin/env bash
# bench/events: event fan-out of one API replica, measured directly (not through Caddy): N
# concurrent GET /api/events streams (default 1,000), one lease event committed per round, time
# from the event to every client (p50/p95/max) and the API's memory per open stream (RSS and
# heap after GC, before and with the streams). Prints the figures and appends them to
# docs/benchmarks.md. Takes about a minute. Needs jcmd (the JDK).
# Usage: bench/events.sh [streams=1000] [rounds=20]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v jcmd >/dev/null || { echo "bench/events: jcmd is missing (a full JDK is needed)" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || true
mvn -B -q -pl autoscaler -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test >/dev/null
cp="autoscaler/target/test-classes:autoscaler/target/classes:$(cat autoscaler/target/classpath.txt)"
timeout 600 java -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
  dev.orion.autoscaler.bench.EventsBench docs/benchmarks.md "${1:-1000}" "${2:-20}"
