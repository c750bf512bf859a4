#!/usr/bin/env bash
# The integration suite against a real Citus cluster: build Citus when missing, start
# a coordinator and two workers (up.sh), run `yunying migrate` and deploy/citus.sql on
# a template database, run `cargo test --test it` with YUNYING_TEST_CITUS set (the
# harness clones the template on every node per test, tests/it/helpers.rs), stop and
# remove the cluster whatever happens. Extra arguments go to the test binary
# (e.g. a filter). Needs root the first time (the build installs packages).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/common.sh"
"$here/build.sh"
trap '"$here/down.sh"' EXIT
CITUS_DB=yy_citus_template "$here/up.sh"
cd "$repo"
# The test build (its `yunying` binary too): `cargo build --bin` would build the
# dependencies again with other features.
cargo test --test it --no-run
CITUS_DB=yy_citus_template
DATABASE_URL="$(owner_url)" DATABASE_APP_URL="$(app_url)" target/debug/yunying migrate
# Few shards for the tests (CITUS_TEST_SHARD_COUNT, default 4: two a worker): every
# test clones the template on every node, and at the default 32 each clone holds
# ~3,000 shard tables; the placement logic is the same at any count.
psql_node "$CITUS_PORT" yy_citus_template -U yunying_owner -o /dev/null \
  -c "SET citus.shard_count = ${CITUS_TEST_SHARD_COUNT:-4}" -f "$repo/deploy/citus.sql"
YUNYING_TEST_CITUS="$CITUS_DIR/run:$CITUS_PORT:yy_citus_template" cargo test --test it -- "$@"
