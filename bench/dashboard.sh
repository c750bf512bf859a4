#!/usr/bin/env bash
# Dashboard benchmark (issue 13) — see bench/README.md.
#
# One run: release build → `yunying demo --tenants 1 --orders N` in a fresh temp data
# dir (its after-sales cases, complaints, campaigns and targets come with it) →
# VACUUM (ANALYZE) → `yunying serve` → log in as demo/ops.director → /readyz for
# reference → the director's home page (the dashboard: every area, this month) as the
# cache serves it: oha at peak and at half peak → the monthly report of last month
# (when the route answers 200): oha at peak and half peak → the first view after a
# write, BENCH_WRITES times in a row: an order inserted by SQL as the owner (its
# rollup rows written by the triggers, the tenant's home cache dropped by the NOTIFY),
# then GET / timed with curl → the server restarted with YUNYING_HOME_CACHE_SECONDS=0
# (every view reads the database, as the first view after a write does): oha at peak
# and half peak → SIGTERM → Markdown report in bench/out/dashboard-<N>-latest.md.
#
# Run it at 100,000 and at 1,000,000 orders (BENCH_ORDERS) to compare: the rollups
# should make the page's cost independent of the number of orders.
#
# Knobs (environment): BENCH_ORDERS (default 1000000), BENCH_WRITES (default 300),
# BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_HALF_CONNECTIONS,
# BENCH_QUIET_WAIT/BENCH_QUIET_MAX/BENCH_RETRIES, BENCH_STRICT=1 (exit 3 when a target
# is missed), BENCH_SKIP_BUILD=1, BENCH_REV=<git rev>, BENCH_DEMO_DATA=<dir> (as in
# orders.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BENCH_TAG="dashboard"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

ORDERS=${BENCH_ORDERS:-1000000}
WRITES=${BENCH_WRITES:-300}
PAGES="home"
bench_init

# Targets (issue 13).
TARGET_AFTER_WRITE_P99_MS=50 # the first view after a write, p99
TARGET_CACHED_VS_READYZ=0.50 # cached views ≥ 0.5 × /readyz

bench_setup --tenants 1 --orders "$ORDERS"
N_ORDERS=$(q_tenant "SELECT count(*) FROM orders WHERE tenant_id = $TENANT;")
N_CASES=$(q_tenant "SELECT count(*) FROM after_sales WHERE tenant_id = $TENANT;")
N_COMPLAINTS=$(q_tenant "SELECT count(*) FROM complaints WHERE tenant_id = $TENANT;")
N_CAMPAIGNS=$(q_tenant "SELECT count(*) FROM campaigns WHERE tenant_id = $TENANT;")
N_ROLLUP=$(q_tenant "SELECT count(*) FROM sales_days WHERE tenant_id = $TENANT;")
log "tenant $TENANT: $N_ORDERS orders, $N_CASES cases, $N_COMPLAINTS complaints, $N_CAMPAIGNS campaigns; $N_ROLLUP sales_days rows"
bench_vacuum
USERNAME=ops.director
bench_login "$USERNAME"
LAST_MONTH=$(date -d "$(date +%Y-%m-01) -1 day" +%Y-%m)
REPORT_PATH="/reports/monthly?month=$LAST_MONTH"

status=$(curl -sS -H "$COOKIE" -o "$RAW/home.html" -w '%{http_code}' "$URL/")
[[ $status == 200 ]] || die "GET / answered $status"
N_CARDS=$(grep -o 'data-kpi="' "$RAW/home.html" | wc -l)
N_CHARTS=$(grep -o '<svg class="chart"' "$RAW/home.html" | wc -l)
((N_CARDS > 0)) || die "the director's home page shows no figures"
log "the director's dashboard: $N_CARDS figures, $N_CHARTS charts"

wait_quiet
log "readyz: oha ${WARMUP}s + ${DURATION}s at -c $CONNECTIONS"
oha_peak readyz /readyz
wait_quiet
oha_peak home-cached /
wait_quiet
oha_half home-cached /

REPORT_STATUS=$(curl -sS -H "$COOKIE" -o "$RAW/report.html" -w '%{http_code}' "$URL$REPORT_PATH")
if [[ $REPORT_STATUS == 200 ]]; then
    wait_quiet
    oha_peak report "$REPORT_PATH"
    if awk -v r="$(stat_of report-peak 1)" 'BEGIN { exit !(r >= 2) }'; then
        wait_quiet
        oha_half report "$REPORT_PATH"
    else
        log "the report answers below 2 req/s at peak: no half-peak run"
        HALF_RATE[report]=-
    fi
else
    log "warning: GET $REPORT_PATH answered $REPORT_STATUS: the report is not measured"
fi

# ---------------------------------------------------------------- the first view after a write
# One order per write, as an order entered by hand is (its rollup rows by the triggers);
# the NOTIFY at commit drops the tenant's summaries, so the GET that follows reads them
# again, folding the write's loose rollup rows first.
log "first view after a write: $WRITES × (insert an order, GET /)"
wait_quiet
: >"$RAW/after-write.txt"
for i in $(seq 1 "$WRITES"); do
    q_tenant "INSERT INTO orders (tenant_id, platform, order_no, source, goods_fen, paid_fen, ordered_at, paid_at)
        VALUES ($TENANT, 'jd', 'BENCH-W$i-$RANDOM', 'import', 1000, 1000, now(), now()) RETURNING id;" >/dev/null
    curl -sS -H "$COOKIE" -o /dev/null -w '%{http_code} %{time_total}\n' "$URL/" >>"$RAW/after-write.txt"
done
BAD_AFTER=$(awk '$1 != 200' "$RAW/after-write.txt" | wc -l)
read -r AW_P50 AW_P99 AW_MAX < <(awk '{ print $2 * 1000 }' "$RAW/after-write.txt" | sort -n | awk '{ a[NR] = $1 } END {
    i50 = int(NR * 0.50); if (i50 < 1) i50 = 1; i99 = int(NR * 0.99); if (i99 < 1) i99 = 1;
    printf "%.2f %.2f %.2f\n", a[i50], a[i99], a[NR] }')
log "after a write: p50 $AW_P50 ms, p99 $AW_P99 ms, max $AW_MAX ms ($BAD_AFTER not 200)"
bench_stop

# ---------------------------------------------------------------- every view uncached
log "restarting the server with YUNYING_HOME_CACHE_SECONDS=0 (every view reads the database)"
export YUNYING_HOME_CACHE_SECONDS=0
record_cmd export YUNYING_HOME_CACHE_SECONDS=0
bench_serve
bench_db
bench_login "$USERNAME"
wait_quiet
oha_peak home-uncached /
wait_quiet
oha_half home-uncached /
bench_stop
unset YUNYING_HOME_CACHE_SECONDS

# ---------------------------------------------------------------- report
report_facts
MISSED=0
REPORT=$RAW/report.md
row() { # NAME LABEL
    local half=-
    [[ -e $RAW/$1-half.out ]] && half=$(f2 "$(stat_of "$1-half" 3)")
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$2" "$(f2 "$(stat_of "$1-peak" 1)")" \
        "$(f2 "$(stat_of "$1-peak" 2)")" "$(f2 "$(stat_of "$1-peak" 3)")" "${HALF_RATE[$1]}" \
        "$half" "$(ratio "$(stat_of "$1-peak" 1)" "$READYZ_RPS")"
}
{
    echo "# Yunying dashboard benchmark — $(date -u '+%Y-%m-%d %H:%M') UTC"
    echo
    report_machine
    if [[ -n $DEMO_SECONDS ]]; then
        echo "- Data: \`yunying demo --tenants 1 --orders $ORDERS\` ($DEMO_SECONDS s): $N_ORDERS orders, $N_CASES"
    else
        echo "- Data: a copy of \`$BENCH_DEMO_DATA\` (BENCH_DEMO_DATA, a \`yunying demo --tenants 1\` data dir): $N_ORDERS orders, $N_CASES"
    fi
    echo "  after-sales cases, $N_COMPLAINTS complaints, $N_CAMPAIGNS campaigns; $N_ROLLUP \`sales_days\` rows. Then \`VACUUM (ANALYZE)\`."
    echo "- Server: release build, embedded PostgreSQL, $URL; signed in as demo / $USERNAME. The page: \`/\` this month,"
    echo "  $N_CARDS figures and $N_CHARTS charts (every area)."
    echo "- Load: oha on loopback, keep-alive, -c $CONNECTIONS, ${WARMUP} s warm-up then ${DURATION} s; then at half the peak rate"
    echo "  (-c $HALF_CONNECTIONS, latency correction). After a write: $WRITES sequential (INSERT an order by psql, then \`curl /\`)."
    echo
    echo "| Page | req/s | p50 (ms) | p99 (ms) | half-peak rate | p99 at half peak (ms) | / readyz |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    row home-cached "director's dashboard, cached"
    row home-uncached "director's dashboard, every view from the database (cache off)"
    [[ $REPORT_STATUS == 200 ]] && row report "monthly report \`$REPORT_PATH\`"
    printf '| /readyz (reference) | %s | %s | %s | | | 1 |\n' "$(f0 "$READYZ_RPS")" \
        "$(f2 "$(stat_of readyz-peak 2)")" "$(f2 "$(stat_of readyz-peak 3)")"
    echo
    echo "First view after a write (sequential, unloaded): p50 **$AW_P50 ms**, p99 **$AW_P99 ms**, max $AW_MAX ms; $BAD_AFTER answers not 200."
    echo
    echo "## Targets"
    echo
    echo "| Target | Measured | Verdict |"
    echo "|---|---:|---|"
    v=$(verdict "$AW_P99 <= $TARGET_AFTER_WRITE_P99_MS")
    [[ $v == PASS ]] || MISSED=1
    echo "| first view after a write ≤ $TARGET_AFTER_WRITE_P99_MS ms p99 (sequential write + view) | $AW_P99 ms | $v |"
    p=$(stat_of home-uncached-half 3)
    v=$(verdict "$p <= $TARGET_AFTER_WRITE_P99_MS")
    [[ $v == PASS ]] || MISSED=1
    echo "| every view from the database ≤ $TARGET_AFTER_WRITE_P99_MS ms p99 at half peak (-q ${HALF_RATE[home-uncached]}) | $(f2 "$p") ms | $v |"
    rr=$(ratio "$(stat_of home-cached-peak 1)" "$READYZ_RPS")
    v=$(verdict "$rr >= $TARGET_CACHED_VS_READYZ")
    [[ $v == PASS ]] || MISSED=1
    echo "| cached views ≥ 50 % of /readyz | $(pct "$rr") | $v |"
    echo
    echo "(Independence from the number of orders: compare the uncached rows of the 100,000 and 1,000,000 runs.)"
    report_tail
} >"$REPORT"
cp "$REPORT" "$OUT/dashboard-$N_ORDERS-latest.md"
cat "$OUT/dashboard-$N_ORDERS-latest.md"
if [[ ${BENCH_STRICT:-0} == 1 && $MISSED == 1 ]]; then exit 3; fi
