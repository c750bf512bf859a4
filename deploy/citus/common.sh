# Shared by the deploy/citus scripts (sourced, not run). A local Citus cluster for
# development and CI: a coordinator and two workers, PostgreSQL 15, on local ports,
# in one state directory.
#   CITUS_DIR        state directory (default /tmp/yunying-citus): data, sockets, logs
#   CITUS_PORT       coordinator port (default 9700); the workers use the next two
#   CITUS_VENDOR_DIR where the Citus source archive and its build.sh are
#                    (default ../shared/vendor/citus relative to the repository, else
#                    /work/shared/vendor/citus)
#   PG_BINDIR        PostgreSQL binaries (default /usr/lib/postgresql/15/bin)
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CITUS_DIR="${CITUS_DIR:-/tmp/yunying-citus}"
CITUS_PORT="${CITUS_PORT:-9700}"
# The vendored source: beside the repository (../shared), else the workplace's copy.
if [ -z "${CITUS_VENDOR_DIR:-}" ]; then
  CITUS_VENDOR_DIR="$repo/../shared/vendor/citus"
  [ -x "$CITUS_VENDOR_DIR/build.sh" ] || [ ! -x /work/shared/vendor/citus/build.sh ] ||
    CITUS_VENDOR_DIR=/work/shared/vendor/citus
fi
PG_BINDIR="${PG_BINDIR:-/usr/lib/postgresql/15/bin}"
CITUS_DB="${CITUS_DB:-yunying}"
nodes=(coordinator worker1 worker2)
node_port() { # name -> port
  case "$1" in coordinator) echo "$CITUS_PORT" ;; worker1) echo $((CITUS_PORT + 1)) ;; worker2) echo $((CITUS_PORT + 2)) ;; esac
}
worker_ports() { echo $((CITUS_PORT + 1)) $((CITUS_PORT + 2)); }
# Run a command as the postgres system user when root (PostgreSQL refuses root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
# psql as the superuser on one node: psql_node PORT [DB] ARGS...
psql_node() {
  local port="$1" db="$2"; shift 2
  as_pg "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$CITUS_DIR/run" -p "$port" -U postgres -d "$db" "$@"
}
# The owner's URL on the coordinator (what DATABASE_URL gets).
owner_url() { echo "postgres://yunying_owner@localhost:$CITUS_PORT/$CITUS_DB?host=$CITUS_DIR/run"; }
app_url() { echo "postgres://yunying_app@localhost:$CITUS_PORT/$CITUS_DB?host=$CITUS_DIR/run"; }
# Whether Citus 13.2 is installed in the PostgreSQL of pg_config (what the vendored
# build.sh --check tests), without needing the vendored source.
citus_installed() {
  local pgc; pgc="$(command -v pg_config || true)"
  [ -n "$pgc" ] && [ -f "$("$pgc" --pkglibdir)/citus.so" ] &&
    grep -q "default_version = '13.2" "$("$pgc" --sharedir)/extension/citus.control" 2>/dev/null
}
