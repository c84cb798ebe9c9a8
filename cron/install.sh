#!/usr/bin/env bash
# Installs the poller's cron entry for a dedicated 'siem' user:
#   sudo cron/install.sh [path/to/siem-poller]
# Creates the user (no login shell), /etc/siem (0750), /var/log/siem, copies the
# binary to /usr/local/bin, the cron file to /etc/cron.d, and an example
# /etc/siem/poller.env (0600) when none exists. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
binary="${1:-$here/../.build/release/siem-poller}"
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
[ -x "$binary" ] || { echo "no siem-poller binary at $binary (swift build -c release)" >&2; exit 1; }

id siem >/dev/null 2>&1 || useradd --system --home-dir /var/lib/siem --shell /usr/sbin/nologin siem
install -d -o root -g siem -m 0750 /etc/siem
install -d -o siem -g siem -m 0750 /var/log/siem
install -o root -g root -m 0755 "$binary" /usr/local/bin/siem-poller
install -o root -g root -m 0644 "$here/siem-poller.cron" /etc/cron.d/siem-poller
if [ ! -f /etc/siem/poller.env ]; then
    install -o siem -g siem -m 0600 "$here/poller.env.example" /etc/siem/poller.env
    echo "edit /etc/siem/poller.env, then cron picks the poller up within a minute"
fi
echo "installed: /etc/cron.d/siem-poller -> /usr/local/bin/siem-poller (logs: /var/log/siem/poller.log)"
