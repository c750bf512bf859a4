#!/usr/bin/env bash
# Stop the local Citus cluster of up.sh and remove its directory.
set -euo pipefail
. "$(dirname "$0")/common.sh"
for n in "${nodes[@]}"; do
  data="$CITUS_DIR/$n"
  if [ -f "$data/postmaster.pid" ]; then
    as_pg "$PG_BINDIR/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null || true
  fi
done
rm -rf "$CITUS_DIR"
echo "citus down: $CITUS_DIR removed"
