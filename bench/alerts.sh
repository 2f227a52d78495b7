#!/usr/bin/env bash
# Alertmanager webhook throughput on a running ./orion up stack: POST /api/alerts/alertmanager
# with one payload of N firing alerts (default 1000) about the stack's workers, through the
# replica pool as Alertmanager sends it, then the same payload again (a repeat: every row
# rewritten), then all resolved. Baseline in the same run: an empty delivery (0 alerts).
#   bench/alerts.sh [alerts] [rounds]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-1000}
ROUNDS=${2:-5}
. "$ROOT/.orion/stack.env"
URL="http://127.0.0.1:${ORION_POOL_PORT:-8090}/api/alerts/alertmanager"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The workers ./orion up launched are worker-1..worker-K; alerts spread over them.
K=$(ls -d "$ROOT/.orion/workers"/*/ 2>/dev/null | wc -l)
[ "$K" -gt 0 ] || { echo "no workers under .orion/workers: run ./orion up first" >&2; exit 1; }

payload() { # payload STATUS COUNT
  local status=$1 count=$2 i sep=""
  printf '{"version":"4","groupKey":"bench","status":"%s","receiver":"orion","truncatedAlerts":0,"alerts":[' "$status"
  for ((i = 0; i < count; i++)); do
    printf '%s{"status":"%s","labels":{"alertname":"OrionNodeCpuHigh","node":"worker-%d","pool":"default","bench":"%d"},"annotations":{"summary":"bench"},"startsAt":"2026-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"%016x"}' \
      "$sep" "$status" $((i % K + 1)) "$i" $((0xbe000000 + i))
    sep=","
  done
  printf ']}'
}
payload firing "$N" >"$WORK/firing.json"
payload resolved "$N" >"$WORK/resolved.json"
payload firing 0 >"$WORK/empty.json"

post() { # post FILE: prints seconds and the answer
  curl -sS -o "$WORK/answer" -w '%{time_total}' -XPOST "$URL" -H "Authorization: Bearer $ORION_ALERT_TOKEN" \
    -H 'Content-Type: application/json' --data-binary @"$1"
  echo " $(cat "$WORK/answer")"
}

echo "payload: $N alerts, $(wc -c <"$WORK/firing.json") bytes, $K workers"
for ((r = 1; r <= ROUNDS; r++)); do
  echo "round $r empty:    $(post "$WORK/empty.json")"
  echo "round $r firing:   $(post "$WORK/firing.json")"
  echo "round $r repeat:   $(post "$WORK/firing.json")"
  echo "round $r resolved: $(post "$WORK/resolved.json")"
done
