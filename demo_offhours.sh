#!/usr/bin/env bash
# Pools that sleep off-hours, on a running ./orion up stack: two sandbox workers join pool "demo",
# whose schedule puts it to sleep at the next minute and wakes it two minutes later. Shows the
# workers suspending (their SSH ports close), a rent refused with the pool's wake time, a manual
# wake, and the exact restore: the same nodes, addresses, ports and host keys as before.
# Needs root, jq and a stack started with ./orion up. Takes about four minutes.
# Usage: ./demo_offhours.sh
set -euo pipefail
cd "$(dirname "$0")"
ROOT="$(pwd)"
die() { echo "demo_offhours.sh: $*" >&2; exit 2; }
[ -f .orion/stack.env ] || die "no running stack: start one with ./orion up"
command -v jq >/dev/null || die "jq not found: apt-get install jq"
# shellcheck disable=SC1091
. .orion/stack.env
export CURL_CA_BUNDLE="$ORION_CA_CERT"
step() { printf '\n== %s (%s UTC)\n' "$*" "$(date -u +%H:%M:%S)"; }

ADMIN=$(jq -n --arg u "$ORION_ADMIN_USERNAME" --arg p "$ORION_ADMIN_PASSWORD" '{username:$u,password:$p}' \
  | curl -sf -XPOST "$ORION_URL/api/login" -H 'Content-Type: application/json' -d @- | jq -r .token)
USERNAME="demo$RANDOM"
curl -sf -XPOST "$ORION_URL/api/signup" -H 'Content-Type: application/json' \
  -d "{\"username\":\"$USERNAME\",\"password\":\"demo-password-1\"}" >/dev/null
USER_TOKEN=$(curl -sf -XPOST "$ORION_URL/api/login" -H 'Content-Type: application/json' \
  -d "{\"username\":\"$USERNAME\",\"password\":\"demo-password-1\"}" | jq -r .token)
api() { curl -s -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' "$@"; }
demo_nodes() { api "$ORION_URL/api/nodes" | jq -c '[.[] | select(.pool == "demo") | {node_id, hostname, status, ip, ssh_port, host_key_fingerprint}] | sort_by(.hostname)'; }
ports() { # prints "name: open|closed" per demo worker, from the launcher's records
  for d in .orion/workers/demo-*/; do
    local a p; a=$(cat "$d/address"); p=$(cat "$d/port")
    if timeout 1 bash -c "exec 3<>/dev/tcp/$a/$p" 2>/dev/null; then s=open; else s=closed; fi
    echo "  $(basename "$d") $a:$p ssh $s"
  done
}
count() { api "$ORION_URL/api/pools/demo" | jq -r ".nodes.$1 // 0"; }
wait_for() { # DESCRIPTION SECONDS COMMAND...
  local what=$1 limit=$2; shift 2
  for _ in $(seq "$limit"); do "$@" && return 0; sleep 1; done
  die "timed out waiting for: $what"
}

step "two sandbox workers join pool demo"
./launch_workers.sh 2 --prefix demo --pool demo --base-port 22100 --api "$ORION_AGENT_URL" \
  --token "$ORION_AGENT_TOKEN" --admin-key .orion/admin_ed25519.pub | sed 's/^/  /'
wait_for "2 demo workers alive" 90 bash -c "[ \"\$(curl -s -H 'Authorization: Bearer $ADMIN' $ORION_URL/api/pools/demo | jq -r '.nodes.alive // 0')\" = 2 ]"
# The grace period keeps just-registered workers awake; the demo sets it to 0.
api -XPUT "$ORION_URL/api/pools/demo" -d '{"driver":"sandbox","grace_period_minutes":0,"user_wake_minutes":5}' \
  | jq -c '{pool, desired, nodes, settings}'
BEFORE=$(demo_nodes)
echo "  $BEFORE"
ports

STOP=$(date -u -d '+1 min' '+%-M %-H')
START=$(date -u -d '+3 min' '+%-M %-H')
step "schedule: sleep at $(date -u -d '+1 min' +%H:%M), wake at $(date -u -d '+3 min' +%H:%M) UTC"
SCHEDULE=$(api -XPOST "$ORION_URL/api/schedules" \
  -d "{\"pool\":\"demo\",\"cron_stop\":\"$STOP * * *\",\"cron_start\":\"$START * * *\",\"timezone\":\"UTC\"}")
echo "$SCHEDULE" | jq -c '{id, pool, cron_stop, cron_start, next_transitions: [.next_transitions[:2][] | "\(.action) \(.at)"]}'
SCHEDULE_ID=$(echo "$SCHEDULE" | jq -r .id)
cleanup() {
  api -XDELETE "$ORION_URL/api/schedules/$SCHEDULE_ID" >/dev/null || true
}
trap cleanup EXIT

step "waiting for the pool to sleep"
wait_for "2 demo workers suspended" 150 bash -c "[ \"\$(curl -s -H 'Authorization: Bearer $ADMIN' $ORION_URL/api/pools/demo | jq -r '.nodes.suspended // 0')\" = 2 ]"
api "$ORION_URL/api/pools/demo" | jq -c '{pool, desired, nodes, next_transition}'
ports

step "a rent that needs the sleeping workers is refused, naming when the pool wakes"
FREE=$(api "$ORION_URL/api/nodes" | jq '[.[] | select(.status == "alive" and (.allocated | not))] | length')
curl -s -XPOST "$ORION_URL/api/rent" -H "Authorization: Bearer $USER_TOKEN" -H 'Content-Type: application/json' \
  -d "{\"duration_minutes\":10,\"count\":$((FREE + 1))}" | jq -r '"  \(.status) \(.detail)"'

step "an admin wakes the pool now, for one minute"
api -XPOST "$ORION_URL/api/pools/demo/wake" -d '{"for_minutes":1}' -o /dev/null -w '  %{http_code}\n'
wait_for "2 demo workers alive again" 60 bash -c "[ \"\$(curl -s -H 'Authorization: Bearer $ADMIN' $ORION_URL/api/pools/demo | jq -r '.nodes.alive // 0')\" = 2 ]"
ports

step "the exact restore: same nodes, addresses, ports and host keys"
AFTER=$(demo_nodes)
echo "  before: $(echo "$BEFORE" | jq -c 'map(del(.status))')"
echo "  after:  $(echo "$AFTER" | jq -c 'map(del(.status))')"
[ "$(echo "$BEFORE" | jq -c 'map(del(.status))')" = "$(echo "$AFTER" | jq -c 'map(del(.status))')" ] \
  && echo "  identical" || die "the restored workers differ"

step "the manual wake runs out; the schedule sleeps the pool until its start time, then wakes it"
wait_for "the pool asleep again" 120 bash -c "[ \"\$(curl -s -H 'Authorization: Bearer $ADMIN' $ORION_URL/api/pools/demo | jq -r '.nodes.suspended // 0')\" = 2 ]"
ports
wait_for "the scheduled wake" 150 bash -c "[ \"\$(curl -s -H 'Authorization: Bearer $ADMIN' $ORION_URL/api/pools/demo | jq -r '.nodes.alive // 0')\" = 2 ]"
ports
api "$ORION_URL/api/pools/demo" | jq -c '{pool, desired, nodes, node_hours_saved_7d}'
[ "$(demo_nodes | jq -c 'map(del(.status))')" = "$(echo "$BEFORE" | jq -c 'map(del(.status))')" ] \
  && echo "  restored exactly again" || die "the restored workers differ"
echo
echo "done; the demo workers keep running in pool demo (./orion down stops them)"
