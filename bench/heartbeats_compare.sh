#!/usr/bin/env bash
# bench/heartbeats_compare: heartbeats/s of one API replica before node tokens (the API of the
# commit before them, its fat jar built from a worktree of that commit) and after (this
# checkout), in alternating rounds of one run, each API on its own free port and empty schema.
# Prints both figures and the ratio and appends them to docs/benchmarks.md. Needs wrk, ssh-keygen.
# Usage: bench/heartbeats_compare.sh [agents] [rounds] [seconds per round]   (default 10000 3 8)
# BEFORE_REV (default 7f7847f^) picks the "before" commit, BEFORE_TREE where its worktree lives;
# TOKENS_REV (default 7f7847f, the node tokens commit; empty to skip) adds a third API that has
# node tokens and nothing newer, TOKENS_TREE where its worktree lives.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/before_lib.sh
command -v wrk >/dev/null || { echo "bench/heartbeats_compare: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
rev=${BEFORE_REV:-7f7847f^}
tree=$(before_tree "$rev" "${BEFORE_TREE:-}")
# Package only: never install, the local repository is shared with other checkouts.
(cd "$tree" && mvn -B -q -pl api -am package -DskipTests >/dev/null)
mid=()
tokens_rev=${TOKENS_REV-7f7847f}
if [ -n "$tokens_rev" ]; then
  tokens_tree=$(before_tree "$tokens_rev" "${TOKENS_TREE:-}")
  (cd "$tokens_tree" && mvn -B -q -pl api -am package -DskipTests >/dev/null)
  mid=("$tokens_tree/api/target/orion-api.jar" "commit $(git rev-parse --short "$tokens_rev")")
fi
mvn -B -q -pl autoscaler -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test >/dev/null
cp="autoscaler/target/test-classes:autoscaler/target/classes:$(cat autoscaler/target/classpath.txt)"
echo "load average at the start: $(load_average)"
java -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Dbench.command="bench/heartbeats_compare.sh ${*}" -cp "$cp" \
  dev.orion.autoscaler.bench.HeartbeatCompareBench "${REPORT:-docs/benchmarks.md}" "$tree/api/target/orion-api.jar" \
  "commit $(git rev-parse --short "$rev") ($rev)" "${1:-10000}" "${2:-3}" "${3:-8}" "${mid[@]}"
