#!/usr/bin/env bash
# Starts N workers (sshd + agent each) in the background and records them under
# .orion/workers/<name>/ (pid, port, worker.log, agent.log, host key). Idempotent: workers
# that already run are left alone, so `launch_workers.sh 5` means "make sure 5 run".
#
#   ./launch_workers.sh N [options]     start workers <prefix>-1 .. <prefix>-N
#   ./launch_workers.sh --status        list recorded workers and whether they run
#   ./launch_workers.sh --stop          SIGKILL every recorded worker by its PID
#   ./launch_workers.sh --suspend NAME [--expect IP:PORT]   stop one worker (a pool's sleep)
#   ./launch_workers.sh --resume NAME [--expect IP:PORT]    start it again as it was: same name,
#                       address, port, host key, limits and agent (whose node token is kept)
#
# Options (defaults in brackets; .orion/stack.env, written by ./orion up, supplies the API URL
# and agent token when present):
#   --base-port P     first SSH port; worker i listens on P+i-1            [2201]
#   --api URL         control plane for the agents (API_ENDPOINT)           [$ORION_URL or http://127.0.0.1:7070]
#   --token T         enrollment token (ORION_AGENT_TOKEN)                  [$ORION_AGENT_TOKEN]
#   --admin-key F     admin public key installed for root                   [$ORION_SSH_KEY.pub or .orion/ssh/admin_ed25519.pub, created if missing]
#   --prefix NAME     worker name (and hostname) prefix                     [worker]
#   --cpus N          CPU limit per worker, in cores (0.5, 1, 2)             [1]
#   --memory SIZE     memory limit per worker (512M, 1G); also sizes /run    [1G]
#   --pool P          ORION_POOL for the agents
#   --labels k=v,...  ORION_LABELS for the agents
#   --no-agent        start sshd only (for tests that register workers themselves)
#   --mode M          sandbox (namespaces, needs root + openssh-server) or docker   [sandbox]
#
# Each sandbox worker is its own network: sshd listens on the worker's own address (a /30 of
# ORION_SANDBOX_NET, default 10.237.0.0/16), recorded in .orion/workers/<name>/address, and the
# agent registers that address. An --api URL on the host's loopback is reached through the
# worker's gateway, and its port is opened to workers in Orion's nftables table.
# Sandbox mode needs: root, util-linux (unshare, flock), iproute2, nftables, openssh-server (sshd),
# openssh-client (ssh-keygen), a JRE 17 for the agent. Each agent JVM takes ~40 MB; use
# --no-agent for many.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")" && pwd)"
STATE="${ORION_WORKERS_DIR:-$ROOT/.orion/workers}"
AGENT_JAR="$ROOT/agent/target/orion-agent.jar"

die() { echo "launch_workers.sh: $*" >&2; exit 2; }

if [ -f "$ROOT/.orion/stack.env" ]; then
  # Only the two values we need, read rather than sourced: the file is data, not a script.
  ORION_URL="${ORION_URL:-$(sed -n 's/^ORION_URL=//p' "$ROOT/.orion/stack.env" | tail -1)}"
  ORION_AGENT_TOKEN="${ORION_AGENT_TOKEN:-$(sed -n 's/^ORION_AGENT_TOKEN=//p' "$ROOT/.orion/stack.env" | tail -1)}"
fi

COUNT="" ACTION=start BASE_PORT=2201 API="${ORION_URL:-http://127.0.0.1:7070}" TOKEN="${ORION_AGENT_TOKEN:-}"
ADMIN_KEY="" PREFIX=worker POOL="" LABELS="" AGENT=1 MODE=sandbox CPUS=1 MEMORY=1G ONE="" EXPECT="" SLOT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --stop) ACTION=stop; shift ;;
    --status) ACTION=status; shift ;;
    --suspend) ACTION=suspend ONE="${2-}"; shift 2 ;;
    --resume) ACTION=resume ONE="${2-}"; shift 2 ;;
    --expect) EXPECT="${2-}"; shift 2 ;;
    --base-port) BASE_PORT="${2-}"; shift 2 ;;
    --api) API="${2-}"; shift 2 ;;
    --token) TOKEN="${2-}"; shift 2 ;;
    --admin-key) ADMIN_KEY="${2-}"; shift 2 ;;
    --prefix) PREFIX="${2-}"; shift 2 ;;
    --cpus) CPUS="${2-}"; shift 2 ;;
    --memory) MEMORY="${2-}"; shift 2 ;;
    --pool) POOL="${2-}"; shift 2 ;;
    --labels) LABELS="${2-}"; shift 2 ;;
    --no-agent) AGENT=0; shift ;;
    --mode) MODE="${2-}"; shift 2 ;;
    -h|--help) sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    [0-9]*) COUNT="$1"; shift ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
done

# A recorded PID is only ours if it still runs our worker; PIDs get recycled.
worker_pid() { # NAME -> prints the PID if that worker runs
  local f="$STATE/$1/pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f")"
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--name $1 " || return 1
  echo "$pid"
}

is_dead() { # PID -> true if gone or a zombie (the host's init may reap it late)
  local s
  s="$(sed -n 's/^State:\s*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)" || return 0
  [ -z "$s" ] || [ "$s" = Z ] || [ "$s" = X ]
}

status() {
  [ -d "$STATE" ] || { echo "no workers recorded in $STATE"; return 0; }
  local d name pid
  for d in "$STATE"/*/; do
    name="$(basename "$d")"
    if pid="$(worker_pid "$name")"; then
      echo "$name  pid $pid  $(cat "$d/address" 2>/dev/null):$(cat "$d/port" 2>/dev/null)  running"
    else
      echo "$name  stopped"
    fi
  done
}

stop() {
  [ -d "$STATE" ] || { echo "no workers recorded in $STATE"; return 0; }
  local d name pid stopped=()
  for d in "$STATE"/*/; do
    name="$(basename "$d")"
    if pid="$(worker_pid "$name")"; then
      kill -KILL "$pid" 2>/dev/null || true # the namespace dies with it (--kill-child)
      stopped+=("$pid")
      echo "stopped $name (pid $pid)"
    fi
    rm -f "$d/pid"
  done
  for pid in "${stopped[@]}"; do
    for _ in $(seq 500); do is_dead "$pid" && break; sleep 0.01; done
  done
}

require_sandbox_tools() {
  local missing=()
  [ "$(id -u)" -eq 0 ] || missing+=("root (sandbox workers create namespaces and mounts; run with sudo)")
  [ -x /usr/sbin/sshd ] || missing+=("sshd: apt-get install openssh-server")
  command -v ssh-keygen >/dev/null || missing+=("ssh-keygen: apt-get install openssh-client")
  command -v unshare >/dev/null || missing+=("unshare: apt-get install util-linux")
  command -v ip >/dev/null || missing+=("ip: apt-get install iproute2")
  command -v nft >/dev/null || missing+=("nft: apt-get install nftables")
  if [ "$AGENT" -eq 1 ]; then
    command -v java >/dev/null || missing+=("java 17+: apt-get install openjdk-17-jre-headless (or use --no-agent)")
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    echo "launch_workers.sh: cannot start sandbox workers; missing:" >&2
    printf '  - %s\n' "${missing[@]}" >&2
    exit 2
  fi
}

ensure_admin_key() {
  if [ -z "$ADMIN_KEY" ]; then
    if [ -n "${ORION_SSH_KEY:-}" ]; then
      ADMIN_KEY="$ORION_SSH_KEY.pub"
    else
      ADMIN_KEY="$ROOT/.orion/ssh/admin_ed25519.pub"
      if [ ! -f "$ADMIN_KEY" ]; then
        mkdir -p "$(dirname "$ADMIN_KEY")" && chmod 700 "$(dirname "$ADMIN_KEY")"
        ssh-keygen -q -t ed25519 -N '' -C orion-admin -f "${ADMIN_KEY%.pub}"
        echo "created admin key pair ${ADMIN_KEY%.pub} (point ORION_SSH_KEY at it)"
      fi
    fi
  fi
  [ -r "$ADMIN_KEY" ] || die "admin public key '$ADMIN_KEY' is not readable (--admin-key)"
}

ensure_agent_jar() {
  [ "$AGENT" -eq 1 ] || return 0
  [ -n "$TOKEN" ] || die "no enrollment token: pass --token, set ORION_AGENT_TOKEN, or run ./orion up first (or --no-agent)"
  if [ ! -f "$AGENT_JAR" ]; then
    command -v mvn >/dev/null || die "$AGENT_JAR is missing and Maven is not installed to build it"
    echo "building the agent jar..."
    (cd "$ROOT" && mvn -B -q -pl agent -am package -DskipTests) || die "building the agent failed"
  fi
}

# Agents talk to an API on the host's loopback through their gateway (worker.sh rewrites the
# URL); the host drops what workers send unless the port is in Orion's table.
open_api_port() {
  [ "$AGENT" -eq 1 ] || return 0
  if [[ "$API" =~ ^https?://(127\.0\.0\.1|localhost)(:([0-9]+))? ]]; then
    local port=${BASH_REMATCH[3]}
    [ -n "$port" ] || { [[ "$API" == https* ]] && port=443 || port=80; }
    "$ROOT/sandbox/net.sh" install "$port" || die "cannot open port $port to the workers (sandbox/net.sh)"
  fi
}

start_sandbox() { # NAME PORT
  local name="$1" port="$2" dir="$STATE/$1" agent_cmd=""
  mkdir -p "$dir"
  if [ "$AGENT" -eq 1 ]; then
    # Small heap, serial GC and C1 only: an agent does one request every few seconds.
    agent_cmd="exec java -Xmx32m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar '$AGENT_JAR'"
  fi
  : >"$dir/worker.log"
  rm -f "$dir/address"
  # How it was launched, so --resume starts it again exactly so (root-only: it holds the token).
  (umask 077; printf '%s=%s\n' CPUS "$CPUS" MEMORY "$MEMORY" ADMIN_KEY "$ADMIN_KEY" AGENT "$AGENT" \
    API "$API" TOKEN "$TOKEN" POOL "$POOL" LABELS "$LABELS" >"$dir/launch.env")
  API_ENDPOINT="$API" ORION_AGENT_TOKEN="$TOKEN" ORION_POOL="$POOL" ORION_LABELS="$LABELS" \
    setsid "$ROOT/sandbox/worker.sh" --name "$name" --port "$port" --dir "$dir" \
    --cpus "$CPUS" --memory "$MEMORY" ${SLOT:+--slot "$SLOT"} \
    --admin-key "$ADMIN_KEY" --agent-cmd "$agent_cmd" </dev/null >>"$dir/worker.log" 2>&1 &
  echo $! >"$dir/pid"
  echo "$port" >"$dir/port"
}

# Waits until worker NAME's sshd listens on its address; false (with its log) if it died or is late.
await_started() { # NAME SECONDS
  local name="$1" deadline=$((SECONDS + $2)) ip port
  port="$(cat "$STATE/$name/port")"
  until ip="$(cat "$STATE/$name/address" 2>/dev/null)" && [ -n "$ip" ] \
      && grep -q "Server listening on $ip port $port" "$STATE/$name/worker.log"; do
    # Dead, not "not ours": until setsid has exec'd, the child started a moment ago still shows
    # this script's command line, which worker_pid would not recognise.
    if is_dead "$(cat "$STATE/$name/pid")" || [ $SECONDS -gt $deadline ]; then
      echo "$name failed to start; its log ($STATE/$name/worker.log):" >&2
      sed 's/^/  /' "$STATE/$name/worker.log" >&2
      return 1
    fi
    sleep 0.02
  done
}

# The recorded worker --suspend/--resume name, checked against --expect (the address and port the
# control plane knows the node by), so a name reused for another worker is never acted on.
recorded_one() {
  [[ "$ONE" =~ ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ ]] || die "'$ONE' is not a worker name"
  local d="$STATE/$ONE"
  [ -f "$d/launch.env" ] && [ -f "$d/port" ] && [ -f "$d/slot" ] \
    || die "no sandbox worker '$ONE' recorded in $STATE (launched before restarts were recorded?)"
  if [ -n "$EXPECT" ] && [ "$EXPECT" != "$(cat "$d/address" 2>/dev/null):$(cat "$d/port")" ]; then
    die "worker '$ONE' is recorded at $(cat "$d/address" 2>/dev/null):$(cat "$d/port"), not $EXPECT: left alone"
  fi
}

# A pool's sleep: SIGKILL the worker (its namespace and everything in it die with it), then wait
# until its address is free again (link gone, slot lock released by it and by its cgroup reaper),
# so a resume right after finds it. Already stopped is fine.
suspend_one() {
  recorded_one
  local pid slot
  slot="$(cat "$STATE/$ONE/slot")"
  if pid="$(worker_pid "$ONE")"; then
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 500); do is_dead "$pid" && break; sleep 0.01; done
    is_dead "$pid" || die "worker '$ONE' (pid $pid) did not stop"
  fi
  for _ in $(seq 500); do [ -e "/sys/class/net/orv-$slot" ] || break; sleep 0.01; done
  [ ! -e "/run/orion-sandbox/slots/$slot" ] || flock -w 15 "/run/orion-sandbox/slots/$slot" true \
    || die "the address of worker '$ONE' (slot $slot) is still held"
  echo "suspended $ONE"
}

# A pool's wake: start the worker again with what it was launched with, on the same slot
# (address), port, state dir (host key, agent node token). Already running is fine.
resume_one() {
  recorded_one
  if pid="$(worker_pid "$ONE")"; then
    echo "$ONE already running (pid $pid)"
    return 0
  fi
  local d="$STATE/$ONE" v
  for v in CPUS MEMORY ADMIN_KEY AGENT API TOKEN POOL LABELS; do
    # Read, not sourced: the file is data.
    printf -v "$v" '%s' "$(sed -n "s/^$v=//p" "$d/launch.env" | tail -1)"
  done
  SLOT="$(cat "$d/slot")"
  if [ "$AGENT" -eq 1 ] && [ ! -f "$AGENT_JAR" ]; then die "$AGENT_JAR is missing"; fi
  start_sandbox "$ONE" "$(cat "$d/port")"
  await_started "$ONE" 20 || exit 1
  echo "resumed $ONE at $(cat "$d/address"):$(cat "$d/port")"
}

# Docker mode: one container per worker from docker/worker/Dockerfile, same naming, ports and
# state layout (the container id goes where the PID goes). Not written yet; this is its place.
start_docker() {
  die "--mode docker is not available yet; build docker/worker/Dockerfile and run it per worker, or use --mode sandbox"
}

start() {
  [[ "$COUNT" =~ ^[0-9]+$ ]] && [ "$COUNT" -ge 1 ] || die "say how many workers to start, e.g. ./launch_workers.sh 3 (try --help)"
  [[ "$BASE_PORT" =~ ^[0-9]+$ ]] && [ $((BASE_PORT + COUNT - 1)) -le 65535 ] || die "--base-port '$BASE_PORT' is not a usable port"
  case "$MODE" in
    sandbox) require_sandbox_tools ;;
    docker) start_docker ;;
    *) die "--mode must be sandbox or docker, got '$MODE'" ;;
  esac
  ensure_admin_key
  ensure_agent_jar
  open_api_port
  mkdir -p "$STATE"
  local i name port started=()
  for i in $(seq 1 "$COUNT"); do
    name="$PREFIX-$i"
    port=$((BASE_PORT + i - 1))
    if pid="$(worker_pid "$name")"; then
      echo "$name already running (pid $pid, port $(cat "$STATE/$name/port"))"
      continue
    fi
    start_sandbox "$name" "$port"
    started+=("$name")
  done
  local failed=0 ip
  for name in "${started[@]}"; do
    port="$(cat "$STATE/$name/port")"
    if ! await_started "$name" 20; then
      failed=1
      continue
    fi
    ip="$(cat "$STATE/$name/address")"
    echo "$name  pid $(cat "$STATE/$name/pid")  ssh -p $port root@$ip  host key $(ssh-keygen -l -f "$STATE/$name/ssh_host_ed25519_key.pub" | cut -d' ' -f2)"
  done
  [ "$AGENT" -eq 0 ] || echo "agents register with $API (logs: $STATE/<name>/agent.log)"
  return $failed
}

case "$ACTION" in
  stop) stop ;;
  status) status ;;
  suspend) suspend_one ;;
  resume) resume_one ;;
  start) start ;;
esac
