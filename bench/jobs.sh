#!/usr/bin/env bash
# bench/jobs: dispatch latency of jobs on warm sandbox workers (due -> process started, one job at
# a time) and a burst of short jobs through several schedulers, each attempt with a fresh user,
# starts counted by a marker on the workers. Needs root and openssh-server. Prints the figures.
# Usage: bench/jobs.sh [workers=4] [schedulers=2] [burst=200]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/scheduler_lib.sh
bench_java dev.orion.scheduler.bench.JobsBench "$@"
