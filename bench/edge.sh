#!/usr/bin/env bash
# bench/edge: GET /api/nodes throughput (direct, through Caddy, vs a Javalin hello-world), a storm
# of 1,000 agent registrations through Caddy, and the autoscaler's scale-up reaction, in one run.
# Prints the figures and appends them to docs/benchmarks.md. Needs caddy, wrk and ssh-keygen.
# Usage: bench/edge.sh [--throughput-only]   (the GET /api/nodes rows alone, not recorded)
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in caddy wrk; do
  command -v $tool >/dev/null || { echo "bench/edge: $tool is not installed (apt-get install $tool)" >&2; exit 1; }
done
mvn -B -q -pl autoscaler -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test >/dev/null
cp="autoscaler/target/test-classes:autoscaler/target/classes:$(cat autoscaler/target/classpath.txt)"
java -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorion.root="$PWD" -cp "$cp" \
  dev.orion.autoscaler.bench.EdgeBench docs/benchmarks.md "$@"
