# shellcheck shell=bash
# The machinery that bench/supply.sh and bench/orders.sh share (sourced, not run):
# the run directory and lock, tools, the release build, the demo in a fresh temp
# data dir, the server on it, the embedded cluster's socket, signing in, the CPU
# accounting and the quiet-machine wait, measured phases (oha, pgbench, wrk), a
# list page against pgbench on its own SQL with its EXPLAIN, and the report's
# shared parts. See bench/README.md.
#
# The caller sets ROOT (the repository) and cd's there, sets BENCH_TAG (e.g.
# `supply`: log prefix, run id, temp dir and the name of the server's binary copy),
# sources this file, then calls the phases in order: bench_init, bench_tools,
# bench_data_dir, bench_build, bench_demo …, bench_serve, bench_db, bench_vacuum,
# bench_login …, the measurements, bench_stop, the report.
# shellcheck disable=SC2034 # variables set here are read by the calling script

# ---------------------------------------------------------------- run directory, lock, knobs
bench_init() {
    DURATION=${BENCH_DURATION:-12}
    WARMUP=${BENCH_WARMUP:-3}
    CONNECTIONS=${BENCH_CONNECTIONS:-32}
    HALF_CONNECTIONS=${BENCH_HALF_CONNECTIONS:-32}
    DEEP_PAGE=${BENCH_DEEP_PAGE:-50}
    PER_PAGE=50      # crate::web::pagination::PER_PAGE
    COUNT_AHEAD=1000 # crate::web::pagination::COUNT_AHEAD (the scripts set cap = offset + 1000)
    TARGET_DIR=$ROOT/target/bench
    BIN=$TARGET_DIR/release/yunying
    SQL=$ROOT/bench/sql
    OUT=$ROOT/bench/out
    PGBENCH_BASE=(pgbench -n -M prepared -c "$CONNECTIONS" -j 2)
    mkdir -p "$OUT"
    # One benchmark at a time (shared with bench/run.sh).
    exec 9>"$OUT/.run.lock"
    if ! flock -n 9; then
        printf '[%s %s] another benchmark is running; waiting for it\n' "$BENCH_TAG" "$(date +%H:%M:%S)" >&2
        flock 9
    fi
    RUN_ID=$BENCH_TAG-$(date -u +%Y%m%dT%H%M%SZ)
    RAW=$OUT/$RUN_ID
    while [[ -e $RAW ]]; do RAW=$RAW+; done
    RUN_ID=$(basename "$RAW")
    mkdir -p "$RAW"
    START_EPOCH=$(date +%s)
    LOADAVG_START=$(cut -d" " -f1-3 /proc/loadavg)
}

log() { printf '[%s %s] %s\n' "$BENCH_TAG" "$(date +%H:%M:%S)" "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}
want() { [[ " $PAGES " == *" $1 "* ]]; }

# Every command that matters, as run, with the secrets masked: MASKS holds
# "value<TAB>label" pairs (session tokens, CSRF tokens; see mask).
COMMANDS=()
MASKS=()
mask() { if [[ -n $1 ]]; then MASKS+=("$1"$'\t'"$2"); fi; }
record_cmd() {
    local line m
    line=$(printf '%q ' "$@")
    for m in "${MASKS[@]}"; do line=${line//"${m%%$'\t'*}"/${m#*$'\t'}}; done
    COMMANDS+=("${line% }")
}

# ---------------------------------------------------------------- tools
bench_tools() {
    OHA=$(command -v oha || true)
    if [[ -z $OHA && -x ${CARGO_HOME:-$HOME/.cargo}/bin/oha ]]; then OHA=${CARGO_HOME:-$HOME/.cargo}/bin/oha; fi
    if [[ -z $OHA ]]; then
        log "oha not found: cargo install oha --locked"
        cargo install oha --locked >&2
        OHA=${CARGO_HOME:-$HOME/.cargo}/bin/oha
    fi
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
}

# ---------------------------------------------------------------- temp data dir, cleanup
bench_data_dir() {
    DATA=$(mktemp -d "/tmp/yunying-$BENCH_TAG.XXXXXX")
    chmod 755 "$DATA" # the postgres user must be able to enter it
    SERVER_PID=
    SNAPSHOT=
    trap cleanup EXIT
}
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
    if [[ -n ${SAMPLER_PID:-} ]] && kill -0 "$SAMPLER_PID" 2>/dev/null; then kill "$SAMPLER_PID" 2>/dev/null || true; fi
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        log "cleanup: stopping server $SERVER_PID"
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
        if kill -0 "$SERVER_PID" 2>/dev/null; then kill -KILL "$SERVER_PID" 2>/dev/null || true; fi
    fi
    stop_postmaster # only if the server (or the demo) died without stopping it
    if [[ ${KEEP_DATA:-0} != 1 ]]; then rm -rf "$DATA"; fi
    rm -rf "${SNAPSHOT:-}"
    exit "$rc"
}

# ---------------------------------------------------------------- build
# The working tree, or a `git archive` snapshot of BENCH_REV; the server runs as a
# copy named yunying-$BENCH_TAG-bench (RUN_BIN).
bench_build() {
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
        DIRTY=
        if git status --porcelain --untracked-files=no 2>/dev/null | grep -q .; then
            DIRTY=" + uncommitted changes in the working tree"
        fi
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
    RUN_BIN=$TARGET_DIR/release/yunying-$BENCH_TAG-bench
    cp "$BIN" "$RUN_BIN.$$"
    mv -f "$RUN_BIN.$$" "$RUN_BIN"
}

# bench_demo ARGS…: `yunying demo ARGS…` into the data dir, timed (DEMO_SECONDS).
bench_demo() {
    record_cmd env RUST_LOG=warn YUNYING_DATA_DIR="$DATA" "$BIN" demo "$@"
    local t0
    t0=$(date +%s.%N)
    env -u DATABASE_URL -u DATABASE_APP_URL -u YUNYING_PUBLIC_URL RUST_LOG=warn YUNYING_DATA_DIR="$DATA" \
        "$RUN_BIN" demo "$@" >"$RAW/demo.txt" 2>&1 9>&- ||
        { tail -20 "$RAW/demo.txt" >&2; die "yunying demo failed"; }
    DEMO_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    log "demo data in $DEMO_SECONDS s"
}

# bench_demo_data ARGS…: the demo data — a copy of BENCH_DEMO_DATA when it is set (a
# data dir an earlier `yunying demo` made, its server stopped: for runs that measure
# again without waiting for the demo), `yunying demo ARGS…` otherwise.
bench_demo_data() {
    if [[ -n ${BENCH_DEMO_DATA:-} && ${BENCH_DEMO_DATA_IN_PLACE:-0} == 1 ]]; then
        # No room for a copy (the 1,000,000-order demo is 8 GB): the run migrates and
        # writes to the data dir itself, and leaves it there.
        [[ -d $BENCH_DEMO_DATA/pg/data && ! -e $BENCH_DEMO_DATA/pg/data/postmaster.pid ]] ||
            die "BENCH_DEMO_DATA=$BENCH_DEMO_DATA: not the data dir of a stopped yunying"
        log "demo data: $BENCH_DEMO_DATA itself (BENCH_DEMO_DATA_IN_PLACE=1: changed by this run, not removed)"
        rmdir "$DATA"
        DATA=$BENCH_DEMO_DATA
        KEEP_DATA=1
        DEMO_SECONDS=
    elif [[ -n ${BENCH_DEMO_DATA:-} ]]; then
        [[ -d $BENCH_DEMO_DATA/pg/data && ! -e $BENCH_DEMO_DATA/pg/data/postmaster.pid ]] ||
            die "BENCH_DEMO_DATA=$BENCH_DEMO_DATA: not the data dir of a stopped yunying"
        log "demo data: a copy of $BENCH_DEMO_DATA (neither made nor timed in this run)"
        record_cmd cp -a "$BENCH_DEMO_DATA/." "$DATA/"
        cp -a "$BENCH_DEMO_DATA/." "$DATA/"
        DEMO_SECONDS=
    else
        log "demo data: yunying demo $*"
        bench_demo "$@"
    fi
}

# bench_setup DEMO_ARGS…: what every page benchmark starts with — tools, the temp data
# dir, the release build, the demo data (bench_demo_data DEMO_ARGS…), the server on it
# and its cluster's socket.
bench_setup() {
    bench_tools
    bench_data_dir
    bench_build
    bench_demo_data "$@"
    bench_serve
    bench_db
}

# ---------------------------------------------------------------- server
bench_serve() {
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
    local ready=0
    for _ in $(seq 1 100); do
        if [[ $(curl -s -o /dev/null -w '%{http_code}' "$URL/readyz") == 200 ]]; then ready=1; break; fi
        sleep 0.1
    done
    [[ $ready == 1 ]] || die "/readyz not 200 at $URL"
    log "server pid $SERVER_PID ready at $URL"
}

bench_stop() {
    log "SIGTERM → $SERVER_PID"
    record_cmd kill -TERM "$SERVER_PID"
    kill -TERM "$SERVER_PID"
    set +e
    wait "$SERVER_PID"
    EXIT_CODE=$?
    set -e
    SERVER_PID=
    [[ $EXIT_CODE == 0 ]] || log "warning: the server exited with $EXIT_CODE"
}

# ---------------------------------------------------------------- database access
# The embedded cluster: socket directory and port from postmaster.pid (lines 5 and 4;
# see src/db/embedded.rs: socket_dir_for, PORT). Local connections use trust
# authentication; pgbench connects as yunying_app, the server's runtime role, so RLS
# applies exactly as in the app.
bench_db() {
    PM_FILE=$DATA/pg/data/postmaster.pid
    PGMASTER=$(head -1 "$PM_FILE")
    PGPORT=$(sed -n 4p "$PM_FILE")
    PGSOCK=$(sed -n 5p "$PM_FILE")
    [[ -S $PGSOCK/.s.PGSQL.$PGPORT ]] || die "no PostgreSQL socket at $PGSOCK/.s.PGSQL.$PGPORT"
    PG_APP=(-h "$PGSOCK" -p "$PGPORT" -U yunying_app -d yunying)
    PG_OWNER=(-h "$PGSOCK" -p "$PGPORT" -U yunying_owner -d yunying)
    TENANT=$(q_owner -c "SELECT id FROM tenants WHERE code = 'demo'")
    [[ -n $TENANT ]] || die "no demo tenant"
}
q_owner() { psql -X -q -At -v ON_ERROR_STOP=1 "${PG_OWNER[@]}" "$@"; }
# q_tenant SQL: one value from SQL run as the owner inside a tenant transaction.
q_tenant() {
    printf '%s\n' "BEGIN;" "SELECT set_config('app.tenant_id', '$TENANT', true) \\g /dev/null" "$1" "COMMIT;" |
        q_owner | awk 'NF && !done { print; done = 1 }'
}
# q_super ARGS…: psql as the cluster's superuser (VACUUM of every table, settings).
q_super() { psql -X -q -h "$PGSOCK" -p "$PGPORT" -U postgres -d yunying "$@"; }

# The demo leaves tables with a dead version of many rows and no visibility map:
# autovacuum would clean them up within a minute of the start — in the middle of a
# phase. Do it now, as the steady state of a database in use.
bench_vacuum() {
    log "VACUUM (ANALYZE) after the demo"
    local t0
    t0=$(date +%s.%N)
    record_cmd psql -h "$PGSOCK" -U postgres -d yunying -c "VACUUM (ANALYZE)"
    q_super -c "VACUUM (ANALYZE)"
    VACUUM_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
}

# ---------------------------------------------------------------- login
# bench_login USERNAME [SUFFIX]: sign in as demo/USERNAME; sets TOKEN$SUFFIX (the
# session token), COOKIE$SUFFIX (the Cookie header) and CSRF_TOKEN$SUFFIX (the
# session's CSRF token, from a form of the signed-in home page), all masked in the
# recorded commands.
bench_login() {
    local user=$1 sfx=${2:-} jar csrf status token cookie csrf_token
    jar=$RAW/cookies$sfx.txt
    curl -sS -c "$jar" -o "$RAW/login$sfx.html" "$URL/login"
    csrf=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$RAW/login$sfx.html" | head -1)
    [[ -n $csrf ]] || die "no csrf_token in the login form"
    status=$(curl -sS -b "$jar" -D "$RAW/login-headers$sfx.txt" -o /dev/null -w '%{http_code}' \
        --data-urlencode "csrf_token=$csrf" --data-urlencode company=demo \
        --data-urlencode "username=$user" --data-urlencode password=demo1234 "$URL/login")
    [[ $status == 303 ]] || die "login answered $status, expected 303"
    token=$(sed -n 's/^[Ss]et-[Cc]ookie: yy_session=\([^;]*\).*/\1/p' "$RAW/login-headers$sfx.txt" | tr -d '\r' | head -1)
    [[ -n $token ]] || die "no yy_session cookie after login"
    rm -f "$jar" "$RAW/login-headers$sfx.txt" # they hold the session token
    mask "$token" "<token$sfx>"
    cookie="Cookie: yy_session=$token"
    status=$(curl -sS -H "$cookie" -o "$RAW/home$sfx.html" -w '%{http_code}' "$URL/")
    [[ $status == 200 ]] || die "GET / with the session answered $status, expected 200"
    # The session's CSRF token, from any form of a signed-in page.
    csrf_token=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$RAW/home$sfx.html" | head -1)
    [[ -n $csrf_token ]] || die "no csrf_token field on the signed-in home page"
    mask "$csrf_token" "<csrf$sfx>"
    sed -i "s/$csrf_token/<csrf$sfx>/g" "$RAW/home$sfx.html"
    printf -v "TOKEN$sfx" '%s' "$token"
    printf -v "COOKIE$sfx" '%s' "$cookie"
    printf -v "CSRF_TOKEN$sfx" '%s' "$csrf_token"
    COMMANDS+=("curl -c jar $URL/login  # → yy_csrf cookie + csrf_token")
    COMMANDS+=("curl -b jar -d csrf_token=… -d company=demo -d username=$user -d password=demo1234 $URL/login  # → 303, Set-Cookie: yy_session=<token$sfx>")
    COMMANDS+=("curl -H 'Cookie: yy_session=<token$sfx>' $URL/  # → 200; the session's csrf_token (<csrf$sfx>) from its forms")
}

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
    if ! kill -0 "$SERVER_PID" 2>/dev/null || ! kill -0 "$PGMASTER" 2>/dev/null; then
        die "the server ($SERVER_PID) or its PostgreSQL ($PGMASTER) is gone during $name — stopped from outside? (log: $RAW/server.log)"
    fi
    awk -v a="$before" -v b="$after" -v t="$(tail -1 "$RAW/$name.time")" -v hz="$CLK_TCK" 'BEGIN {
        split(a, x, " "); split(b, y, " "); split(t, o, " ");
        for (i = 1; i <= 6; i++) printf "%d ", y[i] - x[i]; printf "%d\n", (o[1] + o[2]) * hz }' >"$RAW/$name.cpu"
    return $rc
}
disturbance() { awk '{ o = $1 - $5 - $6 - $7; printf "%.3f", ($4 > 0 ? (o > 0 ? o : 0) / $4 : 0) }' "$RAW/$1.cpu"; }
disturbed() { awk -v d="$1" -v m="$QUIET_MAX" 'BEGIN { exit !(d > m) }'; }
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
        if disturbed "$d" && ((try < RETRIES)); then
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
# measure_fn NAME FN: as measure for a phase that FN runs itself (a wrk POST run
# with its own set-up and checks, writing $RAW/NAME.*); the outputs of a disturbed
# run are kept as NAME.disturbedN.*.
measure_fn() {
    local name=$1 fn=$2 try=0 d f
    while :; do
        $fn
        d=$(disturbance "$name")
        if disturbed "$d" && ((try < RETRIES)); then
            try=$((try + 1))
            log "warning: $name disturbed (other processes took $d of the machine); measuring again ($try/$RETRIES)"
            for f in out err cpu time json approved count; do
                if [[ -e $RAW/$name.$f ]]; then mv "$RAW/$name.$f" "$RAW/$name.disturbed$try.$f"; fi
            done
            DISTURBED_RETRIES="${DISTURBED_RETRIES:-}$name ($d); "
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
    *-http*) line=$(wrk_stats "$1") ;;
    *) line=$(oha_stats "$1") ;;
    esac
    cut -f"$2" <<<"$line"
}

# oha_peak NAME URLPATH: warm-up, then the measured peak.
oha_peak() {
    local name=$1 path=$2
    local args=(-c "$CONNECTIONS" -H "$COOKIE")
    [[ $name == readyz ]] && args=(-c "$CONNECTIONS")
    run_tool "$name-warmup" "$OHA" --no-tui -w "${OHA_JSON[@]}" -z "${WARMUP}s" "${args[@]}" "$URL$path" || die "oha failed"
    measure "$name-peak" "$OHA" --no-tui -w "${OHA_JSON[@]}" -z "${DURATION}s" "${args[@]}" "$URL$path"
    oha_check "$name-peak"
    log "$name: $(stat_of "$name-peak" 1) req/s, p50 $(stat_of "$name-peak" 2) ms, p99 $(stat_of "$name-peak" 3) ms"
}
# pgbench_peak NAME SCRIPT -D…: a short warm-up, then the measured run.
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
# the app at half its peak, the EXPLAIN of its queries.
declare -A PAGE_PATH PAGE_SQL PAGE_VARS
LIST_PAGES=()
page() {
    local name=$1 path=$2 script=$3 status
    shift 3
    status=$(curl -sS -H "$COOKIE" -o "$RAW/$name.html" -w '%{http_code}' "$URL$path")
    [[ $status == 200 ]] || die "GET $path answered $status"
    # shellcheck disable=SC2153 # set by bench_login
    sed -i "s/$CSRF_TOKEN/<csrf>/g" "$RAW/$name.html"
    PAGE_PATH[$name]=$path
    PAGE_SQL[$name]=$(basename "$script")
    PAGE_VARS[$name]="$*"
    LIST_PAGES+=("$name")
    wait_quiet
    log "$name: GET $path ($(wc -c <"$RAW/$name.html") bytes) — oha ${WARMUP}s + ${DURATION}s at -c $CONNECTIONS"
    oha_peak "$name" "$path"
    pgbench_peak "$name" "$script" -D tenant="$TENANT" -D limit="$PER_PAGE" "$@"
    wait_quiet
    oha_half "$name" "$path"
    explain "$name" "$script" -D tenant="$TENANT" -D limit="$PER_PAGE" "$@"
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
deep_page() { awk -v n="$1" -v d="$DEEP_PAGE" -v pp="$PER_PAGE" 'BEGIN { last = int((n + pp - 1) / pp); if (last < 1) last = 1; print (d < last ? d : last) }'; }
offset_of() { echo $((($1 - 1) * PER_PAGE)); }

# ---------------------------------------------------------------- wrk POSTs
# wrk_lua_common EXPECTED: the Lua that every POST script shares — threads numbered
# k = 0, 1, … (setup), every response other than EXPECTED counted (response), and a
# JSON summary line (done). The caller's part defines `stride`, init() (cookie,
# body; n, bad and sent set to 0) and request().
wrk_lua_common() {
    cat <<EOF
local threads = {}
function setup(thread)
    thread:set("k", #threads)
    table.insert(threads, thread)
end
function response(status, headers, body)
    if status ~= $1 then bad = bad + 1 end
end
function done(summary, latency, requests)
    local non$1, maxn = 0, 0
    for _, t in ipairs(threads) do
        non$1 = non$1 + t:get("bad")
        if t:get("sent") > maxn then maxn = t:get("sent") end
    end
    local e = summary.errors
    io.write(string.format('{"requests": %d, "duration_us": %d, "rps": %.2f, "p50_ms": %.3f, "p99_ms": %.3f, "non$1": %d, "errors": %d, "max_per_thread": %d, "stride": %d}\n',
        summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, non$1,
        e.connect + e.read + e.write + e.timeout, maxn, stride))
end
EOF
}

# ---------------------------------------------------------------- report
f2() { awk -v x="$1" 'BEGIN { printf "%.2f", x }'; }
f0() { awk -v x="$1" 'BEGIN { printf "%.0f", x }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
pct() { awk -v r="$1" 'BEGIN { printf "%.1f %%", r * 100 }'; }
verdict() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo FAIL; fi; }
MISSED=0

# The report's "Commands" section: every command that mattered, as run (masked).
report_commands() {
    echo "## Commands"
    echo
    echo '```sh'
    for c in "${COMMANDS[@]}"; do echo "$c"; done
    echo '```'
}

report_facts() {
    END_EPOCH=$(date +%s)
    WALL=$((END_EPOCH - START_EPOCH))
    CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    MEM_TOTAL=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
    # shellcheck disable=SC2211 # the glob finds the server binaries' version
    PG_VERSION=$( (postgres --version || /usr/lib/postgresql/*/bin/postgres --version) 2>/dev/null | head -1 || echo unknown)
    READYZ_RPS=$(stat_of readyz-peak 1)
}

# The report's first lines: machine, commit, tools.
report_machine() {
    echo "- Machine: $NPROC CPUs ($CPU_MODEL), $MEM_TOTAL RAM, $(uname -sr); load average at start $LOADAVG_START"
    echo "- Commit: \`$COMMIT\`$DIRTY"
    echo "- Tools: $OHA_VERSION; $WRK_VERSION; $PGBENCH_VERSION; $PG_VERSION; $(rustc --version)"
}

# The list pages' table, and which pgbench script each ran with which variables.
report_list_pages() {
    local n r t
    echo "## List pages"
    echo
    echo "| Page | URL | app req/s | p50 (ms) | p99 (ms) | pgbench tps | pgbench p50 / p99 (ms) | app / pgbench | half-peak rate | p99 at half peak (ms) | app / readyz | EXPLAIN ANALYZE list / count (ms) |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for n in "${LIST_PAGES[@]}"; do
        r=$(stat_of "$n-peak" 1)
        t=$(stat_of "$n-pgbench" 1)
        # shellcheck disable=SC2016 # backquotes are Markdown
        printf '| %s | `%s` | %s | %s | %s | %s | %s / %s | **%s** | %s | **%s** | %s | %s |\n' "$n" "${PAGE_PATH[$n]}" \
            "$(f0 "$r")" "$(f2 "$(stat_of "$n-peak" 2)")" "$(f2 "$(stat_of "$n-peak" 3)")" "$(f0 "$t")" \
            "$(f2 "$(stat_of "$n-pgbench" 2)")" "$(f2 "$(stat_of "$n-pgbench" 3)")" "$(ratio "$r" "$t")" \
            "${HALF_RATE[$n]}" "$(f2 "$(stat_of "$n-half" 3)")" "$(ratio "$r" "$READYZ_RPS")" "${EXPLAIN_MS[$n]:-}"
    done
    # shellcheck disable=SC2016 # backquotes are Markdown
    printf '| /readyz (reference) | `/readyz` | %s | %s | %s | | | | | | 1 | |\n' "$(f0 "$READYZ_RPS")" \
        "$(f2 "$(stat_of readyz-peak 2)")" "$(f2 "$(stat_of readyz-peak 3)")"
    echo
    echo "pgbench scripts and their variables:"
    echo
    for n in "${LIST_PAGES[@]}"; do echo "- $n: \`bench/sql/${PAGE_SQL[$n]}\` with ${PAGE_VARS[$n]} (and tenant=$TENANT, limit=$PER_PAGE, cap=offset+$COUNT_AHEAD)"; done
}

# The list pages' rows of the targets table (TARGET_LIST_VS_PGBENCH, TARGET_HALF_P99_MS).
report_list_targets() {
    local n rr v p
    for n in "${LIST_PAGES[@]}"; do
        rr=$(ratio "$(stat_of "$n-peak" 1)" "$(stat_of "$n-pgbench" 1)")
        v=$(verdict "$rr >= $TARGET_LIST_VS_PGBENCH")
        [[ $v == PASS ]] || MISSED=1
        echo "| list page ≥ $(awk -v t="$TARGET_LIST_VS_PGBENCH" 'BEGIN { printf "%.0f", t * 100 }') % of pgbench on its queries | $n | $(pct "$rr") | $v |"
    done
    for n in "${LIST_PAGES[@]}"; do
        p=$(stat_of "$n-half" 3)
        v=$(verdict "$p <= $TARGET_HALF_P99_MS")
        [[ $v == PASS ]] || MISSED=1
        echo "| p99 ≤ $TARGET_HALF_P99_MS ms at half peak (-q ${HALF_RATE[$n]}) | $n | $(f2 "$p") ms | $v |"
    done
}

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

# The report's last sections: warnings, CPU per phase, interference, the commands.
report_tail() {
    local n d still retried c
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
        if disturbed "$d"; then still="$still$n ($d), "; fi
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
    report_commands
    echo
    echo "Raw outputs: \`bench/out/$RUN_ID/\` (oha JSON, pgbench output and logs, wrk output, CPU deltas, server log). Wall time: ${WALL} s."
}
