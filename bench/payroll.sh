#!/usr/bin/env bash
# Payroll-adjustment CSV benchmark (issue "HR"): for each scale (employees), one
# run of: `yunying demo --tenants 1 --employees N` (two months of punches: the
# previous month in full) → with the server running, time and peak RSS of
#   * `yunying payroll export` of the previous month (the CLI, 3 runs, median),
#   * the web download GET /hr/payroll/YYYY-MM.csv (3 runs, median; server RSS),
#   * the floor: PostgreSQL's own `COPY (<the export's facts query>) TO STDOUT`
#     of the same rows (3 runs, median),
# and checks that the CLI and web bytes are identical. Report: bench/out/payroll-latest.md.
#
# Knobs: PAYROLL_SCALES (default "10000 100000"), BENCH_SKIP_BUILD=1.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SCALES=${PAYROLL_SCALES:-"10000 100000"}
TARGET_DIR=$ROOT/target/bench
BIN=$TARGET_DIR/release/yunying
OUT=$ROOT/bench/out
mkdir -p "$OUT"
REPORT=$OUT/payroll-latest.md
log() { printf '[payroll %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if [[ -z ${BENCH_SKIP_BUILD:-} ]]; then
    log "building release binary"
    CARGO_TARGET_DIR=$TARGET_DIR cargo build --release --quiet --bin yunying
fi

SERVER=
cleanup() { if [[ -n $SERVER ]] && kill -0 "$SERVER" 2>/dev/null; then kill -TERM "$SERVER"; wait "$SERVER" || true; fi; }
trap cleanup EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }
MONTH=$(date -d "$(TZ=Asia/Shanghai date +%Y-%m-01) -1 month" +%Y-%m)
M_FIRST="$MONTH-01"
M_LAST=$(date -d "$M_FIRST +1 month -1 day" +%Y-%m-%d)
M_PREV=$(date -d "$M_FIRST -1 month" +%Y-%m-%d)

{
    echo "# Payroll CSV benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB RAM"
    echo "- Commit: \`$(git rev-parse --short HEAD)\`; release build; embedded PostgreSQL 15 (durable settings)"
    echo "- Month exported: $MONTH (the demo's previous month: every workday punched or on leave/absent)"
    echo "- Command: \`bench/payroll.sh\` (PAYROLL_SCALES=\"$SCALES\")"
    echo
    echo "| employees | punch rows in month | CLI export (s) | CLI peak RSS (MB) | web download (s) | server RSS growth (MB) | COPY floor (s) | CLI / floor | web / floor | CSV bytes | CLI = web |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
} > "$REPORT"

for N in $SCALES; do
    DATA=$(mktemp -d /tmp/yy-payroll.XXXXXX)
    chmod 755 "$DATA"
    export YUNYING_DATA_DIR=$DATA RUST_LOG=warn
    unset DATABASE_URL
    log "N=$N: generating demo data"
    t0=$(now)
    "$BIN" demo --tenants 1 --employees "$N" > "$DATA/demo.txt"
    log "N=$N: demo data in $(echo "$(now) - $t0" | bc) s"
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    YUNYING_BIND=127.0.0.1:$PORT "$BIN" serve > "$DATA/serve.txt" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/readyz" > /dev/null && break; sleep 0.2; done
    SOCK=$DATA/pg/run
    PSQL=(psql -X -q -h "$SOCK" -U yunying_app -d yunying)
    ROWS=$(printf '%s\n' "BEGIN;" "SELECT set_config('app.tenant_id', '1', true) \\g /dev/null" \
        "SELECT count(*) FROM attendance WHERE tenant_id = 1 AND day BETWEEN '$M_FIRST' AND '$M_LAST';" "COMMIT;" |
        "${PSQL[@]}" -At | grep -E '^[0-9]+$' | head -1)

    # CLI export (the server's cluster is running, so the CLI only connects).
    cli_times=(); cli_rss=()
    for _ in 1 2 3; do
        /usr/bin/time -f "%e %M" -o "$DATA/time.txt" "$BIN" payroll export --tenant demo --month "$MONTH" --out "$DATA/cli.csv"
        read -r secs kb < "$DATA/time.txt"
        cli_times+=("$secs"); cli_rss+=("$kb")
    done
    CLI_S=$(printf '%s\n' "${cli_times[@]}" | median)
    CLI_MB=$(printf '%s\n' "${cli_rss[@]}" | sort -n | tail -1 | awk '{printf "%.1f", $1/1024}')

    # Web download as the HR manager.
    JAR=$DATA/cookies.txt
    TOKEN=$(curl -s -c "$JAR" "http://127.0.0.1:$PORT/login" | grep -o 'name="csrf_token" value="[^"]*"' | sed 's/.*value="//;s/"//')
    curl -s -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "csrf_token=$TOKEN" -d company=demo -d username=hr.manager -d password=demo1234 "http://127.0.0.1:$PORT/login"
    RSS_BEFORE=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")
    web_times=()
    for _ in 1 2 3; do
        t=$(curl -s -b "$JAR" -o "$DATA/web.csv" -w '%{time_total}' "http://127.0.0.1:$PORT/hr/payroll/$MONTH.csv")
        web_times+=("$t")
    done
    RSS_AFTER=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")
    WEB_S=$(printf '%s\n' "${web_times[@]}" | median)
    GROWTH_MB=$(echo "($RSS_AFTER - $RSS_BEFORE) / 1024" | bc -l | xargs printf '%.1f')
    SAME=no; cmp -s "$DATA/cli.csv" "$DATA/web.csv" && SAME=yes
    BYTES=$(stat -c %s "$DATA/cli.csv")

    # The floor: the export's facts query (src/payroll/mod.rs FACTS_SQL, values inlined) through COPY.
    FACTS="SELECT e.id, e.employee_no, e.name, e.department, e.level, e.monthly_salary_fen, e.bonus_base_fen, e.hired_on, e.left_on,
       (SELECT s.score_tenths FROM performance_scores s WHERE s.tenant_id = e.tenant_id AND s.employee_id = e.id AND s.month = '$M_FIRST') AS score,
       (SELECT s.score_tenths FROM performance_scores s WHERE s.tenant_id = e.tenant_id AND s.employee_id = e.id AND s.month = '$M_PREV') AS previous_score,
       att.days, att.ins, att.outs, lv.leave_days, lv.leave_portions
FROM employees e
LEFT JOIN LATERAL (SELECT array_agg(a.day ORDER BY a.day) AS days, array_agg(a.clock_in ORDER BY a.day) AS ins, array_agg(a.clock_out ORDER BY a.day) AS outs
    FROM attendance a WHERE a.tenant_id = e.tenant_id AND a.employee_id = e.id AND a.day BETWEEN '$M_FIRST' AND '$M_LAST') att ON true
LEFT JOIN LATERAL (SELECT array_agg(l.day) AS leave_days, array_agg(l.portion) AS leave_portions FROM leave_requests l
    WHERE l.tenant_id = e.tenant_id AND l.employee_id = e.id AND l.status = 'approved' AND l.day BETWEEN '$M_FIRST' AND '$M_LAST') lv ON true
WHERE e.tenant_id = 1 AND e.hired_on <= '$M_LAST' AND (e.left_on IS NULL OR e.left_on >= '$M_FIRST')
ORDER BY e.employee_no COLLATE \"C\""
    copy_times=()
    for _ in 1 2 3; do
        t0=$(now)
        printf '%s\n' "BEGIN;" "SELECT set_config('app.tenant_id', '1', true) \\g /dev/null" \
            "COPY ($(tr '\n' ' ' <<< "$FACTS")) TO STDOUT;" "COMMIT;" | "${PSQL[@]}" > "$DATA/copy.txt"
        copy_times+=("$(echo "$(now) - $t0" | bc)")
    done
    COPY_S=$(printf '%s\n' "${copy_times[@]}" | median)
    COPY_ROWS=$(wc -l < "$DATA/copy.txt")
    CLI_RATIO=$(echo "$CLI_S / $COPY_S" | bc -l | xargs printf '%.2f')
    WEB_RATIO=$(echo "$WEB_S / $COPY_S" | bc -l | xargs printf '%.2f')
    printf '| %s | %s | %.3f | %s | %.3f | %s | %.3f | %s | %s | %s | %s |\n' "$N" "$ROWS" "$CLI_S" "$CLI_MB" "$WEB_S" "$GROWTH_MB" "$COPY_S" "$CLI_RATIO" "$WEB_RATIO" "$BYTES" "$SAME" >> "$REPORT"
    log "N=$N: cli ${CLI_S}s (${CLI_MB} MB) web ${WEB_S}s copy ${COPY_S}s (${COPY_ROWS} rows) same=$SAME"
    cleanup; SERVER=
    rm -rf "$DATA"
done
{
    echo
    echo "Targets: 10,000 employees ≤ 1 s and ≤ 3× the COPY floor; 100,000 employees ≤ 10 s; memory that does not grow with the"
    echo "number of employees beyond a small constant (compare the CLI's peak RSS across scales, and the server's RSS growth)."
    echo "The COPY floor runs the export's own facts query (one row per employee with the month's punches, leave and scores"
    echo "aggregated) and sends it as text: it is the database's share of the work; the export adds the rules' evaluation and the CSV."
} >> "$REPORT"
cat "$REPORT"
