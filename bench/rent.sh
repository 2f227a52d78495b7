#!/usr/bin/env bash
# bench/rent.sh — time from rent request to usable credentials, over sequential rents on sandbox
# workers (p50/p99), and the same user creation through Ansible against the same worker.
#
#   bench/rent.sh [--rents 200] [--ansible-runs 10]
#
# Uses the stack of ./orion up (started with 4 workers if it is not running). Prints the figures
# and appends them to docs/benchmarks.md. Needs root; installs ansible when missing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RENTS=200 ANSIBLE_RUNS=10
while [ $# -gt 0 ]; do
  case $1 in
    --rents) RENTS=$2; shift 2 ;;
    --ansible-runs) ANSIBLE_RUNS=$2; shift 2 ;;
    *) echo "usage: bench/rent.sh [--rents N] [--ansible-runs N]" >&2; exit 2 ;;
  esac
done

ready() {
  [ -f "$ROOT/.orion/stack.env" ] || return 1
  . "$ROOT/.orion/stack.env"
  export CURL_CA_BUNDLE=$ORION_CA_CERT # clients reach the API through Caddy over HTTPS
  curl -fs "$ORION_URL/api/ready" >/dev/null
}
ready || { "$ROOT/orion" up --workers 4 >/dev/null && ready; } || { echo "the stack is not ready" >&2; exit 1; }
command -v ansible-playbook >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ansible >/dev/null; }

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
post() { curl -fsS -XPOST "$ORION_URL$1" -H 'Content-Type: application/json' ${TOKEN:+-H "Authorization: Bearer $TOKEN"} -d "${2:-}"; }

USER_NAME="bench$(date +%s)"
post /api/signup "{\"username\":\"$USER_NAME\",\"password\":\"bench-pass-1\"}" >/dev/null
TOKEN=$(post /api/login "{\"username\":\"$USER_NAME\",\"password\":\"bench-pass-1\"}" | json "d['token']")

# Warm-up: the first rent on each worker opens its persistent admin connection.
for _ in 1 2 3 4 5; do
  id=$(post /api/rent '{"duration_minutes":10}' | json "d[0]['rental_id']"); post "/api/release/$id" >/dev/null
done

times=$(mktemp)
for _ in $(seq 1 "$RENTS"); do
  out=$(curl -sS -o /dev/stdout -w '\n%{time_total}' -XPOST "$ORION_URL/api/rent" \
        -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" -d '{"duration_minutes":10}')
  body=$(head -n1 <<<"$out"); t=$(tail -n1 <<<"$out")
  id=$(json "d[0]['rental_id']" <<<"$body")
  echo "$t" >>"$times"
  post "/api/release/$id" >/dev/null
done
pct() { sort -n "$times" | awk -v p="$1" '{a[NR]=$1} END {i=int((NR*p+99)/100); if(i<1)i=1; printf "%.1f", a[i]*1000}'; }
p50=$(pct 50); p99=$(pct 99)

# The same user creation through Ansible, against the first worker, with a key Orion generated.
w=$(ls -d "$ROOT"/.orion/workers/*/ | head -n1)
port=$(cat "$w/port")
hash=$(openssl passwd -6 'bench-pass-1')
atimes=$(mktemp)
for i in $(seq 1 "$ANSIBLE_RUNS"); do
  user="c_ansible$i"
  common=(-i "$(cat "$w/address")," -e ansible_port="$port" -e ansible_user=root
          -e ansible_ssh_private_key_file="$ROOT/.orion/admin_ed25519"
          -e "ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'"
          -e client_user="$user")
  start=$(date +%s%N)
  ANSIBLE_HOST_KEY_CHECKING=False ansible-playbook "${common[@]}" -e "password_crypt=$hash" \
    "$ROOT/playbooks/create_user.yml" >/dev/null
  end=$(date +%s%N)
  echo $(( (end - start) / 1000 )) | awk '{printf "%.6f\n", $1/1e6}' >>"$atimes"
  ANSIBLE_HOST_KEY_CHECKING=False ansible-playbook "${common[@]}" "$ROOT/playbooks/delete_user.yml" >/dev/null
done
ap50=$(sort -n "$atimes" | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]*1000}')
ratio=$(awk -v a="$ap50" -v b="$p50" 'BEGIN {printf "%.1f", a/b}')
rm -f "$times" "$atimes"

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
report="### bench/rent — $(date -u +%Y-%m-%dT%H:%MZ)

Through Caddy (HTTPS edge, pool, API replica) on the stack of \`./orion up\`, against its sandbox workers.
Machine: $(nproc) cores ($cpu), $(free -g | awk '/Mem:/{print $2}') GiB. Command: \`bench/rent.sh --rents $RENTS --ansible-runs $ANSIBLE_RUNS\`

| figure | measured | target |
|---|---|---|
| rent → credentials p50 ($RENTS sequential rents) | ${p50} ms | ≤ 60 ms |
| rent → credentials p99 | ${p99} ms | ≤ 250 ms |
| \`ansible-playbook playbooks/create_user.yml\` p50 ($ANSIBLE_RUNS runs, same worker) | ${ap50} ms | — |
| Orion faster than Ansible (p50 ratio) | ${ratio}× | ≥ 20× |
"
echo "$report"
[ -f "$ROOT/docs/benchmarks.md" ] || printf '# Benchmarks\n\nFigures measured by the scripts under `bench/`. Each run appends its section.\n\n' >"$ROOT/docs/benchmarks.md"
printf '%s\n' "$report" >>"$ROOT/docs/benchmarks.md"
