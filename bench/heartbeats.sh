#!/usr/bin/env bash
# bench/heartbeats: heartbeat ingest of one API replica, measured directly: N agents (default
# 10,000) with their own node tokens, heartbeats with load figures against heartbeats without
# them in alternating rounds of one run. Prints the figures and appends them to
# docs/benchmarks.md. Needs wrk and ssh-keygen.
# Usage: bench/heartbeats.sh [agents] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "bench/heartbeats: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
mvn -B -q -pl autoscaler -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test >/dev/null
cp="autoscaler/target/test-classes:autoscaler/target/classes:$(cat autoscaler/target/classpath.txt)"
java -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
  dev.orion.autoscaler.bench.HeartbeatBench docs/benchmarks.md "${1:-10000}" "${2:-3}"
