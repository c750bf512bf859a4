# Shared by the deploy/citus scripts (sourced, not run). A local Citus cluster for
# development and CI: a coordinator and two workers, PostgreSQL 15, on local ports,
# in one state directory.
#   CITUS_DIR        state directory (default /tmp/yunying-citus): data, sockets, logs
#   CITUS_PORT       coordinator port (default 9700); the workers use the next two
#   CITUS_VENDOR_DIR where the Citus source archive and its build.sh are
#                    (default ../shared/vendor/citus relative to the repository)
#   PG_BINDIR        PostgreSQL binaries (default /usr/lib/postgresql/15/bin)
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CITUS_DIR="${CITUS_DIR:-/tmp/yunying-citus}"
CITUS_PORT="${CITUS_PORT:-9700}"
CITUS_VENDOR_DIR="${CITUS_VENDOR_DIR:-$repo/../shared/vendor/citus}"
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
