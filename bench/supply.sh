#!/usr/bin/env bash
# Supply-side benchmark (issue 4) — see bench/README.md.
#
# One run: release build → `yunying demo --tenants 1 --products N` (5 warehouses) in
# a fresh temp data dir → VACUUM (ANALYZE) → `yunying serve` on it → log in as
# demo/ops.manager → /readyz for reference → for each list page (low stock,
# products, stock; first page, deep page, a filter): oha at peak, then pgbench
# -M prepared running the page's own list + count queries in the app's tenant
# transaction (bench/sql/*.sql), back to back, then oha at half the page's peak rate,
# then one EXPLAIN ANALYZE of its queries → the approve POST (wrk, a distinct pending
# request per POST) against pgbench running the handler's transaction on another set
# of requests → SIGTERM → Markdown report in bench/out/supply-latest.md.
#
# Knobs (environment): BENCH_PRODUCTS (default 50000), BENCH_DURATION (s per measured
# phase, default 12), BENCH_WARMUP (s, default 3), BENCH_CONNECTIONS (oha, wrk and
# pgbench clients, default 32), BENCH_HALF_CONNECTIONS (default 32), BENCH_DEEP_PAGE
# (default 50), BENCH_PRODUCT_STATUS (status filter, default delisted),
# BENCH_STOCK_Q (stock search text, default: the most common two-character name
# prefix), BENCH_APPROVE_POOL (pending requests per side, default 60000),
# BENCH_PAGES (subset of "low products stock approve", default all),
# BENCH_QUIET_WAIT/BENCH_QUIET_MAX/BENCH_RETRIES as in run.sh, BENCH_STRICT=1 (exit 3
# when a target is missed), BENCH_SKIP_BUILD=1, BENCH_REV=<git rev> (build a `git
# archive` snapshot of that commit instead of the working tree).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

PRODUCTS=${BENCH_PRODUCTS:-50000}
DURATION=${BENCH_DURATION:-12}
WARMUP=${BENCH_WARMUP:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
HALF_CONNECTIONS=${BENCH_HALF_CONNECTIONS:-32}
DEEP_PAGE=${BENCH_DEEP_PAGE:-50}
PRODUCT_STATUS=${BENCH_PRODUCT_STATUS:-delisted}
APPROVE_POOL=${BENCH_APPROVE_POOL:-60000}
PAGES=${BENCH_PAGES:-"low products stock approve"}
PER_PAGE=50      # crate::web::pagination::PER_PAGE
COUNT_AHEAD=1000  # crate::web::pagination::COUNT_AHEAD (the scripts set cap = offset + 1000)
TARGET_DIR=$ROOT/target/bench
BIN=$TARGET_DIR/release/yunying
SQL=$ROOT/bench/sql
OUT=$ROOT/bench/out
mkdir -p "$OUT"
# One benchmark at a time (shared with bench/run.sh).
exec 9>"$OUT/.run.lock"
if ! flock -n 9; then
    printf '[supply %s] another benchmark is running; waiting for it\n' "$(date +%H:%M:%S)" >&2
    flock 9
fi
RUN_ID=supply-$(date -u +%Y%m%dT%H%M%SZ)
RAW=$OUT/$RUN_ID
while [[ -e $RAW ]]; do RAW=$RAW+; done
RUN_ID=$(basename "$RAW")
mkdir -p "$RAW"
START_EPOCH=$(date +%s)
LOADAVG_START=$(cut -d" " -f1-3 /proc/loadavg)

# Targets (issue 4).
TARGET_LIST_VS_PGBENCH=0.35    # list page ≥ 35 % of pgbench's rate for the same queries
TARGET_HALF_P99_MS=25          # list page p99 at half its peak rate
TARGET_APPROVE_VS_PGBENCH=0.70 # approve POST ≥ 70 % of pgbench running the same transaction
TARGET_SEARCH_VS_FIRST=0.50    # a name search ≥ 50 % of its list's first page's rate (issue 9, item 14)
declare -A SEARCH_BASE SEARCH_N SEARCH_TEXT

log() { printf '[supply %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}
want() { [[ " $PAGES " == *" $1 "* ]]; }

# Every command that matters, as run (session token and CSRF token masked).
COMMANDS=()
record_cmd() {
    local line
    line=$(printf '%q ' "$@")
    if [[ -n ${TOKEN:-} ]]; then line=${line//$TOKEN/<token>}; fi
    if [[ -n ${CSRF_TOKEN:-} ]]; then line=${line//$CSRF_TOKEN/<csrf>}; fi
    if [[ -n ${CSRF_URI:-} ]]; then line=${line//$CSRF_URI/<csrf>}; fi
    COMMANDS+=("${line% }")
}

# ---------------------------------------------------------------- tools
OHA=$(command -v oha || true)
if [[ -z $OHA && -x ${CARGO_HOME:-$HOME/.cargo}/bin/oha ]]; then OHA=${CARGO_HOME:-$HOME/.cargo}/bin/oha; fi
[[ -n $OHA ]] || die "oha not found: cargo install oha --locked"
# wrk is Debian's package; a fresh machine has none (a missing install step found on 2026-12-01).
if ! command -v wrk >/dev/null && [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    log "wrk not found: apt-get install wrk"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2 || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2; }
fi
for tool in curl jq awk psql pgbench wrk; do command -v "$tool" >/dev/null || die "$tool is required"; done
OHA_VERSION=$("$OHA" --version | head -1)
if "$OHA" --help | grep -q -- '--output-format'; then OHA_JSON=(--output-format json); else OHA_JSON=(--json); fi
PGBENCH_VERSION=$(pgbench --version | head -1)
WRK_VERSION=$(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2 || true)

# ---------------------------------------------------------------- cleanup
DATA=$(mktemp -d /tmp/yunying-supply.XXXXXX)
chmod 755 "$DATA" # the postgres user must be able to enter it
SERVER_PID=
SNAPSHOT=

stop_postmaster() {
    local pm=$DATA/pg/data/postmaster.pid pgpid
    if [[ -f $pm ]]; then
        pgpid=$(head -1 "$pm")
        if [[ -n $pgpid ]] && kill -0 "$pgpid" 2>/dev/null; then
            log "cleanup: stopping the embedded postgres $pgpid"
            kill -INT "$pgpid" 2>/dev/null || true
            for _ in $(seq 1 50); do kill -0 "$pgpid" 2>/dev/null || break; sleep 0.2; done
        fi
    fi
}
cleanup() {
    local rc=$?
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        log "cleanup: stopping server $SERVER_PID"
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
        kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    stop_postmaster # only if the server (or the demo) died without stopping it
    rm -rf "$DATA" "${SNAPSHOT:-}"
    exit "$rc"
}
trap cleanup EXIT

# ---------------------------------------------------------------- build
SRC=$ROOT
if [[ -n ${BENCH_REV:-} ]]; then
    COMMIT=$(git rev-parse --short "$BENCH_REV")
    DIRTY=" (snapshot of $BENCH_REV via git archive, working tree not used)"
    SNAPSHOT=$(mktemp -d /tmp/yunying-bench-src.XXXXXX)
    SRC=$SNAPSHOT/src
    mkdir -p "$SRC"
    git archive "$BENCH_REV" | tar -x -C "$SRC"
    COMMANDS+=("git archive $BENCH_REV | tar -x -C <tmp>  # BENCH_REV=$BENCH_REV")
    BIN_NAME=yunying-$COMMIT
else
    COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
    DIRTY=$(git status --porcelain --untracked-files=no 2>/dev/null | grep -q . &&
        echo " + uncommitted changes in the working tree" || true)
    BIN_NAME=yunying
fi
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
    log "building release binary from $SRC into $TARGET_DIR"
    record_cmd env CARGO_TARGET_DIR="$TARGET_DIR" cargo build --release
    (cd "$SRC" && CARGO_TARGET_DIR=$TARGET_DIR cargo build --release >&2) || die "release build failed"
    if [[ -n $SNAPSHOT ]]; then
        cp "$BIN" "$TARGET_DIR/release/.$BIN_NAME.$$"
        mv -f "$TARGET_DIR/release/.$BIN_NAME.$$" "$TARGET_DIR/release/$BIN_NAME"
    fi
fi
if [[ -n $SNAPSHOT ]]; then rm -rf "$SNAPSHOT"; SNAPSHOT=; fi
BIN=$TARGET_DIR/release/$BIN_NAME
[[ -x $BIN ]] || die "$BIN missing"
# Run a copy under its own name: a `killall yunying` / `pkill -x yunying` elsewhere on
# the machine (other checkouts' scripts and tests) must not stop this run's server.
RUN_BIN=$TARGET_DIR/release/yunying-supply-bench
cp "$BIN" "$RUN_BIN.$$"
mv -f "$RUN_BIN.$$" "$RUN_BIN"

# ---------------------------------------------------------------- demo data
log "demo data: $PRODUCTS products (one tenant)"
record_cmd env RUST_LOG=warn YUNYING_DATA_DIR="$DATA" "$BIN" demo --tenants 1 --products "$PRODUCTS"
t0=$(date +%s.%N)
env -u DATABASE_URL -u DATABASE_APP_URL -u YUNYING_PUBLIC_URL RUST_LOG=warn YUNYING_DATA_DIR="$DATA" \
    "$RUN_BIN" demo --tenants 1 --products "$PRODUCTS" >"$RAW/demo.txt" 2>&1 9>&- ||
    { tail -20 "$RAW/demo.txt" >&2; die "yunying demo failed"; }
DEMO_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
log "demo data in $DEMO_SECONDS s"

# ---------------------------------------------------------------- server
log "starting $RUN_BIN serve (a copy of $BIN; data dir $DATA)"
record_cmd env RUST_LOG=warn YUNYING_DATA_DIR="$DATA" YUNYING_BIND=127.0.0.1:0 "$BIN" serve
env -u DATABASE_URL -u DATABASE_APP_URL -u YUNYING_PUBLIC_URL \
    RUST_LOG=warn YUNYING_DATA_DIR="$DATA" YUNYING_BIND=127.0.0.1:0 \
    "$RUN_BIN" serve >"$RAW/server.log" 2>&1 9>&- &
SERVER_PID=$!
URL=
for _ in $(seq 1 1200); do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$RAW/server.log" >&2; die "server exited during start-up"; }
    URL=$(sed -n 's/.*is running at \(http:\/\/[0-9.:]*\).*/\1/p' "$RAW/server.log" | head -1)
    [[ -n $URL ]] && break
    sleep 0.1
done
[[ -n $URL ]] || die "server did not report its address within 120 s (log: $RAW/server.log)"
ready=0
for _ in $(seq 1 100); do
    if [[ $(curl -s -o /dev/null -w '%{http_code}' "$URL/readyz") == 200 ]]; then ready=1; break; fi
    sleep 0.1
done
[[ $ready == 1 ]] || die "/readyz not 200 at $URL"
log "server pid $SERVER_PID ready at $URL"

# ---------------------------------------------------------------- database access
# The embedded cluster: socket directory and port from postmaster.pid (lines 5 and 4;
# see src/db/embedded.rs: socket_dir_for, PORT). Local connections use trust
# authentication; pgbench connects as yunying_app, the server's runtime role, so RLS
# applies exactly as in the app.
PM_FILE=$DATA/pg/data/postmaster.pid
PGMASTER=$(head -1 "$PM_FILE")
PGPORT=$(sed -n 4p "$PM_FILE")
PGSOCK=$(sed -n 5p "$PM_FILE")
[[ -S $PGSOCK/.s.PGSQL.$PGPORT ]] || die "no PostgreSQL socket at $PGSOCK/.s.PGSQL.$PGPORT"
PG_APP=(-h "$PGSOCK" -p "$PGPORT" -U yunying_app -d yunying)
PG_OWNER=(-h "$PGSOCK" -p "$PGPORT" -U yunying_owner -d yunying)
q_owner() { psql -X -q -At -v ON_ERROR_STOP=1 "${PG_OWNER[@]}" "$@"; }
# q_tenant SQL: one value from SQL run as the owner inside a tenant transaction.
q_tenant() {
    printf '%s\n' "BEGIN;" "SELECT set_config('app.tenant_id', '$TENANT', true) \\g /dev/null" "$1" "COMMIT;" |
        q_owner | awk 'NF && !done { print; done = 1 }'
}
TENANT=$(q_owner -c "SELECT id FROM tenants WHERE code = 'demo'")
[[ -n $TENANT ]] || die "no demo tenant"
N_PRODUCTS=$(q_tenant "SELECT count(*) FROM products WHERE tenant_id = $TENANT;")
N_WAREHOUSES=$(q_tenant "SELECT count(*) FROM warehouses WHERE tenant_id = $TENANT;")
N_LEVELS=$(q_tenant "SELECT count(*) FROM stock_levels WHERE tenant_id = $TENANT;")
N_LOW=$(q_tenant "SELECT count(*) FROM stock_levels s WHERE s.tenant_id = $TENANT AND s.reorder_point > 0 AND s.on_hand - s.reserved <= s.reorder_point;")
log "tenant demo (id $TENANT): $N_PRODUCTS products, $N_WAREHOUSES warehouses, $N_LEVELS stock levels, $N_LOW at or below their reorder point"
if [[ $N_PRODUCTS == 0 ]]; then
    die "\`yunying demo --products $PRODUCTS\` created no products: the catalog/inventory demo seeding (H1) is not in this build ($COMMIT). Nothing to measure."
fi
[[ $N_PRODUCTS -ge $PRODUCTS ]] || log "warning: asked for $PRODUCTS products, the demo made $N_PRODUCTS"

# The demo leaves stock_levels with a dead version of nearly every row (each level is
# written, then its on-hand set by the ledger trigger) and no visibility map:
# autovacuum would clean it up within a minute of the start — in the middle of a
# phase. Do it now, as the steady state of a database in use.
log "VACUUM (ANALYZE) after the demo"
t0=$(date +%s.%N)
record_cmd psql -h "$PGSOCK" -U postgres -d yunying -c "VACUUM (ANALYZE)"
psql -X -q -h "$PGSOCK" -p "$PGPORT" -U postgres -d yunying -c "VACUUM (ANALYZE)"
VACUUM_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

# ---------------------------------------------------------------- login
JAR=$RAW/cookies.txt
curl -sS -c "$JAR" -o "$RAW/login.html" "$URL/login"
CSRF=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$RAW/login.html" | head -1)
[[ -n $CSRF ]] || die "no csrf_token in the login form"
USERNAME=ops.manager
status=$(curl -sS -b "$JAR" -D "$RAW/login-headers.txt" -o /dev/null -w '%{http_code}' \
    --data-urlencode "csrf_token=$CSRF" --data-urlencode company=demo \
    --data-urlencode username=$USERNAME --data-urlencode password=demo1234 "$URL/login")
[[ $status == 303 ]] || die "login answered $status, expected 303"
TOKEN=$(sed -n 's/^[Ss]et-[Cc]ookie: yy_session=\([^;]*\).*/\1/p' "$RAW/login-headers.txt" | tr -d '\r' | head -1)
[[ -n $TOKEN ]] || die "no yy_session cookie after login"
rm -f "$JAR" "$RAW/login-headers.txt" # they hold the session token
COOKIE="Cookie: yy_session=$TOKEN"
status=$(curl -sS -H "$COOKIE" -o "$RAW/home.html" -w '%{http_code}' "$URL/")
[[ $status == 200 ]] || die "GET / with the session answered $status, expected 200"
# The session's CSRF token, from any form of a signed-in page.
CSRF_TOKEN=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$RAW/home.html" | head -1)
[[ -n $CSRF_TOKEN ]] || die "no csrf_token field on the signed-in home page"
sed -i "s/$CSRF_TOKEN/<csrf>/g" "$RAW/home.html"
MANAGER_ID=$(q_tenant "SELECT id FROM users WHERE tenant_id = $TENANT AND username = '$USERNAME';")
MANAGER_ACTOR=$(q_tenant "SELECT display_name || '（' || username || '）' FROM users WHERE tenant_id = $TENANT AND id = $MANAGER_ID;")
REQUESTER_ID=$(q_tenant "SELECT id FROM users WHERE tenant_id = $TENANT AND username = 'ops.specialist';")
[[ -n $MANAGER_ID && -n $REQUESTER_ID ]] || die "demo users ops.manager / ops.specialist missing"
log "logged in as demo/$USERNAME (user $MANAGER_ID)"
COMMANDS+=("curl -c jar $URL/login  # → yy_csrf cookie + csrf_token")
COMMANDS+=("curl -b jar -d csrf_token=… -d company=demo -d username=$USERNAME -d password=demo1234 $URL/login  # → 303, Set-Cookie: yy_session=<token>")
COMMANDS+=("curl -H 'Cookie: yy_session=<token>' $URL/  # → 200; the session's csrf_token (<csrf>) from its forms")

# ---------------------------------------------------------------- CPU accounting (as run.sh)
CLK_TCK=$(getconf CLK_TCK)
NPROC=$(nproc)
QUIET_WAIT=${BENCH_QUIET_WAIT:-60}
QUIET_MAX=${BENCH_QUIET_MAX:-0.10}
RETRIES=${BENCH_RETRIES:-2}
machine_ticks() { awk '/^cpu /{ print $2+$3+$4, $7+$8, $9, $2+$3+$4+$5+$6+$7+$8+$9; exit }' /proc/stat; }
pids_ticks() {
    local p total=0 t
    for p in "$@"; do
        t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$p/stat" 2>/dev/null) || t=0
        total=$((total + ${t:-0}))
    done
    echo "$total"
}
# "procs irq steal all server postgres"
snapshot() {
    # shellcheck disable=SC2046
    echo "$(machine_ticks) $(pids_ticks "$SERVER_PID") $(pids_ticks "$PGMASTER" $(ps -o pid= --ppid "$PGMASTER"))"
}
wait_quiet() {
    local waited=0 s1 s2 f
    while :; do
        s1=$(snapshot)
        sleep 1
        s2=$(snapshot)
        f=$(awk -v a="$s1" -v b="$s2" 'BEGIN { split(a, x, " "); split(b, y, " ");
            all = y[4] - x[4]; o = (y[1] - x[1]) - (y[5] - x[5]) - (y[6] - x[6]);
            printf "%.3f", (all > 0 ? (o > 0 ? o : 0) / all : 0) }')
        if awk -v f="$f" -v m="$QUIET_MAX" 'BEGIN { exit !(f < m) }'; then break; fi
        waited=$((waited + 1))
        if ((waited >= QUIET_WAIT)); then
            log "warning: machine still busy (other processes at $f of it) after ${QUIET_WAIT}s; going on"
            QUIET_TIMEOUTS=$((${QUIET_TIMEOUTS:-0} + 1))
            break
        fi
        ((waited % 10 == 1)) && log "waiting for a quiet machine (other processes at $f of it)"
    done
    QUIET_WAITED=$((${QUIET_WAITED:-0} + waited))
}

# run_tool NAME CMD…: run a load generator (oha, pgbench or wrk) with its output in
# $RAW/NAME.out and stderr in $RAW/NAME.err; CPU deltas into $RAW/NAME.cpu ("procs irq
# steal all server postgres tool", jiffies). Returns the tool's exit status.
run_tool() {
    local name=$1
    shift
    record_cmd "$@"
    local before after rc=0
    before=$(snapshot)
    local TIMEFORMAT='%U %S'
    { time "$@" >"$RAW/$name.out" 2>"$RAW/$name.err" 9>&-; } 2>"$RAW/$name.time" || rc=$?
    after=$(snapshot)
    kill -0 "$SERVER_PID" 2>/dev/null && kill -0 "$PGMASTER" 2>/dev/null ||
        die "the server ($SERVER_PID) or its PostgreSQL ($PGMASTER) is gone during $name — stopped from outside? (log: $RAW/server.log)"
    awk -v a="$before" -v b="$after" -v t="$(tail -1 "$RAW/$name.time")" -v hz="$CLK_TCK" 'BEGIN {
        split(a, x, " "); split(b, y, " "); split(t, o, " ");
        for (i = 1; i <= 6; i++) printf "%d ", y[i] - x[i]; printf "%d\n", (o[1] + o[2]) * hz }' >"$RAW/$name.cpu"
    return $rc
}
disturbance() { awk '{ o = $1 - $5 - $6 - $7; printf "%.3f", ($4 > 0 ? (o > 0 ? o : 0) / $4 : 0) }' "$RAW/$1.cpu"; }
# measure NAME CMD…: a measured phase, re-run (after waiting for quiet) when other
# processes took more than QUIET_MAX of the machine during it. PRE_RETRY (a function
# name, optional) runs before a re-run.
PRE_RETRY=
measure() {
    local name=$1 try=0 d
    shift
    while :; do
        run_tool "$name" "$@" || die "$name: $1 failed (see $RAW/$name.err)"
        d=$(disturbance "$name")
        if awk -v d="$d" -v m="$QUIET_MAX" 'BEGIN { exit !(d > m) }' && ((try < RETRIES)); then
            try=$((try + 1))
            log "warning: $name disturbed (other processes took $d of the machine); measuring again ($try/$RETRIES)"
            for f in out err cpu time; do mv "$RAW/$name.$f" "$RAW/$name.disturbed$try.$f"; done
            DISTURBED_RETRIES="${DISTURBED_RETRIES:-}$name ($d); "
            [[ -n $PRE_RETRY ]] && $PRE_RETRY
            wait_quiet
            continue
        fi
        break
    done
    MEASURED+=("$name")
}
MEASURED=()

# Results of a phase, whatever the tool: "rps p50_ms p99_ms requests".
oha_stats() {
    jq -r '[.summary.requestsPerSec, .latencyPercentiles.p50 * 1000, .latencyPercentiles.p99 * 1000,
            ([.statusCodeDistribution | to_entries[] | .value] | add // 0)] | @tsv' "$RAW/$1.out"
}
oha_check() { # every response 200
    local non200 errors
    non200=$(jq '[.statusCodeDistribution | to_entries[] | select(.key != "200") | .value] | add // 0' "$RAW/$1.out")
    errors=$(jq '[.errorDistribution | to_entries[] | .value] | add // 0' "$RAW/$1.out")
    if [[ $non200 != 0 || $errors != 0 ]]; then
        log "warning: $1: $non200 non-200 responses, $errors errors: $(jq -c '.statusCodeDistribution, .errorDistribution' "$RAW/$1.out" | tr '\n' ' ')"
        BAD_RESPONSES="${BAD_RESPONSES:-}$1: $non200 non-200, $errors errors; "
    fi
}
# pgbench: tps from its summary, latency percentiles from the per-transaction log
# (third field: the transaction's latency in µs).
pgbench_stats() {
    local tps n
    tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time).*/\1/p' "$RAW/$1.out")
    n=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$RAW/$1.out")
    cat "$RAW/$1".log* | awk '{ print $3 }' | sort -n | awk -v tps="$tps" -v n="$n" '{ a[NR] = $1 } END {
        i50 = int(NR * 0.50); if (i50 < 1) i50 = 1; i99 = int(NR * 0.99); if (i99 < 1) i99 = 1;
        printf "%s\t%.3f\t%.3f\t%s\n", tps, a[i50] / 1000, a[i99] / 1000, n }'
}
pgbench_check() {
    local failed
    failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$RAW/$1.out")
    if [[ -n $failed && $failed != 0 ]] || grep -q 'aborted\|error' "$RAW/$1.err"; then
        log "warning: $1: pgbench reported failures: $(grep -m3 'aborted\|error' "$RAW/$1.err" | tr '\n' ' ') failed=$failed"
        BAD_RESPONSES="${BAD_RESPONSES:-}$1: pgbench failures; "
    fi
}
wrk_stats() { jq -r '[.rps, .p50_ms, .p99_ms, .requests] | @tsv' "$RAW/$1.json"; }
stat_of() { # NAME FIELD(1 rps, 2 p50, 3 p99, 4 requests)
    local line
    case $1 in
    *-pgbench*) line=$(pgbench_stats "$1") ;;
    approve-http*) line=$(wrk_stats "$1") ;;
    *) line=$(oha_stats "$1") ;;
    esac
    cut -f"$2" <<<"$line"
}

# oha_phase NAME URLPATH [HEADER]: warm-up, then the measured peak.
oha_peak() {
    local name=$1 path=$2
    local args=(-c "$CONNECTIONS" -H "$COOKIE")
    [[ $name == readyz ]] && args=(-c "$CONNECTIONS")
    run_tool "$name-warmup" "$OHA" --no-tui -w "${OHA_JSON[@]}" -z "${WARMUP}s" "${args[@]}" "$URL$path" || die "oha failed"
    measure "$name-peak" "$OHA" --no-tui -w "${OHA_JSON[@]}" -z "${DURATION}s" "${args[@]}" "$URL$path"
    oha_check "$name-peak"
    log "$name: $(stat_of "$name-peak" 1) req/s, p50 $(stat_of "$name-peak" 2) ms, p99 $(stat_of "$name-peak" 3) ms"
}
# pgbench_phase NAME SCRIPT -D…: a short warm-up, then the measured run.
PGBENCH_BASE=(pgbench -n -M prepared -c "$CONNECTIONS" -j 2)
pgbench_peak() {
    local name=$1 script=$2
    shift 2
    rm -f "$RAW/$name-pgbench".log*
    run_tool "$name-pgbench-warmup" "${PGBENCH_BASE[@]}" -T "$WARMUP" "${PG_APP[@]}" -f "$script" "$@" ||
        die "pgbench failed: $(tail -3 "$RAW/$name-pgbench-warmup.err")"
    PRE_RETRY="rm -f $RAW/$name-pgbench.log*"
    measure "$name-pgbench" "${PGBENCH_BASE[@]}" -T "$DURATION" -l --log-prefix="$RAW/$name-pgbench.log" \
        "${PG_APP[@]}" -f "$script" "$@"
    PRE_RETRY=
    pgbench_check "$name-pgbench"
    log "$name pgbench: $(stat_of "$name-pgbench" 1) tps, p50 $(stat_of "$name-pgbench" 2) ms, p99 $(stat_of "$name-pgbench" 3) ms"
}
# The page at half its peak rate (oha -q with latency correction).
declare -A HALF_RATE
oha_half() {
    local name=$1 path=$2 rate
    rate=$(awk -v r="$(stat_of "$name-peak" 1)" 'BEGIN { printf "%d", r / 2 }')
    [[ $rate -ge 1 ]] || die "$name: peak rate below 2 req/s"
    HALF_RATE[$name]=$rate
    local args=(-c "$HALF_CONNECTIONS" -q "$rate" --latency-correction -H "$COOKIE")
    run_tool "$name-half-warmup" "$OHA" --no-tui -w "${OHA_JSON[@]}" -z "${WARMUP}s" "${args[@]}" "$URL$path" || die "oha failed"
    measure "$name-half" "$OHA" --no-tui -w "${OHA_JSON[@]}" -z "${DURATION}s" "${args[@]}" "$URL$path"
    oha_check "$name-half"
    log "$name at half peak (-q $rate): $(stat_of "$name-half" 1) req/s, p50 $(stat_of "$name-half" 2) ms, p99 $(stat_of "$name-half" 3) ms"
}

# page NAME PATH SCRIPT -D…: one list page: the app at peak, pgbench on its queries,
# the app at half its peak.
declare -A PAGE_PATH PAGE_SQL PAGE_VARS
LIST_PAGES=()
page() {
    local name=$1 path=$2 script=$3
    shift 3
    status=$(curl -sS -H "$COOKIE" -o "$RAW/$name.html" -w '%{http_code}' "$URL$path")
    [[ $status == 200 ]] || die "GET $path answered $status"
    sed -i "s/$CSRF_TOKEN/<csrf>/g" "$RAW/$name.html"
    PAGE_PATH[$name]=$path
    PAGE_SQL[$name]=$(basename "$script")
    PAGE_VARS[$name]="$*"
    LIST_PAGES+=("$name")
    wait_quiet
    log "$name: GET $path ($(wc -c <"$RAW/$name.html") bytes) — oha ${WARMUP}s + ${DURATION}s at -c $CONNECTIONS"
    oha_peak "$name" "$path"
    pgbench_peak "$name" "$script" -D tenant="$TENANT" -D limit=$PER_PAGE "$@"
    wait_quiet
    oha_half "$name" "$path"
    explain "$name" "$script" -D tenant="$TENANT" -D limit=$PER_PAGE "$@"
}
# explain NAME SCRIPT -D k=v…: EXPLAIN (ANALYZE, BUFFERS) of the script's queries (not
# the set_config) through psql as yunying_app, pgbench's :name variables turned into
# psql's :'name' literals; the execution times go into the report.
declare -A EXPLAIN_MS
explain() {
    local name=$1 script=$2 vars=() kv offset=0
    shift 2
    while (($#)); do
        kv=$2
        vars+=(-v "$kv")
        [[ $kv == offset=* ]] && offset=${kv#offset=}
        shift 2
    done
    # The scripts' pgbench `\set cap :offset + N` line, for psql.
    vars+=(-v "cap=$((offset + COUNT_AHEAD))")
    sed -e '/^\\set /d' -e "s/\([^:]\):\([a-z_]\+\)/\1:'\2'/g" -e '/set_config/!s/^\(SELECT\|WITH\) /EXPLAIN (ANALYZE, BUFFERS) \1 /' "$script" |
        psql -X -v ON_ERROR_STOP=1 "${PG_APP[@]}" "${vars[@]}" >"$RAW/$name.explain.txt" 2>&1 ||
        log "warning: EXPLAIN of $name failed (see $RAW/$name.explain.txt)"
    EXPLAIN_MS[$name]=$(sed -n 's/.*Execution Time: \([0-9.]*\) ms.*/\1/p' "$RAW/$name.explain.txt" | paste -sd/ -)
}
# The deep page to ask for: DEEP_PAGE, or the last page when there are fewer.
deep_page() { awk -v n="$1" -v d="$DEEP_PAGE" -v pp=$PER_PAGE 'BEGIN { last = int((n + pp - 1) / pp); if (last < 1) last = 1; print (d < last ? d : last) }'; }
offset_of() { echo $((($1 - 1) * PER_PAGE)); }

# ---------------------------------------------------------------- readyz (reference)
wait_quiet
log "readyz: oha ${WARMUP}s + ${DURATION}s at -c $CONNECTIONS"
oha_peak readyz /readyz

# ---------------------------------------------------------------- low stock
if want low; then
    # The warehouse with the most low-stock items, so its deep page is deep.
    read -r LOW_WH_CODE LOW_WH_N < <(q_tenant "SELECT w.code || ' ' || count(*) FROM stock_levels s JOIN warehouses w ON w.tenant_id = s.tenant_id AND w.id = s.warehouse_id
        WHERE s.tenant_id = $TENANT AND s.reorder_point > 0 AND s.on_hand - s.reserved <= s.reorder_point GROUP BY w.code ORDER BY count(*) DESC, w.code LIMIT 1;")
    [[ -n ${LOW_WH_CODE:-} ]] || die "no low-stock items in the demo data"
    LOW_DEEP=$(deep_page "$LOW_WH_N")
    page low-first /inventory/low-stock "$SQL/low_stock.sql" -D offset=0
    page low-deep-wh "/inventory/low-stock?warehouse=$LOW_WH_CODE&page=$LOW_DEEP" "$SQL/low_stock_warehouse.sql" \
        -D offset="$(offset_of "$LOW_DEEP")" -D whcode="$LOW_WH_CODE"
fi

# ---------------------------------------------------------------- products
if want products; then
    PROD_DEEP=$(deep_page "$N_PRODUCTS")
    N_STATUS=$(q_tenant "SELECT count(*) FROM products WHERE tenant_id = $TENANT AND status = '$PRODUCT_STATUS';")
    [[ $N_STATUS -gt 0 ]] || log "warning: no products with status $PRODUCT_STATUS"
    page products-first /products "$SQL/products.sql" -D offset=0
    page products-deep "/products?page=$PROD_DEEP" "$SQL/products.sql" -D offset="$(offset_of "$PROD_DEEP")"
    page products-status "/products?status=$PRODUCT_STATUS" "$SQL/products_status.sql" -D offset=0 -D status="$PRODUCT_STATUS"
    # Name searches (issue 9, item 14): a three-character one (BENCH_SEARCH_Q3, default
    # 订书机) and the most common two-character name start (BENCH_SEARCH_Q2, a brand).
    for spec in "q3 ${BENCH_SEARCH_Q3:-订书机}" "q2 ${BENCH_SEARCH_Q2:-$(q_tenant "SELECT left(name, 2) FROM products WHERE tenant_id = $TENANT GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1;")}"; do
        read -r tag text <<<"$spec"
        (($(python3 -c 'import sys; print(len(sys.argv[1]))' "$text") <= 8)) ||
            die "search text $text: more than 8 characters (bench/sql/products_search.sql is the exact index path)"
        SEARCH_N[$tag]=$(q_tenant "SELECT count(*) FROM products WHERE tenant_id = $TENANT AND (sku ILIKE '$(sed 's/[\\%_]/\\&/g' <<<"$text")%' OR name ILIKE '%$(sed 's/[\\%_]/\\&/g' <<<"$text")%');")
        SEARCH_TEXT[$tag]=$text
        page "products-$tag" "/products?q=$(jq -rn --arg q "$text" '$q | @uri')" "$SQL/products_search.sql" -D offset=0 -D q="$text"
        SEARCH_BASE[products-$tag]=products-first
    done
fi

# ---------------------------------------------------------------- stock
if want stock; then
    STOCK_DEEP=$(deep_page "$N_LEVELS")
    # The search: a two-character name prefix (e.g. a brand), the most common one,
    # and the warehouse holding most of its items.
    STOCK_Q=${BENCH_STOCK_Q:-$(q_tenant "SELECT left(name, 2) FROM products WHERE tenant_id = $TENANT GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1;")}
    STOCK_Q_ESC=$(sed 's/\\/\\\\/g; s/%/\\%/g; s/_/\\_/g' <<<"$STOCK_Q")
    read -r STOCK_WH STOCK_Q_N < <(q_tenant "SELECT x.w || ' ' || x.n FROM (SELECT s.warehouse_id AS w, count(*) AS n FROM products p
        JOIN stock_levels s ON s.tenant_id = p.tenant_id AND s.product_id = p.id
        WHERE p.tenant_id = $TENANT AND (p.sku LIKE '$STOCK_Q_ESC%' OR p.name LIKE '%$STOCK_Q_ESC%')
        GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1) x;")
    [[ -n ${STOCK_WH:-} ]] || die "no stock matches the search $STOCK_Q"
    STOCK_Q_URL=$(jq -rn --arg q "$STOCK_Q" '$q | @uri')
    (($(python3 -c 'import sys; print(len(sys.argv[1]))' "$STOCK_Q") <= 8)) || die "BENCH_STOCK_Q must be at most 8 characters (bench/sql/stock_search.sql is the exact index path)"
    page stock-first /inventory/stock "$SQL/stock.sql" -D offset=0
    page stock-deep "/inventory/stock?page=$STOCK_DEEP" "$SQL/stock.sql" -D offset="$(offset_of "$STOCK_DEEP")"
    page stock-search "/inventory/stock?warehouse=$STOCK_WH&q=$STOCK_Q_URL" "$SQL/stock_search.sql" -D offset=0 \
        -D wh="$STOCK_WH" -D term="$STOCK_Q"
    SEARCH_BASE[stock-search]=stock-first
fi

# ---------------------------------------------------------------- approve POST
if want approve; then
    # Two disjoint sets of pending requests (HTTP, pgbench), created by SQL as the
    # owner: raised by ops.specialist, quantity 1 (value = the unit cost, far below the
    # director threshold, so the manager's approval completes a request), on product ×
    # warehouse pairs without an open request (the partial unique index allows one).
    log "approve: creating 2 × $APPROVE_POOL pending replenishment requests"
    POOL_INFO=$(q_tenant "WITH ins AS (
        INSERT INTO replenishment_requests (tenant_id, product_id, warehouse_id, quantity, reason, status, unit_cost_fen,
            value_fen, needs_director, snap_on_hand, snap_reserved, snap_on_order, snap_safety_stock, snap_reorder_point,
            snap_max_level, snap_suggested, requested_by, department)
        SELECT $TENANT, p.id, w.id, 1, '压测：待审批补货申请', 'pending', coalesce(p.last_cost_fen, p.price_fen),
               coalesce(p.last_cost_fen, p.price_fen), false, coalesce(s.on_hand, 0), coalesce(s.reserved, 0), 0,
               coalesce(s.safety_stock, 0), coalesce(s.reorder_point, 0), coalesce(s.max_level, 0), 1, $REQUESTER_ID, 'ops'
        FROM products p CROSS JOIN warehouses w
        LEFT JOIN stock_levels s ON s.tenant_id = p.tenant_id AND s.product_id = p.id AND s.warehouse_id = w.id
        WHERE p.tenant_id = $TENANT AND w.tenant_id = $TENANT AND coalesce(p.last_cost_fen, p.price_fen) < 5000000
          AND NOT EXISTS (SELECT 1 FROM replenishment_requests r WHERE r.tenant_id = p.tenant_id AND r.product_id = p.id
                          AND r.warehouse_id = w.id AND r.status IN ('pending', 'director_pending', 'approved'))
        ORDER BY p.id, w.id LIMIT 2 * $APPROVE_POOL
        RETURNING id)
        SELECT min(id) || ' ' || max(id) || ' ' || count(*) FROM ins;")
    read -r POOL_LO POOL_HI POOL_N <<<"$POOL_INFO"
    [[ ${POOL_N:-0} == $((2 * APPROVE_POOL)) && $((POOL_HI - POOL_LO + 1)) == "$POOL_N" ]] ||
        die "could not create 2 × $APPROVE_POOL consecutive pending requests (got: $POOL_INFO)"
    q_owner -c "VACUUM ANALYZE replenishment_requests" >/dev/null
    HTTP_LO=$POOL_LO
    HTTP_HI=$((POOL_LO + APPROVE_POOL - 1))
    PG_LO=$((HTTP_HI + 1))
    PG_HI=$POOL_HI
    # Approved requests of a set back to pending (between runs, so each run has the
    # whole set), then VACUUM so every run sees the same table.
    reset_pool() {
        q_tenant "UPDATE replenishment_requests SET status = 'pending', manager_by = NULL, manager_at = NULL,
            manager_comment = NULL WHERE tenant_id = $TENANT AND id BETWEEN $POOL_LO AND $POOL_HI AND status <> 'pending';" >/dev/null
        q_owner -c "VACUUM ANALYZE replenishment_requests" >/dev/null
    }
    approved_in() { q_tenant "SELECT count(*) FROM replenishment_requests WHERE tenant_id = $TENANT AND id BETWEEN $1 AND $2 AND status = 'approved';"; }

    # HTTP: wrk, each thread POSTs its own consecutive ids (thread k: HTTP_LO + k ×
    # stride + n), counting every response that is not the 303 to the record page.
    WRK_THREADS=2
    CSRF_URI=$(jq -rn --arg t "$CSRF_TOKEN" '$t | @uri')
    WRK_STRIDE=$((APPROVE_POOL / WRK_THREADS))
    cat >"$RAW/approve.lua" <<EOF
-- POST /inventory/replenishments/<id>/approve, a distinct pending id per request.
-- Arguments (after --): the session token and the session's CSRF token.
local lo, stride = $HTTP_LO, $WRK_STRIDE
local threads = {}
function setup(thread)
    thread:set("k", #threads)
    table.insert(threads, thread)
end
function init(args)
    cookie = "yy_session=" .. args[1]
    body = "csrf_token=" .. args[2] .. "&comment=bench"
    n = 0
    bad = 0
    sent = 0
    base = lo + k * stride
end
function request()
    local id = base + n
    n = n + 1
    sent = sent + 1
    return wrk.format("POST", "/inventory/replenishments/" .. id .. "/approve", {
        ["Cookie"] = cookie,
        ["Origin"] = "$URL",
        ["Content-Type"] = "application/x-www-form-urlencoded",
    }, body)
end
function response(status, headers, body)
    if status ~= 303 then bad = bad + 1 end
end
function done(summary, latency, requests)
    local non303, maxn = 0, 0
    for _, t in ipairs(threads) do
        non303 = non303 + t:get("bad")
        if t:get("sent") > maxn then maxn = t:get("sent") end
    end
    local e = summary.errors
    io.write(string.format('{"requests": %d, "duration_us": %d, "rps": %.2f, "p50_ms": %.3f, "p99_ms": %.3f, "non303": %d, "errors": %d, "max_per_thread": %d, "stride": %d}\n',
        summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, non303,
        e.connect + e.read + e.write + e.timeout, maxn, stride))
end
EOF
    wrk_run() { # NAME SECONDS
        local name=$1
        reset_pool
        run_tool "$name" wrk -t $WRK_THREADS -c "$CONNECTIONS" -d "${2}s" --timeout 10s -s "$RAW/approve.lua" "$URL/" -- "$TOKEN" "$CSRF_URI" ||
            die "wrk failed: $(tail -3 "$RAW/$name.err")"
        sed -n '/^{/p' "$RAW/$name.out" | tail -1 >"$RAW/$name.json"
        local non303 errors approved reqs maxn
        non303=$(jq .non303 "$RAW/$name.json")
        errors=$(jq .errors "$RAW/$name.json")
        maxn=$(jq .max_per_thread "$RAW/$name.json")
        reqs=$(jq .requests "$RAW/$name.json")
        approved=$(approved_in "$HTTP_LO" "$HTTP_HI")
        echo "$approved" >"$RAW/$name.approved"
        if [[ $non303 != 0 || $errors != 0 || $maxn -gt $WRK_STRIDE ]]; then
            log "warning: $name: $non303 responses other than 303, $errors socket errors, $maxn ids on one thread (stride $WRK_STRIDE)"
            BAD_RESPONSES="${BAD_RESPONSES:-}$name: $non303 non-303, $errors errors; "
        fi
        log "$name: $reqs POSTs ($(jq .rps "$RAW/$name.json") /s), $approved requests approved in the HTTP set"
    }
    wait_quiet
    log "approve POST: wrk ${WARMUP}s + ${DURATION}s at -t $WRK_THREADS -c $CONNECTIONS"
    wrk_run approve-http-warmup "$WARMUP"
    # measure() re-runs a disturbed phase; the set is reset before each run.
    wrk_measured() { wrk_run approve-http "$DURATION"; }
    try=0
    while :; do
        wrk_measured
        d=$(disturbance approve-http)
        if awk -v d="$d" -v m="$QUIET_MAX" 'BEGIN { exit !(d > m) }' && ((try < RETRIES)); then
            try=$((try + 1))
            log "warning: approve-http disturbed (other processes took $d of the machine); measuring again ($try/$RETRIES)"
            for f in out err cpu time json approved; do mv "$RAW/approve-http.$f" "$RAW/approve-http.disturbed$try.$f"; done
            DISTURBED_RETRIES="${DISTURBED_RETRIES:-}approve-http ($d); "
            wait_quiet
            continue
        fi
        break
    done
    MEASURED+=(approve-http)
    HTTP_APPROVED=$(cat "$RAW/approve-http.approved")

    # pgbench: the handler's transaction on the other set, each client its own ids.
    PG_STRIDE=$((APPROVE_POOL / CONNECTIONS))
    APPROVE_VARS=(-D tenant="$TENANT" -D lo="$PG_LO" -D stride="$PG_STRIDE" -D n=0 -D manager="$MANAGER_ID"
        -D actor="$MANAGER_ACTOR" -D comment=bench -D newstatus=approved
        -D 'before={"status":"pending"}' -D 'after={"stage":"manager","status":"approved","comment":"bench"}')
    reset_pool
    run_tool approve-pgbench-warmup "${PGBENCH_BASE[@]}" -T "$WARMUP" "${PG_APP[@]}" -f "$SQL/approve.sql" "${APPROVE_VARS[@]}" ||
        die "pgbench failed: $(tail -3 "$RAW/approve-pgbench-warmup.err")"
    reset_pool
    wait_quiet
    PRE_RETRY="reset_pool_and_logs"
    reset_pool_and_logs() { rm -f "$RAW"/approve-pgbench.log*; reset_pool; }
    measure approve-pgbench "${PGBENCH_BASE[@]}" -T "$DURATION" -l --log-prefix="$RAW/approve-pgbench.log" \
        "${PG_APP[@]}" -f "$SQL/approve.sql" "${APPROVE_VARS[@]}"
    PRE_RETRY=
    pgbench_check approve-pgbench
    PG_APPROVED=$(approved_in "$PG_LO" "$PG_HI")
    PG_TXNS=$(stat_of approve-pgbench 4)
    PG_MAX_PER_CLIENT=$(cat "$RAW"/approve-pgbench.log* | awk '{ c[$1]++ } END { m = 0; for (k in c) if (c[k] > m) m = c[k]; print m }')
    if [[ $PG_APPROVED != "$PG_TXNS" || $PG_MAX_PER_CLIENT -gt $PG_STRIDE ]]; then
        log "warning: approve-pgbench: $PG_TXNS transactions but $PG_APPROVED requests approved; at most $PG_MAX_PER_CLIENT per client (stride $PG_STRIDE)"
        BAD_RESPONSES="${BAD_RESPONSES:-}approve-pgbench: $PG_TXNS transactions, $PG_APPROVED approved; "
    fi
    log "approve pgbench: $(stat_of approve-pgbench 1) tps, p50 $(stat_of approve-pgbench 2) ms, p99 $(stat_of approve-pgbench 3) ms; $PG_APPROVED approved"
fi

# ---------------------------------------------------------------- stop
log "SIGTERM → $SERVER_PID"
record_cmd kill -TERM "$SERVER_PID"
kill -TERM "$SERVER_PID"
set +e
wait "$SERVER_PID"
EXIT_CODE=$?
set -e
SERVER_PID=
[[ $EXIT_CODE == 0 ]] || log "warning: the server exited with $EXIT_CODE"

# ---------------------------------------------------------------- report
END_EPOCH=$(date +%s)
WALL=$((END_EPOCH - START_EPOCH))
f2() { awk -v x="$1" 'BEGIN { printf "%.2f", x }'; }
f0() { awk -v x="$1" 'BEGIN { printf "%.0f", x }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
pct() { awk -v r="$1" 'BEGIN { printf "%.1f %%", r * 100 }'; }
verdict() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo FAIL; fi; }
MISSED=0

CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEM_TOTAL=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
PG_VERSION=$( (postgres --version || /usr/lib/postgresql/*/bin/postgres --version) 2>/dev/null | head -1 || echo unknown)
READYZ_RPS=$(stat_of readyz-peak 1)

cpu_row() { # NAME LABEL
    local n=$1
    awk -v np="$NPROC" -v hz="$CLK_TCK" -v req="$(stat_of "$n" 4)" -v label="$2" '{
        procs = $1; irq = $2; steal = $3; all = $4; srv = $5; pg = $6; tool = $7;
        other = procs - srv - pg - tool; if (other < 0) other = 0;
        idle = all - procs - irq - steal; if (idle < 0) idle = 0;
        c = np / all;
        printf "| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f |\n", label,
            srv * c, pg * c, tool * c, other * c, irq * c, steal * c, idle * c,
            (req > 0 ? srv / hz * 1e6 / req : 0), (req > 0 ? pg / hz * 1e6 / req : 0) }' "$RAW/$n.cpu"
}

REPORT=$RAW/report.md
{
    echo "# Yunying supply-side benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- Machine: $NPROC CPUs ($CPU_MODEL), $MEM_TOTAL RAM, $(uname -sr); load average at start $LOADAVG_START"
    echo "- Commit: \`$COMMIT\`$DIRTY"
    echo "- Tools: $OHA_VERSION; $WRK_VERSION; $PGBENCH_VERSION; $PG_VERSION; $(rustc --version)"
    echo "- Data: \`yunying demo --tenants 1 --products $PRODUCTS\` in a fresh temp data dir took **$DEMO_SECONDS s**:"
    echo "  $N_PRODUCTS products, $N_WAREHOUSES warehouses, $N_LEVELS stock levels, $N_LOW at or below their reorder point."
    for tag in "${!SEARCH_TEXT[@]}"; do
        echo "- Search products-$tag: \"${SEARCH_TEXT[$tag]}\", ${SEARCH_N[$tag]} matching products."
    done
    echo "- Then \`VACUUM (ANALYZE)\` of the database ($VACUUM_SECONDS s): the demo leaves a dead version of nearly every stock level"
    echo "  and no visibility map, which autovacuum would clean up a minute later, in the middle of a phase."
    echo "- Server: release build, embedded PostgreSQL (durable settings), listening on $URL; signed in as demo / $USERNAME"
    echo "  (ops manager: sees every page below, approves replenishment requests)."
    echo "- Load: oha on loopback, keep-alive, -c $CONNECTIONS; each page ${WARMUP} s warm-up then ${DURATION} s at peak, then"
    echo "  pgbench (\`-n -M prepared -c $CONNECTIONS -j 2\`, ${WARMUP} s warm-up then ${DURATION} s) on the page's own list and capped"
    echo "  count queries (bench/sql/*.sql, copied from the Rust code) in the app's transaction (\`BEGIN; SELECT set_config('app.tenant_id', …, true); …; COMMIT\`)"
    echo "  as the runtime role yunying_app (RLS applies), then the page again at half its peak rate (-q, -c $HALF_CONNECTIONS,"
    echo "  latency correction on), ${WARMUP} s + ${DURATION} s. pgbench latency percentiles come from its per-transaction log."
    echo "- **The $NPROC cores are shared** by the load generator, the server and PostgreSQL (the server's pool has at most 16"
    echo "  connections; pgbench opens $CONNECTIONS)."
    echo
    echo "## List pages"
    echo
    echo "| Page | URL | app req/s | p50 (ms) | p99 (ms) | pgbench tps | pgbench p50 / p99 (ms) | app / pgbench | half-peak rate | p99 at half peak (ms) | app / readyz | EXPLAIN ANALYZE list / count (ms) |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for n in "${LIST_PAGES[@]}"; do
        r=$(stat_of "$n-peak" 1)
        t=$(stat_of "$n-pgbench" 1)
        printf '| %s | `%s` | %s | %s | %s | %s | %s / %s | **%s** | %s | **%s** | %s | %s |\n' "$n" "${PAGE_PATH[$n]}" \
            "$(f0 "$r")" "$(f2 "$(stat_of "$n-peak" 2)")" "$(f2 "$(stat_of "$n-peak" 3)")" "$(f0 "$t")" \
            "$(f2 "$(stat_of "$n-pgbench" 2)")" "$(f2 "$(stat_of "$n-pgbench" 3)")" "$(ratio "$r" "$t")" \
            "${HALF_RATE[$n]}" "$(f2 "$(stat_of "$n-half" 3)")" "$(ratio "$r" "$READYZ_RPS")" "${EXPLAIN_MS[$n]:-}"
    done
    printf '| /readyz (reference) | `/readyz` | %s | %s | %s | | | | | | 1 | |\n' "$(f0 "$READYZ_RPS")" \
        "$(f2 "$(stat_of readyz-peak 2)")" "$(f2 "$(stat_of readyz-peak 3)")"
    echo
    echo "pgbench scripts and their variables:"
    echo
    for n in "${LIST_PAGES[@]}"; do echo "- $n: \`bench/sql/${PAGE_SQL[$n]}\` with ${PAGE_VARS[$n]} (and tenant=$TENANT, limit=$PER_PAGE, cap=offset+$COUNT_AHEAD)"; done
    if want approve; then
        echo
        echo "## Approve POST"
        echo
        echo "$((2 * APPROVE_POOL)) pending replenishment requests created by SQL before the run (ids $POOL_LO–$POOL_HI, raised by"
        echo "ops.specialist, quantity 1, below the director threshold, so one approval completes each): ids $HTTP_LO–$HTTP_HI for HTTP,"
        echo "$PG_LO–$PG_HI for pgbench; approved ones are set back to pending (and the table vacuumed) before each run."
        echo "HTTP: wrk (\`-t $WRK_THREADS -c $CONNECTIONS\`, bench script \`approve.lua\` in the raw outputs) POSTs"
        echo "\`/inventory/replenishments/<id>/approve\` with \`csrf_token=<csrf>&comment=bench\`, the session cookie and \`Origin: $URL\`,"
        echo "each thread its own consecutive ids, and counts every response that is not the 303 to the record page."
        echo "pgbench: \`bench/sql/approve.sql\` — the handler's transaction (the record query with FOR UPDATE OF r, the UPDATE, the"
        echo "audit INSERT, COMMIT), client c approving ids $PG_LO + c × $PG_STRIDE + n (n = 0, 1, … kept in a per-client pgbench variable)."
        echo
        echo "| Side | req/s or tps | p50 (ms) | p99 (ms) | requests | requests approved in its set | check |"
        echo "|---|---:|---:|---:|---:|---:|---|"
        printf '| app (wrk) | %s | %s | %s | %s | %s | %s non-303, %s socket errors |\n' "$(f0 "$(stat_of approve-http 1)")" \
            "$(f2 "$(stat_of approve-http 2)")" "$(f2 "$(stat_of approve-http 3)")" "$(stat_of approve-http 4)" "$HTTP_APPROVED" \
            "$(jq .non303 "$RAW/approve-http.json")" "$(jq .errors "$RAW/approve-http.json")"
        printf '| pgbench | %s | %s | %s | %s | %s | at most %s per client (stride %s) |\n' "$(f0 "$(stat_of approve-pgbench 1)")" \
            "$(f2 "$(stat_of approve-pgbench 2)")" "$(f2 "$(stat_of approve-pgbench 3)")" "$PG_TXNS" "$PG_APPROVED" \
            "$PG_MAX_PER_CLIENT" "$PG_STRIDE"
        echo
        echo "(wrk does not count the responses still in flight when it stops, so the approvals can exceed its count by up to $CONNECTIONS.)"
    fi
    echo
    echo "## Targets"
    echo
    echo "| Target | Page | Measured | Verdict |"
    echo "|---|---|---:|---|"
    for n in "${LIST_PAGES[@]}"; do
        rr=$(ratio "$(stat_of "$n-peak" 1)" "$(stat_of "$n-pgbench" 1)")
        v=$(verdict "$rr >= $TARGET_LIST_VS_PGBENCH")
        [[ $v == PASS ]] || MISSED=1
        echo "| list page ≥ 35 % of pgbench on its queries | $n | $(pct "$rr") | $v |"
    done
    for n in "${LIST_PAGES[@]}"; do
        p=$(stat_of "$n-half" 3)
        v=$(verdict "$p <= $TARGET_HALF_P99_MS")
        [[ $v == PASS ]] || MISSED=1
        echo "| p99 ≤ $TARGET_HALF_P99_MS ms at half peak (-q ${HALF_RATE[$n]}) | $n | $(f2 "$p") ms | $v |"
    done
    for n in "${LIST_PAGES[@]}"; do
        b=${SEARCH_BASE[$n]:-}
        [[ -n $b ]] || continue
        sr=$(ratio "$(stat_of "$n-peak" 1)" "$(stat_of "$b-peak" 1)")
        v=$(verdict "$sr >= $TARGET_SEARCH_VS_FIRST")
        [[ $v == PASS ]] || MISSED=1
        echo "| name search ≥ 50 % of the first page's rate ($b) | $n | $(pct "$sr") | $v |"
    done
    if want approve; then
        ar=$(ratio "$(stat_of approve-http 1)" "$(stat_of approve-pgbench 1)")
        v=$(verdict "$ar >= $TARGET_APPROVE_VS_PGBENCH")
        [[ $v == PASS ]] || MISSED=1
        echo "| approve POST ≥ 70 % of pgbench on its transaction | approve | $(pct "$ar") | $v |"
    fi
    if [[ -n ${BAD_RESPONSES:-} ]]; then
        echo
        echo "**Warning: not every response or transaction was as expected:** $BAD_RESPONSES"
    fi
    echo
    echo "## CPU"
    echo
    echo "Per measured phase, in cores (of $NPROC; /proc/stat and the processes' utime+stime, jiffies of 1/$CLK_TCK s):"
    echo "\"load generator\" is oha, wrk or pgbench; CPU time per request (or per pgbench transaction) of yunying and PostgreSQL."
    echo
    echo "| Phase | yunying | postgres | load generator | other processes | irq+softirq | steal | idle | yunying µs/req | postgres µs/req |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for n in "${MEASURED[@]}"; do cpu_row "$n" "$n"; done
    echo
    if [[ -n ${DISTURBED_RETRIES:-} || -n ${QUIET_TIMEOUTS:-} ]]; then
        retried=${DISTURBED_RETRIES:-none; }
        echo "**Interference:** phases re-run because other processes took more than $QUIET_MAX of the machine: ${retried%; }."
        echo "Waits for a quiet machine that timed out: ${QUIET_TIMEOUTS:-0}."
        echo
    fi
    still=
    for n in "${MEASURED[@]}"; do
        d=$(disturbance "$n")
        if awk -v d="$d" -v m="$QUIET_MAX" 'BEGIN { exit !(d > m) }'; then still="$still$n ($d), "; fi
    done
    if [[ -n $still ]]; then
        echo "**Distorted — not a quiet machine:** in the kept measurements, other processes still took more than $QUIET_MAX of the"
        echo "machine during ${still%, }. Treat those numbers as lower bounds (and their ratios as unreliable); re-run on a quiet machine."
    else
        echo "In every kept measurement other processes used at most $QUIET_MAX of the machine."
    fi
    echo
    echo "Waited ${QUIET_WAITED:-0} s in total for a quiet machine before the phases."
    echo
    echo "## Commands"
    echo
    echo '```sh'
    for c in "${COMMANDS[@]}"; do echo "$c"; done
    echo '```'
    echo
    echo "Raw outputs: \`bench/out/$RUN_ID/\` (oha JSON, pgbench output and logs, wrk output, CPU deltas, server log). Wall time: ${WALL} s."
} >"$REPORT"
cp "$REPORT" "$OUT/supply-latest.md"
cat "$OUT/supply-latest.md"

if [[ ${BENCH_STRICT:-0} == 1 && $MISSED == 1 ]]; then exit 3; fi
