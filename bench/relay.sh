#!/usr/bin/env bash
# Relay benchmark for camel-smtp: smtp-server -> smtp-relay:mx against Postfix, end to end, in a private network
# namespace. Builds nothing; see docs/benchmarks.md (Relay benchmark) for what it measures and the results.
#
# Everything runs inside the network namespace cs-relay-bench (its own loopback; `ip netns exec` mounts
# /etc/netns/cs-relay-bench/resolv.conf = "nameserver 127.0.0.1" over /etc/resolv.conf for the processes in it,
# so Postfix's system resolver asks our dnsmasq; the machine's own /etc/resolv.conf is not touched):
#   dnsmasq       127.0.0.1:53, bench/relay/dnsmasq.conf: d1.test, d2.test, d3.test, one MX each, TTL 0
#   receivers     smtp-sink on 127.0.0.2:25 / .3:25 / .4:25 (MX of d1/d2/d3), backlog 256, -c running counters
#                 (messages, sessions, QUITs): a run is complete when they count exactly COUNT messages (fewer =
#                 loss, more = duplicates). With SINK_DUMP=1 also -d, one dump file per message, and the numbered
#                 recipients are checked for duplicates (costs the receivers ~6x the CPU, which both relays share)
#   ours          the app (APP_DIR/camel-smtp-examples.jar) with bench/relay/relay.camel.yaml: smtp-server on
#                 127.0.0.1:2525 -> smtp-relay:mx (dnsServers 127.0.0.1:53, tls none); the client's 250 comes
#                 only after the relay has delivered
#   postfix       a private instance (bench/relay/postfix-main.cf, postfix-master.cf; config, queue and log under
#                 OUT): smtpd on 127.0.0.1:2526, queue, smtp client by MX, no TLS, no chroot
# Load: three smtp-source processes at once, one per domain (20 sessions in total: 7+7+6; 10,000 messages:
# 3334+3333+3333), 4 KB bodies, -N (numbered recipients, so duplicates can be found), one connection per message
# ("conn") and, with -d, one connection per session ("reuse").
# Time: from the start of the smtp-source processes until they have all ended AND the receivers have counted every
# message (polled every 10 ms). For ours both happen together; Postfix accepts first and delivers later.
# CPU: cpuacct cgroups (cgroup v1; cpu.stat with v2), so Postfix's short-lived processes are counted too:
# "ours" (and "ours2") = the JVM, "postfix" = master and all its children, "dns" = dnsmasq, "sinks" = smtp-sink,
# "client" = smtp-source. At the end, the JVM's CPU per thread name (OUT/ours-threads-cpu.txt).
# Runs are interleaved (ours/postfix, the order alternating per run); the receivers are restarted between runs,
# after the relay's kept connections have closed. Then the memory test: a fresh JVM, RSS and heap after a full GC,
# idle, after COUNT messages, after MEM_COUNT more.
#
# Environment:
#   APP_DIR     folder with camel-smtp-examples.jar and lib/, used as is. Default: a copy of APP_SRC made into
#               OUT/app at start (APP_SRC default REPO/examples/target), so a rebuild cannot change it mid-run
#   RUNS        measured runs per mode and server, median reported (default 3)
#   COUNT       messages per run (default 10000); SESSIONS (default 20); SIZE bytes of body (default 4096)
#   MODES       "conn reuse" (default) or one of them
#   SERVERS     "ours postfix" (default) or one of them; "ours2" adds a second JVM (see ALT_OPTS)
#   WARMUP      messages per server and mode before the runs, not measured (default 5000; the JIT needs them)
#   PF_EXTRA    lines appended to Postfix's main.cf (\n between lines), e.g. PF_EXTRA="in_flow_delay = 0s"
#   SINK_DUMP=1 receivers write every message to a file; duplicates are then found by recipient (default 0)
#   MEM=0       skip the memory test; MEM_COUNT messages for its second step (default 30000)
#   RUN_TIMEOUT seconds allowed per run (default 600); a run that hits it counts as failed
#   QUIET_WAIT, QUIET_MAX   before each run, wait up to QUIET_WAIT s (default 120) until the machine uses less than
#               QUIET_MAX cores (default 0.3) over a second: other work on a shared machine skews a run. Each run
#               records the CPU used meanwhile outside its cgroups (foreign_cpu_s)
#   MAX_TIME    upper bound for every long-lived process (default 7200 s)
#   JAVA_OPTS   JVM options (default -Xmx1g)
#   ALT_OPTS    extra JVM options for server "ours2" (same route, port 2527), to measure a candidate fix
#               without rebuilding: SERVERS="ours ours2" ALT_OPTS=-Djava.util.concurrent.ForkJoinPool.common.parallelism=2
#   ALT_APP_DIR another build of the app for "ours2" (default APP_DIR), to compare two builds run by run
#   OUT         raw results and logs (default /tmp/camel-smtp-relay-bench); wiped at start; the instance
#               directories (Postfix queue, receiver dumps, app copy) are removed at the end
# Output: a Markdown summary on stdout, also in OUT/summary.md; every run in OUT/runs.csv, memory in OUT/mem.csv.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
RELAY=$BENCH/relay
RUNS=${RUNS:-3}
COUNT=${COUNT:-10000}
SESSIONS=${SESSIONS:-20}
SIZE=${SIZE:-4096}
MODES=${MODES:-"conn reuse"}
SERVERS=${SERVERS:-"ours postfix"}
WARMUP=${WARMUP:-5000}
MEM=${MEM:-1}
MEM_COUNT=${MEM_COUNT:-30000}
RUN_TIMEOUT=${RUN_TIMEOUT:-600}
MAX_TIME=${MAX_TIME:-7200}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:--Xmx1g}
ALT_OPTS=${ALT_OPTS:-}
SINK_DUMP=${SINK_DUMP:-0}
PF_EXTRA=${PF_EXTRA:-}
QUIET_WAIT=${QUIET_WAIT:-120}
QUIET_MAX=${QUIET_MAX:-0.3}
OUT=${OUT:-/tmp/camel-smtp-relay-bench}
APP_SRC=${APP_SRC:-$REPO/examples/target}
PYTHON=${PYTHON:-/usr/bin/python3}
SMTP_SOURCE=${SMTP_SOURCE:-/usr/sbin/smtp-source}
SMTP_SINK=${SMTP_SINK:-/usr/sbin/smtp-sink}
NS=cs-relay-bench
NSX=(ip netns exec "$NS")   # lib.sh runs its ss, smtp-sink, postfix and java in the namespace through it
DOMAINS=(d1.test d2.test d3.test)
SINK_ADDR=(127.0.0.2 127.0.0.3 127.0.0.4)
declare -A PORT=([ours]=2525 [postfix]=2526 [ours2]=2527)
PF=$OUT/postfix           # the private Postfix instance: etc/, spool/, data/, maillog
SINKS=$OUT/sinks          # receiver dumps: d1/ d2/ d3/
declare -A PID=()         # name -> pid of the timeout(1) wrapping what we started
declare -a SINK_PID=()
declare -A JVM=()         # ours / ours2 -> pid of the JVM
declare -A APPLOG=()      # ours / ours2 -> its log file
CG_NAME=$NS               # our cgroups (lib.sh: cg_setup)
CG_GROUPS="ours ours2 postfix dns sinks client"
MADE_APP=0
MADE_ETC_NETNS=0          # /etc/netns did not exist before: remove it at the end

# ---------------------------------------------------------------------------------------------------------------
# namespace, DNS, receivers, Postfix, the app (the shared process and cgroup helpers are in lib.sh)

ns_setup() {
    [ -d /etc/netns ] || MADE_ETC_NETNS=1
    ip netns add "$NS" || die "ip netns add $NS failed"
    ip -n "$NS" link set lo up || die "ip -n $NS link set lo up failed"
    mkdir -p "/etc/netns/$NS"
    echo "nameserver 127.0.0.1" > "/etc/netns/$NS/resolv.conf"
}

ns_teardown() {
    if ! ip netns list 2>/dev/null | grep -qw "^$NS"; then
        rm -rf "/etc/netns/$NS"
        [ "$MADE_ETC_NETNS" = 1 ] && rmdir /etc/netns 2>/dev/null
        return 0
    fi
    local p left
    left=$(ip netns pids "$NS" 2>/dev/null | tr '\n' ' ')
    if [ -n "$left" ]; then   # only what this script started can live in the namespace it created
        log "processes left in $NS: $left- stopping them"
        for p in $left; do kill "$p" 2>/dev/null; done
        sleep 2
        for p in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    fi
    ip netns del "$NS" || log "ip netns del $NS failed"
    rm -rf "/etc/netns/$NS"
    [ "$MADE_ETC_NETNS" = 1 ] && rmdir /etc/netns 2>/dev/null
    return 0
}

start_dns() {
    ( cg_enter dns; exec "${NSX[@]}" timeout "$MAX_TIME" dnsmasq -C "$RELAY/dnsmasq.conf" ) > "$OUT/logs/dnsmasq.log" 2>&1 &
    PID[dns]=$!
    local i
    for i in $(seq 1 100); do
        [ "$("${NSX[@]}" timeout 5 getent hosts mx.d1.test | awk '{ print $1 }')" = 127.0.0.2 ] && return 0
        kill -0 "${PID[dns]}" 2>/dev/null || break
        sleep 0.05
    done
    cat "$OUT/logs/dnsmasq.log" >&2
    die "dnsmasq did not answer"
}

dns_queries() {   # queries answered so far (dnsmasq logs its statistics on SIGUSR1)
    local before after i
    before=$(grep -c 'queries answered locally' "$OUT/logs/dnsmasq.log")
    local pid
    pid=$(pgrep -P "${PID[dns]}" -x dnsmasq | head -1)
    [ -n "$pid" ] || { echo NA; return; }
    kill -USR1 "$pid" 2>/dev/null
    for i in $(seq 1 40); do
        after=$(grep -c 'queries answered locally' "$OUT/logs/dnsmasq.log")
        [ "$after" -gt "$before" ] && break
        sleep 0.05
    done
    grep 'queries answered locally' "$OUT/logs/dnsmasq.log" | tail -1 |
        sed -E 's/.*queries forwarded ([0-9]+), queries answered locally ([0-9]+).*/\1 \2/' | awk '{ print $1 + $2 }'
}

start_sinks() {   # the three receivers (smtp-sink -c, backlog 256), all started before waiting for any
    local i dump=()
    rm -rf "$SINKS"
    for i in 0 1 2; do
        mkdir -p "$SINKS/d$((i + 1))"
        [ "$SINK_DUMP" = 1 ] && dump=(-d "$SINKS/d$((i + 1))/")
        sink_spawn sinks "${SINK_ADDR[$i]}:25" "$OUT/logs/sink$((i + 1)).out" "${dump[@]}"
        SINK_PID[$i]=$!
    done
    for i in 0 1 2; do
        sink_wait "${SINK_ADDR[$i]}:25" "${SINK_PID[$i]}" "$OUT/logs/sink$((i + 1)).out"
    done
}

stop_sinks() {
    local i
    for i in "${!SINK_PID[@]}"; do stop_pid "${SINK_PID[$i]}" 5; done
    SINK_PID=()
}

pf_setup() {   # the instance's config from bench/relay/postfix-{main,master}.cf, plus PF_EXTRA
    rm -rf "$PF"
    mkdir -p "$PF/etc" "$PF/spool" "$PF/data"
    chown postfix "$PF/data"
    sed "s#@PF@#$PF#g" "$RELAY/postfix-main.cf" > "$PF/etc/main.cf"
    [ -n "$PF_EXTRA" ] && printf '%b\n' "$PF_EXTRA" >> "$PF/etc/main.cf"
    cp "$RELAY/postfix-master.cf" "$PF/etc/master.cf"
}

pf_start() { pf_setup; pf_start_fg postfix "$PF" "${PORT[postfix]}"; }
pf_stop() { pf_stop_fg postfix "$PF"; }
pf_queue_files() { pf_files "$PF" incoming active deferred hold maildrop; }   # queue files anywhere in the queue

start_ours() {   # server (ours|ours2) log-name: the app in a JVM, in cgroup SERVER; ours2 adds ALT_OPTS
    local server=$1 name=$2 opts=$JAVA_OPTS app=$APP_DIR
    [ "$server" = ours2 ] && opts="$JAVA_OPTS $ALT_OPTS" && app=${ALT_APP_DIR:-$APP_DIR}
    APPLOG[$server]=$OUT/logs/$name.log
    # shellcheck disable=SC2086
    start_jvm "$server" "$server" "${PORT[$server]}" "${APPLOG[$server]}" $opts -Dsmtp.port="${PORT[$server]}" \
        -Drelay.dns=127.0.0.1:53 -jar "$app/camel-smtp-examples.jar" --routes "$RELAY/relay.camel.yaml"
}

stop_ours() { stop_jvm "$1" 30; }   # server

cleanup() {
    trap - EXIT
    stop_ours ours
    stop_ours ours2
    pf_stop
    stop_sinks
    stop_pid "${PID[dns]:-}" 5
    ns_teardown
    cg_teardown
    rm -rf "$PF" "$SINKS"
    [ "$MADE_APP" = 1 ] && rm -rf "$OUT/app"
}
set_traps

# ---------------------------------------------------------------------------------------------------------------
# measurements

jvm_mem() {   # pid -> "rss_kb threads fds"
    local pid=${1:-}
    [ -n "$pid" ] && [ -r "/proc/$pid/status" ] || { echo "NA NA NA"; return; }
    local rss thr fds
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
    thr=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")
    fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
    echo "$rss $thr $fds"
}

heap_after_gc() {   # pid -> KB of Java heap in use after a full GC
    [ -n "${1:-}" ] || { echo NA; return; }
    timeout 60 jcmd "$1" GC.run > /dev/null 2>&1
    timeout 60 jcmd "$1" GC.heap_info 2>/dev/null | awk '/heap.*total/ { for (i = 1; i <= NF; i++) if ($i == "used") { sub(/K.*/, "", $(i + 1)); print $(i + 1); exit } }'
}

queue_left() {   # server: messages left in Postfix's queue; 0 for ours (its client's 250 means delivered)
    if [ "$1" = postfix ]; then pf_queue_files; else echo 0; fi
}

relay_settle() {   # server: wait (at most 60 s) until the relay has closed its kept connections to the receivers
                   # (and Postfix's queue is empty); prints the seconds waited
    settle "dport = :25" queue_left "$1"
}

source_args() {   # count [reuse]
    local a=(--count "$1" --sessions "$SESSIONS" --size "$SIZE" --domains "$(IFS=,; echo "${DOMAINS[*]}")"
        --sinks "$OUT/logs/sink1.out,$OUT/logs/sink2.out,$OUT/logs/sink3.out" --limit "$RUN_TIMEOUT" --source "$SMTP_SOURCE")
    [ "${2:-conn}" = reuse ] && a+=(--reuse)
    echo "${a[@]}"
}

drive() {   # server mode count errprefix -> key=value line of run_one.py
    local server=$1 mode=$2 count=$3 errprefix=$4
    # shellcheck disable=SC2046
    ( cg_enter client; exec timeout $((RUN_TIMEOUT + 60)) "$PYTHON" "$RELAY/run_one.py" --netns "$NS" \
        --port "${PORT[$server]}" $(source_args "$count" "$mode") --errprefix "$errprefix" "${CG_ARGS[@]}" )
}

run_one() {   # server mode run count [label]
    local server=$1 mode=$2 run=$3 count=$4 label=${5:-$1}
    local tag="$label-$mode-$run" errprefix="$OUT/logs/src-$label-$mode-$run"
    local maillog0=0 ourslog0=0 q0 q1 line
    [ -f "$PF/maillog" ] && maillog0=$(wc -l < "$PF/maillog")
    [ "$server" != postfix ] && ourslog0=$(wc -l < "${APPLOG[$server]}")
    local idle
    idle=$(wait_quiet)
    q0=$(dns_queries)
    line=$(drive "$server" "$mode" "$count" "$errprefix")
    local t_src t_sink t_end rc received
    t_src=$(kv t_src "$line"); t_sink=$(kv t_sink "$line"); t_end=$(kv t_end "$line")
    rc=$(kv rc "$line"); received=$(kv received "$line")
    local cpu_srv cpu_sinks cpu_client cpu_dns
    cpu_srv=$(kv "cpu_$server" "$line"); cpu_sinks=$(kv cpu_sinks "$line"); cpu_client=$(kv cpu_client "$line")
    cpu_dns=$(kv cpu_dns "$line")
    local busy foreign
    busy=$(kv busy "$line"); foreign=$(kv foreign "$line")
    local settle_s mem rss thr fds dq=NA
    settle_s=$(relay_settle "$server")
    q1=$(dns_queries)
    [ "$q0" != NA ] && [ "$q1" != NA ] && dq=$((q1 - q0))
    mem="NA NA NA"; [ "$server" != postfix ] && mem=$(jvm_mem "${JVM[$server]}")
    read -r rss thr fds <<< "$mem"
    local sess quit mesg files dups
    read -r sess quit mesg <<< "$(sink_counters "$OUT/logs/sink1.out" "$OUT/logs/sink2.out" "$OUT/logs/sink3.out")"
    files=NA; dups=NA
    if [ "$SINK_DUMP" = 1 ]; then
        files=$(find "$SINKS" -type f | wc -l)
        dups=0
        local d
        for d in d1 d2 d3; do
            dups=$((dups + $(find "$SINKS/$d" -type f -print0 | xargs -0 -r grep -h '^X-Rcpt-Args:' | sort | uniq -d | wc -l)))
        done
    fi
    local errlines
    errlines=$(cat "$errprefix"-*.err 2>/dev/null | grep -vc '^$')
    local sent=NA deferred=NA bounced=NA queue=NA reused=NA applog=NA
    if [ "$server" = postfix ]; then
        local new
        new=$(tail -n +$((maillog0 + 1)) "$PF/maillog")
        sent=$(grep -c 'status=sent' <<< "$new"); deferred=$(grep -c 'status=deferred' <<< "$new")
        bounced=$(grep -c 'status=bounced' <<< "$new"); queue=$(pf_queue_files)
        reused=$(grep 'status=sent' <<< "$new" | grep -c 'conn_use=')
        grep -E 'warning|fatal|panic|error' <<< "$new" | head -20 >> "$OUT/logs/postfix-warnings.log"
    else
        applog=$(tail -n +$((ourslog0 + 1)) "${APPLOG[$server]}" | grep -cE 'WARN|ERROR|Exception')
        tail -n +$((ourslog0 + 1)) "${APPLOG[$server]}" | grep -E 'WARN|ERROR|Exception' | head -20 >> "$OUT/logs/$server-warnings.log"
    fi
    local ok=yes
    [ "$rc" = "0/0/0" ] || ok=no
    [ "$t_end" != NA ] || ok=no
    [ "$received" = "$count" ] && [ "$errlines" = 0 ] || ok=no
    [ "$SINK_DUMP" = 1 ] && { [ "$files" = "$count" ] && [ "$dups" = 0 ] || ok=no; }
    [ "$server" = postfix ] && { [ "$deferred" = 0 ] && [ "$queue" = 0 ] && [ "$bounced" = 0 ] || ok=no; }
    [ "$server" != postfix ] && { [ "$applog" = 0 ] || ok=no; }
    local rate acc
    rate=$(ratio "$count" "$t_end"); acc=$(ratio "$count" "$t_src")
    echo "$label,$server,$mode,$run,$count,$t_src,$t_sink,$t_end,$rate,$acc,$rc,$received,$files,$dups,$errlines,$cpu_srv,$cpu_sinks,$cpu_client,$cpu_dns,$sess,$quit,$dq,$settle_s,$rss,$thr,$fds,$sent,$deferred,$bounced,$queue,$reused,$applog,$busy,$foreign,$idle,$ok" >> "$OUT/runs.csv"
    log "$(printf '%-8s %-5s run %s: %5d msgs, end-to-end %7ss = %7s msg/s (accepted in %ss), received %s, dups %s, CPU %ss, receiver sessions %s (QUIT %s), DNS queries %s, other CPU %ss, ok=%s' \
        "$label" "$mode" "$run" "$count" "$t_end" "$rate" "$t_src" "$received" "$dups" "$cpu_srv" "$sess" "$quit" "$dq" "$foreign" "$ok")"
    [ "$ok" = yes ] || log "  $tag: rc=$rc errlines=$errlines deferred=$deferred bounced=$bounced queue=$queue applog=$applog; stderr: $(cat "$errprefix"-*.err 2>/dev/null | head -c 300 | tr '\n' ' ')"
    stop_sinks
    start_sinks
}

warm_up() {   # server
    local mode
    for mode in $MODES; do
        drive "$1" "$mode" "$WARMUP" "$OUT/logs/warmup-$1-$mode" > /dev/null
        relay_settle "$1" > /dev/null
        stop_sinks
        start_sinks
    done
}

machine_lines() {   # OUT/machine.txt (machine_info in lib.sh writes it)
    host_lines os
    postfix_line
    echo "dnsmasq: $(dnsmasq --version | head -1)"
    echo "filesystem of $OUT: $(findmnt -n -o FSTYPE,SOURCE -T "$OUT" | tr -s ' ')"
    echo "cgroup for CPU: ${CG_BASE:-none} ($CG_FILE)"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    app_lines
    echo "JAVA_OPTS: $JAVA_OPTS"
    if [[ " $SERVERS " == *" ours2 "* ]]; then
        local alt=${ALT_APP_DIR:-$APP_DIR}
        echo "ours2: ALT_OPTS='$ALT_OPTS' ALT_APP_DIR=$alt (relay jar mtime $(date -u -r "$(ls "$alt"/lib/camel-smtp-relay-*.jar | head -1)" +%Y-%m-%dT%H:%M:%SZ))"
    fi
    [ -n "$PF_EXTRA" ] && echo "PF_EXTRA (Postfix main.cf): $PF_EXTRA"
    echo "RUNS=$RUNS COUNT=$COUNT SESSIONS=$SESSIONS SIZE=$SIZE MODES='$MODES' SERVERS='$SERVERS' WARMUP=$WARMUP MEM=$MEM MEM_COUNT=$MEM_COUNT SINK_DUMP=$SINK_DUMP RUN_TIMEOUT=$RUN_TIMEOUT QUIET_WAIT=$QUIET_WAIT QUIET_MAX=$QUIET_MAX"
}

memory_test() {
    log "memory test: fresh JVM; RSS and heap after a full GC: idle, after $COUNT messages, after $MEM_COUNT more (conn mode)"
    stop_ours ours
    start_ours ours ours-mem
    local pid=${JVM[ours]}
    echo "step,messages_total,ok,msg_per_s,rss_kb,heap_used_after_gc_kb,threads,fds,rss_kb_before_gc" > "$OUT/mem.csv"
    local rss thr fds heap rss_after
    sleep 2
    read -r rss thr fds <<< "$(jvm_mem "$pid")"
    heap=$(heap_after_gc "$pid"); read -r rss_after thr fds <<< "$(jvm_mem "$pid")"
    echo "idle,0,yes,NA,$rss_after,$heap,$thr,$fds,$rss" >> "$OUT/mem.csv"
    local total=0 n step=0
    for n in "$COUNT" "$MEM_COUNT"; do
        step=$((step + 1))
        run_one ours conn "mem$step" "$n" ours-mem
        total=$((total + n))
        local last; last=$(tail -1 "$OUT/runs.csv")
        read -r rss thr fds <<< "$(jvm_mem "$pid")"
        heap=$(heap_after_gc "$pid"); read -r rss_after thr fds <<< "$(jvm_mem "$pid")"
        jvm_histogram "$pid" 25 "$OUT/logs/ours-mem-histogram-$total.txt"
        echo "after_run_$step,$total,$(awk -F, '{ print $NF }' <<< "$last"),$(cut -d, -f9 <<< "$last"),$rss_after,$heap,$thr,$fds,$rss" >> "$OUT/mem.csv"
        log "memory: after $total messages RSS $((rss / 1024)) MiB (after GC $((rss_after / 1024)) MiB), heap after GC $((${heap:-0} / 1024)) MiB, threads $thr, fds $fds"
    done
    jvm_threads_cpu "$pid" "$OUT/ours-mem-threads-cpu.txt"
    stop_ours ours
}

# ---------------------------------------------------------------------------------------------------------------
# main

[ "$(id -u)" -eq 0 ] || { echo "run as root (network namespace, port 25, Postfix)" >&2; exit 1; }
ip netns list 2>/dev/null | grep -qw "^$NS" && { echo "network namespace $NS exists: another run, or a leftover (ip netns del $NS)" >&2; trap - EXIT; exit 1; }
case $OUT in /tmp/?*|/var/tmp/?*) ;; *) echo "OUT must be a folder under /tmp or /var/tmp (it is wiped): $OUT" >&2; trap - EXIT; exit 1 ;; esac
rm -rf "$OUT"
mkdir -p "$OUT/logs"
for b in "$SMTP_SOURCE" "$SMTP_SINK" "$PYTHON" /usr/sbin/postfix /usr/sbin/dnsmasq; do [ -x "$b" ] || die "missing $b"; done
command -v jcmd > /dev/null || die "no jcmd (JDK)"
if [ -z "${APP_DIR:-}" ]; then
    [ -f "$APP_SRC/camel-smtp-examples.jar" ] || die "no $APP_SRC/camel-smtp-examples.jar (build examples first, or set APP_DIR)"
    cp -r "$APP_SRC" "$OUT/app" || die "cannot copy $APP_SRC"
    APP_DIR=$OUT/app; MADE_APP=1
fi
[ -f "$APP_DIR/camel-smtp-examples.jar" ] || die "no $APP_DIR/camel-smtp-examples.jar"
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "label,server,mode,run,count,t_src,t_sink,t_end,msg_per_s,accepted_per_s,rc,received,files,dups,src_errlines,cpu_server_s,cpu_sinks_s,cpu_client_s,cpu_dns_s,rcv_sessions,rcv_quits,dns_queries,settle_s,rss_kb,threads,fds,pf_sent,pf_deferred,pf_bounced,pf_queue,pf_conn_reused,app_warn_lines,machine_busy_s,foreign_cpu_s,busy_cores_before,ok" > "$OUT/runs.csv"

start_time=$(date +%s)
cg_setup
machine_info
ns_setup
start_dns
start_sinks
for server in $SERVERS; do
    case $server in
        ours|ours2) start_ours "$server" "$server" ;;
        postfix) pf_start ;;
        *) die "unknown server $server" ;;
    esac
    log "$server listening on 127.0.0.1:${PORT[$server]} in namespace $NS"
done

log "warm-up: $WARMUP messages per server and mode, not measured"
for server in $SERVERS; do warm_up "$server"; done

for run in $(seq 1 "$RUNS"); do
    for mode in $MODES; do
        # shellcheck disable=SC2086
        for server in $(order_for "$run" $SERVERS); do run_one "$server" "$mode" "$run" "$COUNT"; done
    done
done
log "measured runs done in $(( $(date +%s) - start_time )) s"

for server in ours ours2; do
    [ -n "${JVM[$server]:-}" ] || continue
    jvm_threads_cpu "${JVM[$server]}" "$OUT/$server-threads-cpu.txt"
    jvm_histogram "${JVM[$server]}" 25 "$OUT/logs/$server-histogram.txt"
    stop_ours "$server"
done
pf_stop
[ "$MEM" = 1 ] && [[ " $SERVERS " == *" ours "* ]] && memory_test

"$PYTHON" "$RELAY/summary.py" "$OUT" | tee "$OUT/summary.md"
log "total $(( $(date +%s) - start_time )) s; raw results in $OUT"
