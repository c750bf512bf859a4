#!/usr/bin/env bash
# Yunying (运营台) load benchmark — see bench/README.md.
#
# One run: release build → start the server on the embedded PostgreSQL in a fresh
# temp data dir → log in → peak throughput and latency of /healthz, /readyz and /
# → the home page at half its peak rate (rate-limited) with RSS sampling → the home
# page while the tenant is written to, and the writes' cost → SIGTERM
# → Markdown report in bench/out/latest.md (also printed).
#
# Knobs (environment): BENCH_DURATION (s per measured phase, default 12),
# BENCH_WARMUP (s of warm-up per endpoint, default 3), BENCH_CONNECTIONS (peak
# phases, default 32), BENCH_HALF_CONNECTIONS (half-peak phase, default 32),
# BENCH_STRICT=1 (exit 3 when a target is missed), BENCH_SKIP_BUILD=1,
# BENCH_REV=<git rev> (benchmark that commit: a `git archive` snapshot is built in a
# temp dir instead of the working tree, which others may be editing),
# BENCH_WRITES=0 (skip the phases with writes: the home page while pgbench writes to
# the tenant at BENCH_WRITE_RATE transactions/s, default 50, and the write
# throughput with and without the home-cache triggers). YUNYING_HOME_CACHE_SECONDS
# reaches the server as set (0: the home page without its cache).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

BENCH_TAG=bench
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_init

# Targets.
TARGET_HOME_VS_READYZ=0.50 # home throughput ≥ 50 % of /readyz
TARGET_HALF_P99_MS=10      # home p99 at half of its peak rate
TARGET_RSS_KB=61440        # 60 MB (MiB, as /proc reports kB = KiB)

# ---------------------------------------------------------------- tools, data dir, build, server
# (bench/lib.sh: oha installed when missing, the temp data dir and its cleanup, the
# release build or BENCH_REV snapshot, `yunying serve` on a free port until /readyz)
bench_tools
bench_data_dir
SAMPLER_PID=
bench_build
bench_serve
RSS_IDLE_KB=$(awk '/^VmRSS:/{print $2}' "/proc/$SERVER_PID/status")

# ---------------------------------------------------------------- login
JAR=$RAW/cookies.txt
curl -sS -c "$JAR" -o "$RAW/login.html" "$URL/login"
CSRF=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$RAW/login.html" | head -1)
[[ -n $CSRF ]] || die "no csrf_token in the login form"
status=$(curl -sS -b "$JAR" -D "$RAW/login-headers.txt" -o /dev/null -w '%{http_code}' \
    --data-urlencode "csrf_token=$CSRF" --data-urlencode company=demo \
    --data-urlencode username=ops.director --data-urlencode password=demo1234 "$URL/login")
[[ $status == 303 ]] || die "login answered $status, expected 303"
TOKEN=$(sed -n 's/^[Ss]et-[Cc]ookie: yy_session=\([^;]*\).*/\1/p' "$RAW/login-headers.txt" | tr -d '\r' | head -1)
[[ -n $TOKEN ]] || die "no yy_session cookie after login"
mask "$TOKEN" "<token>"
rm -f "$JAR" # holds the session token
COOKIE="Cookie: yy_session=$TOKEN"
status=$(curl -sS -H "$COOKIE" -o "$RAW/home.html" -w '%{http_code}' "$URL/")
[[ $status == 200 ]] || die "GET / with the session answered $status, expected 200"
grep -q 'ops.director\|运营' "$RAW/home.html" || log "warning: home page does not mention the user"
HOME_BYTES=$(wc -c <"$RAW/home.html")
log "logged in as demo/ops.director; home page is $HOME_BYTES bytes"
COMMANDS+=("curl -c jar $URL/login  # → yy_csrf cookie + csrf_token")
COMMANDS+=("curl -b jar -d csrf_token=… -d company=demo -d username=ops.director -d password=demo1234 $URL/login  # → 303, Set-Cookie: yy_session=<token>")

# ---------------------------------------------------------------- load
# CPU accounting, so a run on a shared machine says how much of the CPU the
# server, PostgreSQL and oha used and how much went to anything else (e.g. a
# compiler running alongside), per phase.
# (CLK_TCK, the quiet-machine knobs, snapshot and wait_quiet: bench/lib.sh)
PGMASTER=$(head -1 "$DATA/pg/data/postmaster.pid")

# run_oha NAME ARGS…: oha with JSON output into $RAW/NAME.json, CPU accounting into
# $RAW/NAME.cpu ("procs irq steal all server postgres oha" deltas, jiffies); checks
# that every response was 200.
run_oha() {
    local name=$1
    shift
    record_cmd "$OHA" --no-tui -w "${OHA_JSON[@]}" "$@"
    local before after
    before=$(snapshot)
    local TIMEFORMAT='%U %S'
    { time "$OHA" --no-tui -w "${OHA_JSON[@]}" "$@" >"$RAW/$name.json" 2>"$RAW/$name.err"; } 2>"$RAW/$name.time"
    after=$(snapshot)
    awk -v a="$before" -v b="$after" -v t="$(tail -1 "$RAW/$name.time")" -v hz="$CLK_TCK" 'BEGIN {
        split(a, x, " "); split(b, y, " "); split(t, o, " ");
        for (i = 1; i <= 6; i++) printf "%d ", y[i] - x[i]; printf "%d\n", (o[1] + o[2]) * hz }' >"$RAW/$name.cpu"
    local non200 errors
    non200=$(jq '[.statusCodeDistribution | to_entries[] | select(.key != "200") | .value] | add // 0' "$RAW/$name.json")
    errors=$(jq '[.errorDistribution | to_entries[] | .value] | add // 0' "$RAW/$name.json")
    if [[ $non200 != 0 || $errors != 0 ]]; then
        log "warning: $name: $non200 non-200 responses, $errors errors: $(jq -c '.statusCodeDistribution, .errorDistribution' "$RAW/$name.json" | tr '\n' ' ')"
        BAD_RESPONSES="${BAD_RESPONSES:-}$name: $non200 non-200, $errors errors; "
    fi
}
# measure NAME ARGS…: a measured phase, re-run (after waiting for quiet) when other
# processes took more than QUIET_MAX of the machine during it.
measure() {
    local name=$1 try=0 d
    while :; do
        run_oha "$@"
        d=$(disturbance "$name")
        if awk -v d="$d" -v m="$QUIET_MAX" 'BEGIN { exit !(d > m) }' && ((try < RETRIES)); then
            try=$((try + 1))
            log "warning: $name disturbed (other processes took $d of the machine); measuring again ($try/$RETRIES)"
            for f in json cpu time err; do mv "$RAW/$name.$f" "$RAW/$name.disturbed$try.$f"; done
            DISTURBED_RETRIES="${DISTURBED_RETRIES:-}$name ($d); "
            wait_quiet
            continue
        fi
        break
    done
}
rps() { jq '.summary.requestsPerSec' "$RAW/$1.json"; }
# Percentiles are in seconds in oha's JSON; print ms.
pct_ms() { jq --arg p "$2" '.latencyPercentiles[$p] * 1000' "$RAW/$1.json"; }
count() { jq '[.statusCodeDistribution | to_entries[] | .value] | add // 0' "$RAW/$1.json"; }

declare -A HDR=([healthz]="" [readyz]="" [home]="$COOKIE")
declare -A PATHS=([healthz]=/healthz [readyz]=/readyz [home]=/)
for ep in healthz readyz home; do
    args=(-c "$CONNECTIONS")
    [[ -n ${HDR[$ep]} ]] && args+=(-H "${HDR[$ep]}")
    wait_quiet
    log "$ep: warm-up ${WARMUP}s, then peak ${DURATION}s at -c $CONNECTIONS"
    run_oha "$ep-warmup" -z "${WARMUP}s" "${args[@]}" "$URL${PATHS[$ep]}"
    measure "$ep-peak" -z "${DURATION}s" "${args[@]}" "$URL${PATHS[$ep]}"
    log "$ep: $(rps "$ep-peak") req/s, p50 $(pct_ms "$ep-peak" p50) ms, p99 $(pct_ms "$ep-peak" p99) ms"
done
RSS_AFTER_PEAK_KB=$(awk '/^VmRSS:/{print $2}' "/proc/$SERVER_PID/status")

HOME_PEAK=$(rps home-peak)
HALF_RATE=$(awk -v r="$HOME_PEAK" 'BEGIN { printf "%d", r / 2 }')
[[ $HALF_RATE -ge 1 ]] || die "home page peak rate is $HOME_PEAK req/s"
half_args=(-c "$HALF_CONNECTIONS" -q "$HALF_RATE" --latency-correction -H "$COOKIE")
wait_quiet
log "home at half peak: -q $HALF_RATE for ${WARMUP}s warm-up + ${DURATION}s, sampling VmRSS"
run_oha home-half-warmup -z "${WARMUP}s" "${half_args[@]}" "$URL/"
: >"$RAW/rss-half.txt"
(
    while kill -0 "$SERVER_PID" 2>/dev/null; do
        awk '/^VmRSS:/{print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || true
        sleep 0.1
    done
) >>"$RAW/rss-half.txt" &
SAMPLER_PID=$!
measure home-half -z "${DURATION}s" "${half_args[@]}" "$URL/"
kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=
RSS_HALF_MAX_KB=$(sort -n "$RAW/rss-half.txt" | tail -1)
RSS_SAMPLES=$(wc -l <"$RAW/rss-half.txt")
VMHWM_KB=$(awk '/^VmHWM:/{print $2}' "/proc/$SERVER_PID/status")
THREADS=$(awk '/^Threads:/{print $2}' "/proc/$SERVER_PID/status")
PG_PROCS=$(($(ps -o pid= --ppid "$PGMASTER" | wc -l) + 1))
log "home half: $(rps home-half) req/s, p50 $(pct_ms home-half p50) ms, p99 $(pct_ms home-half p99) ms; RSS max ${RSS_HALF_MAX_KB} kB, HWM ${VMHWM_KB} kB"

# ---------------------------------------------------------------- writes
# The home page keeps each user's summary until the tenant's data changes: every
# write statement's trigger (migration 0014) sends NOTIFY with the writer's tenant.
# Two measurements of what that means, with pgbench writing as the runtime role (a
# transaction shaped like a POST's: one UPDATE and one audit INSERT):
# 1. the home page at peak while the tenant is written to WRITE_RATE times a second
#    (each write drops the summary; the next view reads the database again);
# 2. the triggers' cost to writers: pgbench's write throughput at -c CONNECTIONS with
#    the home_notify triggers enabled and disabled, alternately, twice each.
if [[ ${BENCH_WRITES:-1} == 1 ]]; then
    for tool in psql pgbench; do command -v "$tool" >/dev/null || die "$tool is required (BENCH_WRITES=0 skips)"; done
    WRITE_RATE=${BENCH_WRITE_RATE:-50}
    PGPORT=$(sed -n 4p "$DATA/pg/data/postmaster.pid")
    PGSOCK=$(sed -n 5p "$DATA/pg/data/postmaster.pid")
    PG_APP=(-h "$PGSOCK" -p "$PGPORT" -U yunying_app -d yunying)
    PG_OWNER=(-h "$PGSOCK" -p "$PGPORT" -U yunying_owner -d yunying)
    q_owner() { psql -X -q -At -v ON_ERROR_STOP=1 "${PG_OWNER[@]}" "$@"; }
    TENANT=$(q_owner -c "SELECT id FROM tenants WHERE code = 'demo'")
    read -r PMIN PMAX < <(printf '%s\n' "BEGIN;" "SELECT set_config('app.tenant_id', '$TENANT', true) \\g /dev/null" \
        "SELECT min(id), max(id) FROM products WHERE tenant_id = $TENANT;" "COMMIT;" | q_owner -F ' ' | awk 'NF { print; exit }')
    [[ -n $PMIN && -n $PMAX ]] || die "no demo products"
    cat >"$RAW/write.sql" <<'SQL'
\set p random(:pmin, :pmax)
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true);
UPDATE products SET updated_at = now() WHERE tenant_id = :tenant AND id = :p;
INSERT INTO audit_log (tenant_id, actor_name, action, entity_type, entity_id, summary)
    VALUES (:tenant, 'bench', 'product.update', 'product', :p, 'bench write ' || :p);
COMMIT;
SQL
    PGB_VARS=(-D "tenant=$TENANT" -D "pmin=$PMIN" -D "pmax=$PMAX")
    # pgb NAME SCRIPT PGBENCH-ARGS…
    pgb() {
        local name=$1 script=$2
        shift 2
        record_cmd pgbench -n -M prepared "${PGB_VARS[@]}" -f "$RAW/$script" "$@" "${PG_APP[@]}"
        pgbench -n -M prepared "${PGB_VARS[@]}" -f "$RAW/$script" "$@" "${PG_APP[@]}" >"$RAW/$name.pgbench" 2>&1 ||
            die "$name: pgbench failed: $(tail -3 "$RAW/$name.pgbench")"
    }
    wait_quiet
    log "home at peak while pgbench writes to the tenant at $WRITE_RATE/s"
    pgb writes-background write.sql -c 2 -j 1 -R "$WRITE_RATE" -T $((WARMUP + DURATION + 4)) &
    WRITER_PID=$!
    sleep 1
    run_oha home-writes-warmup -z "${WARMUP}s" -c "$CONNECTIONS" -H "$COOKIE" "$URL/"
    run_oha home-writes -z "${DURATION}s" -c "$CONNECTIONS" -H "$COOKIE" "$URL/"
    wait "$WRITER_PID" || die "background writer failed"
    WRITES_DONE=$(awk '/number of transactions actually processed/ { split($NF, a, "/"); print a[1] }' "$RAW/writes-background.pgbench")
    log "home under writes: $(rps home-writes) req/s, p99 $(pct_ms home-writes p99) ms ($WRITES_DONE writes)"

    triggers() {
        record_cmd psql "${PG_OWNER[@]}" -c "ALTER TABLE … $1 TRIGGER home_notify  -- every table that has it"
        q_owner -c "DO \$\$ DECLARE t text; BEGIN FOR t IN SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'home_notify' LOOP EXECUTE format('ALTER TABLE %s $1 TRIGGER home_notify', t); END LOOP; END \$\$"
    }
    # on: every write notifies at its commit; off: no notification (the baseline).
    declare -A WRITE_TPS=([on]="" [off]="")
    for round in 1 2; do
        for mode in on off; do
            if [[ $mode == off ]]; then triggers DISABLE; else triggers ENABLE; fi
            wait_quiet
            pgb "writes-$mode-$round" write.sql -c "$CONNECTIONS" -j 2 -T "$DURATION"
            tps=$(awk '/^tps = / { printf "%.0f", $3; exit }' "$RAW/writes-$mode-$round.pgbench")
            log "writes, $mode (round $round): $tps tps"
            WRITE_TPS[$mode]="${WRITE_TPS[$mode]} $tps"
        done
    done
    triggers ENABLE
    mean() { printf '%s\n' $1 | awk '{ s += $1 } END { printf "%.0f", s / NR }'; }
    WRITE_ON=$(mean "${WRITE_TPS[on]}")
    WRITE_OFF=$(mean "${WRITE_TPS[off]}")
fi

# ---------------------------------------------------------------- stop
log "SIGTERM → $SERVER_PID"
record_cmd kill -TERM "$SERVER_PID"
t0=$(date +%s.%N)
kill -TERM "$SERVER_PID"
set +e
wait "$SERVER_PID"
EXIT_CODE=$?
set -e
STOP_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
SERVER_PID=
PG_LEFT=no
if [[ -f $DATA/pg/data/postmaster.pid ]]; then PG_LEFT=yes; fi
if [[ $EXIT_CODE == 0 && $PG_LEFT == no ]]; then
    SHUTDOWN="clean: exit code 0 after ${STOP_SECONDS} s, embedded PostgreSQL stopped (no postmaster.pid left)"
    SHUTDOWN_OK=PASS
else
    SHUTDOWN="NOT clean: exit code $EXIT_CODE after ${STOP_SECONDS} s, postmaster.pid left: $PG_LEFT"
    SHUTDOWN_OK=FAIL
fi
log "shutdown: $SHUTDOWN"

# ---------------------------------------------------------------- report
END_EPOCH=$(date +%s)
WALL=$((END_EPOCH - START_EPOCH))
f2() { awk -v x="$1" 'BEGIN { printf "%.2f", x }'; }
f0() { awk -v x="$1" 'BEGIN { printf "%.0f", x }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
verdict() { awk -v ok="$1" 'BEGIN { print (ok ? "PASS" : "FAIL") }'; }

H_RPS=$(rps healthz-peak)
R_RPS=$(rps readyz-peak)
HOME_VS_HEALTHZ=$(ratio "$HOME_PEAK" "$H_RPS")
HOME_VS_READYZ=$(ratio "$HOME_PEAK" "$R_RPS")
HALF_P99=$(pct_ms home-half p99)
V1=$(verdict "$(awk -v r="$HOME_VS_READYZ" -v t="$TARGET_HOME_VS_READYZ" 'BEGIN { print (r >= t) }')")
V2=$(verdict "$(awk -v p="$HALF_P99" -v t="$TARGET_HALF_P99_MS" 'BEGIN { print (p <= t) }')")
V3=$(verdict "$(awk -v k="$RSS_HALF_MAX_KB" -v t="$TARGET_RSS_KB" 'BEGIN { print (k <= t) }')")

CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEM_TOTAL=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
PG_VERSION=$( (postgres --version || /usr/lib/postgresql/*/bin/postgres --version) 2>/dev/null | head -1 || echo unknown)

row() { # name path label
    local n=$1
    printf '| %s | %s | %s | %s | %s | %s |\n' "$2" "$3" "$(f0 "$(rps "$n")")" "$(f2 "$(pct_ms "$n" p50)")" \
        "$(f2 "$(pct_ms "$n" p99)")" "$(count "$n")"
}

# CPU of phase NAME: where the machine's cores went (in cores) and CPU per request.
cpu_row() {
    local n=$1
    awk -v np="$NPROC" -v hz="$CLK_TCK" -v req="$(count "$n")" -v label="$2" '{
        procs = $1; irq = $2; steal = $3; all = $4; srv = $5; pg = $6; oha = $7;
        other = procs - srv - pg - oha; if (other < 0) other = 0;
        idle = all - procs - irq - steal; if (idle < 0) idle = 0;
        c = np / all;
        printf "| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f |\n", label,
            srv * c, pg * c, oha * c, other * c, irq * c, steal * c, idle * c,
            srv / hz * 1e6 / req, pg / hz * 1e6 / req }' "$RAW/$n.cpu"
}

REPORT=$RAW/report.md
{
    echo "# Yunying load benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- Machine: $(nproc) CPUs ($CPU_MODEL), $MEM_TOTAL RAM, $(uname -sr); load average at start $LOADAVG_START"
    echo "- Commit: \`$COMMIT\`$DIRTY"
    echo "- Tools: $OHA_VERSION; $(curl --version | head -1 | cut -d' ' -f1-2); $PG_VERSION; $(rustc --version)"
    echo "- Server: release build, embedded PostgreSQL default (no DATABASE_URL) in a fresh temp data dir, listening on $URL"
    echo "- Load: oha on loopback, keep-alive; each endpoint ${WARMUP} s warm-up (discarded) then ${DURATION} s at -c $CONNECTIONS;"
    echo "  the home page then at half its peak rate (-q $HALF_RATE, -c $HALF_CONNECTIONS, latency correction on, so a queued"
    echo "  request counts from when it was due), ${WARMUP} s warm-up + ${DURATION} s."
    echo "- Home page: logged in as demo / ops.director (operations director, not a tenant admin), $HOME_BYTES bytes of HTML."
    echo "  Home-page summary cache: YUNYING_HOME_CACHE_SECONDS=${YUNYING_HOME_CACHE_SECONDS:-5 (default)} (0 = read on every"
    echo "  view); with no writes during a phase, every view but the first few is served from it."
    echo "- **The $(nproc) cores are shared** by the load generator, the server and PostgreSQL: the peaks are the whole"
    echo "  machine's capacity for this mix, not the server's alone, and oha's own CPU use takes a share of it."
    echo
    echo "## Results"
    echo
    echo "| Endpoint | Load | Throughput (req/s) | p50 (ms) | p99 (ms) | Requests |"
    echo "|---|---|---:|---:|---:|---:|"
    row healthz-peak "/healthz" "peak, -c $CONNECTIONS"
    row readyz-peak "/readyz" "peak, -c $CONNECTIONS"
    row home-peak "/ (logged in)" "peak, -c $CONNECTIONS"
    row home-half "/ (logged in)" "half peak, -q $HALF_RATE"
    echo
    echo "| Server memory (yunying process) | |"
    echo "|---|---:|"
    echo "| VmRSS idle after start-up and login | $(mb "$RSS_IDLE_KB") |"
    echo "| VmRSS after the peak phases | $(mb "$RSS_AFTER_PEAK_KB") |"
    echo "| **VmRSS max during the half-peak run** ($RSS_SAMPLES samples, 0.1 s apart) | **$(mb "$RSS_HALF_MAX_KB")** |"
    echo "| VmHWM (peak RSS over the whole run, incl. the peak phases) | $(mb "$VMHWM_KB") |"
    echo "| Threads at the end | $THREADS |"
    echo
    echo "CPU during each measured phase, in cores (of $NPROC; from /proc/stat and the processes' utime+stime,"
    echo "jiffies of 1/$CLK_TCK s), and CPU time per request:"
    echo
    echo "| Phase | yunying | postgres ($PG_PROCS procs) | oha | other processes | irq+softirq | steal | idle | yunying µs/req | postgres µs/req |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    cpu_row healthz-peak "/healthz peak"
    cpu_row readyz-peak "/readyz peak"
    cpu_row home-peak "/ peak"
    cpu_row home-half "/ half peak"
    echo
    if [[ -n ${DISTURBED_RETRIES:-} || -n ${QUIET_TIMEOUTS:-} ]]; then
        retried=${DISTURBED_RETRIES:-none; }
        echo "**Interference:** measured phases discarded and re-run because other processes took more than"
        echo "$QUIET_MAX of the machine (their share in brackets): ${retried%; }. Waits for a quiet machine that"
        echo "timed out: ${QUIET_TIMEOUTS:-0}."
        echo "Check the \"other processes\" column above: what remains there distorted the numbers."
        echo
    fi
    still=
    for n in healthz-peak readyz-peak home-peak home-half; do
        d=$(disturbance "$n")
        if awk -v d="$d" -v m="$QUIET_MAX" 'BEGIN { exit !(d > m) }'; then still="$still$n ($d), "; fi
    done
    if [[ -n $still ]]; then
        echo "**Distorted:** in the kept measurements, other processes still took more than $QUIET_MAX of the machine"
        echo "during ${still%, }: treat those numbers as lower bounds and re-run on a quiet machine."
        if [[ $still == *home-peak* ]]; then
            echo "The half-peak rate (-q $HALF_RATE) comes from that distorted home peak, so the half-peak latency was"
            echo "measured at less load than intended."
        fi
    else
        echo "In every kept measurement other processes used at most $QUIET_MAX of the machine."
    fi
    echo
    echo "Waited ${QUIET_WAITED:-0} s in total for a quiet machine (other processes < $QUIET_MAX of it) before the phases."
    echo
    echo "Ratios: **home/healthz = $HOME_VS_HEALTHZ**, **home/readyz = $HOME_VS_READYZ** (throughput)."
    echo
    if [[ ${BENCH_WRITES:-1} == 1 ]]; then
        echo "## While the tenant is written to"
        echo
        echo "pgbench (runtime role) writes to tenant demo, each transaction an UPDATE of a product and an audit INSERT"
        echo "(\`write.sql\` in the raw outputs); every write sends NOTIFY and drops the tenant's home summaries."
        echo
        echo "| Phase | Result |"
        echo "|---|---:|"
        echo "| / (logged in) at peak, -c $CONNECTIONS, while $WRITES_DONE writes ran at $WRITE_RATE/s | $(f0 "$(rps home-writes)") req/s, p99 $(f2 "$(pct_ms home-writes p99)") ms = $(ratio "$(rps home-writes)" "$R_RPS") of /readyz |"
        echo "| Writes with the home_notify triggers (-c $CONNECTIONS, ${DURATION} s × 2) |${WRITE_TPS[on]} tps, mean $WRITE_ON |"
        echo "| Writes with the triggers disabled (no notification: the baseline; the two alternate) |${WRITE_TPS[off]} tps, mean $WRITE_OFF |"
        echo "| Writers' throughput with the triggers, relative to without | **$(ratio "$WRITE_ON" "$WRITE_OFF")** |"
        echo
    fi
    echo "## Targets"
    echo
    echo "| Target | Measured | Verdict |"
    echo "|---|---:|---|"
    echo "| Home page throughput ≥ 50 % of /readyz | $(awk -v r="$HOME_VS_READYZ" 'BEGIN { printf "%.1f %%", r * 100 }') | $V1 |"
    echo "| Home p99 ≤ $TARGET_HALF_P99_MS ms at half its peak rate | $(f2 "$HALF_P99") ms | $V2 |"
    echo "| Server RSS ≤ 60 MB under that load | $(mb "$RSS_HALF_MAX_KB") | $V3 |"
    echo "| Graceful stop on SIGTERM | $SHUTDOWN | $SHUTDOWN_OK |"
    if [[ -n ${BAD_RESPONSES:-} ]]; then
        echo
        echo "**Warning: not every response was 200:** $BAD_RESPONSES"
    fi
    echo
    report_commands
    echo
    echo "Raw outputs: \`bench/out/$RUN_ID/\` (oha JSON per phase, RSS samples, server log). Wall time of this run: ${WALL} s."
} >"$REPORT"
cp "$REPORT" "$OUT/latest.md"
cat "$OUT/latest.md"

if [[ ${BENCH_STRICT:-0} == 1 && ($V1 == FAIL || $V2 == FAIL || $V3 == FAIL || $SHUTDOWN_OK == FAIL) ]]; then exit 3; fi
