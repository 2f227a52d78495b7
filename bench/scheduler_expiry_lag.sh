#!/usr/bin/env bash
# bench/scheduler_expiry_lag: 40 leases on sandbox workers end 250 ms apart under 2 schedulers;
# measures from leased_until until the client user is gone from the worker.
# Needs root and openssh-server. Prints the figures and appends them to docs/benchmarks.md.
# Usage: bench/scheduler_expiry_lag.sh [workers]   (default 40)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/scheduler_lib.sh
bench_java dev.orion.scheduler.bench.ExpiryLagBench "${1:-40}" "${@:2}"
