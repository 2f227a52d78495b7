#!/usr/bin/env bash
# Autoscaling demo: CPU load sent through Caddy over HTTPS makes the API tier grow, requests
# spread over the new replicas (counted per replica), and the tier shrinks once the load stops.
# It runs its own small stack (embedded MariaDB, pool and edge Caddy, autoscaler) on ports of
# its own, so it does not disturb a running ./orion up, and stops it all at the end.
#
#   ./demo_autoscaling.sh [load-seconds]      (default 45)
#
# Needs: java 17, maven, caddy, curl, ssh-keygen. Builds the jars when they are missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"
LOAD_SECONDS=${1:-45}
CLIENTS=${DEMO_CLIENTS:-8}
export ORION_HOME=${DEMO_HOME:-$ROOT/.orion/demo}
export ORION_HTTPS_PORT=${DEMO_HTTPS_PORT:-9443} ORION_AGENT_PORT=${DEMO_AGENT_PORT:-9080}
export ORION_POOL_PORT=${DEMO_POOL_PORT:-9090}
# Both Caddys' admin APIs are unix sockets under $ORION_HOME/caddy/admin (scripts/edge.sh).
export ORION_AUTOSCALER_FIRST_PORT=${DEMO_FIRST_REPLICA_PORT:-9101}
# Small and quick so the demo fits in a minute or two: 1 to 3 replicas, 2 s ticks, 20 s window.
export ORION_AUTOSCALER_MIN=1 ORION_AUTOSCALER_MAX=3 ORION_AUTOSCALER_TARGET_CPU=50
export ORION_AUTOSCALER_INTERVAL=2s ORION_AUTOSCALER_SCALE_DOWN_WINDOW=20s ORION_AUTOSCALER_CPU_WARMUP=6s
# One warm spare: ready but out of Caddy, it joins at the first scale-up without a JVM start.
export ORION_AUTOSCALER_WARM_SPARES=1
DB_PORT=${DEMO_DB_PORT:-13406}
PIDS=$ORION_HOME/pids
LOGS=$ORION_HOME/logs
ADMIN_SOCKET=$ORION_HOME/caddy/admin/pool.sock
URL=https://localhost:$ORION_HTTPS_PORT

say() { printf '\n== %s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }
for tool in java mvn caddy curl ssh-keygen; do
  command -v "$tool" >/dev/null || die "$tool is missing (Debian: apt-get install caddy curl openssh-client maven openjdk-17-jdk-headless)"
done

cleanup() {
  say "stopping the demo stack"
  scripts/edge.sh stop || true
  if [[ -f $PIDS/localdb.pid ]]; then
    kill "$(cat "$PIDS/localdb.pid")" 2>/dev/null || true
    rm -f "$PIDS/localdb.pid"
  fi
}
trap cleanup EXIT

if [[ ! -f api/target/orion-api.jar || ! -f autoscaler/target/orion-autoscaler.jar || ! -f localdb/target/orion-localdb.jar ]]; then
  say "building the jars"
  mvn -B -q -pl localdb,api,autoscaler -am package -DskipTests
fi

mkdir -p "$PIDS" "$LOGS"
say "starting the embedded MariaDB on 127.0.0.1:$DB_PORT"
# Passwords for the demo's own server: no account of it is left without one.
DB_APP_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -dc A-Za-z0-9)
DB_MIGRATE_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -dc A-Za-z0-9)
[[ -f $ORION_HOME/db-root.secret ]] || (umask 077; head -c 24 /dev/urandom | base64 | tr -dc A-Za-z0-9 >"$ORION_HOME/db-root.secret")
ORION_LOCALDB_ROOT_PASSWORD=$(cat "$ORION_HOME/db-root.secret") ORION_LOCALDB_APP_PASSWORD=$DB_APP_PASSWORD \
  ORION_LOCALDB_MIGRATE_PASSWORD=$DB_MIGRATE_PASSWORD \
  ORION_LOCALDB_HOME=$ORION_HOME/mariadb ORION_LOCALDB_PORT=$DB_PORT ORION_LOCALDB_DATABASE=orion \
  nohup java -jar localdb/target/orion-localdb.jar >"$LOGS/localdb.log" 2>&1 &
echo $! >"$PIDS/localdb.pid"
for _ in $(seq 300); do grep -q "localdb ready" "$LOGS/localdb.log" && break; sleep 0.2; done
grep -q "localdb ready" "$LOGS/localdb.log" || die "MariaDB did not start: $LOGS/localdb.log"

# The API's environment; the autoscaler hands it to every replica it starts.
export ORION_DB_URL=jdbc:mariadb://127.0.0.1:$DB_PORT/orion ORION_DB_USER=orion ORION_DB_PASSWORD=$DB_APP_PASSWORD
export ORION_DB_MIGRATE_USER=orion_migrate ORION_DB_MIGRATE_PASSWORD=$DB_MIGRATE_PASSWORD
export ORION_JWT_SECRET=$(head -c 32 /dev/urandom | base64 | tr -dc A-Za-z0-9)0123456789abcdef
export ORION_AGENT_TOKEN=$(head -c 24 /dev/urandom | base64 | tr -dc A-Za-z0-9)0123456789
export ORION_ADMIN_USERNAME=admin ORION_ADMIN_PASSWORD=$(head -c 12 /dev/urandom | base64 | tr -dc A-Za-z0-9)
[[ -f $ORION_HOME/admin_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C orion-demo -f "$ORION_HOME/admin_ed25519"
export ORION_SSH_KEY=$ORION_HOME/admin_ed25519

say "starting Caddy (edge + pool) and the autoscaler"
scripts/edge.sh start
CA=$(scripts/edge.sh env | sed -n 's/^ORION_CA_CERT=//p')
echo "clients trust Caddy's internal CA: $CA"

api() { curl -sS --cacert "$CA" "$@"; }
api -o /dev/null -X POST "$URL/api/signup" -H 'Content-Type: application/json' \
  -d '{"username":"demo","password":"demo-password-1"}'
upstreams() { curl -s --unix-socket "$ADMIN_SOCKET" http://localhost/id/orion_api_0/upstreams | tr -d '\n'; }
decisions() { grep -E "scale [0-9]+ -> |joining Caddy|STANDBY|promoted|instead of stand by|-> LEAVING|stopped" "$LOGS/autoscaler.log" | sed 's/ \[autoscaler-[a-z]*\] INFO / /; s/^/  /'; }

for _ in $(seq 300); do grep -q "STANDBY" "$LOGS/autoscaler.log" && break; sleep 0.2; done
say "Caddy's replica pool before the load: $(upstreams) (plus one warm spare outside it)"

say "load: $CLIENTS clients logging in (bcrypt, CPU-bound) through $URL for ${LOAD_SECONDS}s"
: >"$ORION_HOME/answers.txt"
end=$((SECONDS + LOAD_SECONDS))
loops=()
for c in $(seq "$CLIENTS"); do
  (
    while ((SECONDS < end)); do
      api -o /dev/null -D - -X POST "$URL/api/login" -H 'Content-Type: application/json' \
        -d '{"username":"demo","password":"demo-password-1"}' -w '%{http_code}\n' |
        awk 'tolower($1) == "x-orion-replica:" {r=$2} /^[0-9][0-9][0-9]$/ {s=$1} END {gsub("\r","",r); print s, r}' \
        >>"$ORION_HOME/answers.txt" || echo "000 -" >>"$ORION_HOME/answers.txt"
    done
  ) &
  loops+=($!)
done
while ((SECONDS < end)); do
  sleep 5
  printf '  t-%3ss  replicas in Caddy: %s\n' $((end - SECONDS)) "$(upstreams)"
done
wait "${loops[@]}"

say "the autoscaler's decisions during the load (from $LOGS/autoscaler.log)"
decisions

say "requests per replica (status, replica that answered)"
sort "$ORION_HOME/answers.txt" | uniq -c | sort -rn
failed=$(awk '$1 !~ /^2/' "$ORION_HOME/answers.txt" | wc -l)
echo "  $(wc -l <"$ORION_HOME/answers.txt") requests, $failed failed"

say "load stopped: waiting for the scale-down (20 s stabilisation window, one replica per step)"
for _ in $(seq 60); do
  n=$(upstreams | grep -o '"dial"' | wc -l)
  printf '  replicas in Caddy: %s\n' "$(upstreams)"
  ((n <= ORION_AUTOSCALER_MIN)) && break
  sleep 5
done

say "every decision of the run"
decisions
scripts/edge.sh status
