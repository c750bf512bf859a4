#!/usr/bin/env bash
# After-sales and complaints benchmark (issue 11) — see bench/README.md.
#
# One run: release build → `yunying demo --tenants 1 --orders N` in a fresh temp data
# dir (its after-sales cases, about one per ten orders, and its few complaints) →
# the complaints topped up to BENCH_COMPLAINTS by one SQL statement as the owner (a
# spread of received_at over 90 days, deadlines 24 h after, most answered, resolved or
# closed, a few thousand open and some of those overdue, half on an order; their
# timeline rows; the TS counter moved on) → VACUUM (ANALYZE) → `yunying serve` → log
# in as demo/service.manager (every case and complaint; a manager's refund does not
# wait for approval) → the statements the server runs for each page captured once
# (log_statement = all) into the raw outputs → /readyz for reference → for each list
# page (after-sales first page, a state filter, a phone search; complaints by
# deadline, overdue, a phone search): oha at peak, pgbench -M prepared running the
# page's own statements (the list and the capped count) in the app's tenant
# transaction (bench/sql/after_sales*.sql, complaints*.sql), oha at half the page's
# peak, one EXPLAIN ANALYZE → two pools of approved refund-kind cases made by SQL,
# each on an order of its own → the refund POST (wrk, a distinct case per POST)
# against pgbench running the handler's transaction on the other pool
# (bench/sql/after_sales_refund.sql), the rows checked, one pgbench transaction under
# auto_explain → SIGTERM → Markdown report in bench/out/after-sales-latest.md.
#
# Knobs (environment): BENCH_ORDERS (default 1000000), BENCH_COMPLAINTS (default
# 100000), BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_HALF_CONNECTIONS as
# in orders.sh, BENCH_AS_STATUS (state filter, default requested), BENCH_AS_Q and
# BENCH_COMPLAINT_Q (the searches; default: the phone of the order of the case in the
# middle of the id range, the phone of the complaint in the middle), BENCH_POST_POOL
# (cases per refund pool, default 30000), BENCH_PAGES (subset of "as-first as-status
# as-search c-first c-overdue c-search refund", default all),
# BENCH_QUIET_WAIT/BENCH_QUIET_MAX/BENCH_RETRIES, BENCH_STRICT=1 (exit 3 when a target
# is missed), BENCH_SKIP_BUILD=1, BENCH_REV=<git rev>, BENCH_DEMO_DATA=<dir> (as in
# orders.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BENCH_TAG="after-sales"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

ORDERS=${BENCH_ORDERS:-1000000}
COMPLAINTS=${BENCH_COMPLAINTS:-100000}
AS_STATUS=${BENCH_AS_STATUS:-requested}
POST_POOL=${BENCH_POST_POOL:-30000}
PAGES=${BENCH_PAGES:-"as-first as-status as-search c-first c-overdue c-search refund"}
bench_init

# Targets (issue 11).
TARGET_LIST_VS_PGBENCH=0.50 # list page ≥ 0.5 × pgbench on the page's own queries
TARGET_HALF_P99_MS=20       # list page p99 at half its peak rate
TARGET_POST_VS_PGBENCH=0.70 # refund POST ≥ 0.7 × pgbench of the same transaction

# ---------------------------------------------------------------- demo data
bench_setup --tenants 1 --orders "$ORDERS"
N_ORDERS=$(q_tenant "SELECT count(*) FROM orders WHERE tenant_id = $TENANT;")
((N_ORDERS > 0)) || die "the demo made no orders"
user_of() { q_tenant "SELECT id || ' ' || display_name FROM users WHERE tenant_id = $TENANT AND $1 ORDER BY id LIMIT 1;"; }
USERNAME=service.manager
read -r MANAGER_ID MANAGER_NAME < <(user_of "username = '$USERNAME'")
read -r CLERK_ID CLERK_NAME < <(user_of "department = 'service' AND level = 'specialist' AND is_active")
[[ -n ${MANAGER_ID:-} && -n ${CLERK_ID:-} ]] || die "demo users $USERNAME / a service specialist missing"

# ---------------------------------------------------------------- complaints top-up
# One statement as the owner (inside the tenant's transaction: RLS is forced): the
# complaints up to COMPLAINTS, numbered on from the demo's (the TS counter moved on
# after), and their timeline (log, assign for the major ones, reply, resolve, close:
# what the app writes; the list does not read it, the record page does). Complaint g:
# one in 33 open, received within the last 72 hours — half of those unanswered (the
# ones older than 24 hours overdue), half answered —; the others received 7–90 days
# ago, answered 10 minutes to ~27 hours later (some past their deadline), resolved
# 1–48 hours after, four in 33 left resolved and the rest closed a day or more after
# that; one in 50 major (assigned to the service manager, the rest to the specialist);
# even g on an order (a shipped or delivered one, its receiver and phone), odd g a
# walk-in with a phone of its own.
N_DEMO_COMPLAINTS=$(q_tenant "SELECT count(*) FROM complaints WHERE tenant_id = $TENANT;")
TOPUP=$((COMPLAINTS - N_DEMO_COMPLAINTS))
TOPUP_SECONDS=
if ((TOPUP > 0)); then
    log "complaints: $N_DEMO_COMPLAINTS from the demo, $TOPUP more by SQL"
    t0=$(date +%s.%N)
    made=$(q_tenant "WITH base AS (SELECT coalesce((SELECT last FROM order_numbers WHERE tenant_id = $TENANT AND prefix = 'TS'), 0) AS last),
     o AS MATERIALIZED (SELECT id, order_no, rep_id, rep_department, receiver, phone, row_number() OVER (ORDER BY id) AS rn
           FROM orders WHERE tenant_id = $TENANT AND status IN ('shipped', 'delivered')),
     no AS (SELECT count(*) AS n FROM o),
     g AS (SELECT g, ((g::bigint * 48271) % 100003) / 100003.0 AS f FROM generate_series(1, $TOPUP) g),
     t AS (SELECT g.g, g.g % 33 = 0 AS open,
                  CASE WHEN g.g % 33 = 0 THEN now() - make_interval(mins => (g.g * 37 % 4320)::int)
                       ELSE now() - interval '7 days' - interval '83 days' * g.f END AS received_at
           FROM g),
     r AS (SELECT t.*, CASE WHEN t.open AND t.g % 66 = 0 THEN NULL
                            WHEN t.open THEN t.received_at + (now() - t.received_at) / 2
                            ELSE t.received_at + make_interval(mins => (10 + t.g * 13 % 1600)::int) END AS first_reply_at
           FROM t),
     s AS MATERIALIZED (SELECT r.*, CASE WHEN r.open THEN 'open' WHEN r.g % 33 <= 4 THEN 'resolved' ELSE 'closed' END AS status,
                  CASE WHEN NOT r.open THEN r.first_reply_at + make_interval(hours => (1 + r.g % 48)::int) END AS resolved_at,
                  r.g % 50 = 0 AS major, o.id AS order_id, o.order_no, o.rep_id, o.rep_department,
                  left(coalesce(nullif(o.receiver, ''), (ARRAY['林晓燕', '陈建国', '赵雅琴', '孙志强', '周丽华'])[1 + r.g % 5]), 50) AS customer,
                  coalesce(nullif(o.phone, ''), '13' || lpad(((r.g::bigint * 7919) % 1000000000)::text, 9, '0')) AS phone
           FROM r CROSS JOIN no LEFT JOIN o ON r.g % 2 = 0 AND o.rn = 1 + ((r.g / 2)::bigint * 7) % no.n),
     ins AS (INSERT INTO complaints (tenant_id, complaint_no, customer, phone, order_id, order_no, rep_id, rep_department, channel,
                 category, severity, content, demand, received_at, soon_at, due_at, first_reply_at, status, assignee_id, result, cause,
                 improvement, satisfaction, resolved_by, resolved_at, closed_by, closed_at, created_by, created_at, updated_at)
             SELECT $TENANT, 'TS-' || lpad((base.last + s.g)::text, 6, '0'), s.customer, s.phone, s.order_id, s.order_no, s.rep_id,
                 s.rep_department, (ARRAY['phone', 'online', 'email', 'platform', 'store'])[1 + s.g % 5],
                 (ARRAY['logistics', 'quality', 'service', 'price', 'other'])[1 + (s.g / 5) % 5],
                 CASE WHEN s.major THEN 'major' ELSE 'normal' END,
                 (ARRAY['快递三天没有更新物流信息', '收到的商品有破损', '客服答应回电但一直没有回', '下单后第二天就降价了', '发票抬头开错'])[1 + (s.g / 5) % 5],
                 (ARRAY['尽快查明包裹去向', '换一个新的', '给个说法', '退还差价', '重新开具发票'])[1 + (s.g / 5) % 5],
                 s.received_at, s.received_at + interval '69120 seconds', s.received_at + interval '24 hours', s.first_reply_at,
                 s.status, CASE WHEN s.major THEN $MANAGER_ID ELSE $CLERK_ID END,
                 CASE WHEN s.open THEN '' ELSE '已与客户沟通并处理' END, CASE WHEN s.open THEN '' ELSE '配送环节延误' END,
                 CASE WHEN s.open THEN '' ELSE '加强与快递公司的跟进' END,
                 CASE WHEN s.status = 'closed' AND s.g % 6 <> 0 THEN (1 + (s.g * 7) % 5)::smallint END,
                 CASE WHEN NOT s.open THEN $CLERK_ID END, s.resolved_at,
                 CASE WHEN s.status = 'closed' THEN $CLERK_ID END,
                 CASE WHEN s.status = 'closed' THEN s.resolved_at + make_interval(hours => (24 + s.g % 48)::int) END,
                 $CLERK_ID, s.received_at, coalesce(s.resolved_at, s.first_reply_at, s.received_at)
             FROM s CROSS JOIN base ORDER BY s.g
             RETURNING id, severity, received_at, first_reply_at, resolved_at, closed_at),
     ev AS (INSERT INTO complaint_events (tenant_id, complaint_id, kind, actor_id, actor_name, note, at)
             SELECT $TENANT, ins.id, v.kind, $CLERK_ID, '$CLERK_NAME', v.note, v.at FROM ins CROSS JOIN LATERAL (VALUES
                 ('log', ins.received_at, '电话｜物流：压测投诉；诉求：尽快处理'),
                 ('assign', CASE WHEN ins.severity = 'major' THEN ins.received_at END, '重大投诉，指派给客服经理 $MANAGER_NAME'),
                 ('reply', ins.first_reply_at, '已联系客户'), ('resolve', ins.resolved_at, '已与客户沟通并处理'),
                 ('close', ins.closed_at, '回访满意')) v(kind, at, note)
             WHERE v.at IS NOT NULL RETURNING 1)
     SELECT (SELECT count(*) FROM ins) || ' ' || (SELECT count(*) FROM ev);
     INSERT INTO order_numbers (tenant_id, prefix, last) VALUES ($TENANT, 'TS', $TOPUP)
         ON CONFLICT (tenant_id, prefix) DO UPDATE SET last = order_numbers.last + $TOPUP;")
    read -r N_TOPUP N_TOPUP_EVENTS <<<"$made"
    [[ $N_TOPUP == "$TOPUP" ]] || die "complaints top-up: $made"
    TOPUP_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    log "complaints: $N_TOPUP inserted with $N_TOPUP_EVENTS timeline rows in $TOPUP_SECONDS s"
fi
BAD_TS=$(q_tenant "SELECT (SELECT last FROM order_numbers WHERE tenant_id = $TENANT AND prefix = 'TS') - max(substr(complaint_no, 4)::bigint) FROM complaints WHERE tenant_id = $TENANT;")
[[ $BAD_TS == 0 ]] || die "the TS counter is $BAD_TS off the highest complaint number"

N_CASES=$(q_tenant "SELECT count(*) FROM after_sales WHERE tenant_id = $TENANT;")
CASES_BY_STATUS=$(q_tenant "SELECT string_agg(status || ' ' || n, ', ' ORDER BY n DESC) FROM (SELECT status, count(*) AS n FROM after_sales WHERE tenant_id = $TENANT GROUP BY 1) s;")
CASES_BY_KIND=$(q_tenant "SELECT string_agg(kind || ' ' || n, ', ' ORDER BY n DESC) FROM (SELECT kind, count(*) AS n FROM after_sales WHERE tenant_id = $TENANT GROUP BY 1) s;")
N_COMPLAINTS=$(q_tenant "SELECT count(*) FROM complaints WHERE tenant_id = $TENANT;")
C_BY_STATUS=$(q_tenant "SELECT string_agg(status || ' ' || n, ', ' ORDER BY n DESC) FROM (SELECT status, count(*) AS n FROM complaints WHERE tenant_id = $TENANT GROUP BY 1) s;")
C_OVERDUE=$(q_tenant "SELECT count(*) FROM complaints WHERE tenant_id = $TENANT AND first_reply_at IS NULL AND due_at < now();")
C_LINKED=$(q_tenant "SELECT count(*) FROM complaints WHERE tenant_id = $TENANT AND order_id IS NOT NULL;")
N_C_EVENTS=$(q_tenant "SELECT count(*) FROM complaint_events WHERE tenant_id = $TENANT;")
log "tenant demo (id $TENANT): $N_ORDERS orders; $N_CASES cases ($CASES_BY_STATUS; $CASES_BY_KIND); $N_COMPLAINTS complaints ($C_BY_STATUS; $C_OVERDUE overdue, $C_LINKED on an order), $N_C_EVENTS complaint events"
((N_CASES > 0)) || die "the demo made no after-sales cases: not in this build ($COMMIT)"

bench_vacuum

# ---------------------------------------------------------------- login
bench_login "$USERNAME"
log "logged in as demo/$USERNAME (user $MANAGER_ID, $MANAGER_NAME)"

# ---------------------------------------------------------------- the pages' values
# shellcheck disable=SC2001 # a bracket expression, not one string
like_escape() { sed 's/[\\%_]/\\&/g' <<<"$1"; }
upper() { python3 -c 'import sys; print(sys.argv[1].upper())' "$1"; }
MID_CASE=$(q_tenant "SELECT id FROM after_sales WHERE tenant_id = $TENANT ORDER BY id OFFSET (SELECT count(*) / 2 FROM after_sales WHERE tenant_id = $TENANT) LIMIT 1;")
AS_Q=${BENCH_AS_Q:-$(q_tenant "SELECT o.phone FROM after_sales a JOIN orders o ON o.tenant_id = a.tenant_id AND o.id = a.order_id
    WHERE a.tenant_id = $TENANT AND a.id >= $MID_CASE AND length(o.phone) > 8 ORDER BY a.id LIMIT 1;")}
[[ -n $AS_Q ]] || die "no case's order phone to search for"
MID_COMPLAINT=$(q_tenant "SELECT id FROM complaints WHERE tenant_id = $TENANT ORDER BY id OFFSET (SELECT count(*) / 2 FROM complaints WHERE tenant_id = $TENANT) LIMIT 1;")
C_Q=${BENCH_COMPLAINT_Q:-$(q_tenant "SELECT phone FROM complaints WHERE tenant_id = $TENANT AND id >= $MID_COMPLAINT ORDER BY id LIMIT 1;")}
[[ -n $C_Q ]] || die "no complaint phone to search for"
AS_QE=$(like_escape "$AS_Q")
C_QE=$(like_escape "$C_Q")
N_AS_STATUS=$(q_tenant "SELECT count(*) FROM after_sales WHERE tenant_id = $TENANT AND status = '$AS_STATUS';")
N_AS_Q=$(q_tenant "SELECT count(*) FROM after_sales a WHERE a.tenant_id = $TENANT AND (a.case_no = '$(upper "$AS_Q")' OR EXISTS (SELECT 1 FROM orders so
    WHERE so.tenant_id = a.tenant_id AND so.id = a.order_id AND (so.order_no ILIKE '$AS_QE%' OR so.phone ILIKE '$AS_QE%' OR so.receiver ILIKE '%$AS_QE%')));")
N_C_Q=$(q_tenant "SELECT count(*) FROM complaints c WHERE c.tenant_id = $TENANT AND (c.complaint_no = '$(upper "$C_Q")' OR c.phone LIKE '$C_QE%'
    OR c.customer LIKE '$C_QE%' OR c.order_no LIKE '$C_QE%');")
# The instant pgbench's overdue filter reads the clock at (the app binds each request's now).
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
uri() { jq -rn --arg q "$1" '$q | @uri'; }
declare -A PAGE_URL PAGE_SCRIPT
PAGE_URL=([as-first]=/after-sales [as-status]="/after-sales?status=$AS_STATUS" [as-search]="/after-sales?q=$(uri "$AS_Q")"
    [c-first]=/complaints [c-overdue]="/complaints?overdue=1" [c-search]="/complaints?q=$(uri "$C_Q")")
PAGE_SCRIPT=([as-first]=after_sales [as-status]=after_sales_status [as-search]=after_sales_search
    [c-first]=complaints [c-overdue]=complaints_overdue [c-search]=complaints_search)
page_vars() { # NAME: the page's -D variables beyond tenant and limit
    case $1 in
    as-first | c-first) echo "-D offset=0" ;;
    as-status) echo "-D offset=0 -D status=$AS_STATUS" ;;
    c-overdue) echo "-D offset=0 -D now=$NOW" ;;
    esac
}
LIST_NAMES=(as-first as-status as-search c-first c-overdue c-search)

# ---------------------------------------------------------------- the server's own statements
# log_statement = all for a moment (ALTER SYSTEM, reload: the pool's open sessions too):
# each page fetched once (and, with the refund pool, one refund POST), the statements the
# server ran from the cluster's log into $RAW/statements.txt — what the pgbench scripts
# mirror.
PGLOG=$DATA/pg/postgres.log
capture_on() {
    CAPTURE_START=$(wc -l <"$PGLOG")
    q_super -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
    sleep 0.5
}
capture_off() { # LABEL
    sleep 0.3
    q_super -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null
    {
        echo "==== $1"
        tail -n +$((CAPTURE_START + 1)) "$PGLOG" | grep -v 'ALTER SYSTEM\|pg_reload_conf' || true
    } >>"$RAW/statements.txt"
}
capture_on
for n in "${LIST_NAMES[@]}"; do
    want "$n" || continue
    status=$(curl -sS -H "$COOKIE" -o /dev/null -w '%{http_code}' "$URL${PAGE_URL[$n]}")
    [[ $status == 200 ]] || die "GET ${PAGE_URL[$n]} answered $status"
done
capture_off "list pages: ${LIST_NAMES[*]}"

# ---------------------------------------------------------------- readyz (reference)
wait_quiet
log "readyz: oha ${WARMUP}s + ${DURATION}s at -c $CONNECTIONS"
oha_peak readyz /readyz

# ---------------------------------------------------------------- list pages
for n in "${LIST_NAMES[@]}"; do
    want "$n" || continue
    # shellcheck disable=SC2046 # page_vars gives separate words (no spaces in the values)
    case $n in
    as-search)
        page "$n" "${PAGE_URL[$n]}" "$SQL/${PAGE_SCRIPT[$n]}.sql" -D offset=0 -D kind=order -D q="$AS_Q" \
            -D qupper="$(upper "$AS_Q")" -D qprefix="$AS_QE%" -D qany="%$AS_QE%"
        ;;
    c-search)
        page "$n" "${PAGE_URL[$n]}" "$SQL/${PAGE_SCRIPT[$n]}.sql" -D offset=0 -D kind=complaint -D q="$C_Q" \
            -D qprefix="$C_QE%" -D qany="%$C_QE%"
        ;;
    *) page "$n" "${PAGE_URL[$n]}" "$SQL/${PAGE_SCRIPT[$n]}.sql" $(page_vars "$n") ;;
    esac
done

# ---------------------------------------------------------------- refund pools
# Two pools of POST_POOL refund-kind cases in state approved, made by SQL as the owner,
# each on a delivered order of its own that had no case and no refund (its first line
# shipped, its paid share at least three yuan, so the POSTs' one yuan is within every
# bound), numbered on from the demo's AS numbers (the counter moved on), raised by the
# service specialist two days ago and approved by the manager a day ago with their
# raise and approve events, the orders' case count raised; each pool one range of
# consecutive case ids with 1,000 unused ids after it.
# make_pool TAG: the pool's "lo hi count".
make_pool() {
    q_tenant "WITH base AS (SELECT coalesce((SELECT last FROM order_numbers WHERE tenant_id = $TENANT AND prefix = 'AS'), 0) AS last),
     cand AS MATERIALIZED (SELECT o.id AS order_id, l.line_no, l.product_id, o.rep_id, o.rep_department,
                  row_number() OVER (ORDER BY o.id) AS g
           FROM orders o JOIN order_lines l ON l.tenant_id = o.tenant_id AND l.order_id = o.id AND l.line_no = 1
           WHERE o.tenant_id = $TENANT AND o.status = 'delivered' AND o.refunded_fen = 0 AND o.after_sale_count = 0
             AND l.shipped_qty >= 1 AND o.paid_fen >= 1000
             AND o.paid_fen::numeric * (l.quantity * l.unit_price_fen) >= 300::numeric
                 * (SELECT sum(x.quantity * x.unit_price_fen) FROM order_lines x WHERE x.tenant_id = o.tenant_id AND x.order_id = o.id)
             AND NOT EXISTS (SELECT 1 FROM after_sales a WHERE a.tenant_id = o.tenant_id AND a.order_id = o.id)
           ORDER BY o.id LIMIT $POST_POOL),
     ids AS MATERIALIZED (SELECT nextval(pg_get_serial_sequence('public.after_sales', 'id')) AS id, g FROM generate_series(1, $POST_POOL) g),
     src AS MATERIALIZED (SELECT ids.id, cand.* FROM ids JOIN cand USING (g)),
     a AS (INSERT INTO after_sales (id, tenant_id, case_no, order_id, line_no, product_id, kind, quantity, asked_fen, category, reason,
               status, rep_id, rep_department, raised_by, raised_at, decided_by, decided_at, updated_at)
           OVERRIDING SYSTEM VALUE
           SELECT src.id, $TENANT, 'AS-' || lpad((base.last + src.g)::text, 6, '0'), src.order_id, src.line_no, src.product_id, 'refund', 1,
                  100, 'quality', '压测：商品有瑕疵，申请退款', 'approved', src.rep_id, src.rep_department, $CLERK_ID,
                  now() - interval '2 days', $MANAGER_ID, now() - interval '1 day', now() - interval '1 day'
           FROM src CROSS JOIN base ORDER BY src.id RETURNING id, order_id, raised_at, decided_at),
     e AS (INSERT INTO after_sale_events (tenant_id, case_id, kind, actor_id, actor_name, note, at)
           SELECT $TENANT, a.id, v.kind, v.actor, v.name, v.note, v.at FROM a CROSS JOIN LATERAL (VALUES
               ('raise', $CLERK_ID, '$CLERK_NAME', '退款 1 件，¥1.00：压测', a.raised_at),
               ('approve', $MANAGER_ID, '$MANAGER_NAME', '', a.decided_at)) v(kind, actor, name, note, at) RETURNING 1),
     u AS (UPDATE orders o SET after_sale_count = o.after_sale_count + 1 FROM a WHERE o.tenant_id = $TENANT AND o.id = a.order_id RETURNING 1)
     SELECT min(id) || ' ' || max(id) || ' ' || count(*) || ' ' || (SELECT count(*) FROM e) || ' ' || (SELECT count(*) FROM u) FROM a;
     INSERT INTO order_numbers (tenant_id, prefix, last) VALUES ($TENANT, 'AS', $POST_POOL)
         ON CONFLICT (tenant_id, prefix) DO UPDATE SET last = order_numbers.last + $POST_POOL;
     SELECT setval(pg_get_serial_sequence('public.after_sales', 'id'), nextval(pg_get_serial_sequence('public.after_sales', 'id')) + 999) \\g /dev/null"
}
declare -A POOL_LO POOL_HI
# changed_in POOL FROM: the pool's cases from FROM on that a refund moved to refunded, and the highest.
changed_in() {
    q_tenant "SELECT count(*) || ' ' || coalesce(max(id), 0) FROM after_sales WHERE tenant_id = $TENANT AND id BETWEEN $2 AND ${POOL_HI[$1]}
        AND status = 'refunded';"
}
cursor_of() { # POOL: where the next run starts
    local n max
    read -r n max < <(changed_in "$1" "${POOL_LO[$1]}")
    if ((n == 0)); then echo "${POOL_LO[$1]}"; else echo $((max + 1)); fi
}
if want refund; then
    log "refund pools: 2 × $POST_POOL approved refund cases"
    t0=$(date +%s.%N)
    for pool in refund-http refund-pgbench; do
        read -r lo hi n ne nu < <(make_pool)
        [[ ${n:-0} == "$POST_POOL" && $((hi - lo + 1)) == "$POST_POOL" && $ne == $((2 * POST_POOL)) && $nu == "$POST_POOL" ]] ||
            die "pool $pool: got ${lo:-?}–${hi:-?} ($n cases, $ne events, $nu orders): not enough delivered orders without a case?"
        POOL_LO[$pool]=$lo
        POOL_HI[$pool]=$hi
        log "pool $pool: cases $lo–$hi"
    done
    BAD_AS=$(q_tenant "SELECT (SELECT last FROM order_numbers WHERE tenant_id = $TENANT AND prefix = 'AS') - max(substr(case_no, 4)::bigint) FROM after_sales WHERE tenant_id = $TENANT;")
    [[ $BAD_AS == 0 ]] || die "the AS counter is $BAD_AS off the highest case number"
    q_super -c "VACUUM (ANALYZE) after_sales, after_sale_events, orders, order_numbers" >/dev/null
    POOLS_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    log "pools made in $POOLS_SECONDS s"
fi

# ---------------------------------------------------------------- refund POST
WRK_THREADS=2
CSRF_URI=$(uri "$CSRF_TOKEN")
mask "$CSRF_URI" "<csrf>"
refund_lua() {
    cat <<EOF
-- POST /after-sales/<id>/refund (amount=1.00, reference=WK<id>), a distinct case of the pool per request.
-- Arguments (after --): the session token, the session's CSRF token, lo, hi.
local nthreads = $WRK_THREADS
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
    return wrk.format("POST", "/after-sales/" .. id .. "/refund", {
        ["Cookie"] = cookie,
        ["Origin"] = "$URL",
        ["Content-Type"] = "application/x-www-form-urlencoded",
    }, "csrf_token=" .. csrf .. "&amount=1.00&reference=WK" .. id)
end
EOF
    wrk_lua_common 303
}
# post_http NAME SECONDS: one wrk run on the HTTP pool from its cursor on.
post_http() {
    local name=$1 secs=$2 pool=refund-http lo non303 errors reqs n max
    lo=$(cursor_of "$pool")
    # shellcheck disable=SC2153 # TOKEN is set by bench_login
    run_tool "$name" wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${secs}s" --timeout 10s -s "$RAW/refund.lua" "$URL/" -- \
        "$TOKEN" "$CSRF_URI" "$lo" "${POOL_HI[$pool]}" || die "wrk failed: $(tail -3 "$RAW/$name.err")"
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
    log "$name: $reqs POSTs ($(jq .rps "$RAW/$name.json") /s), $n cases refunded from id $lo on"
}
refund_vars() { # CLIENTS LO
    echo "-D tenant=$TENANT -D lo=$2 -D clients=$1 -D n=0 -D user=$MANAGER_ID -D actor=$MANAGER_NAME -D auditor=$MANAGER_NAME（$USERNAME） -D amount_fen=100 -D yuan=1.00 -D newstatus=refunded"
}
# post_pgbench NAME SECONDS [-l …]: one pgbench run on the pgbench pool from its cursor on.
post_pgbench() {
    local name=$1 secs=$2 pool=refund-pgbench lo n max
    shift 2
    lo=$(cursor_of "$pool")
    rm -f "$RAW/$name".log*
    # shellcheck disable=SC2046 # refund_vars gives separate words (no spaces in the values)
    run_tool "$name" "${PGBENCH_BASE[@]}" -T "$secs" "$@" "${PG_APP[@]}" -f "$SQL/after_sales_refund.sql" $(refund_vars "$CONNECTIONS" "$lo") ||
        die "pgbench failed: $(tail -3 "$RAW/$name.err")"
    read -r n max < <(changed_in "$pool" "$lo")
    echo "$n $lo $max" >"$RAW/$name.count"
    log "$name: $(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$RAW/$name.out") transactions, $n cases refunded from id $lo on"
}
# refund_explain: one transaction of the pgbench script on the next case of its pool
# with auto_explain on for yunying_app's new sessions (as orders.sh's post_explain).
refund_explain() {
    local start lo
    start=$(wc -l <"$PGLOG")
    q_super -c "ALTER ROLE yunying_app SET session_preload_libraries = 'auto_explain'" \
        -c "ALTER ROLE yunying_app SET auto_explain.log_min_duration = 0" -c "ALTER ROLE yunying_app SET auto_explain.log_analyze = on" \
        -c "ALTER ROLE yunying_app SET auto_explain.log_buffers = on" -c "ALTER ROLE yunying_app SET auto_explain.log_nested_statements = on" >/dev/null
    lo=$(cursor_of refund-pgbench)
    # shellcheck disable=SC2046 # as above
    pgbench -n -M prepared -c 1 -t 1 "${PG_APP[@]}" -f "$SQL/after_sales_refund.sql" $(refund_vars 1 "$lo") >"$RAW/refund.explain.pgbench.txt" 2>&1 ||
        log "warning: the explained refund transaction failed (see $RAW/refund.explain.pgbench.txt)"
    q_super -c "ALTER ROLE yunying_app RESET ALL" >/dev/null
    sleep 0.5
    tail -n +$((start + 1)) "$PGLOG" | sed -n '/auto_explain\|duration: .* ms  plan:/,$p' >"$RAW/refund.explain.txt" || true
    EXPLAIN_MS[refund]=$(awk '/duration: .* ms  plan:/ { sub(/.*duration: /, ""); d = $1 + 0; getline;
            sub(/^[ \t]*Query Text: /, ""); n++; t[n] = d; q[n] = substr($0, 1, 60) }
        END { printf "%d plans; slowest:", n;
              for (k = 1; k <= 3 && k <= n; k++) { m = 0; for (i = 1; i <= n; i++) if (!(i in used) && (m == 0 || t[i] > t[m])) m = i;
                  used[m] = 1; printf "%s %.3f ms `%s…`", (k > 1 ? ";" : ""), t[m], q[m] } }' "$RAW/refund.explain.txt")
}
# pool_check POOL PREFIX: every case of the pool the POSTs refunded has its one refund
# (done, 100 fen, reference PREFIX<id>), refunded_fen 100, the order's refunded_fen 100 and
# one refund event; the rest are untouched. Prints "refunded bad".
pool_check() {
    q_tenant "SELECT count(*) FILTER (WHERE a.status = 'refunded') || ' ' || count(*) FILTER (WHERE NOT (
          (a.status = 'refunded' AND a.refunded_fen = 100 AND o.refunded_fen = 100 AND f.n = 1 AND f.ok AND ev.n = 1)
       OR (a.status = 'approved' AND a.refunded_fen = 0 AND o.refunded_fen = 0 AND f.n = 0 AND ev.n = 0)))
        FROM after_sales a JOIN orders o ON o.tenant_id = a.tenant_id AND o.id = a.order_id
        CROSS JOIN LATERAL (SELECT count(*) AS n, bool_and(r.status = 'done' AND r.amount_fen = 100 AND r.reference = '$2' || a.id
              AND r.order_id = a.order_id AND r.recorded_by = $MANAGER_ID) AS ok FROM refunds r WHERE r.tenant_id = a.tenant_id AND r.case_id = a.id) f
        CROSS JOIN LATERAL (SELECT count(*) AS n FROM after_sale_events e WHERE e.tenant_id = a.tenant_id AND e.case_id = a.id AND e.kind = 'refund') ev
        WHERE a.tenant_id = $TENANT AND a.id BETWEEN ${POOL_LO[$1]} AND ${POOL_HI[$1]};"
}
if want refund; then
    refund_lua >"$RAW/refund.lua"
    # One POST under log_statement = all: the handler's statements, for the pgbench script.
    capture_on
    lo=$(cursor_of refund-http)
    status=$(curl -sS -H "$COOKIE" -H "Origin: $URL" -o /dev/null -w '%{http_code}' \
        --data-urlencode "csrf_token=$CSRF_TOKEN" --data-urlencode amount=1.00 --data-urlencode "reference=WK$lo" "$URL/after-sales/$lo/refund")
    capture_off "POST /after-sales/$lo/refund"
    [[ $status == 303 ]] || die "POST /after-sales/$lo/refund answered $status (expected 303)"
    wait_quiet
    log "refund POST: wrk ${WARMUP}s + ${DURATION}s at -t $WRK_THREADS -c $CONNECTIONS"
    post_http refund-http-warmup "$WARMUP"
    # shellcheck disable=SC2317 # called by measure_fn
    post_http_measured() { post_http refund-http "$DURATION"; }
    measure_fn refund-http post_http_measured
    wait_quiet
    log "refund POST: pgbench ${WARMUP}s + ${DURATION}s at -c $CONNECTIONS"
    post_pgbench refund-pgbench-warmup "$WARMUP"
    # shellcheck disable=SC2317 # called by measure_fn
    post_pgbench_measured() { post_pgbench refund-pgbench "$DURATION" -l --log-prefix="$RAW/refund-pgbench.log"; }
    measure_fn refund-pgbench post_pgbench_measured
    pgbench_check refund-pgbench
    txns=$(stat_of refund-pgbench 4)
    n=$(cut -d' ' -f1 "$RAW/refund-pgbench.count")
    if [[ $n != "$txns" ]]; then
        log "warning: refund-pgbench: $txns transactions but $n cases refunded"
        BAD_RESPONSES="${BAD_RESPONSES:-}refund-pgbench: $txns transactions, $n cases refunded; "
    fi
    log "refund pgbench: $(stat_of refund-pgbench 1) tps, p50 $(stat_of refund-pgbench 2) ms, p99 $(stat_of refund-pgbench 3) ms"
    refund_explain
    read -r CHECK_HTTP_N CHECK_HTTP_BAD < <(pool_check refund-http WK)
    read -r CHECK_PG_N CHECK_PG_BAD < <(pool_check refund-pgbench PG)
    log "rows: HTTP pool $CHECK_HTTP_N cases refunded ($CHECK_HTTP_BAD inconsistent), pgbench pool $CHECK_PG_N ($CHECK_PG_BAD inconsistent)"
    if [[ $CHECK_HTTP_BAD != 0 || $CHECK_PG_BAD != 0 ]]; then
        BAD_RESPONSES="${BAD_RESPONSES:-}refund pools: $CHECK_HTTP_BAD / $CHECK_PG_BAD cases whose rows are not as a refund leaves them; "
    fi
fi

# ---------------------------------------------------------------- stop
bench_stop

# ---------------------------------------------------------------- report
report_facts
REPORT=$RAW/report.md
{
    echo "# Yunying after-sales and complaints benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    report_machine
    if [[ -n $DEMO_SECONDS ]]; then
        echo "- Data: \`yunying demo --tenants 1 --orders $ORDERS\` in a fresh temp data dir ($DEMO_SECONDS s): $N_ORDERS orders,"
    else
        echo "- Data: a copy of \`$BENCH_DEMO_DATA\` (BENCH_DEMO_DATA, not timed): $N_ORDERS orders,"
    fi
    echo "  $N_CASES after-sales cases ($CASES_BY_STATUS; $CASES_BY_KIND);"
    echo "  complaints: $N_DEMO_COMPLAINTS from the demo, $TOPUP more by one SQL statement${TOPUP_SECONDS:+ ($TOPUP_SECONDS s)}: $N_COMPLAINTS"
    echo "  ($C_BY_STATUS; $C_OVERDUE overdue, $C_LINKED on an order), $N_C_EVENTS complaint events."
    echo "- State filter: $AS_STATUS, $N_AS_STATUS cases. After-sales search: \"$AS_Q\" (the phone of the order of the first case from id $MID_CASE on,"
    echo "  the middle of the id range), $N_AS_Q cases. Complaints search: \"$C_Q\" (the phone of complaint $MID_COMPLAINT), $N_C_Q complaints."
    echo "  Overdue filter at $NOW for pgbench (the app: each request's now)."
    echo "- Then \`VACUUM (ANALYZE)\` of the database ($VACUUM_SECONDS s)."
    echo "- Server: release build, embedded PostgreSQL (durable settings), listening on $URL; signed in as demo / $USERNAME"
    echo "  (service manager: every case and complaint; records refunds without waiting for approval)."
    echo "- Load: oha on loopback, keep-alive, -c $CONNECTIONS; each page ${WARMUP} s warm-up then ${DURATION} s at peak, then"
    echo "  pgbench (\`-n -M prepared -c $CONNECTIONS -j 2\`, ${WARMUP} s warm-up then ${DURATION} s) on the page's own statements — the list"
    echo "  and its capped count (bench/sql/after_sales*.sql, complaints*.sql; the server's statements as captured with"
    echo "  log_statement = all are in \`statements.txt\` of the raw outputs) — in the app's transaction (\`BEGIN; SELECT"
    echo "  set_config('app.tenant_id', …, true); …; COMMIT\`) as the runtime role yunying_app (RLS applies), then the page"
    echo "  again at half its peak rate (-q, -c $HALF_CONNECTIONS, latency correction on), ${WARMUP} s + ${DURATION} s."
    echo "- **The $NPROC cores are shared** by the load generator, the server and PostgreSQL."
    echo
    report_list_pages
    echo
    echo "(The EXPLAIN column: the list / the count, as pgbench runs them.)"
    if want refund; then
        echo
        echo "## Refund POST"
        echo
        echo "Pools made by SQL after the list pages ($POOLS_SECONDS s): $POST_POOL approved refund-kind cases each, one per delivered"
        echo "order that had no case, raised two days ago, approved by the manager a day ago (with their events)."
        for p in refund-http refund-pgbench; do echo "- $p: cases ${POOL_LO[$p]}–${POOL_HI[$p]}"; done
        echo
        echo "HTTP: wrk (\`-t $WRK_THREADS -c $CONNECTIONS\`, \`refund.lua\` in the raw outputs): thread k POSTs the ids lo + k + $WRK_THREADS × n"
        echo "of its pool from the pool's cursor on, with the session cookie, \`Origin: $URL\` and"
        echo "\`csrf_token=<csrf>&amount=1.00&reference=WK<id>\`, counting every response that is not the 303 to the case page."
        echo "pgbench: \`bench/sql/after_sales_refund.sql\`, the handler's transaction statement by statement, client c on ids"
        echo "lo + c + $CONNECTIONS × n of the other pool (reference PG<id>)."
        echo
        echo "| POST | side | req/s or tps | p50 (ms) | p99 (ms) | requests | cases refunded (ids from) | check | app / pgbench |"
        echo "|---|---|---:|---:|---:|---:|---:|---|---:|"
        read -r hn hlo _ <"$RAW/refund-http.count"
        read -r pn plo _ <"$RAW/refund-pgbench.count"
        printf '| refund | app (wrk) | %s | %s | %s | %s | %s (%s) | %s non-303, %s socket errors | **%s** |\n' \
            "$(f0 "$(stat_of refund-http 1)")" "$(f2 "$(stat_of refund-http 2)")" "$(f2 "$(stat_of refund-http 3)")" \
            "$(stat_of refund-http 4)" "$hn" "$hlo" "$(jq .non303 "$RAW/refund-http.json")" "$(jq .errors "$RAW/refund-http.json")" \
            "$(ratio "$(stat_of refund-http 1)" "$(stat_of refund-pgbench 1)")"
        printf '| refund | pgbench | %s | %s | %s | %s | %s (%s) | | |\n' \
            "$(f0 "$(stat_of refund-pgbench 1)")" "$(f2 "$(stat_of refund-pgbench 2)")" "$(f2 "$(stat_of refund-pgbench 3)")" \
            "$(stat_of refund-pgbench 4)" "$pn" "$plo"
        echo
        echo "(wrk does not count the responses still in flight when it stops, so the cases refunded can exceed its count by up to $CONNECTIONS.)"
        echo "Rows afterwards: HTTP pool $CHECK_HTTP_N cases refunded, $CHECK_HTTP_BAD not as a refund leaves them (the case refunded with"
        echo "refunded_fen 100, one done refund of 100 fen with its reference, the order's refunded_fen 100, one refund event — or"
        echo "all untouched); pgbench pool $CHECK_PG_N, $CHECK_PG_BAD."
        echo "Plan: one transaction of the pgbench script under auto_explain (\`refund.explain.txt\`): ${EXPLAIN_MS[refund]:-}"
    fi
    echo
    echo "## Targets"
    echo
    echo "| Target | Page | Measured | Verdict |"
    echo "|---|---|---:|---|"
    report_list_targets
    if want refund; then
        ar=$(ratio "$(stat_of refund-http 1)" "$(stat_of refund-pgbench 1)")
        v=$(verdict "$ar >= $TARGET_POST_VS_PGBENCH")
        [[ $v == PASS ]] || MISSED=1
        echo "| refund POST ≥ 70 % of pgbench on its transaction | refund | $(pct "$ar") | $v |"
    fi
    report_tail
} >"$REPORT"
cp "$REPORT" "$OUT/after-sales-latest.md"
cat "$OUT/after-sales-latest.md"

if [[ ${BENCH_STRICT:-0} == 1 && $MISSED == 1 ]]; then exit 3; fi
