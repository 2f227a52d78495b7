#!/usr/bin/env bash
# bench/scheduler_health_cpu: the cost of health checks. Starts 300 sandbox workers and one scheduler
# (health loop only, 1 s interval) and reads the scheduler's CPU from /proc/PID/stat over 60 s.
# Needs root and openssh-server. Prints the figures and appends them to docs/benchmarks.md.
# Usage: bench/scheduler_health_cpu.sh [workers]   (default 300)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/scheduler_lib.sh
bench_java dev.orion.scheduler.bench.HealthCpuBench "${1:-300}" "${@:2}"
