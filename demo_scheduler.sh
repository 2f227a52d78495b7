#!/usr/bin/env bash
# Three scheduler processes share one queue of 300 due leases through MariaDB (SELECT ... FOR
# UPDATE SKIP LOCKED plus claims). Prints each scheduler's count and proves from the database
# that no lease was handled twice. Needs only a JDK and Maven; the database is embedded.
# Usage: ./demo_scheduler.sh [leases] [schedulers]   (default 300 3)
set -euo pipefail
cd "$(dirname "$0")"
source bench/scheduler_lib.sh
bench_java dev.orion.scheduler.demo.SchedulerDemo "${1:-300}" "${2:-3}"
