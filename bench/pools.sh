#!/usr/bin/env bash
# bench/pools: one reconciliation round over N pools with schedules (wall, CPU, database time),
# and sleep/wake of W real sandbox workers with the sandbox driver (needs root).
# Prints the figures and appends them to docs/benchmarks.md.
# Usage: bench/pools.sh [pools] [workers]   (defaults 1000 100; workers 0 skips the sandbox part)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/scheduler_lib.sh
bench_java dev.orion.scheduler.bench.PoolBench "${1:-1000}" "${2:-100}" docs/benchmarks.md
