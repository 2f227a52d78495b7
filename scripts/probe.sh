# Probes shared by `./orion status` and `scripts/edge.sh status` (sourced, not run): each asks a
# component whether it really answers, because a live wrapper process proves nothing (a killed
# mariadbd once left localdb's JVM "running" while every service had lost the database).
# Every probe gives up after PROBE_TIMEOUT seconds (default 3), so a stopped (SIGSTOP) process
# shows as not answering instead of hanging the status.

PROBE_TIMEOUT=${PROBE_TIMEOUT:-3}

# probe_http URL: the HTTP status code, or 000 when nothing answers in time.
probe_http() {
  curl -s -o /dev/null -w '%{http_code}' --max-time "$PROBE_TIMEOUT" "$@" 2>/dev/null || true
}

# probe_mariadb HOST PORT: true when a MariaDB/MySQL server greets (protocol version 10 after the
# 4-byte packet header); a port that accepts connections but never speaks is not a database.
probe_mariadb() {
  local hex
  hex=$(timeout "$PROBE_TIMEOUT" bash -c 'exec 3<>"/dev/tcp/$0/$1" && head -c 5 <&3' "$1" "$2" 2>/dev/null \
    | od -An -tx1 | tr -d ' \n') || true
  [ "${hex:8:2}" = 0a ]
}

# probe_ssh HOST PORT: true when an SSH server sends its banner.
probe_ssh() {
  local line
  line=$(timeout "$PROBE_TIMEOUT" bash -c 'exec 3<>"/dev/tcp/$0/$1" && head -c 8 <&3' "$1" "$2" 2>/dev/null) || true
  [ "${line:0:4}" = SSH- ]
}

# state PID ANSWERS: up (process alive and its endpoint answers), not-answering (process alive,
# endpoint silent) or down (no process: whatever answers on its port then is not ours, e.g. another
# checkout's stack on the same fixed ports). ANSWERS is the probe's exit status (0 = answered).
probe_state() {
  local pid=$1 answers=$2
  if [ -z "$pid" ] || [ "$pid" = - ] || ! kill -0 "$pid" 2>/dev/null; then echo down
  elif [ "$answers" -eq 0 ]; then echo up
  else echo not-answering
  fi
}
