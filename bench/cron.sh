#!/usr/bin/env bash
# bench/cron: 1,000 cron jobs due in the same minute, fired by 3 scheduler processes; the lag of
# each job behind its scheduled time and the fires with other than exactly one job, over four
# minutes (cold, two more, one instance killed with SIGKILL). Prints the figures and appends them to
# docs/benchmarks.md. Takes about five minutes (it waits for the minutes to come).
# Usage: bench/cron.sh [cron_jobs]   (default 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/scheduler_lib.sh
bench_java dev.orion.scheduler.bench.CronBench "${1:-1000}" docs/benchmarks.md
