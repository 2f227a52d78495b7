#!/usr/bin/env bash
# bench/failover: 100 sandbox workers, 50 leased, 2 schedulers; kill 10 leased workers at once and
# time until each client's login works on its new worker. Needs root and openssh-server.
# Prints the figures and appends them to docs/benchmarks.md.
# Usage: bench/failover.sh [workers]   (default 100)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/scheduler_lib.sh
bench_java dev.orion.scheduler.bench.FailoverBench "${1:-100}" docs/benchmarks.md
