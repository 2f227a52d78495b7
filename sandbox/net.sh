#!/usr/bin/env bash
# The host's side of the sandbox network: Orion's own nftables table (`table inet orion`) and the
# `unreachable` route for ORION_SANDBOX_NET (default 10.237.0.0/16). Touches no other rule.
#
#   sandbox/net.sh install [PORT...]   route + table (kept if present), then let workers reach
#                                      the given host ports (the edge's client and agent ports)
#   sandbox/net.sh allow PORT...       let workers reach these host ports too
#   sandbox/net.sh disallow PORT...    take ports out again (absent ones are ignored)
#   sandbox/net.sh remove              delete the table and the route (kept while any worker runs)
#   sandbox/net.sh status              the table and the route as the kernel has them
#
# Workers (sandbox/worker.sh) run `install` without ports themselves, so they are never started
# unfenced. Needs root, iproute2 and nftables.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib-net.sh"

die() { echo "net.sh: $*" >&2; exit 2; }

ports() { # validates and joins ports for an nft set literal
  local p out=()
  for p in "$@"; do
    [[ $p =~ ^[0-9]+$ ]] && [ "$p" -ge 1 ] && [ "$p" -le 65535 ] || die "'$p' is not a TCP port"
    out+=("$p")
  done
  local IFS=,
  echo "${out[*]}"
}

[ "$(id -u)" -eq 0 ] || die "must run as root (it changes routes and nftables)"
command -v nft >/dev/null || die "nft not found: apt-get install nftables"
command -v ip >/dev/null || die "ip not found: apt-get install iproute2"

case "${1:-}" in
  install)
    shift
    orion_net_ensure || exit
    [ $# -eq 0 ] || nft add element inet orion edge_ports "{ $(ports "$@") }"
    ;;
  allow)
    shift
    [ $# -gt 0 ] || die "allow needs at least one port"
    orion_net_ensure || exit
    nft add element inet orion edge_ports "{ $(ports "$@") }"
    ;;
  disallow)
    shift
    for p in "$@"; do
      nft delete element inet orion edge_ports "{ $(ports "$p") }" 2>/dev/null || true
    done
    ;;
  remove)
    orion_net_parse || exit
    # The table is the only thing between running workers and the host's services: while any
    # worker's link exists (another stack, a test run), it stays.
    if ls /sys/class/net | grep -q "^$ORION_VETH_PREFIX"; then
      echo "net.sh: sandbox workers still run ($(ls /sys/class/net | grep -c "^$ORION_VETH_PREFIX") links); keeping table inet orion" >&2
      exit 0
    fi
    nft delete table inet orion 2>/dev/null || true
    ip route del unreachable "$ORION_NET" 2>/dev/null || true
    ;;
  status)
    orion_net_parse || exit
    nft list table inet orion 2>/dev/null || echo "no table inet orion"
    ip route show "$ORION_NET" type unreachable | grep -q . && echo "unreachable $ORION_NET" \
      || echo "no unreachable route for $ORION_NET"
    ;;
  *)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
