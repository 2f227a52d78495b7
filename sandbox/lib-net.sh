# Shared by sandbox/net.sh and sandbox/worker.sh (sourced, not run): the sandbox address range,
# its /30 slots and Orion's own nftables table. Nothing here touches a rule outside
# `table inet orion` or a route outside ORION_SANDBOX_NET.
#
# Layout: ORION_SANDBOX_NET (default 10.237.0.0/16; any IPv4 prefix from /8 to /28) is cut into
# /30 slots. Slot s gives the host end of the worker's veth (orv-<s>) the gateway address
# base+4s+1 and the worker's eth0 base+4s+2, each as a point-to-point peer of the other, so the
# worker has a route to its gateway and nothing else. The host routes the whole range as
# `unreachable`: traffic for a stopped worker's address never leaves the machine.

ORION_NET_DEFAULT=10.237.0.0/16
ORION_NET_RUN=/run/orion-sandbox
ORION_VETH_PREFIX=orv-

orion_ip2int() { # a.b.c.d -> integer
  local IFS=. a b c d
  read -r a b c d <<<"$1"
  echo $(((a << 24) | (b << 16) | (c << 8) | d))
}

orion_int2ip() {
  echo "$((($1 >> 24) & 255)).$((($1 >> 16) & 255)).$((($1 >> 8) & 255)).$(($1 & 255))"
}

# Validates ORION_SANDBOX_NET and sets ORION_NET (normalised), ORION_NET_BASE, ORION_NET_SLOTS.
orion_net_parse() {
  local net=${ORION_SANDBOX_NET:-$ORION_NET_DEFAULT} addr len o
  [[ $net =~ ^([0-9]{1,3}(\.[0-9]{1,3}){3})/([0-9]{1,2})$ ]] \
    || { echo "ORION_SANDBOX_NET '$net' is not an IPv4 prefix like $ORION_NET_DEFAULT" >&2; return 2; }
  addr=${BASH_REMATCH[1]} len=${BASH_REMATCH[3]}
  for o in ${addr//./ }; do
    [ "$o" -le 255 ] || { echo "ORION_SANDBOX_NET '$net': octet $o is over 255" >&2; return 2; }
  done
  [ "$len" -ge 8 ] && [ "$len" -le 28 ] \
    || { echo "ORION_SANDBOX_NET '$net': the prefix length must be 8 to 28 (room for /30 slots)" >&2; return 2; }
  ORION_NET_BASE=$(orion_ip2int "$addr")
  if [ $((ORION_NET_BASE & ((1 << (32 - len)) - 1))) -ne 0 ]; then
    echo "ORION_SANDBOX_NET '$net' has host bits set (did you mean $(orion_int2ip $((ORION_NET_BASE & ~((1 << (32 - len)) - 1) & 0xffffffff)))/$len?)" >&2
    return 2
  fi
  ORION_NET="$addr/$len"
  ORION_NET_SLOTS=$((1 << (30 - len)))
}

orion_slot_gateway() { orion_int2ip $((ORION_NET_BASE + 4 * $1 + 1)); }
orion_slot_address() { orion_int2ip $((ORION_NET_BASE + 4 * $1 + 2)); }

# The table: input from worker veths is dropped except answers to connections the host opened
# (the control plane's SSH) and the edge's ports (@edge_ports); nothing is forwarded to or from a
# worker veth, so workers cannot reach each other or anything beyond the host.
orion_nft_table() {
  cat <<'NFT'
table inet orion {
	set edge_ports {
		type inet_service
	}
	chain input {
		type filter hook input priority filter; policy accept;
		iifname "orv-*" ct state established,related accept
		iifname "orv-*" tcp dport @edge_ports ct state new accept
		iifname "orv-*" counter drop
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname "orv-*" counter drop
		oifname "orv-*" counter drop
	}
}
NFT
}

# Idempotent and safe to run from many processes at once: the unreachable route for the range
# and the table (created whole, in one transaction, only when missing; existing set elements
# stay). Needs root, iproute2 and nftables.
orion_net_ensure() {
  orion_net_parse || return
  mkdir -p "$ORION_NET_RUN/slots"
  (
    flock 7
    ip route replace unreachable "$ORION_NET" || exit
    if ! nft list chain inet orion input >/dev/null 2>&1; then
      orion_nft_table | nft -f - || exit
    fi
  ) 7>"$ORION_NET_RUN/net.lock"
}
