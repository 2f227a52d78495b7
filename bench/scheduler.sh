#!/usr/bin/env bash
# bench/scheduler: 10,000 due expirations without SSH, handled by 1, 2 and 3 scheduler processes.
# Prints the figures and appends them to docs/benchmarks.md.
# Usage: bench/scheduler.sh [leases]   (default 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/scheduler_lib.sh
bench_java dev.orion.scheduler.bench.SchedulerBench "${1:-10000}" docs/benchmarks.md
