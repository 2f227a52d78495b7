#!/usr/bin/env bash
# Jobs on a running ./orion up stack: the SimpleJob "pi" example (50 digits with bc on a warm
# worker), a job that fails twice and succeeds on its third attempt after Kubernetes' back-off
# (10 s, 20 s), a cron job firing every minute with its history, and a cancel that kills the
# running process group. Each job runs as a throwaway user on a worker of pool "default" taken
# through an internal lease, which is freed (and scrubbed) when the attempt ends.
# Needs jq and a stack started with ./orion up (and its jobs API). Takes about three minutes.
# Usage: ./demo_jobs.sh
set -euo pipefail
cd "$(dirname "$0")"
die() { echo "demo_jobs.sh: $*" >&2; exit 2; }
[ -f .orion/stack.env ] || die "no running stack: start one with ./orion up"
command -v jq >/dev/null || die "jq not found: apt-get install jq"
# shellcheck disable=SC1091
. .orion/stack.env
export CURL_CA_BUNDLE="$ORION_CA_CERT"
step() { printf '\n== %s (%s UTC)\n' "$*" "$(date -u +%H:%M:%S)"; }

USERNAME="jobs$RANDOM"
curl -sf -XPOST "$ORION_URL/api/signup" -H 'Content-Type: application/json' \
  -d "{\"username\":\"$USERNAME\",\"password\":\"demo-password-1\"}" >/dev/null
TOKEN=$(curl -sf -XPOST "$ORION_URL/api/login" -H 'Content-Type: application/json' \
  -d "{\"username\":\"$USERNAME\",\"password\":\"demo-password-1\"}" | jq -r .token)
api() { curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
status() { api "$ORION_URL/api/jobs/$1" | jq -r .status; }
wait_for() { # DESCRIPTION SECONDS COMMAND...
  local what=$1 limit=$2; shift 2
  for _ in $(seq "$limit"); do "$@" && return 0; sleep 1; done
  die "timed out waiting for: $what"
}
finished() { case "$(status "$1")" in succeeded|failed|cancelled) return 0;; *) return 1;; esac; }
show() { api "$ORION_URL/api/jobs/$1" | jq -c '{job_id, name, status, reason, attempts: [.attempts[]? | {attempt, node_id, exit_code, reason, started_at, ended_at}]}'; }

step "the SimpleJob pi example, as SimpleJob sends it"
PI=$(api -XPOST "$ORION_URL/api/jobs" -d '{"name":"pi","namespace":"default","maxRetries":4,
  "containers":[{"name":"pi","command":["sh","-c"],"args":["echo \"scale=50; 4*a(1)\" | bc -l"]}]}' | jq -r .job_id)
[ "$PI" != null ] || die "POST /api/jobs refused the SimpleJob body"
wait_for "pi finished" 60 finished "$PI"
show "$PI"
echo "  log: $(api "$ORION_URL/api/jobs/$PI/logs" | tr -d '\\\n')"

step "a job that fails twice, then succeeds (back-off 10 s, then 20 s)"
UNTIL=$(( $(date +%s) + 25 ))
FLAKY=$(api -XPOST "$ORION_URL/api/jobs" -d "{\"name\":\"flaky\",\"pool\":\"default\",\"max_retries\":3,
  \"command\":[\"sh\",\"-c\",\"date -u +%T; if [ \$(date +%s) -lt $UNTIL ]; then echo not yet; exit 1; fi; echo ok\"]}" \
  | jq -r .job_id)
for _ in $(seq 60); do
  S=$(api "$ORION_URL/api/jobs/$FLAKY" | jq -c '{status, reason, attempts: (.attempts | length)}')
  [ "$S" != "${LAST:-}" ] && echo "  $(date -u +%T) $S" && LAST=$S
  finished "$FLAKY" && break
  sleep 1
done
show "$FLAKY"
for n in 1 2 3; do echo "  attempt $n log: $(api "$ORION_URL/api/jobs/$FLAKY/logs?attempt=$n" | tr '\n' ' ')"; done

step "a cron job every minute"
CRON=$(api -XPOST "$ORION_URL/api/scheduled" -d '{"name":"tick","pool":"default","cron":"* * * * *",
  "timezone":"UTC","command":["sh","-c","date -u +%T; hostname"]}')
CRON_ID=$(echo "$CRON" | jq -r .scheduled_id)
if [ "$CRON_ID" = null ]; then
  echo "  cron jobs are not available on this stack: $(echo "$CRON" | jq -c .)"
else
  echo "$CRON" | jq -c '{scheduled_id, cron, next_runs: (.next_runs[:2])}'
  trap 'api -XDELETE "$ORION_URL/api/scheduled/$CRON_ID" >/dev/null || true' EXIT
  wait_for "two fires" 150 bash -c "[ \"\$(curl -s -H 'Authorization: Bearer $TOKEN' $ORION_URL/api/scheduled/$CRON_ID/jobs | jq '[.[] | select(.status == \"succeeded\")] | length')\" -ge 2 ]"
  api "$ORION_URL/api/scheduled/$CRON_ID/jobs" | jq -c '.[] | {job_id, name, status}'
fi

step "a cancel kills the running process group and cleans the worker"
LONG=$(api -XPOST "$ORION_URL/api/jobs" -d '{"name":"long","pool":"default","command":["sh","-c","echo working; sleep 600"]}' | jq -r .job_id)
wait_for "the long job running" 30 bash -c "[ \"\$(curl -s -H 'Authorization: Bearer $TOKEN' $ORION_URL/api/jobs/$LONG | jq -r .status)\" = running ]"
sleep 2
show "$LONG"
api -XDELETE "$ORION_URL/api/jobs/$LONG" -o /dev/null -w '  DELETE %{http_code}\n'
wait_for "the long job cancelled" 30 finished "$LONG"
show "$LONG"
echo "  log: $(api "$ORION_URL/api/jobs/$LONG/logs" | tr '\n' ' ')"
api -XDELETE "$ORION_URL/api/jobs/$LONG" -o /dev/null -w '  DELETE again: %{http_code} (a finished job)\n'
echo
echo "done"
