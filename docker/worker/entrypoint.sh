#!/bin/sh
# Container entrypoint: host key, admin key, then the agent in the background and sshd in the
# foreground (the container lives as long as sshd does).
set -eu

if [ -z "${ORION_ADMIN_PUBKEY:-}" ]; then
  echo "orion-worker: set ORION_ADMIN_PUBKEY to the control plane's admin public key line" >&2
  exit 2
fi

if [ ! -s /etc/ssh/ssh_host_ed25519_key ]; then
  ssh-keygen -q -t ed25519 -N '' -C "root@$(hostname)" -f /etc/ssh/ssh_host_ed25519_key
fi

install -d -m 0700 /root/.ssh
printf '%s\n' "$ORION_ADMIN_PUBKEY" >/root/.ssh/authorized_keys
chmod 0600 /root/.ssh/authorized_keys
# Without PAM a '!' in root's shadow entry counts as locked and blocks key login too; '*' only
# forbids password login.
sed -i 's/^root:[^:]*:/root:*:/' /etc/shadow
mkdir -p /run/sshd

if [ -n "${API_ENDPOINT:-}" ]; then
  export ORION_HOST_KEY_FILE="${ORION_HOST_KEY_FILE:-/etc/ssh/ssh_host_ed25519_key.pub}"
  export MY_HOSTNAME="${MY_HOSTNAME:-$(hostname)}"
  # The node token the first registration returns is kept here (root-only); it survives a
  # container restart, and a volume on this path keeps it across re-creation too.
  export ORION_AGENT_STATE_DIR="${ORION_AGENT_STATE_DIR:-/var/lib/orion-agent}"
  install -d -m 0700 "$ORION_AGENT_STATE_DIR"
  java -Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar /opt/orion/orion-agent.jar &
else
  echo "orion-worker: API_ENDPOINT not set; running sshd without the agent" >&2
fi

exec /usr/sbin/sshd -D -e
