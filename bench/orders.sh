#!/usr/bin/env bash
# Orders benchmark (issue 10) — see bench/README.md.
#
# One run: release build → `yunying demo --tenants 1 --orders N` in a fresh temp data
# dir, timed → VACUUM (ANALYZE) → `yunying serve` on it → log in as demo/ops.manager
# (lists, allocation) and demo/warehouse.specialist (shipping) → /readyz for
# reference → for each orders list page (first page, a deep page, a state filter, a
# hold filter, a phone search, a tracking-number search): oha at peak, then pgbench
# -M prepared running the page's own statements (warehouse list, list, capped count)
# in the app's tenant transaction (bench/sql/orders*.sql), then oha at half the
# page's peak rate, then one EXPLAIN ANALYZE of its statements → pools of one-line
# orders made by SQL (approved ones to allocate, allocated ones to ship, their stock
# received through the ledger) → the allocate POST and the ship POST (wrk, a distinct
# order per POST) each against pgbench running the handler's transaction on a pool
# of its own (bench/sql/orders_allocate.sql, orders_ship.sql), and one pgbench
# transaction of each under auto_explain for their plans → SIGTERM → Markdown report
# in bench/out/orders-latest.md.
#
# Knobs (environment): BENCH_ORDERS (default 1000000), BENCH_DURATION (s per measured
# phase, default 12), BENCH_WARMUP (s, default 3), BENCH_CONNECTIONS (oha, wrk and
# pgbench clients, default 32), BENCH_HALF_CONNECTIONS (default 32), BENCH_DEEP_PAGE
# (default 50), BENCH_ORDER_STATUS (state filter, default pending_review),
# BENCH_ORDER_HOLD (hold filter, default manual), BENCH_ORDER_PHONE and
# BENCH_ORDER_TRACKING (the searches; default: the phone of the order in the middle
# of the id range, the tracking number of the first parcel from there on),
# BENCH_POST_POOL (orders per pool, default 30000: four pools, HTTP and pgbench for
# each POST), BENCH_PAGES (subset of "first deep status hold phone tracking allocate
# ship", default all), BENCH_QUIET_WAIT/BENCH_QUIET_MAX/BENCH_RETRIES as in run.sh,
# BENCH_STRICT=1 (exit 3 when a target is missed), BENCH_SKIP_BUILD=1,
# BENCH_REV=<git rev> (build a `git archive` snapshot of that commit instead of the
# working tree), BENCH_DEMO_DATA=<dir> (copy the data dir of an earlier `yunying demo`,
# its server stopped, instead of running the demo: for measuring again; not timed).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BENCH_TAG=orders
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

ORDERS=${BENCH_ORDERS:-1000000}
ORDER_STATUS=${BENCH_ORDER_STATUS:-pending_review}
ORDER_HOLD=${BENCH_ORDER_HOLD:-manual}
POST_POOL=${BENCH_POST_POOL:-30000}
PAGES=${BENCH_PAGES:-"first deep status hold phone tracking allocate ship"}
bench_init

# Targets (issue 10).
TARGET_LIST_VS_PGBENCH=0.50 # list page ≥ 0.5 × pgbench on the page's own queries
TARGET_HALF_P99_MS=20       # list page p99 at half its peak rate
TARGET_POST_VS_PGBENCH=0.70 # allocate and ship POST ≥ 0.7 × pgbench of the same transaction
TARGET_DEMO_SECONDS=180     # `yunying demo --orders 1000000` ≤ 3 minutes
TARGET_DEMO_ORDERS=1000000

# ---------------------------------------------------------------- demo data
bench_setup --tenants 1 --orders "$ORDERS"
N_ORDERS=$(q_tenant "SELECT count(*) FROM orders WHERE tenant_id = $TENANT;")
N_PARCELS=$(q_tenant "SELECT count(*) FROM parcels WHERE tenant_id = $TENANT;")
N_LINES=$(q_tenant "SELECT count(*) FROM order_lines WHERE tenant_id = $TENANT;")
BY_STATUS=$(q_tenant "SELECT string_agg(status || ' ' || n, ', ' ORDER BY n DESC) FROM (SELECT status, count(*) AS n FROM orders WHERE tenant_id = $TENANT GROUP BY 1) s;")
BY_HOLD=$(q_tenant "SELECT coalesce(string_agg(kind || ' ' || n, ', ' ORDER BY n DESC), 'none') FROM (SELECT kind, count(*) AS n FROM order_holds WHERE tenant_id = $TENANT AND released_at IS NULL GROUP BY 1) h;")
log "tenant demo (id $TENANT): $N_ORDERS orders ($BY_STATUS), $N_LINES lines, $N_PARCELS parcels; active holds: $BY_HOLD"
if [[ $N_ORDERS == 0 ]]; then
    die "\`yunying demo --orders $ORDERS\` created no orders: the orders demo is not in this build ($COMMIT). Nothing to measure."
fi
[[ -n ${BENCH_DEMO_DATA:-} || $N_ORDERS -ge $ORDERS ]] || log "warning: asked for $ORDERS orders, the demo made $N_ORDERS"

# The demo writes most orders and lines more than once (inserted, then moved to
# their state): dead versions and no visibility map until autovacuum comes by.
bench_vacuum

# ---------------------------------------------------------------- login
USERNAME=ops.manager
bench_login "$USERNAME"
SHIPPER_NAME=warehouse.specialist
bench_login "$SHIPPER_NAME" _WH
user_of() { q_tenant "SELECT id || ' ' || display_name || '（' || username || '）' FROM users WHERE tenant_id = $TENANT AND username = '$1';"; }
read -r MANAGER_ID MANAGER_ACTOR < <(user_of "$USERNAME")
read -r SHIPPER_ID SHIPPER_ACTOR < <(user_of "$SHIPPER_NAME")
[[ -n ${MANAGER_ID:-} && -n ${SHIPPER_ID:-} ]] || die "demo users $USERNAME / $SHIPPER_NAME missing"
log "logged in as demo/$USERNAME (user $MANAGER_ID) and demo/$SHIPPER_NAME (user $SHIPPER_ID)"

# ---------------------------------------------------------------- readyz (reference)
wait_quiet
log "readyz: oha ${WARMUP}s + ${DURATION}s at -c $CONNECTIONS"
oha_peak readyz /readyz

# ---------------------------------------------------------------- list pages
like_escape() { sed 's/[\\%_]/\\&/g' <<<"$1"; }
declare -A SEARCH_TEXT SEARCH_N
# search NAME TEXT: the list searched for TEXT (longer than the index answers alone:
# bench/sql/orders_search.sql has the LIKE recheck of push_filter).
search() {
    local name=$1 text=$2 e
    (($(python3 -c 'import sys; print(len(sys.argv[1]))' "$text") > 8)) ||
        die "search text $text: at most 8 characters (bench/sql/orders_search.sql is the path of longer ones)"
    e=$(like_escape "$text")
    SEARCH_TEXT[$name]=$text
    SEARCH_N[$name]=$(q_tenant "SELECT count(*) FROM orders o WHERE o.tenant_id = $TENANT AND (o.order_no LIKE '$e%' OR o.phone LIKE '$e%'
        OR o.receiver ILIKE '%$e%' OR EXISTS (SELECT 1 FROM parcels p WHERE p.tenant_id = o.tenant_id AND p.order_id = o.id AND p.tracking_no = '$text'));")
    page "$name" "/orders?q=$(jq -rn --arg q "$text" '$q | @uri')" "$SQL/orders_search.sql" -D offset=0 -D kind=order \
        -D q="$text" -D qprefix="$e%" -D qany="%$e%"
}
MID_ID=$(q_tenant "SELECT id FROM orders WHERE tenant_id = $TENANT ORDER BY id OFFSET (SELECT count(*) / 2 FROM orders WHERE tenant_id = $TENANT) LIMIT 1;")
if want first; then page first /orders "$SQL/orders.sql" -D offset=0; fi
if want deep; then
    ORDERS_DEEP=$(deep_page "$N_ORDERS")
    page deep "/orders?page=$ORDERS_DEEP" "$SQL/orders.sql" -D offset="$(offset_of "$ORDERS_DEEP")"
fi
if want status; then
    N_STATUS=$(q_tenant "SELECT count(*) FROM orders WHERE tenant_id = $TENANT AND status = '$ORDER_STATUS';")
    [[ $N_STATUS -gt 0 ]] || log "warning: no orders in state $ORDER_STATUS"
    page status "/orders?status=$ORDER_STATUS" "$SQL/orders_status.sql" -D offset=0 -D status="$ORDER_STATUS"
fi
if want hold; then
    N_HOLD=$(q_tenant "SELECT count(*) FROM order_holds WHERE tenant_id = $TENANT AND kind = '$ORDER_HOLD' AND released_at IS NULL;")
    [[ $N_HOLD -gt 0 ]] || log "warning: no orders with an active $ORDER_HOLD hold"
    page hold "/orders?hold=$ORDER_HOLD" "$SQL/orders_hold.sql" -D offset=0 -D hold="$ORDER_HOLD"
fi
if want phone; then
    PHONE=${BENCH_ORDER_PHONE:-$(q_tenant "SELECT phone FROM orders WHERE tenant_id = $TENANT AND id >= $MID_ID AND phone <> '' ORDER BY id LIMIT 1;")}
    search phone "$PHONE"
fi
if want tracking; then
    TRACKING=${BENCH_ORDER_TRACKING:-$(q_tenant "SELECT tracking_no FROM parcels WHERE tenant_id = $TENANT AND order_id >= $MID_ID ORDER BY order_id, id LIMIT 1;")}
    [[ -n $TRACKING ]] || die "no parcel to search for"
    search tracking "$TRACKING"
fi

# ---------------------------------------------------------------- POST pools
# Four pools of POST_POOL one-line orders each, made by SQL as the owner: approved
# ones to allocate (HTTP, pgbench) and allocated ones to ship (HTTP, pgbench). Each
# pool is one range of consecutive ids, with 1,000 unused ids after it, so a side that
# runs past its pool's end finds no order (a 404, an aborted pgbench client) instead
# of the next pool's. Order id's warehouse is the (id mod W)-th by code and its
# product the ((id div W) mod P)-th of the products the demo orders (P ≤ 60), so
# consecutive ids spread over every stock level; one unit each. The stock both pools
# need is received first through the ledger (a receipt movement per level); the
# allocated pools' reservations are rows in the reserved state with the levels'
# reserved raised by as much, as the app's allocation leaves them.
WH_CODES=$(q_tenant "SELECT string_agg(code, ' ' ORDER BY code) FROM warehouses WHERE tenant_id = $TENANT;")
read -r -a WH_LIST <<<"$WH_CODES"
N_WH=${#WH_LIST[@]}
((N_WH > 0)) || die "no warehouses"
# make_pool TAG STATUS: the pool's "lo hi count".
make_pool() {
    local tag=$1 status=$2 alloc=false
    [[ $status == allocated ]] && alloc=true
    q_tenant "WITH p AS (SELECT id, price_fen, row_number() OVER (ORDER BY id) - 1 AS k FROM (SELECT id, price_fen FROM products
                  WHERE tenant_id = $TENANT AND status = 'listed' AND price_fen > 0 ORDER BY id LIMIT 60) p0),
         w AS (SELECT id, row_number() OVER (ORDER BY code) - 1 AS k FROM warehouses WHERE tenant_id = $TENANT),
         n AS (SELECT (SELECT count(*) FROM p) AS np, (SELECT count(*) FROM w) AS nw),
         ids AS (SELECT nextval('public.orders_id_seq') AS id, g FROM generate_series(1, $POST_POOL) g),
         src AS MATERIALIZED (SELECT ids.id, ids.g, p.id AS product_id, p.price_fen, w.id AS warehouse_id FROM ids CROSS JOIN n
                  JOIN p ON p.k = (ids.id / n.nw) % n.np JOIN w ON w.k = ids.id % n.nw),
         o AS (INSERT INTO orders (id, tenant_id, platform, order_no, shop, source, buyer, receiver, phone, province, city, district,
                   address, goods_fen, paid_fen, ordered_at, paid_at, status, approved_at, warehouse_id)
               OVERRIDING SYSTEM VALUE
               SELECT id, $TENANT, 'other', 'BENCH-$tag-' || lpad(g::text, 7, '0'), '压测', 'import', '压测买家', '压测收货人',
                      '13800000000', '浙江省', '杭州市', '西湖区', '文三路 90 号', price_fen, price_fen, now() - interval '3 hours',
                      now() - interval '3 hours', '$status', now() - interval '1 hour', CASE WHEN $alloc THEN warehouse_id END
               FROM src RETURNING id),
         l AS (INSERT INTO order_lines (tenant_id, order_id, line_no, product_id, quantity, unit_price_fen, reserved_qty)
               SELECT $TENANT, id, 1, product_id, 1, price_fen, CASE WHEN $alloc THEN 1 ELSE 0 END FROM src RETURNING order_id)
         SELECT min(id) || ' ' || max(id) || ' ' || count(*) FROM src;
         SELECT setval('public.orders_id_seq', nextval('public.orders_id_seq') + 999) \\g /dev/null"
}
# The warehouse and product of each order of a pool, by its id as above.
pool_lines() { # LO HI
    echo "SELECT l.product_id, w.id AS warehouse_id, l.order_id, l.line_no FROM order_lines l
          JOIN warehouses w ON w.tenant_id = l.tenant_id
           AND w.code = (ARRAY['$(sed "s/ /','/g" <<<"$WH_CODES")'])[(l.order_id % $N_WH)::int + 1]
          WHERE l.tenant_id = $TENANT AND l.order_id BETWEEN $1 AND $2"
}
receive_for() { # LO HI: a receipt per level of what the pool's orders take
    q_tenant "WITH m AS (INSERT INTO stock_movements (tenant_id, product_id, warehouse_id, kind, quantity, reason, doc_type, created_by)
        SELECT $TENANT, x.product_id, x.warehouse_id, 'receipt', count(*), '压测：订单配货备货', 'manual', $SHIPPER_ID
        FROM ($(pool_lines "$1" "$2")) x GROUP BY 2, 3 ORDER BY 2, 3 RETURNING quantity)
        SELECT coalesce(sum(quantity), 0) FROM m;"
}
reserve_for() { # LO HI: the allocated pool's reservations, as stock::allocate leaves them
    q_tenant "INSERT INTO order_reservations (tenant_id, order_id, line_no, warehouse_id, product_id, quantity)
        SELECT $TENANT, x.order_id, x.line_no, x.warehouse_id, x.product_id, 1 FROM ($(pool_lines "$1" "$2")) x ORDER BY x.order_id;
        WITH d AS (SELECT x.product_id, x.warehouse_id, count(*) AS n FROM ($(pool_lines "$1" "$2")) x GROUP BY 1, 2),
             u AS (UPDATE stock_levels s SET reserved = s.reserved + d.n, updated_at = now() FROM d
                   WHERE s.tenant_id = $TENANT AND s.product_id = d.product_id AND s.warehouse_id = d.warehouse_id RETURNING d.n)
        SELECT sum(n) FROM u;"
}
declare -A POOL_LO POOL_HI
if want allocate || want ship; then
    log "POST pools: 4 × $POST_POOL one-line orders"
    t0=$(date +%s.%N)
    for spec in "allocate-http AH approved" "allocate-pgbench AP approved" "ship-http SH allocated" "ship-pgbench SP allocated"; do
        read -r pool tag status <<<"$spec"
        want "${pool%-*}" || continue
        read -r lo hi n < <(make_pool "$tag" "$status")
        [[ ${n:-0} == "$POST_POOL" && $((hi - lo + 1)) == "$POST_POOL" ]] || die "pool $pool: got ${lo:-?}–${hi:-?} ($n orders)"
        POOL_LO[$pool]=$lo
        POOL_HI[$pool]=$hi
        units=$(receive_for "$lo" "$hi")
        [[ $units == "$POST_POOL" ]] || die "pool $pool: received $units units for $POST_POOL orders"
        if [[ $status == allocated ]]; then
            units=$(reserve_for "$lo" "$hi")
            [[ $units == "$POST_POOL" ]] || die "pool $pool: reserved $units units for $POST_POOL orders"
        fi
        log "pool $pool: orders $lo–$hi ($status), stock received$([[ $status == allocated ]] && echo " and reserved")"
    done
    # Reserved = the sum of open reservations, on every level the pools touched.
    BAD_LEVELS=$(q_tenant "SELECT count(*) FROM stock_levels s WHERE s.tenant_id = $TENANT AND s.reserved <> (SELECT coalesce(sum(r.quantity), 0)
        FROM order_reservations r WHERE r.tenant_id = s.tenant_id AND r.warehouse_id = s.warehouse_id AND r.product_id = s.product_id
        AND r.state = 'reserved');")
    if [[ $BAD_LEVELS != 0 ]]; then
        log "warning: after the pools, $BAD_LEVELS stock levels' reserved differ from their open reservations"
        BAD_RESPONSES="${BAD_RESPONSES:-}$BAD_LEVELS stock levels' reserved ≠ their open reservations; "
    fi
    q_super -c "VACUUM (ANALYZE) orders, order_lines, order_reservations, stock_levels, stock_movements, search_terms" >/dev/null
    POOLS_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    log "pools made in $POOLS_SECONDS s"
fi

# ---------------------------------------------------------------- POSTs
# Each run takes ids from its pool's cursor on (the first id after the highest one an
# earlier run changed), so a warm-up or a disturbed run never leaves a later one
# without orders. done_status: the state an order of the pool has after the POST.
declare -A DONE_STATUS=([allocate]=allocated [ship]=shipped)
changed_in() { # POOL FROM: the pool's orders from FROM on that the POST changed, and the highest
    q_tenant "SELECT count(*) || ' ' || coalesce(max(id), 0) FROM orders WHERE tenant_id = $TENANT AND id BETWEEN $2 AND ${POOL_HI[$1]}
        AND status = '${DONE_STATUS[${1%-*}]}';"
}
cursor_of() { # POOL: where the next run starts
    local n max
    read -r n max < <(changed_in "$1" "${POOL_LO[$1]}")
    if ((n == 0)); then echo "${POOL_LO[$1]}"; else echo $((max + 1)); fi
}
WRK_THREADS=2
# post_lua POST: the wrk script — thread k sends ids lo + k + threads × n, one POST
# each, and GET /healthz once past the pool (counted as not 303).
post_lua() {
    local post=$1 body
    case $post in
    allocate) body='"&warehouse=" .. codes[id % #codes + 1]' ;;
    ship) body='"&carrier=SF&tracking_no=WK" .. id' ;;
    esac
    cat <<EOF
-- POST /orders/<id>/$post, a distinct order of the pool per request.
-- Arguments (after --): the session token, the session's CSRF token, lo, hi.
local nthreads = $WRK_THREADS
local codes = {"$(sed 's/ /", "/g' <<<"$WH_CODES")"}
stride = 0
function init(args)
    cookie = "yy_session=" .. args[1]
    csrf = args[2]
    lo = tonumber(args[3])
    hi = tonumber(args[4])
    stride = math.floor((hi - lo + 1) / nthreads)
    n = 0
    bad = 0
    sent = 0
end
function request()
    local id = lo + k + nthreads * n
    n = n + 1
    sent = sent + 1
    if id > hi then return wrk.format("GET", "/healthz") end
    return wrk.format("POST", "/orders/" .. id .. "/$post", {
        ["Cookie"] = cookie,
        ["Origin"] = "$URL",
        ["Content-Type"] = "application/x-www-form-urlencoded",
    }, "csrf_token=" .. csrf .. $body)
end
EOF
    wrk_lua_common 303
}
# post_http NAME SECONDS POST: one wrk run on the HTTP pool from its cursor on.
post_http() {
    local name=$1 secs=$2 post=$3 pool=$3-http lo non303 errors reqs n max token csrf
    lo=$(cursor_of "$pool")
    if [[ $post == ship ]]; then token=$TOKEN_WH csrf=$CSRF_URI_WH; else token=$TOKEN csrf=$CSRF_URI; fi
    run_tool "$name" wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${secs}s" --timeout 10s -s "$RAW/$post.lua" "$URL/" -- \
        "$token" "$csrf" "$lo" "${POOL_HI[$pool]}" || die "wrk failed: $(tail -3 "$RAW/$name.err")"
    sed -n '/^{/p' "$RAW/$name.out" | tail -1 >"$RAW/$name.json"
    non303=$(jq .non303 "$RAW/$name.json")
    errors=$(jq .errors "$RAW/$name.json")
    reqs=$(jq .requests "$RAW/$name.json")
    read -r n max < <(changed_in "$pool" "$lo")
    echo "$n $lo $max" >"$RAW/$name.count"
    if [[ $non303 != 0 || $errors != 0 ]]; then
        log "warning: $name: $non303 responses other than 303, $errors socket errors (ids $lo–${POOL_HI[$pool]})"
        BAD_RESPONSES="${BAD_RESPONSES:-}$name: $non303 non-303, $errors errors; "
    fi
    log "$name: $reqs POSTs ($(jq .rps "$RAW/$name.json") /s), $n orders ${DONE_STATUS[$post]} from id $lo on"
}
# post_pgbench NAME SECONDS POST [-l]: one pgbench run on the pgbench pool from its cursor on.
post_pgbench() {
    local name=$1 secs=$2 post=$3 pool=$3-pgbench lo n max vars
    shift 3
    lo=$(cursor_of "$pool")
    vars=(-D tenant="$TENANT" -D lo="$lo" -D clients="$CONNECTIONS" -D n=0 -D newstatus="${DONE_STATUS[$post]}")
    if [[ $post == ship ]]; then
        vars+=(-D user="$SHIPPER_ID" -D actor="$SHIPPER_ACTOR")
    else
        vars+=(-D user="$MANAGER_ID" -D actor="$MANAGER_ACTOR" -D nwh="$N_WH")
    fi
    rm -f "$RAW/$name".log*
    run_tool "$name" "${PGBENCH_BASE[@]}" -T "$secs" "$@" "${PG_APP[@]}" -f "$SQL/orders_$post.sql" "${vars[@]}" ||
        die "pgbench failed: $(tail -3 "$RAW/$name.err")"
    read -r n max < <(changed_in "$pool" "$lo")
    echo "$n $lo $max" >"$RAW/$name.count"
    log "$name: $(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$RAW/$name.out") transactions, $n orders ${DONE_STATUS[$post]} from id $lo on"
}
post_phase() { # POST
    local post=$1
    post_lua "$post" >"$RAW/$post.lua"
    wait_quiet
    log "$post POST: wrk ${WARMUP}s + ${DURATION}s at -t $WRK_THREADS -c $CONNECTIONS"
    post_http "$post-http-warmup" "$WARMUP" "$post"
    # shellcheck disable=SC2317 # called by measure_fn
    post_http_measured() { post_http "$POST-http" "$DURATION" "$POST"; }
    POST=$post
    measure_fn "$post-http" post_http_measured
    wait_quiet
    log "$post POST: pgbench ${WARMUP}s + ${DURATION}s at -c $CONNECTIONS"
    post_pgbench "$post-pgbench-warmup" "$WARMUP" "$post"
    # shellcheck disable=SC2317 # called by measure_fn
    post_pgbench_measured() { post_pgbench "$POST-pgbench" "$DURATION" "$POST" -l --log-prefix="$RAW/$POST-pgbench.log"; }
    measure_fn "$post-pgbench" post_pgbench_measured
    pgbench_check "$post-pgbench"
    local txns n
    txns=$(stat_of "$post-pgbench" 4)
    n=$(cut -d' ' -f1 "$RAW/$post-pgbench.count")
    if [[ $n != "$txns" ]]; then
        log "warning: $post-pgbench: $txns transactions but $n orders ${DONE_STATUS[$post]}"
        BAD_RESPONSES="${BAD_RESPONSES:-}$post-pgbench: $txns transactions, $n orders changed; "
    fi
    log "$post pgbench: $(stat_of "$post-pgbench" 1) tps, p50 $(stat_of "$post-pgbench" 2) ms, p99 $(stat_of "$post-pgbench" 3) ms"
    post_explain "$post"
}
# post_explain POST: one transaction of the POST's pgbench script, on the next order
# of its pool, with auto_explain logging every statement's plan (ANALYZE, BUFFERS,
# nested statements: the ledger's triggers) for yunying_app's new sessions; the
# plans from the cluster's log into $RAW/POST.explain.txt.
post_explain() {
    local post=$1 log=$DATA/pg/postgres.log start lo
    start=$(wc -l <"$log")
    q_super -c "ALTER ROLE yunying_app SET session_preload_libraries = 'auto_explain'" \
        -c "ALTER ROLE yunying_app SET auto_explain.log_min_duration = 0" -c "ALTER ROLE yunying_app SET auto_explain.log_analyze = on" \
        -c "ALTER ROLE yunying_app SET auto_explain.log_buffers = on" -c "ALTER ROLE yunying_app SET auto_explain.log_nested_statements = on" >/dev/null
    lo=$(cursor_of "$post-pgbench")
    local vars=(-D tenant="$TENANT" -D lo="$lo" -D clients=1 -D n=0 -D newstatus="${DONE_STATUS[$post]}" -D nwh="$N_WH")
    if [[ $post == ship ]]; then vars+=(-D user="$SHIPPER_ID" -D actor="$SHIPPER_ACTOR"); else vars+=(-D user="$MANAGER_ID" -D actor="$MANAGER_ACTOR"); fi
    pgbench -n -M prepared -c 1 -t 1 "${PG_APP[@]}" -f "$SQL/orders_$post.sql" "${vars[@]}" >"$RAW/$post.explain.pgbench.txt" 2>&1 ||
        log "warning: the explained $post transaction failed (see $RAW/$post.explain.pgbench.txt)"
    q_super -c "ALTER ROLE yunying_app RESET ALL" >/dev/null
    sleep 0.5
    tail -n +$((start + 1)) "$log" | sed -n '/auto_explain\|duration: .* ms  plan:/,$p' >"$RAW/$post.explain.txt" || true
    # "N plans (the statements and what they ran inside: foreign-key checks, triggers);
    # the slowest three".
    EXPLAIN_MS[$post]=$(awk '/duration: .* ms  plan:/ { sub(/.*duration: /, ""); d = $1 + 0; getline;
            sub(/^[ \t]*Query Text: /, ""); n++; t[n] = d; q[n] = substr($0, 1, 60) }
        END { printf "%d plans; slowest:", n;
              for (k = 1; k <= 3 && k <= n; k++) { m = 0; for (i = 1; i <= n; i++) if (!(i in used) && (m == 0 || t[i] > t[m])) m = i;
                  used[m] = 1; printf "%s %.3f ms `%s…`", (k > 1 ? ";" : ""), t[m], q[m] } }' "$RAW/$post.explain.txt")
}
POSTS=()
for post in allocate ship; do
    want "$post" || continue
    POSTS+=("$post")
    [[ $post == ship ]] && { CSRF_URI_WH=$(jq -rn --arg t "$CSRF_TOKEN_WH" '$t | @uri'); mask "$CSRF_URI_WH" "<csrf_WH>"; }
    [[ $post == allocate ]] && { CSRF_URI=$(jq -rn --arg t "$CSRF_TOKEN" '$t | @uri'); mask "$CSRF_URI" "<csrf>"; }
    post_phase "$post"
done

# ---------------------------------------------------------------- stop
bench_stop

# ---------------------------------------------------------------- report
report_facts
REPORT=$RAW/report.md
{
    echo "# Yunying orders benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    report_machine
    if [[ -n $DEMO_SECONDS ]]; then
        echo "- Data: \`yunying demo --tenants 1 --orders $ORDERS\` in a fresh temp data dir took **$DEMO_SECONDS s**:"
    else
        echo "- Data: a copy of \`$BENCH_DEMO_DATA\` (BENCH_DEMO_DATA: made by an earlier \`yunying demo\`, not timed in this run):"
    fi
    echo "  $N_ORDERS orders ($BY_STATUS), $N_LINES lines, $N_PARCELS parcels; active holds: $BY_HOLD."
    for n in "${!SEARCH_TEXT[@]}"; do
        echo "- Search $n: \"${SEARCH_TEXT[$n]}\", ${SEARCH_N[$n]} matching orders."
    done
    [[ -n ${ORDERS_DEEP:-} ]] && echo "- Deep page: page $ORDERS_DEEP (offset $(offset_of "$ORDERS_DEEP"))."
    [[ -n ${N_STATUS:-} ]] && echo "- State filter: $ORDER_STATUS, $N_STATUS orders."
    [[ -n ${N_HOLD:-} ]] && echo "- Hold filter: $ORDER_HOLD, $N_HOLD orders with that hold active."
    echo "- Then \`VACUUM (ANALYZE)\` of the database ($VACUUM_SECONDS s)."
    echo "- Server: release build, embedded PostgreSQL (durable settings), listening on $URL; signed in as demo / $USERNAME"
    echo "  (ops manager: every order; lists and allocation) and demo / $SHIPPER_NAME (shipping)."
    echo "- Load: oha on loopback, keep-alive, -c $CONNECTIONS; each page ${WARMUP} s warm-up then ${DURATION} s at peak, then"
    echo "  pgbench (\`-n -M prepared -c $CONNECTIONS -j 2\`, ${WARMUP} s warm-up then ${DURATION} s) on the page's own statements — the warehouse"
    echo "  list of the filter form, the list and its capped count (bench/sql/orders*.sql, as the Rust code builds them) — in the app's"
    echo "  transaction (\`BEGIN; SELECT set_config('app.tenant_id', …, true); …; COMMIT\`) as the runtime role yunying_app (RLS applies),"
    echo "  then the page again at half its peak rate (-q, -c $HALF_CONNECTIONS, latency correction on), ${WARMUP} s + ${DURATION} s."
    echo "  pgbench latency percentiles come from its per-transaction log."
    echo "- **The $NPROC cores are shared** by the load generator, the server and PostgreSQL (the server's pool has at most 16"
    echo "  connections; pgbench opens $CONNECTIONS)."
    echo
    report_list_pages
    echo
    echo "(The EXPLAIN column: the warehouse list / the list / the count, as pgbench runs them.)"
    if ((${#POSTS[@]})); then
        echo
        echo "## Allocate and ship POSTs"
        echo
        echo "Pools made by SQL before the POSTs ($POOLS_SECONDS s): $POST_POOL one-line orders each, one unit of one of the products the"
        echo "demo orders, order id's warehouse the (id mod $N_WH)-th by code, the stock received first through the ledger (a receipt per"
        echo "level); the ship pools allocated, with their reservation rows and the levels' reserved raised as the app's allocation leaves them."
        for p in "${!POOL_LO[@]}"; do echo "- $p: orders ${POOL_LO[$p]}–${POOL_HI[$p]}"; done
        echo
        echo "HTTP: wrk (\`-t $WRK_THREADS -c $CONNECTIONS\`, bench scripts \`allocate.lua\` / \`ship.lua\` in the raw outputs): thread k POSTs the ids"
        echo "lo + k + $WRK_THREADS × n of its pool from the pool's cursor on (the first id after those earlier runs changed), with the session"
        echo "cookie, \`Origin: $URL\` and \`csrf_token=<csrf>&warehouse=<the order's warehouse>\` (allocate, as $USERNAME) or"
        echo "\`csrf_token=<csrf_WH>&carrier=SF&tracking_no=WK<id>\` (ship, as $SHIPPER_NAME), counting every response that is not the 303"
        echo "to the order page. pgbench: \`bench/sql/orders_allocate.sql\` / \`orders_ship.sql\`, the handler's transaction statement by"
        echo "statement, client c on ids lo + c + $CONNECTIONS × n of the other pool (tracking number PG<id>)."
        echo
        echo "| POST | side | req/s or tps | p50 (ms) | p99 (ms) | requests | orders changed (ids from) | check | app / pgbench |"
        echo "|---|---|---:|---:|---:|---:|---:|---|---:|"
        for post in "${POSTS[@]}"; do
            read -r hn hlo _ <"$RAW/$post-http.count"
            read -r pn plo _ <"$RAW/$post-pgbench.count"
            printf '| %s | app (wrk) | %s | %s | %s | %s | %s (%s) | %s non-303, %s socket errors | **%s** |\n' "$post" \
                "$(f0 "$(stat_of "$post-http" 1)")" "$(f2 "$(stat_of "$post-http" 2)")" "$(f2 "$(stat_of "$post-http" 3)")" \
                "$(stat_of "$post-http" 4)" "$hn" "$hlo" "$(jq .non303 "$RAW/$post-http.json")" "$(jq .errors "$RAW/$post-http.json")" \
                "$(ratio "$(stat_of "$post-http" 1)" "$(stat_of "$post-pgbench" 1)")"
            printf '| %s | pgbench | %s | %s | %s | %s | %s (%s) | | |\n' "$post" \
                "$(f0 "$(stat_of "$post-pgbench" 1)")" "$(f2 "$(stat_of "$post-pgbench" 2)")" "$(f2 "$(stat_of "$post-pgbench" 3)")" \
                "$(stat_of "$post-pgbench" 4)" "$pn" "$plo"
        done
        echo
        echo "(wrk does not count the responses still in flight when it stops, so the orders changed can exceed its count by up to $CONNECTIONS.)"
        echo "Plans: one transaction of each pgbench script under auto_explain (\`<post>.explain.txt\` in the raw outputs: ANALYZE, BUFFERS,"
        echo "nested statements):"
        for post in "${POSTS[@]}"; do echo "- $post: ${EXPLAIN_MS[$post]:-}"; done
    fi
    echo
    echo "## Targets"
    echo
    echo "| Target | Page | Measured | Verdict |"
    echo "|---|---|---:|---|"
    if [[ -z $DEMO_SECONDS ]]; then
        v="not timed in this run (BENCH_DEMO_DATA)"
    elif ((ORDERS >= TARGET_DEMO_ORDERS)); then
        v=$(verdict "$DEMO_SECONDS <= $TARGET_DEMO_SECONDS")
        [[ $v == PASS ]] || MISSED=1
    else
        v="n/a (at $ORDERS orders; the target is for $TARGET_DEMO_ORDERS)"
    fi
    echo "| \`yunying demo --orders $TARGET_DEMO_ORDERS\` ≤ $TARGET_DEMO_SECONDS s | demo | ${DEMO_SECONDS:-—} s | $v |"
    report_list_targets
    for post in "${POSTS[@]}"; do
        ar=$(ratio "$(stat_of "$post-http" 1)" "$(stat_of "$post-pgbench" 1)")
        v=$(verdict "$ar >= $TARGET_POST_VS_PGBENCH")
        [[ $v == PASS ]] || MISSED=1
        echo "| $post POST ≥ 70 % of pgbench on its transaction | $post | $(pct "$ar") | $v |"
    done
    report_tail
} >"$REPORT"
cp "$REPORT" "$OUT/orders-latest.md"
cat "$OUT/orders-latest.md"

if [[ ${BENCH_STRICT:-0} == 1 && $MISSED == 1 ]]; then exit 3; fi
