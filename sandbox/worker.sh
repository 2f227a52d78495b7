#!/usr/bin/env bash
# A sandbox worker: a real OpenSSH sshd in its own PID, mount and UTS namespace, so a machine
# without Docker can run many "machines" that the control plane provisions over SSH exactly like
# real ones. /etc, /home, /var, /root and /tmp are overlays whose writable layer lives on a tmpfs inside
# the namespace: users created in the sandbox never touch the host and vanish with it.
#
# Runs in the foreground. The caller's handle is this process's PID (it becomes `unshare`);
# SIGKILL of it kills everything inside the namespace (--kill-child). Needs root, util-linux
# (unshare) and openssh-server (sshd, ssh-keygen).
#
#   sandbox/worker.sh --name NAME --port PORT --dir STATE_DIR --admin-key PUBKEY_FILE
#                     [--agent-cmd 'COMMAND'] [--ip 127.0.0.1] [--watch-pid PID]
#
# The host key is STATE_DIR/ssh_host_ed25519_key(.pub), generated on first start and kept, so a
# restarted worker presents the same key. With --agent-cmd, COMMAND runs inside the namespace
# (so it sees the worker's hostname and host key) with MY_HOSTNAME, MY_HOST_IP, MY_HOST_PORT and
# ORION_HOST_KEY_FILE exported; its output goes to STATE_DIR/agent.log. With --watch-pid, the
# worker kills itself within a second after process PID is gone (test JVMs pass their own PID
# so a crashed test run leaves no sshd behind).
set -euo pipefail
[ -n "${ORION_TRACE:-}" ] && { PS4='+ $EPOCHREALTIME '; set -x; }

die() { echo "worker.sh: $*" >&2; exit 2; }

usage() {
  sed -n '11,12p' "$0" | sed 's/^# \{0,3\}//' >&2
  exit 2
}

NAME="" PORT="" DIR="" ADMIN_KEY="" AGENT_CMD="" IP="127.0.0.1" WATCH="" INSIDE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --name) NAME="${2-}"; shift 2 ;;
    --port) PORT="${2-}"; shift 2 ;;
    --dir) DIR="${2-}"; shift 2 ;;
    --admin-key) ADMIN_KEY="${2-}"; shift 2 ;;
    --agent-cmd) AGENT_CMD="${2-}"; shift 2 ;;
    --ip) IP="${2-}"; shift 2 ;;
    --watch-pid) WATCH="${2-}"; shift 2 ;;
    --inside) INSIDE=1; shift ;;
    -h|--help) usage ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
done

[ -n "$NAME" ] && [ -n "$PORT" ] && [ -n "$DIR" ] && [ -n "$ADMIN_KEY" ] || usage
# The name becomes the hostname; keep it to what a hostname may be.
[[ "$NAME" =~ ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ ]] || die "--name '$NAME' is not a valid hostname (a-z, 0-9, '-')"
[[ "$PORT" =~ ^[0-9]+$ ]] && [ "$PORT" -ge 1 ] && [ "$PORT" -le 65535 ] || die "--port '$PORT' is not a TCP port"

KEY="$DIR/ssh_host_ed25519_key"

if [ "$INSIDE" -eq 0 ]; then
  [ "$(id -u)" -eq 0 ] || die "must run as root (it creates namespaces and mounts)"
  command -v unshare >/dev/null || die "unshare not found: apt-get install util-linux"
  [ -x /usr/sbin/sshd ] || die "/usr/sbin/sshd not found: apt-get install openssh-server"
  command -v ssh-keygen >/dev/null || die "ssh-keygen not found: apt-get install openssh-client"
  [ -r "$ADMIN_KEY" ] || die "--admin-key '$ADMIN_KEY' is not a readable public key file"
  mkdir -p "$DIR"
  DIR="$(cd "$DIR" && pwd)"
  KEY="$DIR/ssh_host_ed25519_key"
  # Generated outside the namespace so the caller can read the .pub (and pin it) before or
  # while the worker starts.
  if [ ! -s "$KEY" ]; then
    rm -f "$KEY" "$KEY.pub"
    ssh-keygen -q -t ed25519 -N '' -C "root@$NAME" -f "$KEY"
  fi
  if [ -n "$WATCH" ]; then
    [[ "$WATCH" =~ ^[0-9]+$ ]] || die "--watch-pid '$WATCH' is not a PID"
    # $$ stays our PID across the exec below, so this kills the unshare process.
    ( exec >/dev/null 2>&1 </dev/null
      while kill -0 "$WATCH" && kill -0 $$; do sleep 1; done
      kill -KILL $$ ) &
  fi
  exec unshare --mount --uts --pid --fork --mount-proc --propagation private --kill-child -- \
    bash "$0" --inside --name "$NAME" --port "$PORT" --dir "$DIR" \
    --admin-key "$(cd "$(dirname "$ADMIN_KEY")" && pwd)/$(basename "$ADMIN_KEY")" \
    --agent-cmd "$AGENT_CMD" --ip "$IP"
fi

# ---- inside the namespaces: we are PID 1 of the new PID namespace ----
# Everything needed from the state dir is read now: the state dir may lie under /tmp, /var or
# /home, which the mounts below hide or replace.
HOST_KEY="$(cat "$KEY")"
HOST_PUB="$(cat "$KEY.pub")"
ADMIN_PUB="$(cat "$ADMIN_KEY")"
if [ -n "$AGENT_CMD" ]; then exec 3>>"$DIR/agent.log"; fi

# The writable layers live on the namespace's own /run tmpfs: /run is never overlaid, so the
# upper dirs stay reachable, and they disappear with the namespace.
mount -t tmpfs -o mode=0755 orion-run /run
RW=/run/orion-sandbox
mkdir -m 0700 "$RW"
overlay() { # overlay TARGET LOWER MODE
  local n; n="$(basename "$1")"
  mkdir -p "$RW/$n.up" "$RW/$n.work"
  chmod "$3" "$RW/$n.up"
  mount -t overlay "orion-$n" -o "lowerdir=$2,upperdir=$RW/$n.up,workdir=$RW/$n.work" "$1"
}
overlay /etc /etc 0755
overlay /home /home 0755
overlay /var /var 0755
overlay /root /etc/skel 0700
# /tmp is an overlay too rather than an empty tmpfs: what clients write stays in the sandbox, and
# a checkout or build that lives under the host's /tmp (the agent's classes, say) stays reachable.
overlay /tmp /tmp 1777
mkdir -p /run/sshd /run/lock
chmod 1777 /run/lock

hostname "$NAME"
echo "$NAME" >/etc/hostname
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$NAME" >/etc/hosts

(umask 077; printf '%s\n' "$HOST_KEY" >/etc/ssh/ssh_host_ed25519_key)
printf '%s\n' "$HOST_PUB" >/etc/ssh/ssh_host_ed25519_key.pub
install -d -m 0700 /root/.ssh
(umask 077; printf '%s\n' "$ADMIN_PUB" >/root/.ssh/authorized_keys)

# Without PAM, sshd treats a shadow entry starting with '!' as a locked account and refuses even
# key logins; '*' means "no password login" without locking, which is what root needs here.
sed -i 's/^root:[^:]*:/root:*:/' /etc/shadow

# A complete config of our own (the host's sshd_config.d is not read): no PAM, because
# pam_loginuid and pam_systemd fail or stall inside a PID namespace; no DNS, because reverse
# lookups stall logins; raised MaxStartups/MaxSessions, because the control plane keeps one
# admin connection with many sessions and benchmarks connect in bursts.
cat >/etc/ssh/sshd_config <<EOF
Port $PORT
ListenAddress $IP
HostKey /etc/ssh/ssh_host_ed25519_key
PidFile none
UsePAM no
UseDNS no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
PermitEmptyPasswords no
AuthorizedKeysFile .ssh/authorized_keys
StrictModes yes
MaxStartups 200:30:400
MaxSessions 100
MaxAuthTries 6
LoginGraceTime 30
X11Forwarding no
PrintMotd no
AcceptEnv LANG LC_*
Subsystem sftp internal-sftp
EOF

if [ -n "$AGENT_CMD" ]; then
  (
    export MY_HOSTNAME="$NAME" MY_HOST_IP="$IP" MY_HOST_PORT="$PORT" ORION_HOST_KEY_FILE=/etc/ssh/ssh_host_ed25519_key.pub
    exec bash -c "$AGENT_CMD"
  ) >&3 2>&1 </dev/null &
  exec 3>&-
fi

# sshd becomes PID 1 of the namespace: it reaps orphans, and when it dies the kernel kills
# everything left inside.
exec /usr/sbin/sshd -D -e -f /etc/ssh/sshd_config
