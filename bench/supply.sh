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
BENCH_TAG=supply
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

PRODUCTS=${BENCH_PRODUCTS:-50000}
PRODUCT_STATUS=${BENCH_PRODUCT_STATUS:-delisted}
APPROVE_POOL=${BENCH_APPROVE_POOL:-60000}
PAGES=${BENCH_PAGES:-"low products stock approve"}
bench_init


# Targets (issue 4).
TARGET_LIST_VS_PGBENCH=0.35    # list page ≥ 35 % of pgbench's rate for the same queries
TARGET_HALF_P99_MS=25          # list page p99 at half its peak rate
TARGET_APPROVE_VS_PGBENCH=0.70 # approve POST ≥ 70 % of pgbench running the same transaction
TARGET_SEARCH_VS_FIRST=0.50    # a name search ≥ 50 % of its list's first page's rate (issue 9, item 14)
declare -A SEARCH_BASE SEARCH_N SEARCH_TEXT

bench_tools
bench_data_dir
bench_build

# ---------------------------------------------------------------- demo data
log "demo data: $PRODUCTS products (one tenant)"
bench_demo --tenants 1 --products "$PRODUCTS"
bench_serve
bench_db
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
bench_vacuum

# ---------------------------------------------------------------- login
USERNAME=ops.manager
bench_login "$USERNAME"
MANAGER_ID=$(q_tenant "SELECT id FROM users WHERE tenant_id = $TENANT AND username = '$USERNAME';")
MANAGER_ACTOR=$(q_tenant "SELECT display_name || '（' || username || '）' FROM users WHERE tenant_id = $TENANT AND id = $MANAGER_ID;")
REQUESTER_ID=$(q_tenant "SELECT id FROM users WHERE tenant_id = $TENANT AND username = 'ops.specialist';")
[[ -n $MANAGER_ID && -n $REQUESTER_ID ]] || die "demo users ops.manager / ops.specialist missing"
log "logged in as demo/$USERNAME (user $MANAGER_ID)"

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
    mask "$CSRF_URI" "<csrf>"
    WRK_STRIDE=$((APPROVE_POOL / WRK_THREADS))
    cat >"$RAW/approve.lua" <<EOF
-- POST /inventory/replenishments/<id>/approve, a distinct pending id per request.
-- Arguments (after --): the session token and the session's CSRF token.
local lo, stride = $HTTP_LO, $WRK_STRIDE
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
EOF
    wrk_lua_common 303 >>"$RAW/approve.lua"
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
    measure_fn approve-http wrk_measured
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
bench_stop

# ---------------------------------------------------------------- report
report_facts

REPORT=$RAW/report.md
{
    echo "# Yunying supply-side benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    report_machine
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
    report_list_pages
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
    report_list_targets
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
    report_tail
} >"$REPORT"
cp "$REPORT" "$OUT/supply-latest.md"
cat "$OUT/supply-latest.md"

if [[ ${BENCH_STRICT:-0} == 1 && $MISSED == 1 ]]; then exit 3; fi

