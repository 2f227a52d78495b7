#!/usr/bin/env bash
# bench/jobs: dispatch latency of jobs on warm sandbox workers (due -> process started, one job at
# a time) and a burst of short jobs through several schedulers, each attempt with a fresh user,
# starts counted by a marker on the workers. Needs root and openssh-server. Prints the figures.
# Usage: bench/jobs.sh [workers=4] [schedulers=2] [burst=200]
#
# bench/jobs.sh fleet [workers=50] [schedulers=3] [burst=1000] [kill_run=1000] [warm]: throughput of short
# jobs through scheduler processes, lost and double starts counted by a marker per start, the time
# of each phase of an attempt, and a run in which one scheduler process is SIGKILLed a quarter of
# the way through. warm: jobs run before the burst (default the larger of 300 and 2 × workers).
# Appends its figures to docs/benchmarks.md. Takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/scheduler_lib.sh
if [ "${1:-}" = fleet ]; then
  shift
  bench_java dev.orion.scheduler.bench.JobsFleetBench "${1:-50}" "${2:-3}" "${3:-1000}" "${4:-1000}" docs/benchmarks.md "${5:-0}"
else
  bench_java dev.orion.scheduler.bench.JobsBench "$@"
fi
