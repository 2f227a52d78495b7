#!/usr/bin/env bash
# bench/worker_latency: sandbox worker start, warm admin exec, client account create/delete on real
# sandbox workers (needs root and openssh-server). Prints the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/scheduler_lib.sh
bench_java dev.orion.scheduler.bench.WorkerLatencyBench
