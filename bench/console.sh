#!/usr/bin/env bash
# bench/console: the web console in Debian's headless Chromium against one API replica, direct
# (no Caddy), holding N workers (default 1000: 2 sandbox workers, the rest registered nodes).
# Navigation start to the worker list on screen (the page's mark, with Navigation and Paint
# Timing) and the bytes transferred, cold and warm; a rent made with curl until its row is in
# the open page. Prints the figures and appends them to docs/benchmarks.md. Needs root
# (sandbox workers), chromium and chromium-driver.
# Usage: bench/console.sh [nodes] [rounds]   (default 1000 5)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl api -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test >/dev/null
cp="api/target/test-classes:api/target/classes:$(cat api/target/classpath.txt)"
java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" dev.orion.api.console.ConsoleBench \
  "${1:-1000}" "${2:-5}" docs/benchmarks.md
