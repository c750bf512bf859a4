#!/usr/bin/env bash
# Campaign page benchmark (issue 12) — see bench/README.md.
#
# One run: release build → `yunying demo --tenants 1 --orders N` in a fresh temp data
# dir → one approved marketing campaign made by SQL as the owner: a year of daily
# results (ending yesterday) on all 8 channels, and BENCH_TAGGED of the demo's orders
# tagged with it (its dates cover them) → VACUUM (ANALYZE) → `yunying serve` → log in
# as demo/marketing.manager → the statements the server runs for GET /campaigns/{id}
# captured once (log_statement = all) and turned into a pgbench script with the same
# statements and parameters (bench/capture2pgbench.py; the script and its variables
# are in the raw outputs) → /readyz for reference → the page: oha at peak, pgbench
# -M prepared on that script, oha at half the page's peak, EXPLAIN ANALYZE of each
# statement → SIGTERM → Markdown report in bench/out/campaigns-latest.md.
#
# Knobs (environment): BENCH_ORDERS (default 200000), BENCH_TAGGED (default 50000),
# BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_HALF_CONNECTIONS,
# BENCH_QUIET_WAIT/BENCH_QUIET_MAX/BENCH_RETRIES, BENCH_STRICT=1 (exit 3 when a target
# is missed), BENCH_SKIP_BUILD=1, BENCH_REV=<git rev>, BENCH_DEMO_DATA=<dir> (as in
# orders.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BENCH_TAG="campaigns"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

ORDERS=${BENCH_ORDERS:-200000}
TAGGED=${BENCH_TAGGED:-50000}
PAGES="campaign"
bench_init

# Targets (issue 12).
TARGET_LIST_VS_PGBENCH=0.50 # the page ≥ 0.5 × pgbench on its own statements
TARGET_HALF_P99_MS=25       # p99 at half its peak rate

bench_setup --tenants 1 --orders "$ORDERS"
USERNAME=marketing.manager
read -r DRAFTER MANAGER < <(q_tenant "SELECT (SELECT id FROM users WHERE tenant_id = $TENANT AND username = 'marketing.specialist'),
    (SELECT id FROM users WHERE tenant_id = $TENANT AND username = '$USERNAME');" | tr '|' ' ')
[[ -n ${DRAFTER:-} && -n ${MANAGER:-} ]] || die "demo users marketing.specialist / $USERNAME missing"

# ---------------------------------------------------------------- the campaign
# One statement block as the owner inside the tenant's transaction (RLS is forced):
# the campaign (approved by the manager, every channel, three products), its 365 × 8
# metrics rows, TAGGED orders (the newest not cancelled, untagged ones) tagged, and
# its dates from the first tagged order's day to yesterday or a year, whichever is
# longer.
log "campaign: a year of results on 8 channels, $TAGGED tagged orders"
T0=$(date +%s.%N)
CAMPAIGN=$(q_tenant "WITH tagged AS (
        SELECT id, ordered_at FROM orders WHERE tenant_id = $TENANT AND campaign_id IS NULL AND status <> 'cancelled'
        ORDER BY ordered_at DESC LIMIT $TAGGED),
    c AS (
        INSERT INTO campaigns (tenant_id, campaign_no, theme, kind, channels, budget_fen, starts_on, ends_on, goal,
                               target_sales_fen, department, status, approved_budget_fen, drafted_by, submitted_at,
                               manager_by, manager_at, approved_at)
        SELECT $TENANT, 'HD-900001', '全年全渠道会员活动（基准测试）', 'discount',
               ARRAY['taobao','jd','pdd','douyin','xiaohongshu','wechat','offline','other'], 800000000,
               least((SELECT min(ordered_at)::date FROM tagged), current_date - 365), current_date - 1,
               '全年会员拉新与复购', 5000000000, 'marketing', 'approved', 800000000, $DRAFTER, now() - interval '400 days',
               $MANAGER, now() - interval '399 days', now() - interval '399 days'
        RETURNING id, starts_on, ends_on),
    p AS (INSERT INTO campaign_products (tenant_id, campaign_id, product_id)
          SELECT $TENANT, c.id, pr.id FROM c, (SELECT id FROM products WHERE tenant_id = $TENANT ORDER BY id LIMIT 3) pr),
    v AS (INSERT INTO campaign_versions (tenant_id, campaign_id, version, budget_fen, plan, created_by, approved_at)
          SELECT $TENANT, c.id, 1, 800000000, '{}'::jsonb, $DRAFTER, now() - interval '399 days' FROM c),
    m AS (INSERT INTO campaign_metrics (tenant_id, campaign_id, day, channel, exposure, clicks, conversions,
                                        participants, sales_fen, cost_fen, updated_by)
          SELECT $TENANT, c.id, d::date, ch, 20000 + k % 9000, 600 + k % 500, 30 + k % 40, 40 + k % 50,
                 300000 + k % 200000, 60000 + k % 30000, $DRAFTER
          FROM c, generate_series(current_date - 365, current_date - 1, interval '1 day') d,
               unnest(ARRAY['taobao','jd','pdd','douyin','xiaohongshu','wechat','offline','other']) WITH ORDINALITY AS x(ch, ci),
               LATERAL (SELECT (extract(doy FROM d)::int * 131 + ci::int * 977) AS k) kk),
    o AS (UPDATE orders SET campaign_id = (SELECT id FROM c) WHERE tenant_id = $TENANT AND id IN (SELECT id FROM tagged))
    SELECT id FROM c;")
[[ -n $CAMPAIGN ]] || die "the campaign was not made"
q_tenant "INSERT INTO order_numbers (tenant_id, prefix, last) VALUES ($TENANT, 'HD', 900001)
    ON CONFLICT (tenant_id, prefix) DO UPDATE SET last = greatest(order_numbers.last, 900001) RETURNING last;" >/dev/null
CAMPAIGN_SECONDS=$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
N_METRICS=$(q_tenant "SELECT count(*) FROM campaign_metrics WHERE tenant_id = $TENANT AND campaign_id = $CAMPAIGN;")
N_TAGGED=$(q_tenant "SELECT count(*) FROM orders WHERE tenant_id = $TENANT AND campaign_id = $CAMPAIGN;")
DATES=$(q_tenant "SELECT starts_on || ' ~ ' || ends_on FROM campaigns WHERE tenant_id = $TENANT AND id = $CAMPAIGN;")
log "campaign $CAMPAIGN ($DATES): $N_METRICS metrics rows, $N_TAGGED tagged orders, in $CAMPAIGN_SECONDS s"

bench_vacuum
bench_login "$USERNAME"
PATH_PAGE=/campaigns/$CAMPAIGN

# ---------------------------------------------------------------- the page's statements
PGLOG=$DATA/pg/postgres.log
curl -sS -H "$COOKIE" -o /dev/null "$URL$PATH_PAGE" # sessions and caches warm
START_LINE=$(wc -l <"$PGLOG")
q_super -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
status=$(curl -sS -H "$COOKIE" -o /dev/null -w '%{http_code}' "$URL$PATH_PAGE")
sleep 0.3
q_super -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null
[[ $status == 200 ]] || die "GET $PATH_PAGE answered $status"
tail -n +$((START_LINE + 1)) "$PGLOG" | grep -v 'ALTER SYSTEM\|pg_reload_conf\|received SIGHUP\|parameter "log_statement"' \
    >"$RAW/statements.txt" || true
python3 "$ROOT/bench/capture2pgbench.py" "$RAW/statements.txt" "$RAW/campaign.sql" "$RAW/campaign.vars"
N_STATEMENTS=$(grep -vc '^--' "$RAW/campaign.sql")
VARS=()
while IFS= read -r kv; do VARS+=(-D "$kv"); done <"$RAW/campaign.vars"
log "the page runs $N_STATEMENTS statements (with BEGIN, set_config and COMMIT): $RAW/campaign.sql"

wait_quiet
log "readyz: oha ${WARMUP}s + ${DURATION}s at -c $CONNECTIONS"
oha_peak readyz /readyz
page campaign "$PATH_PAGE" "$RAW/campaign.sql" "${VARS[@]}"
bench_stop

# ---------------------------------------------------------------- report
REPORT=$RAW/report.md
MISSED=0
report_facts
{
    echo "# Yunying campaign page benchmark — $(date -u '+%Y-%m-%d %H:%M') UTC"
    echo
    report_machine
    echo "- Data: \`yunying demo --tenants 1 --orders $ORDERS\`${DEMO_SECONDS:+ ($DEMO_SECONDS s)}, then campaign $CAMPAIGN (HD-900001,"
    echo "  $DATES, approved, 8 channels, 3 products) by one SQL statement ($CAMPAIGN_SECONDS s): $N_METRICS daily results rows,"
    echo "  $N_TAGGED orders tagged with it. Then \`VACUUM (ANALYZE)\` ($VACUUM_SECONDS s)."
    echo "- Server: release build, embedded PostgreSQL, $URL; signed in as demo / $USERNAME."
    echo "- The page's statements: captured with log_statement = all (\`statements.txt\`), turned into \`campaign.sql\` with"
    echo "  its parameters as pgbench variables (\`campaign.vars\`) by bench/capture2pgbench.py — $N_STATEMENTS statements — run"
    echo "  by pgbench (\`-n -M prepared -c $CONNECTIONS -j 2\`) as yunying_app (RLS applies)."
    echo "- Load: oha on loopback, keep-alive, -c $CONNECTIONS, ${WARMUP} s warm-up then ${DURATION} s; then at half the peak rate."
    echo
    report_list_pages
    echo
    echo "## Targets"
    echo
    echo "| Target | Page | Measured | Verdict |"
    echo "|---|---|---:|---|"
    report_list_targets
    report_tail
} >"$REPORT"
cp "$REPORT" "$OUT/campaigns-latest.md"
cat "$OUT/campaigns-latest.md"
if [[ ${BENCH_STRICT:-0} == 1 && $MISSED == 1 ]]; then exit 3; fi
