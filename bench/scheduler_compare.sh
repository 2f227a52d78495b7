#!/usr/bin/env bash
# bench/scheduler_compare: the scheduler before the claim queue and after (this checkout), in one
# run: each side's own benchmark code built from its own checkout (the "before" one a worktree of
# BEFORE_REV), run in alternating rounds, the order flipped every round, so load from the rest of
# a shared machine falls on both. Prints every round and the medians and appends them to
# docs/benchmarks.md (REPORT overrides).
# Usage: bench/scheduler_compare.sh expiry|failover|health [rounds]   (default 2 rounds: ABBA)
#   expiry:   10,000 due expirations without SSH, 3 scheduler processes (SchedulerBench, 3 instances)
#   failover: 100 sandbox workers, 50 leased, 10 killed (FailoverBench; root and openssh-server)
#   health:   300 sandbox workers, one scheduler's health loop at 1 s, CPU over 30 s (HealthCpuBench)
# Sizes: LEASES (10000), WORKERS (100 for failover, 300 for health), WINDOW (30 s for health).
# BEFORE_REV defaults to the parent of the commit that added ClaimQueue; BEFORE_TREE places its worktree.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/before_lib.sh
kind=${1:?usage: bench/scheduler_compare.sh expiry|failover|health [rounds]}
rounds=${2:-2}
first=$(git log --format=%H --diff-filter=A -- scheduler/src/main/java/dev/orion/scheduler/claim/ClaimQueue.java | tail -1)
rev=${BEFORE_REV:-$first^}
after=$PWD
before=$(before_tree "$rev" "${BEFORE_TREE:-}")
classpath() { # build one checkout's scheduler test classes (package phase not needed, never install)
  (cd "$1" && mvn -B -q -pl scheduler -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test >/dev/null)
  echo "$1/scheduler/target/test-classes:$1/scheduler/target/classes:$(cat "$1/scheduler/target/classpath.txt")"
}
cp_before=$(classpath "$before")
cp_after=$(classpath "$after")
out=$(mktemp -d)
run_side() { # tree classpath side round log
  local tree=$1 cp=$2 side=$3 round=$4 log=$5
  case $kind in
    expiry)
      (cd "$tree" && java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
        "$after/bench/RunStatic.java" dev.orion.scheduler.bench.SchedulerBench run 3 "${LEASES:-10000}") >"$log" 2>&1 ;;
    failover)
      (cd "$tree" && java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
        dev.orion.scheduler.bench.FailoverBench "${WORKERS:-100}" "$out/$side-$round.md") >"$log" 2>&1 ;;
    health)
      (cd "$tree" && java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
        dev.orion.scheduler.bench.HealthCpuBench "${WORKERS:-300}" "${WINDOW:-30}" "$out/$side-$round.md") >"$log" 2>&1 ;;
    *) echo "unknown benchmark $kind" >&2; exit 2 ;;
  esac
}
one() { # side round -> prints the benchmark's result row
  local side=$1 tree cp log=$out/$1-$2.log
  if [ "$side" = before ]; then tree=$before cp=$cp_before; else tree=$after cp=$cp_after; fi
  local load0; load0=$(load_average)
  # A run whose embedded MariaDB or sandbox workers fail to start measured nothing: try it once more.
  run_side "$tree" "$cp" "$side" "$2" "$log" || { echo "round $2 $side failed, once more" >&2; tail -5 "$log" >&2;
    run_side "$tree" "$cp" "$side" "$2" "$log"; } \
    || { echo "bench/scheduler_compare: $side round $2 failed, log:" >&2; tail -40 "$log" >&2; exit 1; }
  local row; row=$(grep -E '^\| [0-9]' "$log" | tail -1)
  echo "$side|$2|$load0|$(load_average)|$row" >>"$out/rows"
  echo "round $2 $side: $row (load average $load0 → $(load_average))" >&2
}
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_start=$(load_average)
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) = 1 ]; then one before "$r"; one after "$r"; else one after "$r"; one before "$r"; fi
done
load_end=$(load_average)
# Column of the figure compared and its name, per benchmark.
case $kind in
  expiry)   col=5; title="Scheduler before/after the claim queue: due expirations, 3 schedulers"
            header="| side | round | load average at start | instances | expirations | seconds | per second | shares | duplicates |" ;;
  failover) col=4; title="Scheduler before/after the claim queue: failover of leases on killed workers"
            header="| side | round | load average at start | killed | p50 ms | p95 ms | max ms |" ;;
  health)   col=5; title="Scheduler before/after the claim queue: health-check CPU"
            header="| side | round | load average at start | workers | interval | window s | scheduler CPU (% of one core) | oldest probe seen (s) | nodes not alive |" ;;
esac
median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else printf "%.2f\n", (v[NR/2]+v[NR/2+1])/2}'; }
figure() { grep "^$1|" "$out/rows" | cut -d'|' -f5- | awk -F'|' -v c="$col" '{gsub(/ /,"",$c); print $c}' | median; }
mb=$(figure before); ma=$(figure after)
{
  echo
  echo "## $title (bench/scheduler_compare.sh $kind)"
  echo
  echo "- date: $started"
  echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1), load average (1, 5, 15 min) $load_start at the start, $load_end at the end; shared with other builds"
  echo "- command: \`bench/scheduler_compare.sh $kind $rounds\`$( [ -n "${LEASES:-}${WORKERS:-}${WINDOW:-}" ] && echo " with LEASES=${LEASES:-} WORKERS=${WORKERS:-} WINDOW=${WINDOW:-}")"
  echo "- before: commit $(git rev-parse --short "$rev") (the parent of $(git rev-parse --short "$first"), which added ClaimQueue), its own benchmark code; after: commit $(git rev-parse --short HEAD); $rounds rounds, before and after alternating, the order flipped every round"
  echo "- figure compared: median over rounds of column $col of each side's row: before $mb, after $ma"
  echo
  echo "$header"
  echo "|---|---|---|$(echo "$header" | awk -F'|' '{for (i=5;i<NF;i++) printf "---|"}')"
  while IFS='|' read -r side round l0 l1 rest; do echo "| $side | $round | $l0 |${rest#|}"; done <"$out/rows"
} | tee -a "${REPORT:-docs/benchmarks.md}"
rm -rf "$out"
