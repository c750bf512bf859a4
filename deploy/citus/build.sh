#!/usr/bin/env bash
# Build and install Citus 13.2.2 into the installed PostgreSQL when it is missing
# (the vendored build.sh: installs its build dependencies; needs root; idempotent).
set -euo pipefail
. "$(dirname "$0")/common.sh"
if citus_installed; then
  echo "citus 13.2 installed in $(pg_config --pkglibdir)"
  exit 0
fi
[ -x "$CITUS_VENDOR_DIR/build.sh" ] || { echo "no Citus build script at $CITUS_VENDOR_DIR/build.sh (set CITUS_VENDOR_DIR)" >&2; exit 1; }
exec "$CITUS_VENDOR_DIR/build.sh"
