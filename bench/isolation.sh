#!/usr/bin/env bash
# bench/isolation.sh — what a worker's own network namespace and cgroups cost a rent, measured
# side by side in one run on the stack of `./orion up`: rents through Caddy onto its isolated
# sandbox workers against rents onto one baseline worker started with the sandbox script from
# before isolation (sshd in the host's network, no cgroup, commit 19be4ac). Each round pins the
# rents to one kind by holding leases on the other kind, then swaps; the ratio is taken within a
# round (isolated p50 / baseline p50) and the median ratio is reported.
#
#   bench/isolation.sh [--rounds 5] [--rents 20]
#
# Needs the stack of ./orion up with at least 1 worker, root, curl, python3, git.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=5 RENTS=20
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    --rents) RENTS=$2; shift 2 ;;
    *) echo "usage: bench/isolation.sh [--rounds N] [--rents N]" >&2; exit 2 ;;
  esac
done
. "$ROOT/.orion/stack.env"
export CURL_CA_BUNDLE=$ORION_CA_CERT
curl -fs "$ORION_URL/api/ready" >/dev/null || { echo "./orion up first" >&2; exit 1; }

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
post() { curl -fsS -XPOST "$ORION_URL$1" -H 'Content-Type: application/json' ${TOKEN:+-H "Authorization: Bearer $TOKEN"} -d "${2:-}"; }

# The baseline worker: the old script, on 127.0.0.1, registered like an agent would.
WORK=$(mktemp -d)
git -C "$ROOT" show 19be4ac:sandbox/worker.sh >"$WORK/worker.sh"
BPORT=22190
setsid bash "$WORK/worker.sh" --name bench-baseline --port $BPORT --dir "$WORK/state" \
  --admin-key "$ROOT/.orion/admin_ed25519.pub" --watch-pid $$ >"$WORK/log" 2>&1 &
BPID=$!
trap 'kill -KILL $BPID 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do grep -q "Server listening" "$WORK/log" && break; sleep 0.1; done
key=$(cat "$WORK/state/ssh_host_ed25519_key.pub")
curl -fsS -XPOST "$ORION_AGENT_URL/api/workers/register" -H "Authorization: Bearer $ORION_AGENT_TOKEN" \
  -H 'Content-Type: application/json' \
  -d "{\"hostname\":\"bench-baseline\",\"ip\":\"127.0.0.1\",\"ssh_port\":$BPORT,\"host_key\":\"$key\"}" >/dev/null || true

USER_NAME="iso$(date +%s)"
post /api/signup "{\"username\":\"$USER_NAME\",\"password\":\"bench-pass-1\"}" >/dev/null
TOKEN=$(post /api/login "{\"username\":\"$USER_NAME\",\"password\":\"bench-pass-1\"}" | json "d['token']")

rent() { post /api/rent '{"duration_minutes":10}'; }
# pin KIND: rent every free worker, then release those of KIND, so the next rents go to KIND only.
hold=()
pin() {
  local kind=$1 r ip id keep=()
  while r=$(rent 2>/dev/null); do
    hold+=("$(json "d[0]['rental_id']" <<<"$r") $(json "d[0]['host_ip']" <<<"$r")")
  done
  for h in "${hold[@]}"; do
    id=${h% *} ip=${h#* }
    if { [ "$kind" = baseline ] && [ "$ip" = 127.0.0.1 ]; } || { [ "$kind" = isolated ] && [ "$ip" != 127.0.0.1 ]; }; then
      post "/api/release/$id" >/dev/null
    else
      keep+=("$h")
    fi
  done
  hold=("${keep[@]}")
}
release_held() { for h in "${hold[@]}"; do post "/api/release/${h% *}" >/dev/null; done; hold=(); }

# Waits until the baseline node is free and clean (the scheduler scrubs a new node first).
for _ in $(seq 120); do
  r=$(rent 2>/dev/null || true)
  if [ -n "$r" ]; then
    id=$(json "d[0]['rental_id']" <<<"$r"); ip=$(json "d[0]['host_ip']" <<<"$r")
    post "/api/release/$id" >/dev/null
    [ "$ip" = 127.0.0.1 ] && break
  fi
  sleep 0.5
done

measure() { # prints the p50 in ms of RENTS rents, and checks they went to KIND
  local kind=$1 f out t ip id
  f=$(mktemp)
  for _ in $(seq "$RENTS"); do
    out=$(curl -sS -w '\n%{time_total}' -XPOST "$ORION_URL/api/rent" -H 'Content-Type: application/json' \
      -H "Authorization: Bearer $TOKEN" -d '{"duration_minutes":10}')
    t=$(tail -n1 <<<"$out"); ip=$(head -n1 <<<"$out" | json "d[0]['host_ip']"); id=$(head -n1 <<<"$out" | json "d[0]['rental_id']")
    if [ "$kind" = baseline ] && [ "$ip" != 127.0.0.1 ]; then echo "pinning failed" >&2; exit 1; fi
    if [ "$kind" = isolated ] && [ "$ip" = 127.0.0.1 ]; then echo "pinning failed" >&2; exit 1; fi
    echo "$t" >>"$f"
    post "/api/release/$id" >/dev/null
  done
  sort -n "$f" | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]*1000}'
  rm -f "$f"
}

ratios=() rows=""
for r in $(seq "$ROUNDS"); do
  pin baseline; b=$(measure baseline); release_held
  pin isolated; i=$(measure isolated); release_held
  ratio=$(awk -v i="$i" -v b="$b" 'BEGIN {printf "%.2f", i/b}')
  ratios+=("$ratio"); rows+="| $r | $b ms | $i ms | $ratio |"$'\n'
  echo "round $r: baseline p50 $b ms, isolated p50 $i ms, ratio $ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "median ratio isolated/baseline: $median"

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
report="### bench/isolation — $(date -u +%Y-%m-%dT%H:%MZ)

Rent → credentials through Caddy on the stack of \`./orion up\`: isolated sandbox workers (own network namespace, veth, nftables table, cpu/memory cgroups) against one baseline worker started from the pre-isolation script (commit 19be4ac), pinned by holding leases on the other kind, alternating within each round.
Machine: $(nproc) cores ($cpu), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end. Command: \`bench/isolation.sh --rounds $ROUNDS --rents $RENTS\`

| round | baseline p50 | isolated p50 | ratio |
|---|---|---|---|
${rows}
Median ratio isolated / baseline: **${median}** (1.00 = no cost).
"
printf '%s\n' "$report" >>"$ROOT/docs/benchmarks.md"
