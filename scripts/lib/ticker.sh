#!/usr/bin/env bash
# The local stack's stand-in for cron: one poller tick at the start of every
# minute, output appended to var/log/poller.log. Stopped by scripts/stack down.
set -u
log="${SIEM_VAR_DIR:-$(dirname "$0")/../../var}/log/poller.log"
trap 'exit 0' TERM INT
while true; do
    "$SIEM_BIN_DIR/siem-poller" run --deadline 50 >>"$log" 2>&1
    sleep $(( 60 - $(date +%s) % 60 )) &
    wait $!
done
