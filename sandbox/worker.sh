#!/usr/bin/env bash
# A sandbox worker: a real OpenSSH sshd in its own PID, mount, UTS and network namespace and its
# own cgroups, so a machine without Docker can run many "machines" that the control plane
# provisions over SSH exactly like real ones. /etc, /home, /var, /root and /tmp are overlays whose
# writable layer lives on a sized tmpfs inside the namespace: users created in the sandbox never
# touch the host and vanish with it.
#
# Network: the worker gets a /30 slot of ORION_SANDBOX_NET (sandbox/lib-net.sh): a veth pair,
# orv-<slot> on the host, eth0 inside; sshd listens on the worker's own address only, and the
# worker routes to its gateway (the host end) and nowhere else. The host drops input from worker
# veths except the edge's ports (table inet orion, ensured here). A slot is held with a lock on
# /run/orion-sandbox/slots/<slot> for the worker's life, so parallel launchers never collide.
#
# Runs in the foreground. The caller's handle is this process's PID (it becomes `unshare`);
# SIGKILL of it kills everything inside the namespace (--kill-child). Needs root, util-linux
# (unshare, flock), iproute2, nftables and openssh-server (sshd, ssh-keygen).
#
#   sandbox/worker.sh --name NAME --port PORT --dir STATE_DIR --admin-key PUBKEY_FILE
#                     [--agent-cmd 'COMMAND'] [--cpus 1] [--memory 1G] [--watch-pid PID] [--slot S]
#
# Its first output line is `orion-sandbox: address A gateway G`, and STATE_DIR/address holds A.
# The host key is STATE_DIR/ssh_host_ed25519_key(.pub), generated on first start and kept, so a
# restarted worker presents the same key. With --agent-cmd, COMMAND runs inside the namespace
# (so it sees the worker's hostname and host key) with MY_HOSTNAME, MY_HOST_IP, MY_HOST_PORT,
# ORION_GATEWAY_IP and ORION_HOST_KEY_FILE exported; an API_ENDPOINT on the host's loopback
# (127.0.0.1, localhost) is rewritten to the gateway, the host's address as the worker sees it.
# Its output goes to STATE_DIR/agent.log and its own state (the node token) to STATE_DIR/agent/,
# seen inside as ORION_AGENT_STATE_DIR=/run/orion-agent, so a restarted worker keeps its
# identity. --cpus (cores, decimals allowed) and --memory (bytes,
# or with K/M/G) limit the worker's cgroups, created under this process's own groups; /run and
# /dev/shm are tmpfs sized to the memory limit. With --watch-pid, the worker kills itself within
# a second after process PID is gone (test JVMs pass their own PID so a crashed test run leaves
# no sshd behind). The slot taken is recorded in STATE_DIR/slot; --slot S takes exactly that one
# (or fails), so a worker started again after a pool's sleep comes back on the same address.
set -euo pipefail
[ -n "${ORION_TRACE:-}" ] && { PS4='+ $EPOCHREALTIME '; set -x; }
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

die() { echo "worker.sh: $*" >&2; exit 2; }

usage() {
  sed -n '18,19p' "$0" | sed 's/^# \{0,3\}//' >&2
  exit 2
}

NAME="" PORT="" DIR="" ADMIN_KEY="" AGENT_CMD="" WATCH="" INSIDE=0 CPUS=1 MEMORY=1G
SLOT="" IP="" GW="" MEM_BYTES="" WANT_SLOT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --name) NAME="${2-}"; shift 2 ;;
    --port) PORT="${2-}"; shift 2 ;;
    --dir) DIR="${2-}"; shift 2 ;;
    --admin-key) ADMIN_KEY="${2-}"; shift 2 ;;
    --agent-cmd) AGENT_CMD="${2-}"; shift 2 ;;
    --cpus) CPUS="${2-}"; shift 2 ;;
    --memory) MEMORY="${2-}"; shift 2 ;;
    --watch-pid) WATCH="${2-}"; shift 2 ;;
    --slot) WANT_SLOT="${2-}"; shift 2 ;;
    --inside) INSIDE=1 SLOT="${2-}" IP="${3-}" GW="${4-}" MEM_BYTES="${5-}"; shift 5 ;;
    -h|--help) usage ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
done

[ -n "$NAME" ] && [ -n "$PORT" ] && [ -n "$DIR" ] && [ -n "$ADMIN_KEY" ] || usage
# The name becomes the hostname; keep it to what a hostname may be.
[[ "$NAME" =~ ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ ]] || die "--name '$NAME' is not a valid hostname (a-z, 0-9, '-')"
[[ "$PORT" =~ ^[0-9]+$ ]] && [ "$PORT" -ge 1 ] && [ "$PORT" -le 65535 ] || die "--port '$PORT' is not a TCP port"

KEY="$DIR/ssh_host_ed25519_key"

# --memory 1G -> bytes; K/M/G are powers of 1024.
mem_bytes() {
  [[ "$1" =~ ^([0-9]+)([KMGkmg]?)$ ]] || return 1
  local n=${BASH_REMATCH[1]} unit=${BASH_REMATCH[2]^^}
  case "$unit" in K) n=$((n << 10)) ;; M) n=$((n << 20)) ;; G) n=$((n << 30)) ;; esac
  echo "$n"
}

# --cpus 1.5 -> CFS quota in microseconds per 100 ms period.
cpu_quota() {
  [[ "$1" =~ ^([0-9]+)(\.([0-9]{1,2}))?$ ]] || return 1
  local whole=${BASH_REMATCH[1]} frac=${BASH_REMATCH[3]:-0}
  [ ${#frac} -eq 1 ] && frac=$((frac * 10))
  echo $((whole * 100000 + 10#$frac * 1000))
}

# The directory of this process's own group in the hierarchy that holds controller $1, or of
# its cgroup v2 group when no v1 hierarchy has it; prints "v1 DIR" or "v2 DIR". Read from
# /proc/self/cgroup and /proc/self/mountinfo (a mount may expose a sub-tree, so its root is
# taken off the path).
cgroup_of() {
  local ctrl=$1 id ctrls path v
  while IFS=: read -r id ctrls path; do
    if [ "$id" != 0 ] && [[ ",$ctrls," == *",$ctrl,"* ]]; then v=v1; break; fi
    if [ "$id" = 0 ]; then v=v2-candidate; local v2path=$path; fi
  done </proc/self/cgroup
  if [ "${v:-}" != v1 ]; then
    [ -n "${v2path:-}" ] || return 1
    path=$v2path
  fi
  local mroot mpoint fstype opts rest
  while read -r _ _ _ mroot mpoint _ rest; do
    fstype=${rest#*- }; fstype=${fstype%% *}
    opts=${rest##* }
    if [ "${v:-}" = v1 ] && [ "$fstype" = cgroup ] && [[ ",$opts," == *",$ctrl,"* ]]; then break; fi
    if [ "${v:-}" != v1 ] && [ "$fstype" = cgroup2 ]; then break; fi
    mpoint=""
  done </proc/self/mountinfo
  [ -n "$mpoint" ] || return 1
  [ "$mroot" = / ] || path=${path#"$mroot"}
  local dir="$mpoint${path%/}"
  if [ "${v:-}" != v1 ]; then
    grep -qw "$ctrl" "$dir/cgroup.controllers" 2>/dev/null || return 1
    echo "v2 $dir"
  else
    echo "v1 $dir"
  fi
}

# The groups join_cgroups will create, one per hierarchy.
cgroup_dirs() {
  local kind dir seen=" "
  for ctrl in cpu memory cpuacct; do
    read -r kind dir < <(cgroup_of "$ctrl") || continue
    [[ "$seen" == *" $dir "* ]] || { seen+="$dir "; echo "$dir/orion-sandbox-$$"; }
  done
}

# Creates orion-sandbox-<pid> under this process's own cpu and memory groups, sets the limits
# and moves this process in (unshare and everything in the namespace inherit it). Groups of
# workers that are gone (empty, their PID no longer running) are removed on the way: a killed
# worker cannot remove its own.
join_cgroups() {
  local quota=$1 bytes=$2 kind dir g done_dirs=" " stale
  # cpuacct too where v1 mounts it apart from cpu: the agent reads the worker's CPU use from its
  # own cpuacct group, and left in that hierarchy's root it read the whole machine's.
  for ctrl in cpu memory cpuacct; do
    if ! read -r kind dir < <(cgroup_of "$ctrl"); then
      [ "$ctrl" = cpuacct ] && continue # v2, or no accounting: the agent then measures otherwise
      die "no cgroup hierarchy offers the $ctrl controller (see /proc/self/cgroup)"
    fi
    for stale in "$dir"/orion-sandbox-*; do
      [ -d "$stale" ] && ! kill -0 "${stale##*-}" 2>/dev/null && rmdir "$stale" 2>/dev/null || true
    done
    g="$dir/orion-sandbox-$$"
    if [ "$kind" = v2 ]; then
      # v2: the parent must hand the controller down; that fails while it holds processes itself.
      if ! grep -qw "$ctrl" "$dir/cgroup.subtree_control" 2>/dev/null \
          && ! echo "+$ctrl" >"$dir/cgroup.subtree_control" 2>/dev/null; then
        echo "worker.sh: warning: cannot enable $ctrl for groups under $dir (it is not a delegated group); no $ctrl limit" >&2
        continue
      fi
    fi
    mkdir -p "$g"
    case "$kind/$ctrl" in
      v1/cpu) echo 100000 >"$g/cpu.cfs_period_us"; echo "$quota" >"$g/cpu.cfs_quota_us" ;;
      v1/memory)
        echo "$bytes" >"$g/memory.limit_in_bytes"
        # With swap accounting, the same bound on memory+swap: no escaping into swap.
        [ -e "$g/memory.memsw.limit_in_bytes" ] && echo "$bytes" >"$g/memory.memsw.limit_in_bytes"
        ;;
      v2/cpu) echo "$quota 100000" >"$g/cpu.max" ;;
      v2/memory) echo "$bytes" >"$g/memory.max"; [ -e "$g/memory.swap.max" ] && echo 0 >"$g/memory.swap.max" ;;
    esac
    # cpu and memory may share a hierarchy (v2, or v1 mounted together): join each group once.
    if [[ "$done_dirs" != *" $g "* ]]; then
      echo $$ >"$g/cgroup.procs"
      done_dirs+="$g "
    fi
  done
}

if [ "$INSIDE" -eq 0 ]; then
  [ "$(id -u)" -eq 0 ] || die "must run as root (it creates namespaces, mounts, links and cgroups)"
  command -v unshare >/dev/null || die "unshare not found: apt-get install util-linux"
  command -v flock >/dev/null || die "flock not found: apt-get install util-linux"
  command -v ip >/dev/null || die "ip not found: apt-get install iproute2"
  command -v nft >/dev/null || die "nft not found: apt-get install nftables"
  [ -x /usr/sbin/sshd ] || die "/usr/sbin/sshd not found: apt-get install openssh-server"
  command -v ssh-keygen >/dev/null || die "ssh-keygen not found: apt-get install openssh-client"
  [ -r "$ADMIN_KEY" ] || die "--admin-key '$ADMIN_KEY' is not a readable public key file"
  QUOTA="$(cpu_quota "$CPUS")" && [ "$QUOTA" -ge 1000 ] || die "--cpus '$CPUS' is not a number of cores like 1, 0.5 or 2"
  MEM_BYTES="$(mem_bytes "$MEMORY")" && [ "$MEM_BYTES" -ge $((64 << 20)) ] || die "--memory '$MEMORY' is not a size of at least 64M, like 512M or 1G"
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
    # $$ stays our PID across the exec below, so this kills the unshare process. Started before
    # the cgroups are joined and the slot is locked, so it holds neither.
    ( exec >/dev/null 2>&1 </dev/null
      while kill -0 "$WATCH" && kill -0 $$; do sleep 1; done
      kill -KILL $$ ) &
  fi
  . "$HERE/lib-net.sh"
  orion_net_ensure || die "cannot set up the sandbox network (ORION_SANDBOX_NET, nftables)"
  # A free /30: its lock file is held (fd 9) by this process, then by unshare, for the worker's
  # life; the kernel drops the lock when the last of them dies. A link left by anything else
  # under that name also makes the slot unusable. Starting at a random slot keeps parallel
  # launchers from queueing on the same locks and delays reusing a just-freed address.
  SLOT=""
  if [ -n "$WANT_SLOT" ]; then
    [[ "$WANT_SLOT" =~ ^[0-9]+$ ]] && [ "$WANT_SLOT" -lt "$ORION_NET_SLOTS" ] \
      || die "--slot '$WANT_SLOT' is not a slot of $ORION_NET (0-$((ORION_NET_SLOTS - 1)))"
    exec 9>"$ORION_NET_RUN/slots/$WANT_SLOT"
    if flock -n 9 && [ ! -e "/sys/class/net/$ORION_VETH_PREFIX$WANT_SLOT" ]; then
      SLOT=$WANT_SLOT
    else
      die "slot $WANT_SLOT (address $(orion_slot_address "$WANT_SLOT")) is taken: the worker cannot come back on its address"
    fi
  fi
  start=$((SRANDOM % ORION_NET_SLOTS))
  for ((k = 0; k < ORION_NET_SLOTS; k++)); do
    [ -z "$SLOT" ] || break
    s=$(((start + k) % ORION_NET_SLOTS))
    exec 9>"$ORION_NET_RUN/slots/$s"
    if flock -n 9 && [ ! -e "/sys/class/net/$ORION_VETH_PREFIX$s" ]; then SLOT=$s; break; fi
    exec 9>&-
  done
  [ -n "$SLOT" ] || die "no free address in $ORION_NET (all $ORION_NET_SLOTS /30 slots are taken)"
  # The groups' reaper: it waits for the slot lock, which it gets once this process (by then
  # unshare) is gone, then removes the emptied groups. Started before the groups are joined,
  # so it stays outside them.
  ( exec 9>&- >/dev/null 2>&1 </dev/null
    exec flock "$ORION_NET_RUN/slots/$SLOT" bash -c 'for _ in $(seq 100); do
        rmdir "$@" 2>/dev/null; left=0; for g; do [ -d "$g" ] && left=1; done
        [ $left -eq 0 ] && exit 0; sleep 0.1; done' \
      reaper $(cgroup_dirs) ) &
  join_cgroups "$QUOTA" "$MEM_BYTES"
  IP="$(orion_slot_address "$SLOT")" GW="$(orion_slot_gateway "$SLOT")"
  echo "$IP" >"$DIR/address"
  echo "$SLOT" >"$DIR/slot"
  echo "orion-sandbox: address $IP gateway $GW"
  # The host's network namespace, for the inside to put the veth's other end there (fd 8).
  exec 8</proc/self/ns/net
  exec unshare --net --mount --uts --pid --fork --mount-proc --propagation private --kill-child -- \
    bash "$0" --inside "$SLOT" "$IP" "$GW" "$MEM_BYTES" --name "$NAME" --port "$PORT" --dir "$DIR" \
    --admin-key "$(cd "$(dirname "$ADMIN_KEY")" && pwd)/$(basename "$ADMIN_KEY")" \
    --agent-cmd "$AGENT_CMD"
fi

# ---- inside the namespaces: we are PID 1 of the new PID namespace ----
# Everything needed from the state dir is read now: the state dir may lie under /tmp, /var or
# /home, which the mounts below hide or replace.
HOST_KEY="$(cat "$KEY")"
HOST_PUB="$(cat "$KEY.pub")"
ADMIN_PUB="$(cat "$ADMIN_KEY")"
if [ -n "$AGENT_CMD" ]; then exec 3>>"$DIR/agent.log"; fi

# The veth pair, made from inside (no window where the namespace exists without it): eth0 here,
# orv-<slot> in the host's namespace (fd 8). Point-to-point addresses give each side a route to
# the other and nothing more. No IPv6 on either end: the worker has nothing to say over it.
VETH="orv-$SLOT"
ip link add eth0 type veth peer name "$VETH" netns /proc/self/fd/8
v6off() { [ -w "/proc/sys/net/ipv6/conf/$1/disable_ipv6" ] && echo 1 >"/proc/sys/net/ipv6/conf/$1/disable_ipv6" || true; }
v6off eth0
nsenter --net=/proc/self/fd/8 bash -c "$(declare -f v6off); v6off '$VETH'
  ip addr add '$GW' peer '$IP' dev '$VETH' && ip link set '$VETH' up"
ip link set lo up
ip addr add "$IP" peer "$GW" dev eth0
ip link set eth0 up
exec 8<&-

# The writable layers live on the namespace's own /run tmpfs: /run is never overlaid, so the
# upper dirs stay reachable, and they disappear with the namespace. Sized to the memory limit
# (tmpfs pages are charged to the worker's memory group anyway); /dev/shm is private.
mount -t tmpfs -o "mode=0755,size=$MEM_BYTES" orion-run /run
mount -t tmpfs -o "mode=1777,size=$MEM_BYTES,nosuid,nodev" orion-shm /dev/shm
if [ -n "$AGENT_CMD" ]; then
  # Bound before the overlays below can hide the state dir: the node token must outlive the
  # namespace, which is what makes a restarted worker the same node.
  install -d -m 0700 "$DIR/agent"
  install -d -m 0700 /run/orion-agent
  mount --bind "$DIR/agent" /run/orion-agent
fi
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
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n%s\t%s\n%s\torion-gateway\n' "$NAME" "$IP" "$NAME" "$GW" >/etc/hosts

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
AuthorizedKeysFile /etc/ssh/orion_keys/%u .ssh/authorized_keys
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
    export MY_HOSTNAME="$NAME" MY_HOST_IP="$IP" MY_HOST_PORT="$PORT" ORION_GATEWAY_IP="$GW" \
      ORION_HOST_KEY_FILE=/etc/ssh/ssh_host_ed25519_key.pub ORION_AGENT_STATE_DIR=/run/orion-agent
    # The host's loopback is not reachable from here; the gateway is the host.
    if [[ "${API_ENDPOINT:-}" =~ ^(https?://)(127\.0\.0\.1|localhost)([:/].*)?$ ]]; then
      API_ENDPOINT="${BASH_REMATCH[1]}$GW${BASH_REMATCH[3]}"
    fi
    exec 9>&-
    exec bash -c "$AGENT_CMD"
  ) >&3 2>&1 </dev/null &
  exec 3>&-
fi

# sshd becomes PID 1 of the namespace: it reaps orphans, and when it dies the kernel kills
# everything left inside. It closes the slot lock (fd 9) on start; unshare keeps holding it.
exec /usr/sbin/sshd -D -e -f /etc/ssh/sshd_config
