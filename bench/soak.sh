#!/usr/bin/env bash
# Soak (issue 14, part 6): a long run at 80 % of the measured peak on a mix, with a
# second tenant active — zero 5xx, the server's RSS flat, PostgreSQL's connections
# flat, p99 per minute. Shares bench/lib.sh with the other benchmarks (README.md there).
#
# One run: release build → `yunying demo --tenants 2 --orders N` in a fresh temp data
# dir → VACUUM (ANALYZE) → `yunying serve` → sign in as ops.director and ops.manager of
# demo and of demo2 → for each tenant a URL file of GET pages (home, order and other lists, record
# pages), each checked to answer 200 → the peak of the mix: both tenants' URL files at
# once (oha -c 16 each, no rate) while both writers run (warm-up, then
# BENCH_SOAK_PEAK_SECONDS) → the soak, BENCH_SOAK_SECONDS long, in segments of a
# minute: per tenant, oha at half of FRACTION × peak (-q, --latency-correction, -c 16)
# on its URL file; per tenant, bench/soak_writer.py (approvals of the pending-review
# queue, manual holds placed and released: BENCH_SOAK_WRITE_RATE cycles/s); every
# BENCH_SOAK_IMPORT_EVERY seconds `yunying import orders` of a fresh file
# (bench/orders_file.awk, BENCH_SOAK_IMPORT_LINES lines), the tenants in turn; every
# BENCH_SOAK_SAMPLE seconds the server's VmRSS and pg_stat_activity → SIGTERM →
# report (a Markdown block for bench/RESULTS.md) in bench/out/soak-latest.md.
#
# Knobs (environment): BENCH_SOAK_SECONDS (default 600; 60 for a smoke run),
# BENCH_SOAK_FRACTION (of the peak, default 0.8), BENCH_SOAK_PEAK_SECONDS (12),
# BENCH_SOAK_SEGMENT (60), BENCH_SOAK_SAMPLE (10), BENCH_SOAK_IMPORT_EVERY (60),
# BENCH_SOAK_IMPORT_LINES (300), BENCH_SOAK_WRITE_RATE (2), BENCH_SOAK_WRITER (the
# writers' username, ops.manager), BENCH_SOAK_ORDERS (demo
# orders per tenant, 20000), BENCH_SOAK_RATE (req/s in all, instead of the fraction
# of the measured peak), BENCH_SKIP_BUILD=1, BENCH_REV=<git rev>, BENCH_DEMO_DATA.
# Exit status 3 when a 5xx or a connection error was seen.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BENCH_TAG=soak
# The knobs this run was given, for the report's command line.
CMD_ENV=$(env | grep -E '^BENCH_[A-Z_]+=' | sort | tr '\n' ' ' || true)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

SOAK_SECONDS=${BENCH_SOAK_SECONDS:-600}
FRACTION=${BENCH_SOAK_FRACTION:-0.8}
PEAK_SECONDS=${BENCH_SOAK_PEAK_SECONDS:-12}
SEGMENT=${BENCH_SOAK_SEGMENT:-60}
SAMPLE=${BENCH_SOAK_SAMPLE:-10}
IMPORT_EVERY=${BENCH_SOAK_IMPORT_EVERY:-60}
IMPORT_LINES=${BENCH_SOAK_IMPORT_LINES:-300}
WRITE_RATE=${BENCH_SOAK_WRITE_RATE:-2}
ORDERS=${BENCH_SOAK_ORDERS:-20000}
WRITER=${BENCH_SOAK_WRITER:-ops.manager}
bench_init
command -v python3 >/dev/null || die "python3 is required"

bench_setup --tenants 2 --orders "$ORDERS"
# Also stop this script's own background work (lib.sh's cleanup stops the sampler,
# the server and its cluster).
soak_cleanup() {
    local rc=$? p
    for p in ${IMPORTER_PID:-} ${WRITER_PIDS[@]:-} ${OHA_1:-} ${OHA_2:-}; do kill "$p" 2>/dev/null || true; done
    (exit "$rc")
    cleanup
}
trap soak_cleanup EXIT
bench_vacuum
TENANT1=$TENANT
TENANT2=$(q_owner -c "SELECT id FROM tenants WHERE code = 'demo2'")
[[ -n $TENANT2 ]] || die "no demo2 tenant"
bench_login ops.director 1
LOGIN_COMPANY=demo2 bench_login ops.director 2
# The writers: an ops manager in each tenant (approvals and holds are theirs, as in
# bench/orders.sh).
bench_login "$WRITER" W1
LOGIN_COMPANY=demo2 bench_login "$WRITER" W2
WORK=$DATA/work
mkdir -p "$WORK"
chmod 755 "$WORK"

# q_in TENANT SQL: every row of SQL in a tenant transaction (as the owner).
q_in() {
    printf '%s\n' "BEGIN;" "SELECT set_config('app.tenant_id', '$1', true) \\g /dev/null" "$2" "COMMIT;" | q_owner
}

# urls N: the GET mix of tenant N (1 demo, 2 demo2) in $WORK/urls-N.txt, each page
# checked with the tenant's session (a page answering anything but 200 is left out).
urls() {
    local n=$1 tid cookie path status kept=0 dropped=
    tid=TENANT$n cookie=COOKIE$n
    tid=${!tid} cookie=${!cookie}
    {
        printf '%s\n' / /orders "/orders?status=pending_review" "/orders?status=approved" "/orders?hold=manual" \
            "/orders?page=5" /products /inventory/stock /complaints /after-sales /partners /contracts \
            /purchasing/orders /campaigns
        q_in "$tid" "SELECT '/orders/' || id FROM orders ORDER BY random() LIMIT 12;"
        q_in "$tid" "SELECT '/products/' || id FROM products ORDER BY random() LIMIT 5;"
        for t in complaints after_sales partners contracts; do
            q_in "$tid" "SELECT '/${t//_/-}/' || id FROM $t ORDER BY random() LIMIT 3;"
        done
    } >"$WORK/paths-$n.txt"
    : >"$WORK/urls-$n.txt"
    while read -r path; do
        [[ -n $path ]] || continue
        status=$(curl -s -o /dev/null -w '%{http_code}' -H "$cookie" "$URL$path")
        if [[ $status == 200 ]]; then
            echo "$URL$path" >>"$WORK/urls-$n.txt"
            kept=$((kept + 1))
        else
            dropped="$dropped $path ($status)"
        fi
    done <"$WORK/paths-$n.txt"
    log "tenant $n: $kept pages in the mix${dropped:+; left out:$dropped}"
    printf -v "MIX_PAGES$n" '%s' "$kept"
    printf -v "MIX_DROPPED$n" '%s' "${dropped# }"
}
urls 1
urls 2
# The orders the writers hold and release (before shipping, in either tenant).
for n in 1 2; do
    tid=TENANT$n
    q_in "${!tid}" "SELECT id FROM orders o WHERE status IN ('pending_review', 'approved') AND NOT EXISTS
        (SELECT 1 FROM order_holds h WHERE h.order_id = o.id AND h.released_at IS NULL) ORDER BY random() LIMIT 500;" \
        >"$WORK/pool-$n.txt"
done
# The import files' products (any tenant's SKUs: both have the same).
q_in "$TENANT1" "SELECT sku || E'\t' || id || E'\t' || price_fen FROM products ORDER BY sku;" >"$WORK/products.tsv"

# ---------------------------------------------------------------- peak
OHA_GET=("$OHA" --no-tui -w "${OHA_JSON[@]}" --urls-from-file)
HALF_C=$((CONNECTIONS / 2))
# writers SECONDS TAG: both tenants' writers for SECONDS, in the background
# (WRITER_PIDS); their requests in $RAW/TAG-N.tsv.
writers() {
    local n token csrf
    WRITER_PIDS=()
    for n in 1 2; do
        token=TOKENW$n csrf=CSRF_TOKENW$n
        python3 "$ROOT/bench/soak_writer.py" "$URL" "${!token}" "${!csrf}" "$WORK/pool-$n.txt" "$1" "$WRITE_RATE" \
            "$RAW/$2-$n.tsv" 2>"$RAW/$2-$n.err" 9>&- &
        WRITER_PIDS+=($!)
    done
}
# mix_peak SECONDS: the mix at full speed — both tenants' GETs at once (oha -c
# CONNECTIONS/2 each, no rate) while both writers run; oha's JSON on stdout, one
# object per tenant.
mix_peak() {
    local n pids=() rc=0
    writers "$1" peakwrites
    for n in 1 2; do
        cookie=COOKIE$n
        "${OHA_GET[@]}" -z "${1}s" -c "$HALF_C" -H "${!cookie}" "$WORK/urls-$n.txt" >"$RAW/mix-peak-$n.json" 9>&- &
        pids+=($!)
    done
    for p in "${pids[@]}" "${WRITER_PIDS[@]}"; do wait "$p" || rc=$?; done
    WRITER_PIDS=()
    cat "$RAW/mix-peak-1.json" "$RAW/mix-peak-2.json"
    return $rc
}
log "peak: both tenants' mixes at once (oha -c $HALF_C each) with the writers, ${WARMUP}s warm-up + ${PEAK_SECONDS}s"
record_cmd "${OHA_GET[@]}" -z "${PEAK_SECONDS}s" -c "$HALF_C" -H "<cookie of tenant N>" urls-N.txt
wait_quiet
run_tool peak-warmup mix_peak "$WARMUP" || die "the warm-up failed"
DURATION=$PEAK_SECONDS measure peak mix_peak "$PEAK_SECONDS"
# Both tenants' rates added up; the p99 of the slower one.
PEAK_RPS=$(jq -s '[.[].summary.requestsPerSec] | add | floor' "$RAW/peak.out")
PEAK_P99=$(jq -s '[.[].latencyPercentiles.p99] | max * 1000 | . * 100 | round / 100' "$RAW/peak.out")
PEAK_SPLIT=$(jq -rs '[.[].summary.requestsPerSec | floor | tostring] | join(" + ")' "$RAW/peak.out")
PEAK_NON200=$(jq -s '[.[] | (.statusCodeDistribution | to_entries[] | select(.key != "200") | .value), (.errorDistribution | to_entries[] | .value)] | add // 0' "$RAW/peak.out")
PEAK_WRITES=$(cat "$RAW"/peakwrites-*.tsv | awk -F'\t' '$2 ~ /^(approve|hold|release)$/ { n++; if ($3 >= 500 || $3 == 0) e++ } END { printf "%d POSTs, %d 5xx", n, e }')
((PEAK_NON200 == 0)) || log "warning: peak: $PEAK_NON200 GETs not answered 200"
PEAK_DISTURBANCE=$(disturbance peak)
RATE=${BENCH_SOAK_RATE:-$(awk -v p="$PEAK_RPS" -v f="$FRACTION" 'BEGIN { printf "%d", p * f }')}
HALF_RATE=$(awk -v r="$RATE" 'BEGIN { printf "%d", r / 2 }')
log "peak $PEAK_RPS req/s ($PEAK_SPLIT; p99 $PEAK_P99 ms, other processes $PEAK_DISTURBANCE of the machine); soak at $RATE req/s of GETs ($HALF_RATE per tenant)"

# ---------------------------------------------------------------- soak
T0=$(date +%s.%N)
SNAP0=$(snapshot)
# Samples: seconds since T0, VmRSS (kB), connections to the cluster (all, the
# runtime role's, active ones), excluding the sampling psql itself.
sampler() {
    while :; do
        local rss conns
        rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null) || rss=
        conns=$(q_super -At -F ' ' -c "SELECT count(*), count(*) FILTER (WHERE usename = 'yunying_app'),
            count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity
            WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()" 2>/dev/null) || conns='- - -'
        echo "$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') ${rss:--} $conns"
        sleep "$SAMPLE"
    done
}
sampler >"$RAW/samples.txt" &
SAMPLER_PID=$!
# Imports: seconds since T0, tenant, exit status, seconds taken, what it said.
importer() {
    local i=0 code t0 rc said
    while :; do
        sleep "$IMPORT_EVERY"
        i=$((i + 1))
        code=$([[ $((i % 2)) == 1 ]] && echo demo || echo demo2)
        awk -v lines="$IMPORT_LINES" -v base=$((700000000 + i * 10000)) -v csv="$WORK/import-$i.csv" \
            -v copy="$WORK/import-$i.copy." -v tenant=0 -v first_id=1 -v note=soak \
            -f "$ROOT/bench/orders_file.awk" "$WORK/products.tsv" >/dev/null
        chmod 644 "$WORK/import-$i.csv"
        t0=$(date +%s.%N)
        rc=0
        env -u DATABASE_URL -u DATABASE_APP_URL RUST_LOG=warn YUNYING_DATA_DIR="$DATA" \
            "$RUN_BIN" import orders --tenant "$code" "$WORK/import-$i.csv" >"$RAW/import-$i.out" 2>&1 9>&- || rc=$?
        said=$(tail -1 "$RAW/import-$i.out")
        echo "$(awk -v a="$T0" -v b="$t0" 'BEGIN { printf "%.1f", b - a }') $code $rc $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') $said"
        rm -f "$WORK/import-$i".*
    done
}
importer >"$RAW/imports.txt" &
IMPORTER_PID=$!
writers "$SOAK_SECONDS" writes
record_cmd python3 bench/soak_writer.py "$URL" "<tokenW1>" "<csrfW1>" pool-1.txt "$SOAK_SECONDS" "$WRITE_RATE" writes-1.tsv
SEGMENTS=$(((SOAK_SECONDS + SEGMENT - 1) / SEGMENT))
log "soak: $SEGMENTS segments of ${SEGMENT}s; writers at $WRITE_RATE cycles/s per tenant; an import every ${IMPORT_EVERY}s"
for m in $(seq 1 "$SEGMENTS"); do
    secs=$(awk -v m="$m" -v s="$SEGMENT" -v t="$SOAK_SECONDS" 'BEGIN { r = t - (m - 1) * s; print (r < s ? r : s) }')
    for n in 1 2; do
        cookie=COOKIE$n
        args=("${OHA_GET[@]}" -z "${secs}s" -c "$HALF_C" -q "$HALF_RATE" --latency-correction -H "${!cookie}" "$WORK/urls-$n.txt")
        ((m == 1)) && record_cmd "${args[@]}"
        "${args[@]}" >"$RAW/seg-$m-$n.json" 2>"$RAW/seg-$m-$n.err" 9>&- &
        eval "OHA_$n=\$!"
    done
    wait "$OHA_1" || die "oha failed in minute $m (see $RAW/seg-$m-1.err)"
    wait "$OHA_2" || die "oha failed in minute $m (see $RAW/seg-$m-2.err)"
    log "minute $m: demo $(jq -r '.summary.requestsPerSec | floor' "$RAW/seg-$m-1.json") req/s p99 $(jq -r '.latencyPercentiles.p99 * 1000 | . * 100 | floor / 100' "$RAW/seg-$m-1.json") ms; demo2 p99 $(jq -r '.latencyPercentiles.p99 * 1000 | . * 100 | floor / 100' "$RAW/seg-$m-2.json") ms; RSS $(tail -1 "$RAW/samples.txt" | cut -d' ' -f2) kB"
done
for p in "${WRITER_PIDS[@]}"; do wait "$p" || log "warning: a writer exited with $?"; done
SNAP1=$(snapshot)
T1=$(date +%s.%N)
kill "$IMPORTER_PID" 2>/dev/null || true
wait "$IMPORTER_PID" 2>/dev/null || true
sleep 1
kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=
HWM=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status")
LOADAVG_END=$(cut -d" " -f1-3 /proc/loadavg)
bench_stop

# ---------------------------------------------------------------- results
ELAPSED=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.0f", b - a }')
# Statuses over every GET segment and every write: "status count" lines.
statuses() {
    {
        cat "$RAW"/seg-*.json | jq -r '.statusCodeDistribution | to_entries[] | "\(.key) \(.value)"'
        cat "$RAW"/writes-*.tsv | awk -F'\t' '{ print $3, 1 }'
    } | awk '{ c[$1] += $2 } END { for (s in c) print s, c[s] }' | sort -n
}
STATUSES=$(statuses)
GET_ERRORS=$(cat "$RAW"/seg-*.json | jq '[.errorDistribution | to_entries[] | .value] | add // 0' | awk '{ s += $1 } END { print s + 0 }')
N5XX=$(awk '$1 >= 500 || $1 == 0 { s += $2 } END { print s + 0 }' <<<"$STATUSES")
# The POSTs: a 303 is the decision made; a 409, one refused (counted, not an error).
read -r N_POSTS N_POSTS_OK N_POSTS_409 <<<"$(cat "$RAW"/writes-*.tsv | awk -F'\t' '$2 ~ /^(approve|hold|release)$/ {
    n++; if ($3 == 303) ok++; if ($3 == 409) c++ } END { print n + 0, ok + 0, c + 0 }')"
N_IMPORTS=$(wc -l <"$RAW/imports.txt")
FAILED_IMPORTS=$(awk '$3 != 0' "$RAW/imports.txt" | wc -l)
# Least-squares slope of column COL against minutes, over samples at or after FROM s.
slope() {
    awk -v col="$1" -v from="${2:-0}" '$col != "-" && $1 >= from { x = $1 / 60; y = $col; n++; sx += x; sy += y; sxx += x * x; sxy += x * y }
        END { d = n * sxx - sx * sx; if (n < 2 || d == 0) print "n/a"; else printf "%.1f", (n * sxy - sx * sy) / d }' "$RAW/samples.txt"
}
col_stat() { # COL: min max mean first last
    awk -v col="$1" '$col != "-" { v = $col + 0; if (n == 0 || v < lo) lo = v; if (n == 0 || v > hi) hi = v; s += v; if (n == 0) f = v; l = v; n++ }
        END { printf "%s %s %.1f %s %s", lo, hi, (n ? s / n : 0), f, l }' "$RAW/samples.txt"
}
RSS_SLOPE=$(slope 2)
RSS_SLOPE_LATE=$(slope 2 60)
read -r RSS_MIN RSS_MAX RSS_MEAN RSS_FIRST RSS_LAST <<<"$(col_stat 2)"
read -r CONN_MIN CONN_MAX CONN_MEAN _ _ <<<"$(col_stat 3)"
read -r APPCONN_MIN APPCONN_MAX _ _ _ <<<"$(col_stat 4)"
CONN_SLOPE=$(slope 3)
N_SAMPLES=$(wc -l <"$RAW/samples.txt")
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
# p99 of the writes (POSTs and the GETs between them) in minute M.
writes_minute() { # M → "count p99_ms"
    local lo hi
    lo=$(awk -v a="$T0" -v m="$1" -v s="$SEGMENT" 'BEGIN { printf "%.3f", a + (m - 1) * s }')
    hi=$(awk -v a="$T0" -v m="$1" -v s="$SEGMENT" 'BEGIN { printf "%.3f", a + m * s }')
    cat "$RAW"/writes-*.tsv | awk -F'\t' -v lo="$lo" -v hi="$hi" '$1 >= lo && $1 < hi && $2 !~ /^(list-pending|order-page)$/ { print $4 }' |
        sort -n | awk '{ a[NR] = $1 } END { i = int(NR * 0.99); if (i < 1) i = 1; if (NR) printf "%d %.2f", NR, a[i]; else print "0 -" }'
}
# CPU over the soak, in cores: yunying, PostgreSQL, everything else (load generators,
# imports and the other sessions on the machine).
CPU=$(awk -v a="$SNAP0" -v b="$SNAP1" -v np="$NPROC" 'BEGIN { split(a, x, " "); split(b, y, " ");
    all = y[4] - x[4]; srv = y[5] - x[5]; pg = y[6] - x[6]; o = (y[1] - x[1]) - srv - pg; if (o < 0) o = 0;
    printf "%.2f %.2f %.2f", srv / all * np, pg / all * np, o / all * np }')
read -r CPU_SRV CPU_PG CPU_OTHER <<<"$CPU"
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)

REPORT=$RAW/report.md
{
    echo "## Soak (issue 14): \`bench/soak.sh\` — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Command: \`${CMD_ENV}bench/soak.sh\` (commit \`$COMMIT\`$DIRTY);"
    echo "$NPROC × $CPU_MODEL; load average $LOADAVG_START at the start, $LOADAVG_END at the end."
    echo "Data: \`yunying demo --tenants 2 --orders $ORDERS\`; the GETs as \`ops.director\`, the writes as \`$WRITER\`, in each tenant."
    echo
    echo "- Mix per tenant (oha \`--urls-from-file\`, each URL at random): home, 14 lists (orders: all, pending review,"
    echo "  approved, manual hold, page 5; products, stock, complaints, after-sales, partners, contracts, purchase orders,"
    echo "  campaigns) and record pages (12 orders, 5 products, 3 each of complaints, after-sales, partners, contracts),"
    echo "  those answering 200: $MIX_PAGES1 pages for demo, $MIX_PAGES2 for demo2${MIX_DROPPED1:+ (left out: $MIX_DROPPED1)}."
    echo "- Peak of the mix (both tenants' GETs at once, oha -c $HALF_C each with no rate, both writers running; ${PEAK_SECONDS} s"
    echo "  after ${WARMUP} s): **$PEAK_RPS req/s** ($PEAK_SPLIT), p99 $PEAK_P99 ms (the slower tenant's); $PEAK_NON200 GETs not 200;"
    echo "  the writers meanwhile: $PEAK_WRITES; other processes took $PEAK_DISTURBANCE of the machine."
    echo "- Soak: $ELAPSED s at **$RATE req/s** of GETs ($FRACTION × peak; $HALF_RATE per tenant, oha -c $HALF_C -q $HALF_RATE"
    echo "  --latency-correction, one run a minute), plus per tenant bench/soak_writer.py at $WRITE_RATE cycles/s (approve the"
    echo "  first pending-review order without a hold; place a manual hold on one of 500 orders and release it), plus \`yunying import orders\`"
    echo "  of a fresh $IMPORT_LINES-line file every $IMPORT_EVERY s, the tenants in turn ($N_IMPORTS imports, $FAILED_IMPORTS failed)."
    echo
    echo "| minute | demo GET req/s | demo p99 (ms) | demo2 GET req/s | demo2 p99 (ms) | writes (POSTs) | writes p99 (ms) | RSS at end (MiB) |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
    for m in $(seq 1 "$SEGMENTS"); do
        read -r wn wp99 <<<"$(writes_minute "$m")"
        rss=$(awk -v t=$((m * SEGMENT)) '$1 <= t + 1 && $2 != "-" { r = $2 } END { print r }' "$RAW/samples.txt")
        printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$m" \
            "$(jq -r '.summary.requestsPerSec | floor' "$RAW/seg-$m-1.json")" \
            "$(jq -r '.latencyPercentiles.p99 * 1000 | . * 100 | round / 100' "$RAW/seg-$m-1.json")" \
            "$(jq -r '.summary.requestsPerSec | floor' "$RAW/seg-$m-2.json")" \
            "$(jq -r '.latencyPercentiles.p99 * 1000 | . * 100 | round / 100' "$RAW/seg-$m-2.json")" \
            "$wn" "$wp99" "$(mib "${rss:-0}")"
    done
    echo
    echo "| check | measured | verdict |"
    echo "|---|---|---|"
    echo "| zero 5xx | $N5XX 5xx / connection errors; GET transport errors $GET_ERRORS; statuses: $(awk '{ printf "%s%s: %s", (NR > 1 ? ", " : ""), $1, $2 }' <<<"$STATUSES") | $( ((N5XX == 0 && GET_ERRORS == 0)) && echo met || echo '**missed**') |"
    echo "| the writes made | $N_POSTS_OK of $N_POSTS POSTs answered 303 ($N_POSTS_409 refused with 409); imports: $((N_IMPORTS - FAILED_IMPORTS)) of $N_IMPORTS exited 0 | $( ((N_POSTS > 0 && N_POSTS_OK + N_POSTS_409 == N_POSTS && FAILED_IMPORTS == 0)) && echo met || echo '**missed**') |"
    echo "| server RSS flat | slope **$RSS_SLOPE KB/min** (least squares over $N_SAMPLES samples every ${SAMPLE} s; $RSS_SLOPE_LATE KB/min after the first minute); $(mib "$RSS_FIRST") → $(mib "$RSS_LAST") MiB, min $(mib "$RSS_MIN"), max $(mib "$RSS_MAX"), VmHWM $(mib "$HWM") | see slope |"
    echo "| PostgreSQL connections flat | client backends min $CONN_MIN, max $CONN_MAX, mean $CONN_MEAN (slope $CONN_SLOPE /min); the runtime role's $APPCONN_MIN–$APPCONN_MAX | $( ((CONN_MAX - CONN_MIN <= 12)) && echo 'met (within the imports'"'"' own connections)' || echo '**check**') |"
    echo
    echo "CPU over the soak, in cores of $NPROC: yunying $CPU_SRV, PostgreSQL $CPU_PG, everything else $CPU_OTHER (oha, the writers,"
    echo "the imports, and any other session's work on the machine)."
} >"$REPORT"
cp "$REPORT" "$OUT/soak-latest.md"
cat "$OUT/soak-latest.md"
printf '%s\n' "${COMMANDS[@]}" >"$RAW/commands.txt"
log "raw outputs in $RAW"
if ((N5XX != 0 || GET_ERRORS != 0)); then exit 3; fi
