#!/usr/bin/env bash
# Inbound SMTP benchmark for camel-smtp. Builds nothing; see docs/benchmarks.md for what it measures and the results.
#
# Servers, each on 127.0.0.1, all started up front and driven in turn (runs are interleaved: for every run, every
# cell, every server), so that noise from other work on the machine spreads over all of them:
#   ours-discard  the app (APP_DIR/camel-smtp-examples.jar) with bench/routes/discard.camel.yaml     port 2525
#   ours-fsync    the app with bench/routes/fsync.camel.yaml (FsyncMailbox: fsync file + directory)  port 2527
#   postfix       a private Postfix instance: smtpd -> cleanup -> queue file fsynced, put on hold     port 2526
#   bare-discard  bench/bare/BareSubethaServer.java, SubEthaSMTP 7.1.7 alone, library defaults      port 2528
#   bare-fsync    the same, storing each message like FsyncMailbox                                 port 2529
# Driver: Postfix's smtp-source, 1 / 20 / 100 parallel sessions, 4 KB and 100 KB bodies, one connection per
# message and connection reuse (-d). Afterwards: 1,000 idle sessions against the discard route in a -Xmx256m JVM.
#
# Environment:
#   APP_DIR     folder with camel-smtp-examples.jar and lib/ (default: REPO/examples/target). Copy it elsewhere
#               first if a build may rewrite it while the benchmark runs.
#   RUNS        runs per cell, median reported (default 3; QUICK=1: 1)
#   QUICK=1     short smoke run: RUNS=1, 500 / 200 messages per run
#   COUNT_4K, COUNT_100K   messages per run (default 3000 / 1000)
#   DISCARD_FACTOR  the discard servers (ours-discard, bare-discard) get COUNT x this (default 3), because they are
#               3-10x faster and runs shorter than a second are mostly noise
#   RUN_TIMEOUT seconds allowed per smtp-source run (default 180); a run that hits it counts as failed
#   SESSIONS, SIZES, MODES, SERVERS   restrict the matrix (defaults "1 20 100", "4096 102400", "conn reuse",
#               "ours-discard ours-fsync postfix bare-discard bare-fsync")
#   JAVA_OPTS   JVM options for ours-* and bare-* (default -Xmx1g); the idle test always uses exactly -Xmx256m.
#               -Dsmtp.backlog=N sets our routes' listen backlog, -Dbench.backlog=N the bare server's (experiments)
#   IDLE=0      skip the idle-sessions test; IDLE_SESSIONS (default 1000), IDLE_HOLD seconds (default 30)
#   OUT         raw results, logs and spools (default /tmp/camel-smtp-bench); wiped at start
# Output: a Markdown table on stdout, also in OUT/summary.md; every run in OUT/runs.csv.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
APP_DIR=${APP_DIR:-$REPO/examples/target}
APP_DIR=$(cd "$APP_DIR" 2>/dev/null && pwd || echo "$APP_DIR")
QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
    RUNS=${RUNS:-1}; COUNT_4K=${COUNT_4K:-500}; COUNT_100K=${COUNT_100K:-200}
else
    RUNS=${RUNS:-3}; COUNT_4K=${COUNT_4K:-3000}; COUNT_100K=${COUNT_100K:-1000}
fi
SESSIONS=${SESSIONS:-"1 20 100"}
SIZES=${SIZES:-"4096 102400"}
MODES=${MODES:-"conn reuse"}
SERVERS=${SERVERS:-"ours-discard ours-fsync postfix bare-discard bare-fsync"}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:--Xmx1g}
IDLE=${IDLE:-1}
IDLE_SESSIONS=${IDLE_SESSIONS:-1000}
IDLE_HOLD=${IDLE_HOLD:-30}
OUT=${OUT:-/tmp/camel-smtp-bench}
SMTP_SOURCE=${SMTP_SOURCE:-/usr/sbin/smtp-source}
PYTHON=${PYTHON:-/usr/bin/python3}
DISCARD_FACTOR=${DISCARD_FACTOR:-3}
RUN_TIMEOUT=${RUN_TIMEOUT:-180}
HOST=127.0.0.1
declare -A PORT=([ours-discard]=2525 [postfix]=2526 [ours-fsync]=2527 [bare-discard]=2528 [bare-fsync]=2529)
IDLE_PORT=2530
PF=$OUT/postfix          # the private Postfix instance: etc/, spool/, data/, maillog
declare -A PID=()        # server name -> pid of the JVM we started
SOURCE_ARGS=(-4 -M bench.test -f sender@bench.test -t rcpt@bench.test)

# ---------------------------------------------------------------------------------------------------------------
# start / stop

cleanup() {
    local name
    for name in "${!PID[@]}"; do stop_pid "${PID[$name]}"; done
    PID=()
    pf_stop
}
set_traps

wait_for_line() {   # file pattern pid timeout_s
    local file=$1 pattern=$2 pid=$3 t
    for t in $(seq 1 $(($4 * 10))); do
        grep -q "$pattern" "$file" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || { tail -20 "$file" >&2; return 1; }
        sleep 0.1
    done
    tail -20 "$file" >&2
    return 1
}

port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }

start_ours() {   # name yaml port [extra JVM options...]
    local name=$1 yaml=$2 port=$3; shift 3
    port_free "$port" || die "port $port is in use"
    (cd "$OUT" && exec "$JAVA" "$@" -Dsmtp.port="$port" -Dmailbox.dir="$OUT/spool/$name" \
        -jar "$APP_DIR/camel-smtp-examples.jar" --routes "$yaml") > "$OUT/logs/$name.log" 2>&1 &
    PID[$name]=$!
    wait_for_line "$OUT/logs/$name.log" "smtp-server listening on" "${PID[$name]}" 60 || die "$name did not start"
}

start_bare() {   # name mode port
    local name=$1 mode=$2 port=$3
    port_free "$port" || die "port $port is in use"
    # shellcheck disable=SC2086
    "$JAVA" $JAVA_OPTS -cp "$APP_DIR/lib/*" "$BENCH/bare/BareSubethaServer.java" "$port" "$mode" "$OUT/spool/$name" \
        > "$OUT/logs/$name.log" 2>&1 &
    PID[$name]=$!
    wait_for_line "$OUT/logs/$name.log" "bare subethasmtp listening" "${PID[$name]}" 60 || die "$name did not start"
}

# The peer: Postfix 3.x, own config/queue under $PF, smtpd on 127.0.0.1:2526 with chroot off. Every message is
# accepted (mynetworks) and put on hold by smtpd (check_client_access static:HOLD), so cleanup writes and fsyncs
# the queue file and renames it into hold/ and nothing is delivered. in_flow_delay=0 because no delivery means no
# flow-control tokens; smtpd maxproc 120 so 100 sessions fit (the master's listen backlog follows: 150).
pf_start() {
    port_free "${PORT[postfix]}" || die "port ${PORT[postfix]} is in use"
    pf_hold_cf | pf_instance "$PF" "$HOST:${PORT[postfix]}" 120
    postfix -c "$PF/etc" start < /dev/null > "$OUT/logs/postfix-start.log" 2>&1
    local i
    for i in $(seq 1 150); do
        ! port_free "${PORT[postfix]}" && return 0
        sleep 0.1
    done
    cat "$PF/maillog" >&2 2>/dev/null
    die "postfix did not start (its errors go to syslog until postlogd runs; try: script -qec 'postfix -c $PF/etc check' /dev/null)"
}

pf_stop() {
    [ -f "$PF/etc/main.cf" ] || return 0
    local pid=""
    [ -f "$PF/spool/pid/master.pid" ] && pid=$(tr -d ' ' < "$PF/spool/pid/master.pid")
    postfix -c "$PF/etc" stop < /dev/null > /dev/null 2>&1
    if [ -n "$pid" ]; then
        local i
        for i in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
    [ -f "$PF/maillog" ] && cp "$PF/maillog" "$OUT/logs/postfix-maillog.log"
    rm -rf "$PF"
}

# ---------------------------------------------------------------------------------------------------------------
# measurements

listen_counters() {   # "ListenOverflows ListenDrops" of this network namespace (what netstat -s prints as
                      # "times the listen queue of a socket overflowed" / "SYNs to LISTEN sockets dropped")
    awk '/^TcpExt:/ { if (!h) { for (i = 2; i <= NF; i++) n[i] = $i; h = 1 }
                      else { for (i = 2; i <= NF; i++) { if (n[i] == "ListenOverflows") o = $i; if (n[i] == "ListenDrops") d = $i } } }
         END { print o + 0, d + 0 }' /proc/net/netstat
}

cpu_ticks() {   # utime+stime of one process in clock ticks; NA for Postfix (many short-lived processes)
    [ -n "${1:-}" ] && [ -r "/proc/$1/stat" ] || { echo NA; return; }
    stat_ticks "/proc/$1/stat"
}

store_dir() {
    case $1 in
        ours-fsync|bare-fsync) echo "$OUT/spool/$1" ;;
        postfix) echo "$PF/spool/hold" ;;
        *) echo "" ;;
    esac
}

stored_count() {   # messages stored by the server since the last clean_store; NA for discard servers
    local dir
    dir=$(store_dir "$1")
    [ -n "$dir" ] || { echo NA; return; }
    if [ "$1" = postfix ]; then
        local stray
        stray=$(pf_files "$PF" incoming active deferred maildrop)
        [ "$stray" -eq 0 ] || log "postfix: $stray queue files outside hold/"
        find "$dir" -type f | wc -l
    else
        local tmp
        tmp=$(find "$dir" -maxdepth 1 -name '.*.tmp' | wc -l)
        [ "$tmp" -eq 0 ] || log "$1: $tmp temporary files left"
        find "$dir" -maxdepth 1 -name '*.eml' | wc -l
    fi
}

clean_store() {
    local dir
    dir=$(store_dir "$1")
    [ -n "$dir" ] && [ -d "$dir" ] && find "$dir" -mindepth 1 -type f -delete
    # flush the deletions now rather than during the next measurement
    [ -n "$dir" ] && timeout 60 sync
    return 0
}

run_one() {   # server size sessions mode run count
    local server=$1 size=$2 sessions=$3 mode=$4 run=$5 count=$6
    local port=${PORT[$server]} pid=${PID[$server]:-}
    local flags=(-s "$sessions" -l "$size" -m "$count")
    [ "$mode" = reuse ] && flags+=(-d)
    local err="$OUT/logs/last-smtp-source.err" tf="$OUT/logs/last-smtp-source.time"
    local lc0 lc1 cpu0 cpu1 t0 t1 rc
    lc0=$(listen_counters); cpu0=$(cpu_ticks "$pid")
    t0=$(date +%s.%N)
    /usr/bin/time -f '%U %S' -o "$tf" timeout "$RUN_TIMEOUT" "$SMTP_SOURCE" "${SOURCE_ARGS[@]}" "${flags[@]}" \
        "$HOST:$port" > /dev/null 2> "$err"
    rc=$?
    t1=$(date +%s.%N)
    lc1=$(listen_counters); cpu1=$(cpu_ticks "$pid")
    local stored errlines secs rate ovf drops ccpu scpu
    stored=$(stored_count "$server")
    errlines=$(grep -vc '^Command exited with non-zero status' "$err")
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    rate=$(ratio "$count" "$secs")
    read -r ovf drops <<< "$(paste -d' ' <(echo "$lc0") <(echo "$lc1") | awk '{ print $3 - $1, $4 - $2 }')"
    ccpu=$(awk '{ printf "%.2f", $1 + $2 }' "$tf" 2>/dev/null)
    if [ "$cpu0" = NA ] || [ "$cpu1" = NA ]; then scpu=NA
    else scpu=$(awk -v a="$cpu0" -v b="$cpu1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }'); fi
    local ok=yes
    [ "$rc" -eq 0 ] && [ "$errlines" -eq 0 ] || ok=no
    [ "$stored" = NA ] || [ "$stored" -eq "$count" ] || ok=no
    if [ "$ok" = no ]; then
        log "ERROR $server size=$size s=$sessions mode=$mode run=$run: rc=$rc stored=$stored stderr: $(head -c 300 "$err" | tr '\n' ' ')"
        cp "$err" "$OUT/logs/error-$server-$size-$sessions-$mode-$run.err"
    fi
    echo "$server,$size,$sessions,$mode,$run,$count,$secs,$rate,$rc,$errlines,$stored,$ok,$ovf,$drops,$ccpu,$scpu" >> "$OUT/runs.csv"
    log "$(printf '%-12s %6s B s=%-3s %-5s run %s: %5d msgs %8ss %8s msg/s ok=%s listen-overflows=%s' \
        "$server" "$size" "$sessions" "$mode" "$run" "$count" "$secs" "$rate" "$ok" "$ovf")"
    clean_store "$server"
}

smtp_source_ok() {   # sanity/warm-up: server count sessions size [-d]
    timeout "$RUN_TIMEOUT" "$SMTP_SOURCE" "${SOURCE_ARGS[@]}" -s "$3" -m "$2" -l "$4" ${5:-} "$HOST:${PORT[$1]}" \
        > /dev/null 2>> "$OUT/logs/warmup.err"
}

machine_lines() {   # OUT/machine.txt (machine_info in lib.sh writes it)
    # shellcheck disable=SC2119   # no "os" line here, as before
    host_lines
    echo "postfix: $(postconf -d -h mail_version 2>/dev/null)"
    echo "smtp-source: $SMTP_SOURCE (postfix package $(dpkg-query -W -f='${Version}' postfix 2>/dev/null))"
    echo "somaxconn: $(cat /proc/sys/net/core/somaxconn) tcp_max_syn_backlog: $(cat /proc/sys/net/ipv4/tcp_max_syn_backlog) syncookies: $(cat /proc/sys/net/ipv4/tcp_syncookies)"
    echo "filesystem of $OUT: $(findmnt -n -o FSTYPE,SOURCE -T "$OUT" | tr -s ' ')"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "APP_DIR: $APP_DIR"
    echo "JAVA_OPTS: $JAVA_OPTS"
    echo "RUNS=$RUNS COUNT_4K=$COUNT_4K COUNT_100K=$COUNT_100K DISCARD_FACTOR=$DISCARD_FACTOR RUN_TIMEOUT=$RUN_TIMEOUT SESSIONS='$SESSIONS' SIZES='$SIZES' MODES='$MODES'"
}

idle_test() {
    local name=idle port=$IDLE_PORT
    log "idle test: $IDLE_SESSIONS idle sessions for ${IDLE_HOLD}s against the discard route, java -Xmx256m, maxConnections=1100"
    PORT[$name]=$port
    start_ours "$name" "$BENCH/routes/discard.camel.yaml" "$port" -Xmx256m -Dsmtp.maxConnections=1100
    sleep 2
    "$PYTHON" "$BENCH/idle_sessions.py" "$HOST" "$port" "$IDLE_SESSIONS" "$IDLE_HOLD" "${PID[$name]}" \
        "timeout 60 $SMTP_SOURCE ${SOURCE_ARGS[*]} -s 1 -m 20 -l 4096 $HOST:$port" 2>&1 | tee "$OUT/idle.txt" >&2
    echo "jvm_alive_after=$(kill -0 "${PID[$name]}" 2>/dev/null && echo yes || echo no)" >> "$OUT/idle.txt"
    grep -E "WARN|ERROR|Exception" "$OUT/logs/$name.log" | head -5 >> "$OUT/idle.txt"
    stop_pid "${PID[$name]}"
    unset 'PID[idle]'
}

summary() {
    "$PYTHON" - "$OUT/runs.csv" "$OUT/idle.txt" <<'EOF'
import csv, statistics, sys
from collections import defaultdict

rows = list(csv.DictReader(open(sys.argv[1])))
rates, ok_runs, all_runs, ovf, cpu = defaultdict(list), defaultdict(int), defaultdict(int), defaultdict(int), defaultdict(list)
for r in rows:
    k = (r["server"], int(r["size"]), int(r["sessions"]), r["mode"])
    all_runs[k] += 1
    ovf[k] += int(r["listen_overflows"])
    if r["ok"] == "yes":
        ok_runs[k] += 1
        rates[k].append(float(r["msg_per_s"]))
        if r["server_cpu_s"] != "NA":
            cpu[k].append(float(r["server_cpu_s"]) / int(r["count"]) * 1e6)

def med(k):
    return statistics.median(rates[k]) if rates[k] else None

def fmt(v):
    if v is None:
        return "—"
    return f"{v:,.0f}"

def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "—"

def cell(k):
    v = fmt(med(k))
    if all_runs[k] and ok_runs[k] < all_runs[k]:
        v += f" ({all_runs[k] - ok_runs[k]} failed)"
    return v

sizes = sorted({int(r["size"]) for r in rows})
sessions = sorted({int(r["sessions"]) for r in rows})
modes = [m for m in ("conn", "reuse") if any(r["mode"] == m for r in rows)]
label = {"conn": "1 per message", "reuse": "reused (-d)"}
size_label = lambda s: f"{s // 1024} KB" if s % 1024 == 0 else f"{s} B"
runs = max(all_runs.values()) if all_runs else 0
counts = defaultdict(set)
for r in rows:
    counts[(r["server"], int(r["size"]))].add(int(r["count"]))
print(f"Median msg/s over {runs} run(s) per cell. Messages per run: " + "; ".join(
    f"{srv} {'/'.join(str(c) for s in sorted({k[1] for k in counts}) for c in sorted(counts.get((srv, s), [])))}"
    for srv in ["ours-discard", "bare-discard", "ours-fsync", "bare-fsync", "postfix"]
    if any(k[0] == srv for k in counts)) + " (per size, smallest first).\n")
print("| size | connections | sessions | ours discard | bare discard | ours/bare | ours fsync | bare fsync | ours/bare | Postfix (hold) | ours fsync/Postfix |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for s in sizes:
    for m in modes:
        for n in sessions:
            g = lambda srv: med((srv, s, n, m))
            c = lambda srv: cell((srv, s, n, m))
            print(f"| {size_label(s)} | {label[m]} | {n} | {c('ours-discard')} | {c('bare-discard')} | "
                  f"{ratio(g('ours-discard'), g('bare-discard'))} | {c('ours-fsync')} | {c('bare-fsync')} | "
                  f"{ratio(g('ours-fsync'), g('bare-fsync'))} | {c('postfix')} | {ratio(g('ours-fsync'), g('postfix'))} |")

print("\nListen-queue overflows (kernel counter ListenOverflows, summed over the runs of a cell; the machine is shared, "
      "so other sockets may add to it) and server CPU per message (µs, median; JVMs only):\n")
print("| size | connections | sessions | overflows ours discard / ours fsync / Postfix / bare discard / bare fsync | CPU µs/msg ours discard / bare discard / ours fsync / bare fsync |")
print("|---|---|---:|---|---|")
srvs = ["ours-discard", "ours-fsync", "postfix", "bare-discard", "bare-fsync"]
for s in sizes:
    for m in modes:
        for n in sessions:
            o = " / ".join(str(ovf[(x, s, n, m)]) if all_runs[(x, s, n, m)] else "—" for x in srvs)
            c = " / ".join(f"{statistics.median(cpu[(x, s, n, m)]):.0f}" if cpu[(x, s, n, m)] else "—"
                           for x in ["ours-discard", "bare-discard", "ours-fsync", "bare-fsync"])
            print(f"| {size_label(s)} | {label[m]} | {n} | {o} | {c} |")

print("\nGoals:\n")
def goal(text, ok):
    print(f"- {text}: {'MET' if ok else 'NOT MET'}")
for s in sizes:
    for m in modes:
        a, b = med(("ours-discard", s, 20, m)), med(("bare-discard", s, 20, m))
        if a and b:
            goal(f"discard route within 20% of bare SubEthaSMTP at 20 sessions, {size_label(s)}, {label[m]}: "
                 f"{a:,.0f} vs {b:,.0f} = {a / b:.2f}", a >= 0.8 * b)
for srv in ("ours-discard", "ours-fsync"):
    for s in sizes:
        for m in modes:
            a, b = med((srv, s, 100, m)), med((srv, s, 20, m))
            if a and b:
                goal(f"{srv}: no collapse at 100 sessions (>= 70% of 20 sessions), {size_label(s)}, {label[m]}: "
                     f"{a:,.0f} vs {b:,.0f} = {a / b:.2f}", a >= 0.7 * b)
for s in sizes:
    for m in modes:
        for n in sessions:
            a, b = med(("ours-fsync", s, n, m)), med(("postfix", s, n, m))
            if a and b:
                goal(f"fsync route >= 3x Postfix, {size_label(s)}, {label[m]}, {n} sessions: "
                     f"{a:,.0f} vs {b:,.0f} = {a / b:.2f}x", a >= 3 * b)
try:
    idle = {}
    for line in open(sys.argv[2]):
        if not line.startswith("not_220"):
            idle.update(t.split("=", 1) for t in line.split() if "=" in t)
    goal(f"{int(idle.get('sessions_opened', 0)):,} idle sessions with -Xmx256m: greeted {idle.get('greeted_220')}, alive after hold "
         f"{idle.get('alive_after_hold_250')}, probe rc {idle.get('probe_rc')}, RSS held "
         f"{int(idle.get('rss_kb_held', 0)) // 1024} MiB, threads {idle.get('threads_held')}",
         idle.get("idle_ok") == "yes")
except FileNotFoundError:
    pass
EOF
}

# ---------------------------------------------------------------------------------------------------------------
# main

case $OUT in /tmp/?*|/var/tmp/?*) ;; *) die "OUT must be a folder under /tmp or /var/tmp (it is wiped): $OUT" ;; esac
rm -rf "$OUT"
mkdir -p "$OUT/logs" "$OUT/spool"
[ -x "$SMTP_SOURCE" ] || die "no $SMTP_SOURCE (apt-get install postfix)"
command -v postfix > /dev/null || die "no postfix"
[ -x "$PYTHON" ] || die "no $PYTHON"
[ -f "$APP_DIR/camel-smtp-examples.jar" ] || die "no $APP_DIR/camel-smtp-examples.jar (build examples first, or set APP_DIR)"
ls "$APP_DIR"/lib/subethasmtp-*.jar > /dev/null 2>&1 || die "no SubEthaSMTP jar in $APP_DIR/lib"
[ "$(id -u)" -eq 0 ] || die "run as root (the private Postfix instance needs it)"
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
machine_info
netstat -s 2>/dev/null | grep -i listen > "$OUT/netstat-listen-before.txt"
echo "server,size,sessions,mode,run,count,seconds,msg_per_s,rc,stderr_lines,stored,ok,listen_overflows,listen_drops,client_cpu_s,server_cpu_s" > "$OUT/runs.csv"

start_time=$(date +%s)
for server in $SERVERS; do
    mkdir -p "$OUT/spool/$server"
    # shellcheck disable=SC2086
    case $server in
        ours-discard) start_ours "$server" "$BENCH/routes/discard.camel.yaml" "${PORT[$server]}" $JAVA_OPTS ;;
        ours-fsync) start_ours "$server" "$BENCH/routes/fsync.camel.yaml" "${PORT[$server]}" $JAVA_OPTS ;;
        postfix) pf_start ;;
        bare-discard) start_bare "$server" discard "${PORT[$server]}" ;;
        bare-fsync) start_bare "$server" fsync "${PORT[$server]}" ;;
        *) die "unknown server $server" ;;
    esac
    log "$server listening on $HOST:${PORT[$server]} (listen backlog $(ss -Hltn "sport = :${PORT[$server]}" | awk '{ print $3 }'))"
done

log "warm-up: 3000 x 4 KB and 300 x 100 KB per server, 20 sessions, not measured"
for server in $SERVERS; do
    smtp_source_ok "$server" 3000 20 4096 -d || die "warm-up of $server failed: $(tail -3 "$OUT/logs/warmup.err")"
    smtp_source_ok "$server" 300 20 102400 || die "warm-up of $server failed: $(tail -3 "$OUT/logs/warmup.err")"
    clean_store "$server"
done

for run in $(seq 1 "$RUNS"); do
    for size in $SIZES; do
        count=$COUNT_100K
        [ "$size" -le 16384 ] && count=$COUNT_4K
        for mode in $MODES; do
            for sessions in $SESSIONS; do
                for server in $SERVERS; do
                    n=$count
                    case $server in *discard) n=$((count * DISCARD_FACTOR)) ;; esac
                    run_one "$server" "$size" "$sessions" "$mode" "$run" "$n"
                done
            done
        done
    done
done
log "matrix done in $(( $(date +%s) - start_time )) s"

for server in "${!PID[@]}"; do log_warnings "$server" "$OUT/logs/$server.log"; done
cleanup
netstat -s 2>/dev/null | grep -i listen > "$OUT/netstat-listen-after.txt"

[ "$IDLE" = 1 ] && idle_test

summary | tee "$OUT/summary.md"
log "total $(( $(date +%s) - start_time )) s; raw results in $OUT"
