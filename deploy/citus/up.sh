#!/usr/bin/env bash
# Start a local Citus cluster: a coordinator on $CITUS_PORT (default 9700) and two
# workers on the next two ports, data and sockets in $CITUS_DIR; create the roles
# and the database on every node, the citus extension, and register the workers.
# Prints the DATABASE_URL / DATABASE_APP_URL to use. Stop it with down.sh.
set -euo pipefail
. "$(dirname "$0")/common.sh"
citus_installed || { echo "Citus is not installed: run deploy/citus/build.sh" >&2; exit 1; }
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
  useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/sh postgres
fi
mkdir -p "$CITUS_DIR/run"
[ "$(id -u)" = 0 ] && chown postgres: "$CITUS_DIR" "$CITUS_DIR/run"
for n in "${nodes[@]}"; do
  port="$(node_port "$n")"
  data="$CITUS_DIR/$n"
  if [ ! -f "$data/PG_VERSION" ]; then
    as_pg "$PG_BINDIR/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$CITUS_DIR/$n.initdb.log"
    cat >>"$data/postgresql.conf" <<CONF
shared_preload_libraries = 'citus'
listen_addresses = 'localhost'
port = $port
unix_socket_directories = '$CITUS_DIR/run'
max_connections = 300
max_prepared_transactions = 300
shared_buffers = 128MB
fsync = ${CITUS_FSYNC:-off}
synchronous_commit = off
full_page_writes = off
wal_level = logical
citus.max_client_connections = 250
# A Citus maintenance daemon per database (the test mode has a few at once).
max_worker_processes = 32
CONF
  fi
  if ! as_pg "$PG_BINDIR/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_pg "$PG_BINDIR/pg_ctl" -D "$data" -l "$CITUS_DIR/$n.log" -w -t 60 start >/dev/null
  fi
done
# The database and the extension on every node; then, on the coordinator, the
# workers and the roles (created through Citus, so it knows they exist on every node
# and never has to propagate them later as the non-superuser owner).
for n in "${nodes[@]}"; do
  port="$(node_port "$n")"
  echo "SELECT 'CREATE DATABASE $CITUS_DB' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$CITUS_DB') \\gexec" |
    psql_node "$port" postgres -o /dev/null
  psql_node "$port" "$CITUS_DB" -c "CREATE EXTENSION IF NOT EXISTS citus"
done
psql_node "$CITUS_PORT" "$CITUS_DB" -o /dev/null <<SQL
SELECT citus_set_coordinator_host('localhost', $CITUS_PORT);
SELECT citus_add_node('localhost', p) FROM unnest(ARRAY[$(worker_ports | tr ' ' ',')]) p
 WHERE NOT EXISTS (SELECT FROM pg_dist_node WHERE nodeport = p);
SELECT 'CREATE ROLE yunying_owner LOGIN NOSUPERUSER NOBYPASSRLS CREATEDB NOCREATEROLE'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'yunying_owner') \gexec
SELECT 'CREATE ROLE yunying_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'yunying_app') \gexec
ALTER DATABASE $CITUS_DB OWNER TO yunying_owner;
SQL
echo "citus up: coordinator :$CITUS_PORT, workers :$(worker_ports | tr ' ' ' :'), in $CITUS_DIR"
echo "DATABASE_URL=$(owner_url)"
echo "DATABASE_APP_URL=$(app_url)"
