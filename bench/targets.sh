#!/usr/bin/env bash
# Sales targets benchmark (issue 12: "the targets grid for 200 reps at 1,000,000 orders
# ≥ 0.5 × pgbench of its queries") — see bench/README.md.
#
# One run: release build → `yunying demo --tenants 1 --orders N` in a fresh temp data
# dir → by SQL as the owner (inside the tenant's transaction: RLS is forced): the sales
# department topped up to BENCH_REPS active sales specialists (the demo password's
# hash), every order of the tenant given to one of them in turn (rep_department
# sales), and a target for each rep for last month and the month before (¥50,000–
# ¥149,000, so that the grid ranks and flags) → VACUUM (ANALYZE) → `yunying serve` →
# log in as demo/sales.manager → the statements the server runs for the page captured
# once (log_statement = all) into the raw outputs → /readyz for reference → the grid
# of last month (`/targets?month=YYYY-MM`: the whole month and the one before it, the
# busiest grid there is): oha at peak, pgbench -M prepared running the page's own
# statements (captured from the server and turned into a script by bench/capture2pgbench.py) in the
# app's tenant transaction as yunying_app, oha at half the page's peak, one EXPLAIN
# ANALYZE → SIGTERM → Markdown report in bench/out/targets-latest.md.
#
# Knobs (environment): BENCH_ORDERS (default 1000000), BENCH_REPS (default 200),
# BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_HALF_CONNECTIONS as in
# orders.sh, BENCH_QUIET_WAIT/BENCH_QUIET_MAX/BENCH_RETRIES, BENCH_STRICT=1 (exit 3
# when the target is missed), BENCH_SKIP_BUILD=1, BENCH_REV=<git rev>,
# BENCH_DEMO_DATA=<dir> (as in orders.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BENCH_TAG="targets"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

ORDERS=${BENCH_ORDERS:-1000000}
REPS=${BENCH_REPS:-200}
PAGES=targets
bench_init

# Target (issue 12).
TARGET_LIST_VS_PGBENCH=0.50 # the grid ≥ 0.5 × pgbench on the page's own queries

# ---------------------------------------------------------------- demo data
bench_setup --tenants 1 --orders "$ORDERS"
N_ORDERS=$(q_tenant "SELECT count(*) FROM orders WHERE tenant_id = $TENANT;")
((N_ORDERS > 0)) || die "the demo made no orders"
USERNAME=sales.manager
MANAGER_ID=$(q_tenant "SELECT id FROM users WHERE tenant_id = $TENANT AND username = '$USERNAME';")
[[ -n $MANAGER_ID ]] || die "demo user $USERNAME missing"

# ---------------------------------------------------------------- the sales team, its orders, its targets
# The months: last month (the page) and the month before, in the tenant's time zone.
TZ_NAME=$(q_tenant "SELECT coalesce(settings->>'time_zone', 'Asia/Shanghai') FROM tenants WHERE id = $TENANT;" 2>/dev/null || echo Asia/Shanghai)
[[ -n $TZ_NAME ]] || TZ_NAME=Asia/Shanghai
read -r MONTH PREV_MONTH PREV_FROM FROM TO < <(q_owner -F' ' -c "SELECT to_char(m, 'YYYY-MM-DD'), to_char(m - interval '1 month', 'YYYY-MM-DD'),
    to_char(((m - interval '1 month')::timestamp AT TIME ZONE '$TZ_NAME') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
    to_char((m::timestamp AT TIME ZONE '$TZ_NAME') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
    to_char(((m + interval '1 month')::timestamp AT TIME ZONE '$TZ_NAME') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')
    FROM (SELECT (date_trunc('month', now() AT TIME ZONE '$TZ_NAME') - interval '1 month')::date AS m) x")
[[ -n ${TO:-} ]] || die "could not compute the months"
log "the grid of ${MONTH%-01} (and ${PREV_MONTH%-01} beside it): $PREV_FROM – $TO"
log "sales team: up to $REPS reps, every order given to one of them, targets for two months (SQL as the owner)"
t0=$(date +%s.%N)
q_tenant "INSERT INTO users (tenant_id, username, display_name, password_hash, level, department)
    SELECT $TENANT, 'bench.rep' || g, '压测销售' || g, s.password_hash, 'specialist', 'sales'
    FROM users s, generate_series(1, greatest(0, $REPS - (SELECT count(*) FROM users WHERE tenant_id = $TENANT
        AND department = 'sales' AND level = 'specialist' AND is_active))) g
    WHERE s.tenant_id = $TENANT AND s.username = 'sales.specialist';" >/dev/null
N_REPS=$(q_tenant "SELECT count(*) FROM users WHERE tenant_id = $TENANT AND department = 'sales' AND level = 'specialist' AND is_active;")
q_tenant "WITH team AS (SELECT array_agg(id ORDER BY id) AS ids FROM users
        WHERE tenant_id = $TENANT AND department = 'sales' AND level = 'specialist' AND is_active)
    UPDATE orders o SET rep_id = team.ids[1 + o.id % cardinality(team.ids)], rep_department = 'sales'
    FROM team WHERE o.tenant_id = $TENANT AND o.rep_id IS DISTINCT FROM team.ids[1 + o.id % cardinality(team.ids)];" >/dev/null
q_tenant "INSERT INTO sales_targets (tenant_id, month, rep_id, target_fen, set_by)
    SELECT $TENANT, m.month, u.id, (5000000 + (u.id * 7919 + extract(month FROM m.month)::bigint * 104729) % 100 * 100000), $MANAGER_ID
    FROM users u CROSS JOIN (VALUES (DATE '$MONTH'), (DATE '$PREV_MONTH')) AS m (month)
    WHERE u.tenant_id = $TENANT AND u.department = 'sales' AND u.level = 'specialist' AND u.is_active
    ON CONFLICT (tenant_id, month, rep_id) DO UPDATE SET target_fen = EXCLUDED.target_fen;" >/dev/null
SETUP_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
N_IN_GRID=$(q_tenant "SELECT count(*) FROM orders WHERE tenant_id = $TENANT AND rep_department = 'sales' AND paid_at IS NOT NULL
    AND status <> 'cancelled' AND paid_at >= '$PREV_FROM' AND paid_at < '$TO';")
N_REFUNDS=$(q_tenant "SELECT count(*) FROM refunds WHERE tenant_id = $TENANT AND status = 'done'
    AND coalesce(decided_at, recorded_at) >= '$PREV_FROM' AND coalesce(decided_at, recorded_at) < '$TO';")
log "tenant demo (id $TENANT): $N_ORDERS orders, $N_REPS reps; $N_IN_GRID paid orders and $N_REFUNDS done refunds in the grid's two months (set-up $SETUP_SECONDS s)"
((N_REPS >= REPS)) || die "only $N_REPS reps"

bench_vacuum

# ---------------------------------------------------------------- login
bench_login "$USERNAME"
log "logged in as demo/$USERNAME (user $MANAGER_ID)"
GRID_PATH="/targets?month=${MONTH%-01}"

# ---------------------------------------------------------------- the server's own statements
PGLOG=$DATA/pg/postgres.log
CAPTURE_START=$(wc -l <"$PGLOG")
q_super -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
status=$(curl -sS -H "$COOKIE" -o /dev/null -w '%{http_code}' "$URL$GRID_PATH")
[[ $status == 200 ]] || die "GET $GRID_PATH answered $status"
sleep 0.3
q_super -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null
tail -n +$((CAPTURE_START + 1)) "$PGLOG" | grep -v 'ALTER SYSTEM\|pg_reload_conf\|received SIGHUP\|parameter "log_statement"' \
    >"$RAW/statements.txt" || true
# The page's own statements as a pgbench script with their parameters (as campaigns.sh).
python3 "$ROOT/bench/capture2pgbench.py" "$RAW/statements.txt" "$RAW/targets.sql" "$RAW/targets.vars"
PAGE_ARGS=()
while IFS= read -r kv; do PAGE_ARGS+=(-D "$kv"); done <"$RAW/targets.vars"

# ---------------------------------------------------------------- readyz (reference)
wait_quiet
log "readyz: oha ${WARMUP}s + ${DURATION}s at -c $CONNECTIONS"
oha_peak readyz /readyz

# ---------------------------------------------------------------- the grid
page targets "$GRID_PATH" "$RAW/targets.sql" "${PAGE_ARGS[@]}"
ROWS=$(grep -c '<tr data-line=' "$RAW/targets.html" || true)
FLAGGED=$(grep -c 'data-flag="1"' "$RAW/targets.html" || true)
((ROWS == N_REPS)) || log "warning: the grid shows $ROWS lines for $N_REPS reps"

# ---------------------------------------------------------------- stop
bench_stop

# ---------------------------------------------------------------- report
report_facts
REPORT=$RAW/report.md
{
    echo "# Yunying sales targets benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    report_machine
    if [[ -n $DEMO_SECONDS ]]; then
        echo "- Data: \`yunying demo --tenants 1 --orders $ORDERS\` in a fresh temp data dir ($DEMO_SECONDS s): $N_ORDERS orders;"
    else
        echo "- Data: a copy of \`$BENCH_DEMO_DATA\` (BENCH_DEMO_DATA, not timed): $N_ORDERS orders;"
    fi
    echo "  then by SQL ($SETUP_SECONDS s): the sales department topped up to $N_REPS active specialists, every order given to"
    echo "  one of them in turn, a target per rep for ${MONTH%-01} and ${PREV_MONTH%-01}. The grid's two months hold $N_IN_GRID paid"
    echo "  orders (not cancelled) and $N_REFUNDS done refunds; the page shows $ROWS reps, $FLAGGED flagged below 30 %."
    echo "- Then \`VACUUM (ANALYZE)\` of the database ($VACUUM_SECONDS s)."
    echo "- Server: release build, embedded PostgreSQL (durable settings), listening on $URL; signed in as demo / $USERNAME."
    echo "- Load: oha on loopback, keep-alive, -c $CONNECTIONS; ${WARMUP} s warm-up then ${DURATION} s at peak, then"
    echo "  pgbench (\`-n -M prepared -c $CONNECTIONS -j 2\`, ${WARMUP} s warm-up then ${DURATION} s) on the page's own statements —"
    echo "  captured with log_statement = all (\`statements.txt\`) and turned into \`targets.sql\` with its parameters as"
    echo "  pgbench variables (\`targets.vars\`) by bench/capture2pgbench.py — in the app's transaction (\`BEGIN; SELECT"
    echo "  set_config('app.tenant_id', …, true); …; COMMIT\`) as the runtime role yunying_app (RLS applies), then the page"
    echo "  again at half its peak rate (-q, -c $HALF_CONNECTIONS, latency correction on), ${WARMUP} s + ${DURATION} s."
    echo "- **The $NPROC cores are shared** by the load generator, the server and PostgreSQL."
    echo
    report_list_pages
    echo
    echo "(The EXPLAIN column: the rep grid / the department's line, as pgbench runs them.)"
    echo
    echo "## Targets"
    echo
    echo "| Target | Page | Measured | Verdict |"
    echo "|---|---|---:|---|"
    rr=$(ratio "$(stat_of targets-peak 1)" "$(stat_of targets-pgbench 1)")
    v=$(verdict "$rr >= $TARGET_LIST_VS_PGBENCH")
    [[ $v == PASS ]] || MISSED=1
    echo "| the targets grid for $N_REPS reps at $N_ORDERS orders ≥ 50 % of pgbench on its queries | targets | $(pct "$rr") | $v |"
    echo
    echo "(p99 at half peak, $(f2 "$(stat_of targets-half 3)") ms at -q ${HALF_RATE[targets]}: no target in issue 12.)"
    report_tail
} >"$REPORT"
cp "$REPORT" "$OUT/targets-latest.md"
cat "$OUT/targets-latest.md"

if [[ ${BENCH_STRICT:-0} == 1 && $MISSED == 1 ]]; then exit 3; fi
