#!/usr/bin/env bash
# Order import benchmark (issue 10: "the import of a 100,000-line order file ≥ 0.25 ×
# PostgreSQL's own COPY of the same rows into the same tables, memory flat
# (streamed)") — see bench/README.md.
#
# One run: release build → `yunying demo --tenants 2` in a fresh temp data dir
# (tenants demo and demo2, the same SKUs) → VACUUM (ANALYZE) → `yunying serve` on it
# (so the cluster is up; the server stays idle) → for each size (lines of the file):
# bench/orders_file.awk writes the order file and the same orders as COPY data
# (orders, order_lines, order_holds, order_events; the search terms come from the
# orders' own statement trigger, as for the import) → (before each phase: VACUUM
# (ANALYZE) of the tables written, CHECKPOINT, a quiet machine) → PostgreSQL's COPY of those rows
# into tenant demo2, one transaction, as the superuser (COPY FROM is not allowed
# under row-level security), timed → `yunying import orders --tenant demo FILE`,
# timed, its peak RSS (/usr/bin/time -v) → the same import again (unchanged), timed →
# the rows each wrote, compared → a smaller import under auto_explain for the plans
# of its statements → SIGTERM → report in bench/out/orders_import-latest.md.
#
# Knobs (environment): BENCH_IMPORT_LINES (sizes, default "100000 300000"),
# BENCH_EXPLAIN_LINES (the explained import, default 10000; 0 skips it),
# BENCH_QUIET_WAIT/BENCH_QUIET_MAX as in run.sh, BENCH_STRICT=1 (exit 3 when a target
# is missed), BENCH_SKIP_BUILD=1, BENCH_REV=<git rev> (a `git archive` snapshot).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BENCH_TAG=orders_import
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

SIZES=${BENCH_IMPORT_LINES:-"100000 300000"}
EXPLAIN_LINES=${BENCH_EXPLAIN_LINES:-10000}
bench_init

TARGET_VS_COPY=0.25 # import throughput ≥ 0.25 × COPY's (COPY time / import time)

for tool in psql awk; do command -v "$tool" >/dev/null || die "$tool is required"; done
[[ -x /usr/bin/time ]] || die "/usr/bin/time is required (apt-get install time)"
bench_data_dir
bench_build
log "demo data: tenants demo and demo2"
bench_demo --tenants 2
bench_serve
bench_db
COPY_TENANT=$(q_owner -c "SELECT id FROM tenants WHERE code = 'demo2'")
[[ -n $COPY_TENANT ]] || die "no demo2 tenant"
bench_vacuum

# The COPY's products (its tenant's ids); the import finds its own by SKU.
WORK=$DATA/work
mkdir -p "$WORK"
chmod 755 "$WORK"
q_tenant_rows() { # TENANT SQL: every row
    printf '%s\n' "BEGIN;" "SELECT set_config('app.tenant_id', '$1', true) \\g /dev/null" "$2" "COMMIT;" | q_owner
}
q_tenant_rows "$COPY_TENANT" "SELECT sku || E'\t' || id || E'\t' || price_fen FROM products WHERE tenant_id = $COPY_TENANT ORDER BY sku;" \
    >"$WORK/products.tsv"
N_SKUS=$(wc -l <"$WORK/products.tsv")
SHARED=$(q_super -At -c "SELECT count(*) FROM products a JOIN products b ON b.sku = a.sku AND b.tenant_id = $TENANT WHERE a.tenant_id = $COPY_TENANT")
[[ $N_SKUS -gt 0 && $SHARED == "$N_SKUS" ]] || die "demo and demo2 do not have the same SKUs ($SHARED of $N_SKUS)"
TZNAME=$(q_owner -c "SELECT coalesce(settings->>'time_zone', 'Asia/Shanghai') FROM tenants WHERE id = $TENANT")
TZ2=$(q_owner -c "SELECT coalesce(settings->>'time_zone', 'Asia/Shanghai') FROM tenants WHERE id = $COPY_TENANT")
[[ $TZNAME == "$TZ2" ]] || die "demo and demo2 are in different time zones ($TZNAME, $TZ2)"
log "$N_SKUS SKUs in both tenants; local times in $TZNAME"

# gen NAME LINES BASE: the file $WORK/NAME.csv and its COPY data $WORK/NAME.*.tsv.
# Sets GEN_ORDERS and GEN_HOLDS.
gen() {
    local name=$1 lines=$2 base=$3 first_id counts
    first_id=$(($(q_super -At -c "SELECT coalesce(max(id), 0) FROM orders") + 1000000))
    record_cmd awk -v lines="$lines" -v base="$base" -f bench/orders_file.awk products.tsv
    counts=$(awk -v lines="$lines" -v base="$base" -v csv="$WORK/$name.csv" -v copy="$WORK/$name." -v tenant="$COPY_TENANT" \
        -v first_id="$first_id" -v note="导入（$WORK/$name.csv）" -f "$ROOT/bench/orders_file.awk" "$WORK/products.tsv")
    read -r GEN_ORDERS GEN_HOLDS <<<"$counts"
    chmod 644 "$WORK/$name".*
    log "$name: $lines lines, $GEN_ORDERS orders, $GEN_HOLDS holds; $(du -h "$WORK/$name.csv" | cut -f1) CSV"
}

# copy_in NAME: the COPY data into demo2 in one transaction, timed (COPY_SECONDS).
copy_in() {
    local name=$1 w=$WORK/$1
    cat >"$WORK/$name.copy.sql" <<EOF
BEGIN;
SELECT set_config('app.tenant_id', '$COPY_TENANT', true) \\g /dev/null
SET LOCAL TIME ZONE '$TZNAME';
\\copy orders (id, tenant_id, platform, order_no, shop, source, buyer, receiver, phone, province, city, district, address, buyer_note, seller_note, goods_fen, shipping_fen, discount_fen, paid_fen, ordered_at, paid_at) FROM '$w.orders.tsv'
\\copy order_lines (tenant_id, order_id, line_no, product_id, quantity, unit_price_fen) FROM '$w.lines.tsv'
\\copy order_holds (tenant_id, order_id, kind, reason) FROM '$w.holds.tsv'
\\copy order_events (tenant_id, order_id, kind, actor_id, actor_name, note) FROM '$w.events.tsv'
COMMIT;
EOF
    settle_db
    log "$name: COPY into demo2"
    record_cmd psql -h "$PGSOCK" -U postgres -d yunying -f "$name.copy.sql"
    run_tool "$name-copy" settled /usr/bin/time -v -o "$RAW/$name-copy.timev" \
        psql -X -q -v ON_ERROR_STOP=1 -h "$PGSOCK" -p "$PGPORT" -U postgres -d yunying -f "$WORK/$name.copy.sql" ||
        die "COPY failed: $(tail -3 "$RAW/$name-copy.err")"
    COPY_SECONDS=$(elapsed "$RAW/$name-copy.timev")
    log "$name: COPY $COPY_SECONDS s"
}

# settle_db: the same start for every phase — the tables the phases write vacuumed
# and analyzed (else autovacuum, woken by the rows the phase before wrote, works
# through the next one), a checkpoint (so that no phase pays for the one before's
# dirty pages, and each starts writing full pages afresh), then a quiet machine.
settle_db() {
    q_super -c "VACUUM (ANALYZE) orders, order_lines, order_holds, order_events, search_terms" -c "CHECKPOINT" >/dev/null
    wait_quiet
}

# settled CMD…: CMD, then half a second for its connection's backend to be reaped,
# so that the backend's CPU is the postmaster's (children's time) by the phase's last
# CPU snapshot rather than nobody's. The times come from /usr/bin/time inside.
settled() {
    local rc=0
    "$@" || rc=$?
    sleep 0.5
    return $rc
}

# elapsed FILE / max_rss_mib FILE: from /usr/bin/time -v.
elapsed() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' "$1"; }
max_rss_mib() { awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$1"; }

# import_run NAME PHASE: `yunying import orders --tenant demo $WORK/NAME.csv`, timed,
# with its peak RSS (IMPORT_SECONDS, IMPORT_RSS) and its summary line (IMPORT_SAID).
import_run() {
    local name=$1 phase=$2
    settle_db
    log "$name: yunying import orders ($phase)"
    record_cmd env RUST_LOG=warn YUNYING_DATA_DIR="$DATA" "$BIN" import orders --tenant demo "$name.csv"
    run_tool "$name-$phase" settled /usr/bin/time -v -o "$RAW/$name-$phase.timev" \
        env -u DATABASE_URL -u DATABASE_APP_URL RUST_LOG=warn YUNYING_DATA_DIR="$DATA" \
        "$RUN_BIN" import orders --tenant demo "$WORK/$name.csv" || die "import failed: $(tail -5 "$RAW/$name-$phase.err")"
    IMPORT_SECONDS=$(elapsed "$RAW/$name-$phase.timev")
    IMPORT_RSS=$(max_rss_mib "$RAW/$name-$phase.timev")
    IMPORT_SAID=$(sed -n 's/.*imported (\(.*\))$/\1/p' "$RAW/$name-$phase.out")
    log "$name: import ($phase) $IMPORT_SECONDS s, peak RSS $IMPORT_RSS MiB: $IMPORT_SAID"
}

# rows_of TENANT LO HI: what a tenant has among the order numbers LO…HI (as
# 2026 + 12 digits): "orders lines holds events terms goods paid".
rows_of() {
    local lo hi
    lo=$(printf '2026%012d' "$2")
    hi=$(printf '2026%012d' "$3")
    q_tenant_rows "$1" "WITH o AS (SELECT id, goods_fen, paid_fen FROM orders WHERE tenant_id = $1 AND order_no BETWEEN '$lo' AND '$hi')
        SELECT (SELECT count(*) FROM o) || ' ' ||
               (SELECT count(*) FROM order_lines l JOIN o ON l.order_id = o.id WHERE l.tenant_id = $1) || ' ' ||
               (SELECT count(*) FROM order_holds h JOIN o ON h.order_id = o.id WHERE h.tenant_id = $1) || ' ' ||
               (SELECT count(*) FROM order_events e JOIN o ON e.order_id = o.id WHERE e.tenant_id = $1) || ' ' ||
               (SELECT count(*) FROM search_terms t JOIN o ON t.id = o.id WHERE t.tenant_id = $1 AND t.kind = 'order') || ' ' ||
               (SELECT sum(goods_fen) FROM o) || ' ' || (SELECT sum(paid_fen) FROM o);" | tail -1
}

cpu_cores() { # NAME: "postgres tool other" in cores during the phase
    awk -v np="$NPROC" '{ all = $4; pg = $6; tool = $7; other = $1 - $5 - pg - tool; if (other < 0) other = 0;
        printf "%.2f %.2f %.2f", pg * np / all, tool * np / all, other * np / all }' "$RAW/$1.cpu"
}

declare -A R_ORDERS R_COPY R_IMPORT R_RSS R_AGAIN R_AGAIN_RSS R_ROWS R_SAID R_AGAIN_SAID R_CSV
BASE=0
for n in $SIZES; do
    name=orders-$n
    gen "$name" "$n" "$BASE"
    R_ORDERS[$n]=$GEN_ORDERS
    R_CSV[$n]=$(du -h "$WORK/$name.csv" | cut -f1)
    copy_in "$name"
    R_COPY[$n]=$COPY_SECONDS
    import_run "$name" import
    R_IMPORT[$n]=$IMPORT_SECONDS
    R_RSS[$n]=$IMPORT_RSS
    R_SAID[$n]=$IMPORT_SAID
    [[ $IMPORT_SAID == "$GEN_ORDERS new orders ($n lines), 0 unchanged" ]] || die "$name: the import said: $IMPORT_SAID"
    import_run "$name" again
    R_AGAIN[$n]=$IMPORT_SECONDS
    R_AGAIN_RSS[$n]=$IMPORT_RSS
    R_AGAIN_SAID[$n]=$IMPORT_SAID
    [[ $IMPORT_SAID == "0 new orders (0 lines), $GEN_ORDERS unchanged" ]] || die "$name: the re-import said: $IMPORT_SAID"
    copied=$(rows_of "$COPY_TENANT" "$BASE" $((BASE + GEN_ORDERS - 1)))
    imported=$(rows_of "$TENANT" "$BASE" $((BASE + GEN_ORDERS - 1)))
    [[ $copied == "$imported" ]] || die "$name: COPY wrote $copied, the import $imported (orders lines holds events terms goods paid)"
    read -r o l h e _ <<<"$imported"
    [[ $o == "$GEN_ORDERS" && $l == "$n" && $h == "$GEN_HOLDS" && $e == "$GEN_ORDERS" ]] ||
        die "$name: expected $GEN_ORDERS orders, $n lines, $GEN_HOLDS holds; got $imported"
    R_ROWS[$n]=$imported
    log "$name: both wrote $imported (orders lines holds events terms goods paid)"
    rm -f "$WORK/$name".*.tsv
    BASE=$((BASE + GEN_ORDERS + 1000))
done

# ---------------------------------------------------------------- the plans
# One more import, of a smaller file, with auto_explain on for yunying_app's new
# sessions (the CLI's): every statement's plan with what it runs inside (triggers,
# foreign-key checks), from the cluster's log into $RAW/import.explain.txt.
EXPLAIN_SUMMARY=
if [[ $EXPLAIN_LINES -gt 0 ]]; then
    gen explain "$EXPLAIN_LINES" "$BASE"
    pglog=$DATA/pg/postgres.log
    start=$(wc -l <"$pglog")
    q_super -c "ALTER ROLE yunying_app SET session_preload_libraries = 'auto_explain'" \
        -c "ALTER ROLE yunying_app SET auto_explain.log_min_duration = 0" -c "ALTER ROLE yunying_app SET auto_explain.log_analyze = on" \
        -c "ALTER ROLE yunying_app SET auto_explain.log_buffers = on" -c "ALTER ROLE yunying_app SET auto_explain.log_nested_statements = on" >/dev/null
    import_run explain explained
    q_super -c "ALTER ROLE yunying_app RESET ALL" >/dev/null
    sleep 0.5
    tail -n +$((start + 1)) "$pglog" | sed -n '/duration: .* ms  plan:/,$p' >"$RAW/import.explain.txt" || true
    # The statements by total time: "n× total ms  query…".
    EXPLAIN_SUMMARY=$(awk '/duration: .* ms  plan:/ { sub(/.*duration: /, ""); d = $1 + 0; getline;
            sub(/^[ \t]*Query Text: /, ""); q = substr($0, 1, 70); t[q] += d; c[q]++ }
        END { for (q in t) printf "%.1f\t%d\t%s\n", t[q], c[q], q }' "$RAW/import.explain.txt" | sort -rn | head -8)
    JIT_USED=$(grep -c 'JIT:' "$RAW/import.explain.txt" || true)
    rm -f "$WORK"/explain.*
fi

bench_stop
# The cluster's log (checkpoints, autovacuum, the explained import's plans).
gzip -c "$DATA/pg/postgres.log" >"$RAW/postgres.log.gz" || true

# ---------------------------------------------------------------- report
END_EPOCH=$(date +%s)
WALL=$((END_EPOCH - START_EPOCH))
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEM_TOTAL=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
# shellcheck disable=SC2211 # the glob finds the server binaries' version
PG_VERSION=$( (postgres --version || /usr/lib/postgresql/*/bin/postgres --version) 2>/dev/null | head -1 || echo unknown)
REPORT=$RAW/report.md
{
    echo "# Yunying order import benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- Machine: $NPROC CPUs ($CPU_MODEL), $MEM_TOTAL RAM, $(uname -sr); load average at start $LOADAVG_START"
    echo "- Commit: \`$COMMIT\`$DIRTY"
    echo "- $PG_VERSION (embedded, durable settings); $(rustc --version)"
    echo "- Data: \`yunying demo --tenants 2\` ($N_SKUS SKUs in each tenant); the import into \`demo\`, COPY into \`demo2\`"
    echo
    echo "## Import against COPY"
    echo
    echo "| lines | orders | file | COPY (s) | import (s) | COPY / import | import peak RSS (MiB) | re-import (s) | re-import peak RSS (MiB) | rows written by each (orders lines holds events terms goods paid) |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    for n in $SIZES; do
        printf '| %s | %s | %s | %s | %s | **%s** | %s | %s | %s | %s |\n' "$n" "${R_ORDERS[$n]}" "${R_CSV[$n]}" "${R_COPY[$n]}" \
            "${R_IMPORT[$n]}" "$(ratio "${R_COPY[$n]}" "${R_IMPORT[$n]}")" "${R_RSS[$n]}" "${R_AGAIN[$n]}" "${R_AGAIN_RSS[$n]}" "${R_ROWS[$n]}"
    done
    echo
    echo "## Targets (issue 10)"
    echo
    echo "| target | lines | measured | verdict |"
    echo "|---|---:|---:|---|"
    for n in $SIZES; do
        r=$(ratio "${R_COPY[$n]}" "${R_IMPORT[$n]}")
        v=$(verdict "$r >= $TARGET_VS_COPY")
        [[ $v == PASS ]] || MISSED=1
        echo "| import ≥ $TARGET_VS_COPY × COPY of the same rows | $n | $(pct "$r") | $v |"
    done
    first=${SIZES%% *}
    last=${SIZES##* }
    if [[ $first != "$last" ]]; then
        grow=$(awk -v a="${R_RSS[$first]}" -v b="${R_RSS[$last]}" 'BEGIN { printf "%.2f", b / a }')
        lines_grow=$(awk -v a="$first" -v b="$last" 'BEGIN { printf "%.1f", b / a }')
        echo "| memory flat (streamed): peak RSS at $last lines / at $first lines, for $lines_grow× the lines | $first → $last | ${grow}× (${R_RSS[$first]} → ${R_RSS[$last]} MiB) | $(verdict "$grow < 2") |"
    fi
    echo
    echo "CPU during each phase, in cores of $NPROC (postgres = the postmaster and its children; tool = psql for COPY, the yunying CLI for the imports):"
    echo
    echo "| phase | postgres | tool | other processes |"
    echo "|---|---:|---:|---:|"
    for n in $SIZES; do
        for p in copy import again; do
            read -r a b c <<<"$(cpu_cores "orders-$n-$p")"
            echo "| orders-$n $p | $a | $b | $c |"
        done
    done
    still=
    for n in $SIZES; do
        for p in copy import again; do
            d=$(disturbance "orders-$n-$p")
            if disturbed "$d"; then still="$still orders-$n-$p ($d)"; fi
        done
    done
    echo
    if [[ -n $still ]]; then
        echo "**Distorted — not a quiet machine:** other processes took more than $QUIET_MAX of the machine during:$still."
    else
        echo "In every phase other processes used at most $QUIET_MAX of the machine."
    fi
    if [[ -n $EXPLAIN_SUMMARY ]]; then
        echo
        echo "## Plans"
        echo
        echo "An import of $EXPLAIN_LINES lines under auto_explain (ANALYZE, BUFFERS, nested statements; \`import.explain.txt\` in the raw"
        echo "outputs; its times are inflated by the instrumentation). Statements by total time (ms, executions, text):"
        echo
        echo '```'
        echo "$EXPLAIN_SUMMARY"
        echo '```'
        echo
        echo "Plans with a JIT section: ${JIT_USED:-0}."
    fi
    echo
    report_commands
    echo
    echo "Raw outputs: \`bench/out/$RUN_ID/\`. Wall time: ${WALL} s."
} >"$REPORT"
cp "$REPORT" "$OUT/orders_import-latest.md"
cat "$REPORT"
if [[ ${BENCH_STRICT:-0} == 1 && $MISSED == 1 ]]; then exit 3; fi
