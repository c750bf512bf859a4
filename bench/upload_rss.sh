#!/usr/bin/env bash
# Server memory of one large CSV upload, per revision (the issue "a 30 MB upload took
# the server from ~205 MB to ~840 MB resident").
#
#   bench/upload_rss.sh [REV ...]        # default: 60c0bf3 HEAD; "." = the working tree
#
# For each revision: a release build of a `git archive REV` snapshot (kept in
# target/upload-rss/<commit>/src with its own target dir target/upload-rss/<commit>/target,
# so a rerun does not rebuild; "." builds the working tree into target/upload-rss/worktree).
# Then, for each form, a fresh server (`yunying serve`, embedded PostgreSQL in a fresh
# temp data dir under /tmp, 127.0.0.1 on a port the kernel picks, first-run demo data):
#   1. sign in as demo / hr.manager (GET /login for the pre-session cookie and csrf_token,
#      POST /login), GET the form page for the session's csrf_token;
#   2. generate a valid CSV of about UPLOAD_BYTES (default 30 MiB):
#      attendance — the demo tenant's employee numbers (read from GET /hr/employees, every
#        page) × consecutive dates from 1970-01-01, one row per employee and date;
#      employees — new employees N0000001… (manager E1001, a demo employee);
#      oversize — an attendance file of UPLOAD_OVERSIZE_BYTES (default 40 MiB), past the
#        32 MiB limit of both revisions, sent chunked (no Content-Length, which both
#        refuse from the headers alone): a 413 before any parsing, i.e. what receiving
#        the body alone costs;
#   3. VmRSS/VmHWM of the server process (/proc/<pid>/status); then VmHWM is reset to the
#      current RSS (`echo 5 > /proc/<pid>/clear_refs`) so that the peak is the upload's
#      own, not the first run's demo generation; RSS is also sampled every 50 ms;
#   4. POST the form with curl multipart (csrf_token first, then file), no redirect
#      following; VmRSS right after the answer, VmRSS 5 s later, VmHWM;
#   5. attendance only: the preview page the POST redirects to (GET, as a browser would
#      follow), measured the same way; then (attendance and employees, unless
#      UPLOAD_REPEAT=0) the same upload again on the same server: is the memory the
#      first one left resident reused, or does the server grow further?
#   6. SIGTERM, wait for the exit; the temp dir is removed (trap, also on error).
# Prints a Markdown table (one row per measurement) and writes it, with the commands,
# to bench/out/upload-rss-latest.md; raw files (server logs, answers) in
# bench/out/upload-rss-<UTC time>/.
#
# Knobs: UPLOAD_BYTES (file size target, default 31457280), UPLOAD_FORMS (default
# "attendance employees oversize"), UPLOAD_OVERSIZE_BYTES (default 41943040),
# UPLOAD_REPEAT (default 1: upload again), UPLOAD_MAX_TIME (curl --max-time of an
# upload, default 300).
# Needs: cargo, curl, awk, git, PostgreSQL server binaries; as root a `postgres` user.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

if [[ $# -eq 0 ]]; then set -- 60c0bf3 HEAD; fi
UPLOAD_BYTES=${UPLOAD_BYTES:-$((30 * 1024 * 1024))}
FORMS=${UPLOAD_FORMS:-"attendance employees oversize"}
OVERSIZE_BYTES=${UPLOAD_OVERSIZE_BYTES:-$((40 * 1024 * 1024))}
REPEAT=${UPLOAD_REPEAT:-1}
MAX_TIME=${UPLOAD_MAX_TIME:-300}
OUT=$ROOT/bench/out
mkdir -p "$OUT"
RAW=$OUT/upload-rss-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RAW"
REPORT=$OUT/upload-rss-latest.md

log() { printf '[upload-rss %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}
for tool in cargo curl awk git tar; do command -v "$tool" >/dev/null || die "$tool is required"; done

# ---------------------------------------------------------------- cleanup
WORK=$(mktemp -d /tmp/yunying-upload-rss.XXXXXX)
chmod 755 "$WORK" # the postgres user must be able to enter the data dirs below it
SERVER_PID=
SAMPLER_PID=
DATA=

stop_server() {
    local rc=0
    if [[ -n $SAMPLER_PID ]]; then kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=; fi
    if [[ -n $SERVER_PID ]]; then
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            kill -TERM "$SERVER_PID" 2>/dev/null || true
            for _ in $(seq 1 300); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
            if kill -0 "$SERVER_PID" 2>/dev/null; then
                log "server $SERVER_PID did not stop in 60 s; SIGKILL"
                kill -KILL "$SERVER_PID" 2>/dev/null || true
            fi
        fi
        wait "$SERVER_PID" 2>/dev/null || rc=$?
        SERVER_PID=
    fi
    # A postmaster left behind (only if the server died without stopping it).
    if [[ -n $DATA && -f $DATA/pg/data/postmaster.pid ]]; then
        local pgpid
        pgpid=$(head -1 "$DATA/pg/data/postmaster.pid")
        if [[ -n $pgpid ]] && kill -0 "$pgpid" 2>/dev/null; then
            log "stopping the embedded postgres $pgpid left behind"
            kill -INT "$pgpid" 2>/dev/null || true
            for _ in $(seq 1 100); do kill -0 "$pgpid" 2>/dev/null || break; sleep 0.2; done
        fi
    fi
    return "$rc"
}
cleanup() {
    local rc=$?
    stop_server || true
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

COMMANDS=()

# ---------------------------------------------------------------- build
# build REV → sets BIN, COMMIT
build() {
    local rev=$1 dir src
    if [[ $rev == . ]]; then
        COMMIT="$(git rev-parse --short=12 HEAD) + working tree"
        dir=$ROOT/target/upload-rss/worktree
        src=$ROOT
    else
        COMMIT=$(git rev-parse --short=12 "$rev^{commit}") || die "unknown revision $rev"
        dir=$ROOT/target/upload-rss/$COMMIT
        src=$dir/src
        if [[ ! -f $src/Cargo.toml ]]; then
            rm -rf "$src.tmp"
            mkdir -p "$src.tmp"
            git archive "$COMMIT" | tar -x -C "$src.tmp"
            mv "$src.tmp" "$src"
        fi
    fi
    log "building $rev ($COMMIT) in release mode (target dir $dir/target)"
    COMMANDS+=("(cd $src && CARGO_TARGET_DIR=$dir/target cargo build --release)  # $rev = $COMMIT")
    (cd "$src" && CARGO_TARGET_DIR=$dir/target cargo build --release --bin yunying >&2) || die "release build of $rev failed"
    BIN=$dir/target/release/yunying
    [[ -x $BIN ]] || die "$BIN missing"
}

# ---------------------------------------------------------------- server
# start_server BIN NAME → sets SERVER_PID, URL, DATA, LOGFILE
start_server() {
    local bin=$1 name=$2
    DATA=$WORK/$name
    mkdir -p "$DATA"
    chmod 755 "$DATA"
    LOGFILE=$RAW/$name.server.log
    env -u DATABASE_URL -u DATABASE_APP_URL -u YUNYING_PUBLIC_URL -u YUNYING_UPLOAD_MAX_MB \
        RUST_LOG=warn YUNYING_DATA_DIR="$DATA" YUNYING_BIND=127.0.0.1:0 \
        "$bin" serve >"$LOGFILE" 2>&1 &
    SERVER_PID=$!
    URL=
    for _ in $(seq 1 1800); do
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$LOGFILE" >&2; die "server exited during start-up"; }
        URL=$(sed -n 's/.*is running at \(http:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' "$LOGFILE" | head -1)
        [[ -n $URL ]] && break
        sleep 0.1
    done
    [[ -n $URL ]] || die "server did not report its address within 180 s (log: $LOGFILE)"
    local ready=0
    for _ in $(seq 1 100); do
        if [[ $(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$URL/readyz") == 200 ]]; then ready=1; break; fi
        sleep 0.1
    done
    [[ $ready == 1 ]] || die "/readyz not 200 at $URL"
    log "server $SERVER_PID ready at $URL (data dir $DATA)"
}

# status_kb FIELD → kB of VmRSS/VmHWM of the server
status_kb() { awk -v f="$1:" '$1 == f {print $2}' "/proc/$SERVER_PID/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

# Reset VmHWM to the current RSS (Linux ≥ 4.0, clear_refs "5"); say whether it worked.
reset_peak() {
    if echo 5 >"/proc/$SERVER_PID/clear_refs" 2>/dev/null; then
        local rss hwm
        rss=$(status_kb VmRSS)
        hwm=$(status_kb VmHWM)
        ((hwm <= rss + 1024)) && return 0
    fi
    return 1
}

start_sampler() {
    local file=$1 pid=$SERVER_PID
    (while [[ -r /proc/$pid/status ]]; do
        awk '$1 == "VmRSS:" {print $2}' "/proc/$pid/status" 2>/dev/null || true
        sleep 0.05
    done) >"$file" &
    SAMPLER_PID=$!
}
stop_sampler() {
    if [[ -n $SAMPLER_PID ]]; then kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=; fi
}

# ---------------------------------------------------------------- HTTP
JAR=
csrf_of() { sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$1" | head -1; }

login() {
    JAR=$WORK/cookies.txt
    rm -f "$JAR"
    curl -sS --max-time 20 -c "$JAR" -o "$WORK/login.html" "$URL/login"
    local token status
    token=$(csrf_of "$WORK/login.html")
    [[ -n $token ]] || die "no csrf_token in the login form"
    status=$(curl -sS --max-time 30 -b "$JAR" -c "$JAR" -o /dev/null -w '%{http_code}' -H "Origin: $URL" \
        --data-urlencode company=demo --data-urlencode username=hr.manager \
        --data-urlencode password=demo1234 --data-urlencode "csrf_token=$token" "$URL/login")
    [[ $status == 303 ]] || die "login answered $status, expected 303"
    grep -q yy_session "$JAR" || die "no session cookie after login"
}

# form_token PATH → the csrf_token of that page's form (the page must answer 200)
form_token() {
    local status token
    status=$(curl -sS --max-time 30 -b "$JAR" -o "$WORK/form.html" -w '%{http_code}' "$URL$1")
    [[ $status == 200 ]] || die "GET $1 answered $status"
    token=$(csrf_of "$WORK/form.html")
    [[ -n $token ]] || die "no csrf_token on $1"
    printf '%s' "$token"
}

# The tenant's employee numbers, from every page of the employee list.
employee_numbers() {
    local file=$1 p n before
    : >"$file"
    for p in $(seq 1 100); do
        curl -sS --max-time 30 -b "$JAR" -o "$WORK/list.html" "$URL/hr/employees?page=$p"
        before=$(wc -l <"$file")
        sed -n 's/.*<td class="mono"><a href="\/hr\/employees\/[0-9]*">\([^<]*\)<\/a>.*/\1/p' "$WORK/list.html" >>"$file"
        sort -u -o "$file" "$file"
        n=$(wc -l <"$file")
        ((n > before)) || break
    done
    [[ -s $file ]] || die "no employee numbers on /hr/employees"
}

# ---------------------------------------------------------------- CSV files
# Days since 1970-01-01 → YYYY-MM-DD (H. Hinnant's civil_from_days), in awk.
AWK_CIVIL='function civil(z,  era, doe, yoe, y, doy, mp, d, m) {
    z += 719468; era = int(z / 146097); doe = z - era * 146097
    yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
    y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
    mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
    m = mp < 10 ? mp + 3 : mp - 9; if (m <= 2) y++
    return sprintf("%04d-%02d-%02d", y, m, d) }'

# attendance_csv NUMBERS OUT → rows: each day from 1970-01-01, every employee, until UPLOAD_BYTES
attendance_csv() {
    LC_ALL=C awk -v target="$UPLOAD_BYTES" "$AWK_CIVIL"'
        { no[n++] = $1 }
        END {
            line = "employee_no,date,clock_in,clock_out"; print line; size = length(line) + 1
            for (day = 0; size < target; day++) {
                if (day > 47480) { print "too few employees: dates would pass 2099-12-31" > "/dev/stderr"; exit 1 }
                date = civil(day)
                for (i = 0; i < n && size < target; i++) {
                    line = sprintf("%s,%s,08:%02d,18:%02d", no[i], date, 30 + (i * 7 + day) % 30, (i * 13 + day) % 60)
                    print line; size += length(line) + 1
                }
            }
        }' "$1" >"$2"
}

# employees_csv OUT → new employees N0000001… until UPLOAD_BYTES
employees_csv() {
    LC_ALL=C awk -v target="$UPLOAD_BYTES" "$AWK_CIVIL"'
        BEGIN {
            ns = split("王 李 张 刘 陈 杨 赵 黄 周 吴 徐 孙 胡 朱 高 林", sur, " ")
            ng = split("伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀 霞 平 刚 桂", giv, " ")
            nd = split("ops marketing sales service warehouse hr finance", dept, " ")
            line = "employee_no,name,department,level,monthly_salary,bonus_base,hired_on,left_on,manager_employee_no"
            print line; size = length(line) + 1
            for (i = 1; size < target; i++) {
                name = sur[i % ns + 1] giv[int(i / ns) % ng + 1]
                if (i % 3 == 0) name = name giv[int(i / 7) % ng + 1]
                level = (i % 25 == 0) ? "manager" : "specialist"
                line = sprintf("N%07d,%s,%s,%s,%d.00,%d.00,%s,,E1001", i, name, dept[i % nd + 1], level,
                               6000 + (i % 50) * 100, 1000 + (i % 20) * 50, civil(14000 + i % 3000))
                print line; size += length(line) + 1
            }
        }' >"$1"
}

# ---------------------------------------------------------------- measure
ROWS=()
# measure LABEL REV METHOD PATH [curl args…]: one request with RSS before/after/peak
measure() {
    local label=$1 rev=$2 method=$3 path=$4 file=$5 rows=$6
    shift 6
    local tag=${rev//[^A-Za-z0-9]/_}-${label//[^A-Za-z0-9]/_}
    sleep 1
    local rss0 hwm0 peak_note=""
    rss0=$(status_kb VmRSS)
    hwm0=$(status_kb VmHWM)
    reset_peak || peak_note=" (VmHWM since start: reset failed)"
    start_sampler "$RAW/$tag.rss"
    local t0 t1 status
    t0=$(date +%s.%N)
    local rc=0
    status=$(curl -sS --max-time "$MAX_TIME" -b "$JAR" -X "${method%% *}" -H 'Expect:' -H "Origin: $URL" \
        -o "$RAW/$tag.answer" -D "$RAW/$tag.headers" -w '%{http_code}' "$@" "$URL$path" 2>"$RAW/$tag.curl-stderr") || rc=$?
    # A server refusing a body early may close the connection while curl still sends.
    if ((rc != 0)); then status="${status:-000} (curl exit $rc: $(head -c 120 "$RAW/$tag.curl-stderr"))"; fi
    t1=$(date +%s.%N)
    local rss1 hwm1
    rss1=$(status_kb VmRSS)
    hwm1=$(status_kb VmHWM)
    sleep 5
    local rss5
    rss5=$(status_kb VmRSS)
    stop_sampler
    local sampled
    sampled=$(sort -n "$RAW/$tag.rss" | tail -1)
    local what=""
    if [[ $status != 303 && $status != 200 && -s $RAW/$tag.answer ]]; then
        what=$(sed -n 's/.*<title>\([^<]*\)<\/title>.*/\1/p' "$RAW/$tag.answer" | head -1)
    fi
    if [[ $status == 303 ]]; then what="→ $(sed -n 's/^[Ll]ocation: *//p' "$RAW/$tag.headers" | tr -d '\r' | head -1)"; fi
    local size_col="—"
    if [[ -n $file ]]; then
        size_col="$(awk -v b="$(wc -c <"$file")" 'BEGIN {printf "%.1f MiB (%d bytes)", b / 1048576, b}'), $rows rows"
    fi
    local secs
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')
    local row
    row="| $rev ($COMMIT) | $method $path | $size_col | $status ${what:+($what)} | $(mib "$rss0") (HWM since start $(mib "$hwm0")) | $(mib "$rss1") | $(mib "$rss5") | **$(mib "$hwm1")**$peak_note (sampled max $(mib "${sampled:-0}")) | $secs s |"
    ROWS+=("$row")
    log "$row"
    LAST_STATUS=$status
}

for rev in "$@"; do
    build "$rev"
    for form in $FORMS; do
        name=${rev//[^A-Za-z0-9]/_}-$form
        start_server "$BIN" "$name"
        login
        case $form in
            attendance)
                employee_numbers "$WORK/numbers.txt"
                csv=$WORK/attendance.csv
                attendance_csv "$WORK/numbers.txt" "$csv"
                log "attendance CSV: $(wc -c <"$csv") bytes, $(($(wc -l <"$csv") - 1)) rows for $(wc -l <"$WORK/numbers.txt") employees"
                token=$(form_token /hr/attendance/import) || die "no upload form"
                measure attendance "$rev" POST /hr/attendance/import "$csv" "$(($(wc -l <"$csv") - 1))" \
                    -F "csrf_token=$token" -F "file=@$csv;type=text/csv;filename=attendance.csv"
                loc=$(sed -n 's/^[Ll]ocation: *//p' "$RAW/${rev//[^A-Za-z0-9]/_}-attendance.headers" | tr -d '\r' | head -1)
                if [[ $LAST_STATUS == 303 && $loc == /hr/attendance/import/* ]]; then
                    measure attendance-preview "$rev" GET "$loc" "" ""
                fi
                if [[ $REPEAT == 1 ]]; then
                    measure attendance-again "$rev" "POST (again)" /hr/attendance/import "$csv" "$(($(wc -l <"$csv") - 1))" \
                        -F "csrf_token=$token" -F "file=@$csv;type=text/csv;filename=attendance.csv"
                fi
                ;;
            employees)
                csv=$WORK/employees.csv
                employees_csv "$csv"
                log "employees CSV: $(wc -c <"$csv") bytes, $(($(wc -l <"$csv") - 1)) rows"
                token=$(form_token /hr/employees/import) || die "no upload form"
                measure employees "$rev" POST /hr/employees/import "$csv" "$(($(wc -l <"$csv") - 1))" \
                    -F "csrf_token=$token" -F "file=@$csv;type=text/csv;filename=employees.csv"
                if [[ $REPEAT == 1 ]]; then # the same rows again: all updates
                    measure employees-again "$rev" "POST (again)" /hr/employees/import "$csv" "$(($(wc -l <"$csv") - 1))" \
                        -F "csrf_token=$token" -F "file=@$csv;type=text/csv;filename=employees.csv"
                fi
                ;;
            oversize)
                # Past the limit (32 MiB at both revisions): refused with 413 before any
                # parsing, so this shows what receiving the body alone costs. Sent chunked:
                # with a Content-Length both revisions refuse it from the headers alone.
                employee_numbers "$WORK/numbers.txt"
                csv=$WORK/oversize.csv
                UPLOAD_BYTES=$OVERSIZE_BYTES attendance_csv "$WORK/numbers.txt" "$csv"
                token=$(form_token /hr/attendance/import) || die "no upload form"
                measure oversize "$rev" POST /hr/attendance/import "$csv" "$(($(wc -l <"$csv") - 1))" \
                    -H 'Transfer-Encoding: chunked' -F "csrf_token=$token" -F "file=@$csv;type=text/csv;filename=attendance.csv"
                ;;
            *) die "unknown form $form (attendance, employees, oversize)" ;;
        esac
        rm -f "$csv"
        exit_rc=0
        stop_server || exit_rc=$?
        [[ $exit_rc == 0 ]] || log "warning: server exited with status $exit_rc (log: $LOGFILE)"
        cp "$LOGFILE" "$RAW/" 2>/dev/null || true
        rm -rf "$DATA"
        DATA=
    done
done

{
    echo "# Upload memory — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Machine: $(nproc) CPUs, $(free -h | awk '/^Mem:/ {print $2}') RAM, $(uname -sr)."
    echo "Server RSS in MiB (/proc/<pid>/status of the yunying process; PostgreSQL's processes not counted)."
    echo "Peak = VmHWM after the request, reset to the RSS just before it (clear_refs 5)."
    echo
    echo "| revision | request | file | status | RSS before | RSS after | RSS +5 s | peak | time |"
    echo "|---|---|---|---|---:|---:|---:|---:|---:|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "Commands:"
    echo
    printf '    %s\n' "$0 $*" "${COMMANDS[@]}"
    echo "    env RUST_LOG=warn YUNYING_DATA_DIR=<fresh /tmp dir> YUNYING_BIND=127.0.0.1:0 yunying serve   # one server per form"
    echo "    curl -F csrf_token=<token> -F 'file=@<csv>;type=text/csv' -H 'Origin: <url>' -H 'Expect:' <url>/hr/<form>/import"
} | tee "$REPORT"
log "report: $REPORT (raw: $RAW)"
