#!/usr/bin/env bash
# bench/console: the web console in Debian's headless Chromium through the edge as the stack serves
# it (the project's Caddyfile and Caddyfile.pool on free ports, HTTPS with Caddy's internal CA, which
# the browser trusts) in front of one API replica process, holding N workers (default 1000: 2
# sandbox workers, the rest registered nodes). Navigation start to the worker list on screen (the
# page's mark, with Navigation and Paint Timing) and the bytes transferred, cold and warm; a rent
# made with curl through Caddy until its row is in the open page. With --direct, the overview is
# also measured on the replica's own port (no Caddy). Prints the figures and appends them to OUT
# (default docs/benchmarks.md; give a scratch file for trial runs). Needs root (sandbox workers),
# caddy, curl, chromium, chromium-driver and certutil (libnss3-tools).
# Usage: bench/console.sh [nodes=1000] [rounds=5] [out=docs/benchmarks.md] [--direct]
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in caddy curl chromium chromedriver certutil; do
  command -v $tool >/dev/null || { echo "bench/console: $tool is missing (apt-get install caddy curl chromium chromium-driver libnss3-tools)" >&2; exit 1; }
done
direct=false args=()
for a in "$@"; do
  if [ "$a" = --direct ]; then direct=true; else args+=("$a"); fi
done
mvn -B -q -pl autoscaler -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test >/dev/null
cp="autoscaler/target/test-classes:autoscaler/target/classes:$(cat autoscaler/target/classpath.txt)"
java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorion.root="$PWD" -cp "$cp" \
  dev.orion.autoscaler.bench.ConsoleBench "${args[0]:-1000}" "${args[1]:-5}" "${args[2]:-docs/benchmarks.md}" "$direct"
