#!/usr/bin/env bash
# Orion's edge for the local stack: the replica pool Caddy (Caddyfile.pool), the edge Caddy
# (Caddyfile) and the autoscaler, which starts the API replicas as its child processes.
#
#   scripts/edge.sh start    start all three, wait until a replica serves through HTTPS
#   scripts/edge.sh stop     stop the autoscaler (it stops its replicas), then both Caddys
#   scripts/edge.sh status   role, PID, port and state of every edge process and replica
#   scripts/edge.sh env      the stack.env lines: ORION_URL, ORION_AGENT_URL, ORION_CA_CERT
#
# The API's own variables (ORION_DB_URL, ORION_DB_USER, ORION_DB_PASSWORD, ORION_JWT_SECRET,
# ORION_AGENT_TOKEN, ORION_ADMIN_*, ORION_SSH_KEY) must be exported: the autoscaler passes its
# environment to every replica. The first replica migrates the schema, the others validate;
# ORION_DB_MIGRATE_USER and ORION_DB_MIGRATE_PASSWORD (the migration account) reach only the
# autoscaler, which hands them to the migrating replica alone.
# Optional: ORION_HOME (.orion), ORION_HTTPS_PORT (8443), ORION_AGENT_PORT (8080),
# ORION_POOL_PORT (8090), ORION_CADDY_ADMIN and ORION_EDGE_ADMIN (the Caddys' admin APIs: unix
# sockets pool.sock and edge.sock in $ORION_HOME/caddy/admin, a directory only root may enter),
# ORION_AUTOSCALER_* (see AutoscalerConfig; MIN defaults to 2), ORION_EDGE_WAIT (120 seconds).
# Needs: caddy (Debian package), java 17, api and autoscaler jars (mvn -pl api,autoscaler -am
# package). Stops only the processes whose PIDs it wrote under $ORION_HOME/pids.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ORION_HOME=$(mkdir -p "${ORION_HOME:-$ROOT/.orion}" && cd "${ORION_HOME:-$ROOT/.orion}" && pwd)
RUN=$ORION_HOME/pids
LOGS=$ORION_HOME/logs
CADDY_STATE=$ORION_HOME/caddy
HTTPS_PORT=${ORION_HTTPS_PORT:-8443}
AGENT_PORT=${ORION_AGENT_PORT:-8080}
POOL_PORT=${ORION_POOL_PORT:-8090}
# Admin APIs on unix sockets in a 0700 directory: on TCP, any local process (a tenant's worker
# included) could rewrite Caddy's config.
ADMIN_DIR=$CADDY_STATE/admin
CADDY_ADMIN=${ORION_CADDY_ADMIN:-unix/$ADMIN_DIR/pool.sock}
EDGE_ADMIN=${ORION_EDGE_ADMIN:-unix/$ADMIN_DIR/edge.sock}
CA_CERT=$CADDY_STATE/edge-data/caddy/pki/authorities/local/root.crt
API_JAR=${ORION_AUTOSCALER_API_JAR:-$ROOT/api/target/orion-api.jar}
AUTOSCALER_JAR=${ORION_AUTOSCALER_JAR:-$ROOT/autoscaler/target/orion-autoscaler.jar}

die() { echo "edge: $*" >&2; exit 1; }

alive() { [[ -f "$RUN/$1.pid" ]] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

# HTTP status of GET http://host:port/path, 000 when nothing answers (no curl needed).
http_status() {
  ( exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf 'GET %s HTTP/1.0\r\nHost: %s:%s\r\n\r\n' "$3" "$1" "$2" >&3
    read -r -t 5 line <&3 || exit 1
    line=${line#HTTP/* }
    echo "${line:0:3}" ) 2>/dev/null || echo 000
}

wait_for() { # seconds description command...
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@"; do
    ((SECONDS < deadline)) || die "$what not within ${limit}s (logs: $LOGS)"
    sleep 0.2
  done
}

start_caddy() { # role caddyfile port-that-answers
  local role=$1 file=$2 port=$3
  alive "caddy-$role" && { echo "edge: caddy-$role already running"; return; }
  mkdir -p "$CADDY_STATE/$role-data" "$CADDY_STATE/$role-config" "$ADMIN_DIR"
  chmod 700 "$ADMIN_DIR"
  # A socket file left by a Caddy that was killed would make the new one fail to listen.
  local admin
  [[ $role == pool ]] && admin=$CADDY_ADMIN || admin=$EDGE_ADMIN
  [[ $admin == unix/* ]] && rm -f "${admin#unix/}"
  XDG_DATA_HOME=$CADDY_STATE/$role-data XDG_CONFIG_HOME=$CADDY_STATE/$role-config \
    ORION_HTTPS_PORT=$HTTPS_PORT ORION_AGENT_PORT=$AGENT_PORT ORION_POOL_PORT=$POOL_PORT \
    ORION_POOL_ADDRESS=127.0.0.1:$POOL_PORT ORION_CADDY_ADMIN=$CADDY_ADMIN \
    ORION_EDGE_ADMIN=$EDGE_ADMIN \
    nohup env -u ORION_DB_MIGRATE_PASSWORD -u ORION_DB_PASSWORD -u ORION_JWT_SECRET -u ORION_ADMIN_PASSWORD \
      -u ORION_AGENT_TOKEN -u ORION_ALERT_TOKEN caddy run --config "$file" --adapter caddyfile >"$LOGS/caddy-$role.log" 2>&1 &
  echo $! >"$RUN/caddy-$role.pid"
  echo "$port" >"$RUN/caddy-$role.port" # what `./orion status` probes
}

admin_up() { # address: unix//path.sock or host:port
  if [[ $1 == unix/* ]]; then
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --unix-socket "${1#unix/}" http://localhost/config/) == 200 ]]
  else
    [[ $(http_status "${1%:*}" "${1##*:}" /config/) == 200 ]]
  fi
}

serving() { # at least one replica answers through the pool
  [[ $(http_status 127.0.0.1 "$POOL_PORT" /api/ready) == 200 ]]
}

start() {
  command -v caddy >/dev/null || die "caddy is not installed (apt-get install caddy)"
  command -v java >/dev/null || die "java 17 is not installed"
  [[ -f $API_JAR ]] || die "no API jar at $API_JAR (mvn -B -pl api -am package)"
  [[ -f $AUTOSCALER_JAR ]] || die "no autoscaler jar at $AUTOSCALER_JAR (mvn -B -pl autoscaler -am package)"
  mkdir -p "$RUN" "$LOGS"
  start_caddy pool "$ROOT/Caddyfile.pool" "$POOL_PORT"
  start_caddy edge "$ROOT/Caddyfile" "$AGENT_PORT"
  wait_for 30 "pool Caddy admin API on $CADDY_ADMIN" admin_up "$CADDY_ADMIN"
  wait_for 30 "edge Caddy admin API on $EDGE_ADMIN" admin_up "$EDGE_ADMIN"
  wait_for 30 "Caddy's internal CA at $CA_CERT" test -f "$CA_CERT"
  if ! alive autoscaler; then
    # Replicas left by an autoscaler that was killed outright: nobody manages them any more.
    for f in "$RUN"/api-*.pid; do [[ -e $f ]] && stop_pid "$(basename "$f" .pid)"; done
    ORION_HOME=$ORION_HOME ORION_CADDY_ADMIN=$CADDY_ADMIN ORION_AUTOSCALER_API_JAR=$API_JAR \
      nohup java -Xmx128m -jar "$AUTOSCALER_JAR" >"$LOGS/autoscaler.log" 2>&1 &
    echo $! >"$RUN/autoscaler.pid"
    echo "${ORION_METRICS_PORT:-9490}" >"$RUN/autoscaler.port" # its /health
  fi
  wait_for "${ORION_EDGE_WAIT:-120}" "an API replica serving" serving
  status
}

stop_pid() { # name: SIGTERM, then SIGKILL after 20 s
  local name=$1 pid
  [[ -f "$RUN/$name.pid" ]] || return 0
  pid=$(cat "$RUN/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$RUN/$name.pid" "$RUN/$name.port"
}

stop() {
  stop_pid autoscaler # stops its replicas before it exits
  # Replicas left by an autoscaler that was killed outright.
  for f in "$RUN"/api-*.pid; do [[ -e $f ]] && stop_pid "$(basename "$f" .pid)"; done
  stop_pid caddy-edge
  stop_pid caddy-pool
}

# Whether each process really answers (scripts/probe.sh), not whether its PID lives.
status() {
  . "$ROOT/scripts/probe.sh"
  printf '%-12s %-8s %-22s %s\n' ROLE PID ADDRESS STATE
  local row name pid addr state ok url code
  for row in "caddy-edge|https :$HTTPS_PORT, http :$AGENT_PORT|http://127.0.0.1:$AGENT_PORT/" \
      "caddy-pool|127.0.0.1:$POOL_PORT|http://127.0.0.1:$POOL_PORT/" \
      "autoscaler|admin $CADDY_ADMIN|http://127.0.0.1:$(cat "$RUN/autoscaler.port" 2>/dev/null || echo 9490)/health"; do
    IFS='|' read -r name addr url <<<"$row"
    pid=$(cat "$RUN/$name.pid" 2>/dev/null || echo -)
    code=$(probe_http "$url")
    ok=1
    if [[ $name == autoscaler ]]; then [[ $code == 200 ]] && ok=0; else [[ $code != 000 ]] && ok=0; fi
    printf '%-12s %-8s %-22s %s\n' "$name" "$pid" "$addr" "$(probe_state "$pid" "$ok")"
  done
  for f in "$RUN"/api-*.pid; do
    [[ -e $f ]] || continue
    name=$(basename "$f" .pid); pid=$(cat "$f")
    code=$(probe_http "http://127.0.0.1:${name#api-}/api/ready")
    case $code in
      200) state=$(probe_state "$pid" 0) ;;
      000) state=$(probe_state "$pid" 1) ;;
      *) state=$(probe_state "$pid" 0); [[ $state == up ]] && state=not-ready ;;
    esac
    printf '%-12s %-8s %-22s %s\n' api "$pid" "127.0.0.1:${name#api-}" "$state"
  done
}

env_lines() {
  echo "ORION_URL=https://${ORION_DOMAIN:-localhost}:$HTTPS_PORT"
  echo "ORION_AGENT_URL=http://127.0.0.1:$AGENT_PORT"
  echo "ORION_CA_CERT=$CA_CERT"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) env_lines ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
