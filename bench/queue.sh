#!/usr/bin/env bash
# Queue benchmark for camel-smtp: the durable queue (smtp-queue) against Postfix's queue. Builds nothing; the
# results and how to read them are in bench/queue-results.md.
#
# Everything listens on loopback addresses of this machine (127.0.0.1, and 127.0.0.2 for the receiver); no DNS.
# Four phases, in this order (PHASES):
#   accept   acceptance into a queue, fsync included. Servers, started together and driven in turn:
#              ours-accept   the app (APP_DIR/camel-smtp-examples.jar) with bench/routes/queue-accept.camel.yaml:
#                            smtp-server -> smtp-queue producer, no consumer route: the 250 comes once the message is
#                            fdatasynced into the spool (group commit), and the messages pile up in the spool  :2531
#              postfix-hold  a private Postfix instance as in bench/inbound.sh: smtpd -> cleanup -> queue file
#                            fsynced and put on hold (check_client_access static:HOLD), nothing delivered;
#                            in_flow_delay = 0s (no deliveries return flow-control tokens)                      :2532
#            Rate = COUNT_ACCEPT / wall time of smtp-source. A run counts if smtp-source exited 0 with nothing on
#            stderr and the server stored exactly COUNT_ACCEPT messages (ours: new records in the spool's segment
#            files, bench/queue/spool_count.py; Postfix: files in hold/, which is emptied after each run).
#   e2e      end to end, smtp-source -> server -> queue -> smart host smtp-sink (127.0.0.2:2600, `smtp-sink -c`):
#              ours-mta      the app with bench/routes/queue-mta.camel.yaml: smtp-server -> smtp-queue; the queue's
#                            consumer (concurrency 20, maxPerDomain 20) -> smtp-relay:127.0.0.2:2600 (tls none,
#                            connection reuse, maxConnectionsPerHost 20: the defaults)                            :2533
#              postfix-mta   a private Postfix instance: Postfix defaults plus what a private relay needs (the
#                            main.cf is written by pf_setup below: relayhost = [127.0.0.2]:2600, mynetworks =
#                            127.0.0.0/8, no local delivery, no TLS, no DNS look-ups of clients; in_flow_delay and
#                            the concurrency limits are left at their defaults)                                  :2534
#            Time = from the start of smtp-source until smtp-source has ended AND the receiver has counted COUNT_E2E
#            messages (its counter polled every 10 ms); rate = COUNT_E2E / that time. After each run the script
#            waits (bounded) until the queue is empty and the connections to the receiver are closed, then reads the
#            receiver's counter again: a run counts only if it is exactly COUNT_E2E (fewer = loss, more =
#            duplicates), smtp-source exited 0 with nothing on stderr, and nothing was deferred or bounced (ours: the
#            app log's "delivered" lines = COUNT_E2E, no WARN/ERROR; Postfix: maillog status=sent = COUNT_E2E). The
#            receiver is restarted between runs.
#   mem      a fresh JVM with the e2e route (MEM_OPTS), MEM_COUNT messages end to end (MEM_MODE) through
#            bench/queue/mem_run.py: RSS, threads, fds, JVM CPU and the queue's size every MEM_EVERY s; live heap
#            after a full GC (the Total of jcmd GC.class_histogram, whose top is kept in OUT/logs/histo-*) each time
#            the receiver passes a multiple of MEM_MILESTONE, and at the end (queue drained, connections idle);
#            jstat -gc every MEM_EVERY s alongside.
#   backlog  what the mem phase cannot show, because there the queue never holds more than a few dozen messages
#            (delivery keeps up): BACKLOG_COUNT messages into a fresh JVM (MEM_OPTS) with the acceptance route, so
#            they all stay queued (heap after a full GC every MEM_MILESTONE queued messages: the cost of a queued
#            message in memory); then that JVM is stopped and a fresh one with the e2e route is started on the same
#            spool: recovery time, heap after a full GC right after the start and every MEM_MILESTONE delivered, and
#            the drain rate into the receiver (exact count checked).
# Load: smtp-source from Postfix, SESSIONS parallel sessions, SIZE-octet bodies, numbered recipients (-N,
# rcptN@bench.test: one recipient domain), one connection per message ("conn") and, with -d, reused ("reuse").
# Runs are interleaved: for every run, every mode, both servers (the order alternating per run), after a warm-up
# that is not measured. Before each run the script waits (at most QUIET_WAIT s) until the machine is nearly idle.
# CPU: cpuacct cgroups (v1, or cpu.stat with v2) so that Postfix's many processes are counted: "ours" = the JVM,
# "postfix" = master and all its children, "sink" = smtp-sink, "client" = smtp-source. Disk: the flush requests
# the block device completed during the run (/sys/block/DISK/stat; machine-wide): messages per flush shows how
# much one fsync covers. System calls: with PERF=1 (default) `perf stat` counts the fdatasync and fsync calls on
# their kernel tracepoints during every run (no measurable slow-down): of our JVM alone, and machine-wide for Postfix
# (its processes come and go; other work on the machine adds to that count). With DIAG=1 (default), the JVMs' CPU
# per thread is recorded (jstack's cpu= and /proc/PID/task).
#
# Environment:
#   APP_DIR      folder with camel-smtp-examples.jar and lib/ (default: REPO/examples/target), used as is: copy it
#                elsewhere first if a build may rewrite it while the benchmark runs
#   RUNS         measured runs per server and mode, median reported (default 3)
#   COUNT_ACCEPT messages per acceptance run (default 5000); COUNT_E2E per end-to-end run (default 10000)
#   SESSIONS     (default 20); SIZE octets of body (default 4096); MODES "conn reuse" (default) or one of them
#   PHASES       "accept e2e mem backlog" (default) or a part of it; "auth" (not in the default) is the auth phase
#                described at phase_auth: acceptance with DKIM signing and with SPF + DKIM + DMARC verification;
#                "metrics" (not in the default either): acceptance with and without Micrometer meters (phase_metrics);
#                "shaping" and "shaping-rate" (neither in the default): end to end with and without traffic shaping
#                rules, and how closely a site's message rate is kept (phase_shaping, phase_shaping_rate)
#   SHAPING_SPREAD=0  the shaping phase measures only traffic to the unthrottled domain (default 1: also spread
#                over the 100 configured sites)
#   RATES        message rates of the shaping-rate phase (default "1 10 100", per second), each for RATE_SECONDS
#                (default 20) worth of messages; RATE_RUNS runs of each (default 1); RATE_WARMUP (default 1000)
#   WARMUP       messages per server and mode before the measured runs (default 5000; the JIT needs them)
#   BACKLOG_COUNT  messages of the backlog phase (default 100000), sent with BACKLOG_MODE (default reuse)
#   MEM_COUNT    messages of the memory run (default 100000); MEM_MODE conn (default) or reuse; MEM_EVERY seconds
#                between samples (default 5); MEM_MILESTONE (default 25000); MEM_OPTS JVM options (default -Xmx1g)
#   DIAG=0       skip the per-thread CPU; PERF=0: do not count system calls with perf
#   RUN_TIMEOUT  seconds allowed per run (default 600); a run that hits it counts as failed
#   QUIET_WAIT, QUIET_MAX   wait up to QUIET_WAIT s (default 60) before each run until the machine uses less than
#                QUIET_MAX cores (default 0.3) over a second
#   MAX_TIME     upper bound for every long-lived process started (default 7200 s)
#   JAVA_OPTS    JVM options of ours-accept and ours-mta (default -Xmx1g)
#   DISK         block device for the flush counter (default: the one under OUT, e.g. vda)
#   KEEP_SPOOL=1 keep the spools under OUT/spool at the end (default: removed; the acceptance spool grows to
#                about 4.5 KB x every message accepted)
#   OUT          raw results and logs (default /tmp/camel-smtp-queue-bench); wiped at start
# Output: a Markdown summary on stdout, also in OUT/summary.md; every run in OUT/accept.csv and OUT/e2e.csv, the
# memory run in OUT/mem.csv and OUT/mem-jstat.txt, the backlog phase in OUT/backlog-*.csv, the machine in OUT/machine.txt, logs under OUT/logs.
# Run as root (private Postfix instances, cgroups). Ports 2531-2540, 127.0.0.1:2553 (auth),
# 127.0.0.2:2600 and 127.0.0.1:2601 (shaping-rate) must be free.
set -uo pipefail
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ in bench/queue/
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
HELP=$BENCH/queue
APP_DIR=${APP_DIR:-$REPO/examples/target}
APP_DIR=$(cd "$APP_DIR" 2>/dev/null && pwd || echo "$APP_DIR")
RUNS=${RUNS:-3}
COUNT_ACCEPT=${COUNT_ACCEPT:-5000}
COUNT_E2E=${COUNT_E2E:-10000}
SESSIONS=${SESSIONS:-20}
SIZE=${SIZE:-4096}
MODES=${MODES:-"conn reuse"}
PHASES=${PHASES:-"accept e2e mem backlog"}
WARMUP=${WARMUP:-5000}
MEM_COUNT=${MEM_COUNT:-100000}
MEM_MODE=${MEM_MODE:-conn}
MEM_EVERY=${MEM_EVERY:-5}
MEM_MILESTONE=${MEM_MILESTONE:-25000}
DIAG=${DIAG:-1}
PERF=${PERF:-1}
PERF_OUT=""
PERF_COUNTS="NA NA"
RUN_TIMEOUT=${RUN_TIMEOUT:-600}
QUIET_WAIT=${QUIET_WAIT:-60}
QUIET_MAX=${QUIET_MAX:-0.3}
MAX_TIME=${MAX_TIME:-7200}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:--Xmx1g}
MEM_OPTS=${MEM_OPTS:--Xmx1g}
BACKLOG_COUNT=${BACKLOG_COUNT:-100000}
BACKLOG_MODE=${BACKLOG_MODE:-reuse}
KEEP_SPOOL=${KEEP_SPOOL:-0}
SHAPING_SPREAD=${SHAPING_SPREAD:-1}
RATES=${RATES:-"1 10 100"}
RATE_SECONDS=${RATE_SECONDS:-20}
RATE_RUNS=${RATE_RUNS:-1}
RATE_WARMUP=${RATE_WARMUP:-1000}
OUT=${OUT:-/tmp/camel-smtp-queue-bench}
PYTHON=${PYTHON:-/usr/bin/python3}
SMTP_SOURCE=${SMTP_SOURCE:-/usr/sbin/smtp-source}
SMTP_SINK=${SMTP_SINK:-/usr/sbin/smtp-sink}
SINK_HOST=127.0.0.2
SINK_PORT=2600
declare -A PORT=([ours-accept]=2531 [postfix-hold]=2532 [ours-mta]=2533 [postfix-mta]=2534 [ours-sign]=2535 [ours-verify]=2536 [ours-sign-ed]=2537 [ours-nometrics]=2538 [ours-shaped]=2539 [ours-rate]=2540)
declare -A RELAY_AT=([ours-rate]=127.0.0.1:2601)   # ours-* -> its next hop, host:port (default SINK_HOST:SINK_PORT)
DNS_PORT=2553             # the auth phase's dnsmasq (127.0.0.1)
DRIVE_EXTRA=()            # more drive.py arguments (the auth phase: its message file and sender)
declare -A PID=()         # name -> pid of the timeout(1) wrapping what we started
declare -A JVM=()         # ours-* -> pid of the JVM
CG_NAME=cs-queue-bench    # our cgroups (lib.sh: cg_setup)
CG_GROUPS="ours postfix sink client"
SINK_OUT=""               # the current receiver's output file (its -c counters)
SINK_N=0

# ---------------------------------------------------------------------------------------------------------------
# processes (the shared ones, and the cgroups, are in lib.sh)

start_sink() {   # a fresh receiver: smtp-sink -c on SINK_HOST:SINK_PORT, backlog 256; counters in SINK_OUT
    SINK_N=$((SINK_N + 1))
    SINK_OUT=$OUT/logs/sink-$SINK_N.out
    sink_spawn sink "$SINK_HOST:$SINK_PORT" "$SINK_OUT"
    PID[sink]=$!
    sink_wait "$SINK_HOST:$SINK_PORT" "${PID[sink]}" "$SINK_OUT"
}

stop_sink() {
    stop_pid "${PID[sink]:-}" 5
    unset 'PID[sink]'
}

spool_dir() { echo "$OUT/spool/$1"; }

start_ours() {   # name yaml [jvm options] [spool dir]: the app in a JVM, in cgroup "ours"
    local name=$1 yaml=$2 opts=${3:-$JAVA_OPTS} spool=${4:-$(spool_dir "$1")}
    listening "127.0.0.1:${PORT[$name]}" && die "port ${PORT[$name]} is in use"
    mkdir -p "$spool"
    # shellcheck disable=SC2086
    # admin.port: the auth phase runs three apps at once, each needs its own admin HTTP port
    local relay=${RELAY_AT[$name]:-$SINK_HOST:$SINK_PORT}
    start_jvm "$name" ours "${PORT[$name]}" "$OUT/logs/$name.log" $opts -Dsmtp.port="${PORT[$name]}" \
        -Dadmin.port=$((PORT[$name] + 10000)) -Dspool.dir="$spool" -Drelay.host="${relay%:*}" -Drelay.port="${relay##*:}" \
        -jar "$APP_DIR/camel-smtp-examples.jar" --routes "$yaml"
}

stop_ours() { stop_jvm "$1" 40; }   # name

# ---------------------------------------------------------------------------------------------------------------
# private Postfix instances (config, queue, data and log under OUT/NAME)

# hold: the acceptance peer, exactly bench/inbound.sh's instance (see docs/benchmarks.md): smtpd puts every message on
#   hold (check_client_access static:HOLD), so cleanup writes, fsyncs and renames the queue file into hold/ and
#   nothing is delivered. in_flow_delay = 0s: no deliveries means no flow-control tokens (favours Postfix).
#   default_process_limit 150, smtpd maxproc 120 (inbound.sh's values, for its 100 sessions; 20 need fewer).
# relay: the end-to-end peer, Postfix defaults except: its own directories and log file; relayhost = the receiver;
#   mynetworks = loopback and smtpd_relay_restrictions = permit_mynetworks (so it relays for smtp-source); nothing
#   is local (empty mydestination, local_recipient_maps, alias maps); ipv4 on 127.0.0.1 only; no TLS either way
#   (the app's relay uses tls=none); smtpd_peername_lookup = no (no DNS here; the app does no reverse look-up);
#   myhostname different from the receiver's greeting name "smtp-sink" (or Postfix sees a mail loop). Left at the
#   defaults: in_flow_delay (1s), default_process_limit (100), default_destination_concurrency_limit (20),
#   initial_destination_concurrency (5), connection caching (on demand), smtpd_client_connection_count_limit (50).
pf_setup() {   # name mode(hold|relay): write the instance's config into OUT/NAME
    local name=$1 mode=$2
    if [ "$mode" = hold ]; then
        pf_hold_cf | pf_instance "$OUT/$name" "127.0.0.1:${PORT[$name]}" 120
    else
        pf_instance "$OUT/$name" "127.0.0.1:${PORT[$name]}" - <<EOF
myhostname = postfix.bench.queue
mydomain = bench.queue
myorigin = \$myhostname
relayhost = [$SINK_HOST]:$SINK_PORT
smtp_tls_security_level = none
smtpd_tls_security_level = none
EOF
    fi
}

pf_start() {   # name mode
    local name=$1
    listening "127.0.0.1:${PORT[$name]}" && die "port ${PORT[$name]} is in use"
    pf_setup "$name" "$2"
    pf_start_fg "$name" "$OUT/$name" "${PORT[$name]}"
}

pf_stop() { pf_stop_fg "$1" "$OUT/$1"; }   # name

cleanup() {
    trap - EXIT
    local n
    for n in ours-accept ours-mta ours-mem ours-fill ours-drain ours-sign ours-sign-ed ours-verify ours-nometrics ours-shaped ours-rate; do stop_ours "$n"; done
    stop_pid "${PID[dns]:-}" 5
    stop_pid "${PID[ratemx]:-}" 5
    pf_stop postfix-hold
    pf_stop postfix-mta
    stop_sink
    stop_pid "${PID[jstat]:-}" 5
    stop_pid "${PID[perf]:-}" 5
    cg_teardown
    rm -rf "$OUT/postfix-hold" "$OUT/postfix-mta"
    [ "$KEEP_SPOOL" = 1 ] || rm -rf "$OUT/spool"
}
set_traps

# ---------------------------------------------------------------------------------------------------------------
# measurements

drive() {   # port count mode errfile [--sink FILE]: one smtp-source run through bench/queue/drive.py
    local port=$1 count=$2 mode=$3 errfile=$4 extra=()
    shift 4
    [ "$mode" = reuse ] && extra+=(--reuse)
    ( cg_enter client; exec timeout $((RUN_TIMEOUT + 60)) "$PYTHON" "$HELP/drive.py" --port "$port" --count "$count" \
        --sessions "$SESSIONS" --size "$SIZE" --limit "$RUN_TIMEOUT" --errfile "$errfile" --disk "$DISK" \
        --source "$SMTP_SOURCE" "${extra[@]}" "${DRIVE_EXTRA[@]}" "$@" "${CG_ARGS[@]}" )
}

spool_live() {   # name -> "records live" of our spool
    local c
    c=$("$PYTHON" "$HELP/spool_count.py" "$(spool_dir "$1")")
    echo "$(kv records "$c") $(kv live "$c")"
}

applog_lines() { wc -l < "$OUT/logs/$1.log"; }
applog_since() { tail -n +$(($2 + 1)) "$OUT/logs/$1.log"; }   # name line-count-before

accept_run() {   # server mode run count [label]
    local server=$1 mode=$2 run=$3 count=$4 label=${5:-$1}
    local err="$OUT/logs/src-accept-$label-$mode-$run.err" line idle stored=NA before=0 log0=0
    case $server in
        ours-*) read -r before _ <<< "$(spool_live "$server")"; log0=$(applog_lines "$server") ;;
        postfix-*) find "$OUT/$server/spool/hold" -type f -delete; timeout 60 sync ;;
    esac
    idle=$(wait_quiet)
    # shellcheck disable=SC2046
    perf_begin "$OUT/logs/perf-accept-$label-$mode-$run.txt" $(perf_target "$server")
    line=$(drive "${PORT[$server]}" "$count" "$mode" "$err")
    local fdatasyncs fsyncs
    perf_end
    read -r fdatasyncs fsyncs <<< "$PERF_COUNTS"
    local t rc cpu_srv cpu_client busy foreign flushes writes sectors
    t=$(kv t_end "$line"); rc=$(kv rc "$line")
    case $server in ours-*) cpu_srv=$(kv cpu_ours "$line") ;; *) cpu_srv=$(kv cpu_postfix "$line") ;; esac
    cpu_client=$(kv cpu_client "$line"); busy=$(kv busy "$line"); foreign=$(kv foreign "$line")
    flushes=$(kv flushes "$line"); writes=$(kv writes "$line"); sectors=$(kv sectors "$line")
    local warn=NA stray=0 after
    case $server in
        ours-*)
            read -r after _ <<< "$(spool_live "$server")"
            stored=$((after - before))
            warn=$(applog_since "$server" "$log0" | grep -cE 'WARN|ERROR|Exception')
            ;;
        postfix-*)
            stored=$(pf_files "$OUT/$server" hold)
            stray=$(pf_files "$OUT/$server" incoming active deferred maildrop)
            ;;
    esac
    local errlines
    errlines=$(grep -vc '^$' "$err")
    local ok=yes
    [ "$rc" = 0 ] && [ "$errlines" = 0 ] && [ "$stored" = "$count" ] && [ "$stray" = 0 ] || ok=no
    [ "$warn" = NA ] || [ "$warn" = 0 ] || ok=no
    local rate
    rate=$(ratio "$count" "$t")
    echo "$label,$server,$mode,$run,$count,$t,$rate,$rc,$errlines,$stored,$stray,$warn,$cpu_srv,$cpu_client,$busy,$foreign,$flushes,$writes,$sectors,$fdatasyncs,$fsyncs,$idle,$ok" >> "$OUT/accept.csv"
    log "$(printf 'accept %-12s %-5s run %s: %5d msgs %7ss %7s msg/s, stored %s, CPU %ss, fdatasync+fsync %s+%s, disk flushes %s (%s msg/flush), other CPU %ss, ok=%s' \
        "$label" "$mode" "$run" "$count" "$t" "$rate" "$stored" "$cpu_srv" "$fdatasyncs" "$fsyncs" "$flushes" "$(ratio "$count" "$flushes")" "$foreign" "$ok")"
    [ "$ok" = yes ] || log "  rc=$rc stderr lines=$errlines stored=$stored stray=$stray app WARN/ERROR=$warn: $(head -c 300 "$err" | tr '\n' ' ')"
}

queue_left() {   # server: messages in its queue (ours: live records of the spool; Postfix: queue files)
    local q
    case $1 in
        ours-*) read -r _ q <<< "$(spool_live "$1")" ;;
        *) q=$(pf_files "$OUT/$1" incoming active deferred hold maildrop) ;;
    esac
    echo "$q"
}

e2e_run() {   # server mode run count [label]
    local server=$1 mode=$2 run=$3 count=$4 label=${5:-$1}
    local err="$OUT/logs/src-e2e-$label-$mode-$run.err" line idle log0=0 maillog0=0
    case $server in
        ours-*) log0=$(applog_lines "$server") ;;
        postfix-*) [ -f "$OUT/$server/maillog" ] && maillog0=$(wc -l < "$OUT/$server/maillog") ;;
    esac
    idle=$(wait_quiet)
    # shellcheck disable=SC2046
    perf_begin "$OUT/logs/perf-e2e-$label-$mode-$run.txt" $(perf_target "$server")
    line=$(drive "${PORT[$server]}" "$count" "$mode" "$err" --sink "$SINK_OUT")
    local fdatasyncs fsyncs
    perf_end
    read -r fdatasyncs fsyncs <<< "$PERF_COUNTS"
    local t_src t_sink t_end rc cpu_srv cpu_sink cpu_client busy foreign flushes
    t_src=$(kv t_src "$line"); t_sink=$(kv t_sink "$line"); t_end=$(kv t_end "$line"); rc=$(kv rc "$line")
    case $server in ours-*) cpu_srv=$(kv cpu_ours "$line") ;; *) cpu_srv=$(kv cpu_postfix "$line") ;; esac
    cpu_sink=$(kv cpu_sink "$line"); cpu_client=$(kv cpu_client "$line")
    busy=$(kv busy "$line"); foreign=$(kv foreign "$line"); flushes=$(kv flushes "$line")
    local settle_s sess quit mesg
    settle_s=$(settle "dst $SINK_HOST and dport = :$SINK_PORT" queue_left "$server")   # queue empty, connections closed
    read -r sess quit mesg <<< "$(sink_counters "$SINK_OUT")"
    local delivered=NA deferred=NA bounced=NA queue=NA warn=NA rss=NA
    case $server in
        ours-*)
            local new
            new=$(applog_since "$server" "$log0")
            delivered=$(grep -c '> delivered: ' <<< "$new"); deferred=$(grep -c '> deferred (attempt' <<< "$new")
            bounced=$(grep -cE '> (bounced: |expired after)' <<< "$new")
            warn=$(grep -cE 'WARN|ERROR|Exception' <<< "$new")
            grep -E 'WARN|ERROR|Exception' <<< "$new" | head -20 >> "$OUT/logs/$server-warnings.log"
            read -r _ queue <<< "$(spool_live "$server")"
            rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/${JVM[$server]}/status" 2>/dev/null)
            ;;
        postfix-*)
            local new
            new=$(tail -n +$((maillog0 + 1)) "$OUT/$server/maillog")
            delivered=$(grep -c 'status=sent' <<< "$new"); deferred=$(grep -c 'status=deferred' <<< "$new")
            bounced=$(grep -c 'status=bounced' <<< "$new")
            warn=$(grep -cE 'warning|fatal|panic|error' <<< "$new")
            grep -E 'warning|fatal|panic|error' <<< "$new" | head -20 >> "$OUT/logs/$server-warnings.log"
            queue=$(pf_files "$OUT/$server" incoming active deferred hold maildrop)
            ;;
    esac
    local errlines ok=yes
    errlines=$(grep -vc '^$' "$err")
    [ "$rc" = 0 ] && [ "$errlines" = 0 ] && [ "$t_end" != NA ] && [ "$mesg" = "$count" ] || ok=no
    [ "$delivered" = "$count" ] && [ "$deferred" = 0 ] && [ "$bounced" = 0 ] && [ "$queue" = 0 ] && [ "$warn" = 0 ] || ok=no
    local rate acc
    rate=$(ratio "$count" "$t_end"); acc=$(ratio "$count" "$t_src")
    echo "$label,$server,$mode,$run,$count,$t_src,$t_sink,$t_end,$rate,$acc,$rc,$errlines,$mesg,$sess,$quit,$delivered,$deferred,$bounced,$queue,$warn,$cpu_srv,$cpu_sink,$cpu_client,$busy,$foreign,$flushes,$fdatasyncs,$fsyncs,$settle_s,$rss,$idle,$ok" >> "$OUT/e2e.csv"
    log "$(printf 'e2e    %-12s %-5s run %s: %5d msgs, end to end %7ss = %7s msg/s (all accepted after %ss), receiver %s msgs / %s sessions, CPU %ss, other CPU %ss, ok=%s' \
        "$label" "$mode" "$run" "$count" "$t_end" "$rate" "$t_src" "$mesg" "$sess" "$cpu_srv" "$foreign" "$ok")"
    [ "$ok" = yes ] || log "  rc=$rc stderr lines=$errlines received=$mesg delivered=$delivered deferred=$deferred bounced=$bounced queue left=$queue warnings=$warn: $(head -c 300 "$err" | tr '\n' ' ')"
    stop_sink
    start_sink
}

jstack_threads_cpu() {   # pid file: CPU per Java thread name (jstack's cpu=, numbers in names stripped), and the dump
    [ -n "${1:-}" ] || return 0
    timeout 60 jstack "$1" > "$2.jstack" 2>/dev/null || return 0
    awk '/^"/ && / cpu=/ { name = $0; sub(/^"/, "", name); sub(/".*/, "", name); gsub(/[0-9]+/, "N", name)
             c = $0; sub(/.* cpu=/, "", c); sub(/ms.*/, "", c); cpu[name] += c; cnt[name]++ }
         END { for (n in cpu) printf "%9.2f s  %4d live  %s\n", cpu[n] / 1000, cnt[n], n }' "$2.jstack" | sort -rn > "$2"
}

perf_begin() {   # out-file perf-target-args...: count fsync/fdatasync system calls until perf_end (perf stat on
                 # the syscall tracepoints: counted in the kernel, no measurable slow-down, unlike strace)
    PERF_OUT=""
    [ "$PERF" = 1 ] || return 0
    local f=$1; shift
    ( exec timeout $((RUN_TIMEOUT + 120)) perf stat -x, -e syscalls:sys_enter_fdatasync,syscalls:sys_enter_fsync \
        -o "$f" "$@" ) < /dev/null > /dev/null 2>> "$OUT/logs/perf.err" &
    PID[perf]=$!
    PERF_OUT=$f
    sleep 0.5
}

perf_end() {   # sets PERF_COUNTS to "fdatasync_calls fsync_calls" since perf_begin, or "NA NA"
    PERF_COUNTS="NA NA"
    [ -n "${PID[perf]:-}" ] && [ -n "$PERF_OUT" ] || return 0
    local i
    kill -INT "${PID[perf]}" 2>/dev/null   # perf stat writes its counts when interrupted, not when terminated
    for i in $(seq 1 50); do kill -0 "${PID[perf]}" 2>/dev/null || break; sleep 0.1; done
    stop_pid "${PID[perf]}" 5
    unset 'PID[perf]'
    PERF_COUNTS=$(awk -F, '/sys_enter_fdatasync/ { d = $1 } /sys_enter_fsync/ { s = $1 }
             END { print (d ~ /^[0-9]+$/ ? d : "NA"), (s ~ /^[0-9]+$/ ? s : "NA") }' "$PERF_OUT" 2>/dev/null)
    [ -n "$PERF_COUNTS" ] || PERF_COUNTS="NA NA"
}

perf_target() {   # server -> perf stat target: our JVM, or the whole machine for Postfix (its processes come and go)
    case $1 in ours-*) echo "-p ${JVM[$1]}" ;; *) echo "-a" ;; esac
}

machine_lines() {   # OUT/machine.txt (machine_info in lib.sh writes it)
    host_lines os
    postfix_line
    echo "filesystem of $OUT: $(findmnt -n -o FSTYPE,SOURCE -T "$OUT" | tr -s ' ') (flush counter of /sys/block/$DISK)"
    echo "cgroup for CPU: ${CG_BASE:-none} ($CG_FILE)"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    app_lines
    echo "JAVA_OPTS: $JAVA_OPTS  MEM_OPTS: $MEM_OPTS"
    echo "RUNS=$RUNS COUNT_ACCEPT=$COUNT_ACCEPT COUNT_E2E=$COUNT_E2E SESSIONS=$SESSIONS SIZE=$SIZE MODES='$MODES' PHASES='$PHASES' WARMUP=$WARMUP MEM_COUNT=$MEM_COUNT MEM_MODE=$MEM_MODE MEM_EVERY=$MEM_EVERY BACKLOG_COUNT=$BACKLOG_COUNT BACKLOG_MODE=$BACKLOG_MODE DIAG=$DIAG PERF=$PERF RUN_TIMEOUT=$RUN_TIMEOUT QUIET_WAIT=$QUIET_WAIT QUIET_MAX=$QUIET_MAX"
}

# ---------------------------------------------------------------------------------------------------------------
# phases

phase_accept() {
    log "phase accept: ours-accept (smtp-server -> smtp-queue, no consumer) vs postfix-hold, $COUNT_ACCEPT messages per run"
    start_ours ours-accept "$BENCH/routes/queue-accept.camel.yaml"
    pf_start postfix-hold hold
    local server mode run
    log "warm-up: $WARMUP messages per server and mode, not measured"
    for server in ours-accept postfix-hold; do
        for mode in $MODES; do accept_run "$server" "$mode" 0 "$WARMUP" "warmup-$server" > /dev/null; done
    done
    for run in $(seq 1 "$RUNS"); do
        for mode in $MODES; do
            for server in $(order_for "$run" ours-accept postfix-hold); do accept_run "$server" "$mode" "$run" "$COUNT_ACCEPT"; done
        done
    done
    [ "$DIAG" = 1 ] && jstack_threads_cpu "${JVM[ours-accept]}" "$OUT/ours-accept-java-threads-cpu.txt"
    log_warnings ours-accept "$OUT/logs/ours-accept.log"
    jvm_histogram "${JVM[ours-accept]}" 25 "$OUT/logs/ours-accept-histogram.txt"
    log "ours-accept: spool $(spool_live ours-accept | awk '{ print $1 }') records, RSS $(awk '/^VmRSS:/ { print int($2 / 1024) }' "/proc/${JVM[ours-accept]}/status") MiB"
    stop_ours ours-accept
    pf_stop postfix-hold
    rm -rf "$(spool_dir ours-accept)"
}

# The auth phase: what DKIM signing and verification cost on acceptance. One SIZE-octet message (OUT/auth/message.eml,
# From alice@auth.bench.test, DKIM-signed with RSA-2048 by dkimpy) is sent by smtp-source -F to every server, MAIL
# FROM alice@auth.bench.test; dnsmasq on 127.0.0.1:DNS_PORT serves auth.bench.test's SPF (ip4:127.0.0.0/8 -all),
# DKIM key and DMARC (p=reject) records with a TTL of an hour, so smtp-auth's cache answers after the first message.
# Servers, started together and driven in turn like the accept phase (rows labelled auth-SERVER in accept.csv):
#   ours-accept   bench/routes/queue-accept.camel.yaml, no DKIM                                                 :2531
#   ours-sign     bench/routes/queue-accept-dkim.camel.yaml: smtp-auth:dkim-sign (RSA-2048) before the queue    :2535
#   ours-sign-ed  the same route signing with an Ed25519 key                                                   :2537
#   ours-verify   bench/routes/queue-accept-verify.camel.yaml: smtp-auth:spf at MAIL FROM, smtp-auth:verify      :2536
#   postfix-hold  as in the accept phase                                                                         :2532
auth_setup() {
    local d="$OUT/auth" p
    mkdir -p "$d"
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$d/rsa.pem" 2> /dev/null || die "openssl genpkey failed"
    openssl genpkey -algorithm ed25519 -out "$d/ed25519.pem" || die "openssl genpkey failed"
    p=$(openssl pkey -in "$d/rsa.pem" -pubout -outform DER | base64 -w0)
    "$PYTHON" - "$d" "$SIZE" <<'PY' || die "could not write the signed message (python3-dkim?)"
import random, sys, dkim
d, size = sys.argv[1], int(sys.argv[2])
head = ("From: Alice <alice@auth.bench.test>\r\nTo: Bob <rcpt@bench.test>\r\nSubject: benchmark message\r\n"
        "Date: Sun, 06 Dec 2026 20:00:00 +0000\r\nMessage-ID: <bench-1@auth.bench.test>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n")
rnd = random.Random(1)
words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor".split()
parts, n = [head], len(head)
while n < size:
    line = " ".join(rnd.choice(words) for _ in range(11))[:76] + "\r\n"
    parts.append(line)
    n += len(line)
m = "".join(parts).encode()
sig = dkim.sign(m, b"bench", b"auth.bench.test", open(d + "/rsa.pem", "rb").read(), canonicalize=(b"relaxed", b"relaxed"))
# smtp-source -F appends CRLF to every line it reads: give it LF line ends
open(d + "/message.eml", "wb").write((sig + m).replace(b"\r\n", b"\n"))
PY
    {
        echo "port=$DNS_PORT"; echo "listen-address=127.0.0.1"; echo "bind-interfaces"; echo "no-resolv"; echo "no-hosts"
        echo "keep-in-foreground"; echo "log-facility=-"; echo "pid-file="; echo "user="; echo "local-ttl=3600"
        echo 'txt-record=auth.bench.test,"v=spf1 ip4:127.0.0.0/8 -all"'
        echo "txt-record=bench._domainkey.auth.bench.test,\"v=DKIM1; k=rsa; p=${p:0:200}\",\"${p:200}\""
        echo 'txt-record=_dmarc.auth.bench.test,"v=DMARC1; p=reject"'
    } > "$d/dnsmasq.conf"
    ( cg_enter sink; exec timeout "$MAX_TIME" dnsmasq -C "$d/dnsmasq.conf" ) > "$OUT/logs/dnsmasq.log" 2>&1 &
    PID[dns]=$!
    local i
    for i in $(seq 1 100); do ss -Hlun "src 127.0.0.1:$DNS_PORT" | grep -q . && return 0; sleep 0.05; done
    die "dnsmasq did not start: $(cat "$OUT/logs/dnsmasq.log")"
}

spool_grep() {   # name pattern: lines of the spool of NAME that match PATTERN
    find "$(spool_dir "$1")" -type f -exec cat {} + 2> /dev/null | grep -ac "$2" || true
}

phase_auth() {
    local servers="ours-accept ours-sign ours-sign-ed ours-verify postfix-hold" server mode run
    log "phase auth: ours-accept (no DKIM), ours-sign (dkim-sign), ours-verify (spf + verify), postfix-hold; the same DKIM-signed message, $COUNT_ACCEPT messages per run"
    auth_setup
    DRIVE_EXTRA=(--file "$OUT/auth/message.eml" --sender alice@auth.bench.test)
    start_ours ours-accept "$BENCH/routes/queue-accept.camel.yaml"
    start_ours ours-sign "$BENCH/routes/queue-accept-dkim.camel.yaml" "$JAVA_OPTS -Ddkim.key=$OUT/auth/rsa.pem"
    start_ours ours-sign-ed "$BENCH/routes/queue-accept-dkim.camel.yaml" "$JAVA_OPTS -Ddkim.key=$OUT/auth/ed25519.pem -Ddkim.selector=bench-ed"
    start_ours ours-verify "$BENCH/routes/queue-accept-verify.camel.yaml" "$JAVA_OPTS -Ddns.servers=127.0.0.1:$DNS_PORT"
    pf_start postfix-hold hold
    log "warm-up: $WARMUP messages per server and mode, not measured"
    for server in $servers; do
        for mode in $MODES; do accept_run "$server" "$mode" 0 "$WARMUP" "warmup-auth-$server" > /dev/null; done
    done
    for run in $(seq 1 "$RUNS"); do
        for mode in $MODES; do
            # shellcheck disable=SC2086
            for server in $(order_for "$run" $servers); do accept_run "$server" "$mode" "$run" "$COUNT_ACCEPT" "auth-$server"; done
        done
    done
    # what was stored is what was meant: signed by us (ours-sign), judged pass (ours-verify)
    log "ours-sign: $(spool_grep ours-sign '^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=auth.bench.test; s=bench;') of our DKIM-Signature fields in its spool"
    log "ours-sign-ed: $(spool_grep ours-sign-ed '^DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=auth.bench.test; s=bench-ed;') of our DKIM-Signature fields in its spool"
    log "ours-verify: $(spool_grep ours-verify 'dmarc=pass') messages with dmarc=pass, $(spool_grep ours-verify 'dkim=pass') with dkim=pass, $(spool_grep ours-verify 'spf=pass') with spf=pass in its spool"
    for server in ours-accept ours-sign ours-sign-ed ours-verify; do
        log_warnings "$server" "$OUT/logs/$server.log"
        stop_ours "$server"
        rm -rf "$(spool_dir "$server")"
    done
    pf_stop postfix-hold
    stop_pid "${PID[dns]}" 5
    unset 'PID[dns]'
    DRIVE_EXTRA=()
    "$PYTHON" - "$OUT/accept.csv" <<'PY' | tee "$OUT/auth-summary.md"
import csv, statistics, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["label"].startswith("auth-")]
names = ("ours-accept", "ours-sign", "ours-sign-ed", "ours-verify", "postfix-hold")
print("| mode | ours-accept msg/s | ours-sign (RSA) msg/s | ours-sign-ed (Ed25519) msg/s | ours-verify msg/s | postfix-hold msg/s "
      "| RSA sign / accept | Ed25519 sign / accept | verify / postfix-hold | runs ok |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for mode in sorted({r["mode"] for r in rows}):
    med, ok = {}, []
    for s in names:
        mine = [r for r in rows if r["server"] == s and r["mode"] == mode]
        good = [float(r["msg_per_s"]) for r in mine if r["ok"] == "yes"]
        med[s] = statistics.median(good) if good else float("nan")
        ok.append(f"{len(good)}/{len(mine)}")
    print(f'| {mode} | {med["ours-accept"]:,.0f} | {med["ours-sign"]:,.0f} | {med["ours-sign-ed"]:,.0f} | '
          f'{med["ours-verify"]:,.0f} | {med["postfix-hold"]:,.0f} | {med["ours-sign"] / med["ours-accept"]:.2f}× | '
          f'{med["ours-sign-ed"] / med["ours-accept"]:.2f}× | {med["ours-verify"] / med["postfix-hold"]:.2f}× | {" ".join(ok)} |')
PY
}

# phase metrics (not in the default PHASES): what the Micrometer meters cost acceptance (issue 14: < 5 %). Two apps
# with the acceptance route, started together and driven in turn (order alternating per run), after a warm-up:
#   ours-accept     the app as shipped: a Prometheus registry bound, every meter counting                    :2531
#   ours-nometrics  the same with -Dmetrics.enabled=false: no registry, no meter made                         :2538
# Ratio = median msg/s with / without; CPU per message from the "ours" cgroup (both JVMs are in it, but only the
# one being driven works).
phase_metrics() {
    local servers="ours-accept ours-nometrics" server mode run
    log "phase metrics: ours-accept (meters on) vs ours-nometrics (metrics.enabled=false), $COUNT_ACCEPT messages per run"
    start_ours ours-accept "$BENCH/routes/queue-accept.camel.yaml"
    start_ours ours-nometrics "$BENCH/routes/queue-accept.camel.yaml" "$JAVA_OPTS -Dmetrics.enabled=false"
    log "warm-up: $WARMUP messages per server and mode, not measured"
    for server in $servers; do
        for mode in $MODES; do accept_run "$server" "$mode" 0 "$WARMUP" "warmup-metrics-$server" > /dev/null; done
    done
    for run in $(seq 1 "$RUNS"); do
        for mode in $MODES; do
            # shellcheck disable=SC2086
            for server in $(order_for "$run" $servers); do accept_run "$server" "$mode" "$run" "$COUNT_ACCEPT" "metrics-$server"; done
        done
    done
    for server in $servers; do
        log_warnings "$server" "$OUT/logs/$server.log"
        stop_ours "$server"
        rm -rf "$(spool_dir "$server")"
    done
    "$PYTHON" - "$OUT/accept.csv" <<'PY' | tee "$OUT/metrics-summary.md"
import csv, statistics, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["label"].startswith("metrics-")]
print("| mode | meters on msg/s | meters off msg/s | on / off | CPU ms per message, on / off | runs ok |")
print("|---|---:|---:|---:|---:|---|")
for mode in sorted({r["mode"] for r in rows}):
    med, cpu, ok = {}, {}, []
    for s in ("ours-accept", "ours-nometrics"):
        good = [r for r in rows if r["server"] == s and r["mode"] == mode and r["ok"] == "yes"]
        med[s] = statistics.median(float(r["msg_per_s"]) for r in good) if good else float("nan")
        cpu[s] = statistics.median(1000 * float(r["cpu_server_s"]) / int(r["count"]) for r in good
                                   if r["cpu_server_s"] not in ("", "NA")) if good else float("nan")
        ok.append(f'{len(good)}/{len([r for r in rows if r["server"] == s and r["mode"] == mode])}')
    print(f'| {mode} | {med["ours-accept"]:,.0f} | {med["ours-nometrics"]:,.0f} | '
          f'{med["ours-accept"] / med["ours-nometrics"]:.3f}× | {cpu["ours-accept"]:.3f} / {cpu["ours-nometrics"]:.3f} | '
          f'{" ".join(ok)} |')
PY
}

# phase shaping (not in the default PHASES): what traffic shaping costs end to end (issue 15: with 100 sites configured
# and shaping on, the throughput to an unthrottled site stays >= 0.95x of shaping off). Two apps with the e2e route
# (bench/routes/queue-mta.camel.yaml), started together and driven in turn, the order alternating per round, after a
# warm-up:
#   ours-mta     shaping off (no shapingRules): every domain its own site, maxPerDomain 20                   :2533
#   ours-shaped  shapingRules = OUT/shaping/sites-100.yaml (shaping_rules_100): 100 site rules site1..site100, each
#                with a domain and an MX suffix and every limit set, 100 reactions, and defaults that do not limit
#                (maxConnections 20 = maxPerDomain, no rate)                                                     :2539
# Traffic (rows labelled shaping-SERVER in e2e.csv): numbered recipients at bench.test, a domain no rule names,
# whose site gets the defaults. With SHAPING_SPREAD=1 also (rows spread-SERVER) the same count spread over
# site1..site100.bench.test (drive.py --spread 100), where ours-shaped applies each site's own rule. No MX look-up
# runs: this build's relay binds no SiteResolver, so a domain no rule names is its own site.
shaping_rules_100() {   # file: the 100-site rules
    local i
    {
        echo "# bench/queue.sh phase shaping: 100 site rules; the measured domain bench.test matches none of them"
        echo "defaults:"
        echo "  maxConnections: 20           # = the queue's maxPerDomain: the defaults limit nothing"
        echo "sites:"
        for i in $(seq 1 100); do
            echo "  site$i: {domains: [site$i.bench.test], mxSuffixes: [.mx$i.bench.test], maxConnections: 5, maxMessagesPerConnection: 100, messageRate: 1000/s, connectionRate: 600/min, tls: opportunistic}"
        done
        echo "reactions:"
        for i in $(seq 1 100); do
            echo "  - {name: site$i-throttled, sites: [site$i], code: 421, enhancedCode: \"4.7.0\", text: '(?i)too many|try again', threshold: 3/1h, action: rate, rate: 10/min, duration: 30m}"
        done
    } > "$1"
}

phase_shaping() {
    local servers="ours-mta ours-shaped" server mode run rules="$OUT/shaping/sites-100.yaml"
    mkdir -p "$OUT/shaping"
    shaping_rules_100 "$rules"
    log "phase shaping: ours-mta (no rules) vs ours-shaped (100 site rules), $COUNT_E2E messages per run end to end"
    start_sink
    start_ours ours-mta "$BENCH/routes/queue-mta.camel.yaml"
    start_ours ours-shaped "$BENCH/routes/queue-mta.camel.yaml" "$JAVA_OPTS -Dqueue.shapingRules=$rules"
    local i   # the consumer route may start after the listener
    for i in $(seq 1 100); do grep -q 'shapes its deliveries by .*100 site rule(s), 100 reaction(s)' "$OUT/logs/ours-shaped.log" && break; sleep 0.1; done
    [ "$i" -lt 100 ] || die "ours-shaped did not load its rules"
    local variants=shaping
    [ "$SHAPING_SPREAD" = 1 ] && variants="shaping spread"
    log "warm-up: $WARMUP messages per server, mode and variant, not measured"
    for server in $servers; do
        for mode in $MODES; do
            e2e_run "$server" "$mode" 0 "$WARMUP" "warmup-shaping-$server" > /dev/null
            [ "$SHAPING_SPREAD" = 1 ] && DRIVE_EXTRA=(--spread 100) && e2e_run "$server" "$mode" 0 "$WARMUP" "warmup-spread-$server" > /dev/null
            DRIVE_EXTRA=()
        done
    done
    local v
    for run in $(seq 1 "$RUNS"); do
        for v in $variants; do
            [ "$v" = spread ] && DRIVE_EXTRA=(--spread 100)
            for mode in $MODES; do
                # shellcheck disable=SC2086
                for server in $(order_for "$run" $servers); do e2e_run "$server" "$mode" "$run" "$COUNT_E2E" "$v-$server"; done
            done
            DRIVE_EXTRA=()
        done
    done
    log "ours-shaped: $(grep -c 'site-\(suspended\|rate-lowered\|rerouted\)' "$OUT/logs/ours-shaped.log") reactions fired"
    for server in $servers; do
        [ "$DIAG" = 1 ] && jvm_threads_cpu "${JVM[$server]}" "$OUT/$server-shaping-threads-cpu.txt"
        log_warnings "$server" "$OUT/logs/$server.log"
        stop_ours "$server"
        rm -rf "$(spool_dir "$server")"
    done
    stop_sink
    "$PYTHON" - "$OUT/e2e.csv" <<'PY' | tee "$OUT/shaping-summary.md"
import csv, statistics, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["label"].split("-")[0] in ("shaping", "spread")]
print("| traffic | mode | shaping on msg/s | off msg/s | on / off (medians) | on / off paired per round (median, min) "
      "| CPU ms per message, on / off | runs ok |")
print("|---|---|---:|---:|---:|---:|---|---|")
for v, what in (("shaping", "bench.test (no rule)"), ("spread", "site1..100.bench.test (own rules)")):
    for mode in ("conn", "reuse"):
        mine = [r for r in rows if r["label"].startswith(v + "-") and r["mode"] == mode]
        if not mine:
            continue
        good = {s: {r["run"]: r for r in mine if r["server"] == s and r["ok"] == "yes"} for s in ("ours-shaped", "ours-mta")}
        med = {s: statistics.median(float(r["msg_per_s"]) for r in g.values()) if g else float("nan") for s, g in good.items()}
        cpu = {s: statistics.median(1000 * float(r["cpu_server_s"]) / int(r["count"]) for r in g.values()
                                    if r["cpu_server_s"] not in ("", "NA")) if g else float("nan") for s, g in good.items()}
        pairs = [float(good["ours-shaped"][k]["msg_per_s"]) / float(good["ours-mta"][k]["msg_per_s"])
                 for k in good["ours-shaped"] if k in good["ours-mta"]]
        paired = f"{statistics.median(pairs):.3f}×, {min(pairs):.3f}×" if pairs else "—"
        ok = " ".join(f'{len(good[s])}/{len([r for r in mine if r["server"] == s])}' for s in ("ours-shaped", "ours-mta"))
        print(f'| {what} | {mode} | {med["ours-shaped"]:,.0f} | {med["ours-mta"]:,.0f} | '
              f'{med["ours-shaped"] / med["ours-mta"]:.3f}× | {paired} | {cpu["ours-shaped"]:.3f} / {cpu["ours-mta"]:.3f} | {ok} |')
PY
}

# phase shaping-rate (not in the default PHASES): how closely a site's messageRate is kept. One app, ours-rate (:2540),
# with the e2e route relaying to camel-smtp-queue/src/test/resources/shaping/pressured_mx.py (aiosmtpd, mode accept)
# on 127.0.0.1:2601, which logs the monotonic time of every message it takes; shapingRules = OUT/shaping/rates.yaml:
# one site rateN per N in RATES (domain rateN.bench.test, messageRate N/s, maxConnections 20). Per N and run,
# N x RATE_SECONDS messages to rateN.bench.test go in at once (smtp-source, reused connections: far faster than N/s,
# so the site always has mail waiting); once the receiver has them all (bounded wait), bench/queue/rate_check.py
# reads its log: achieved rate, the most messages in a sliding window of one second, inter-arrival times. Rows in
# OUT/rate.csv.
rate_received() {   # log domain [offset]: messages the receiver took for DOMAIN so far (since octet OFFSET of LOG)
    tail -c +$((${3:-0} + 1)) "$1" 2>/dev/null | grep -c " accept [^ ]* [^ ]*@$2 "
}

phase_shaping_rate() {
    local rules="$OUT/shaping/rates.yaml" mxlog="$OUT/logs/rate-mx.log" mx=${RELAY_AT[ours-rate]} n run
    mkdir -p "$OUT/shaping"
    {
        echo "# bench/queue.sh phase shaping-rate: one paced site per rate; warm.bench.test (the warm-up) has no rule"
        echo "sites:"
        for n in $RATES; do echo "  rate$n: {domains: [rate$n.bench.test], maxConnections: 20, messageRate: $n/s}"; done
    } > "$rules"
    log "phase shaping-rate: rates $RATES per second, $RATE_SECONDS s worth of messages each, receiver pressured_mx.py on $mx"
    listening "$mx" && die "$mx is in use"
    ( cg_enter sink; exec timeout "$MAX_TIME" "$PYTHON" "$REPO/camel-smtp-queue/src/test/resources/shaping/pressured_mx.py" \
        "${mx##*:}" "$mxlog" accept ) < /dev/null > "$OUT/logs/rate-mx.out" 2>&1 &
    PID[ratemx]=$!
    wait_listening "$mx" "${PID[ratemx]}" 10 || die "pressured_mx.py did not start: $(cat "$OUT/logs/rate-mx.out")"
    local mxpid
    mxpid=$(pgrep -P "${PID[ratemx]}" | head -1)
    start_ours ours-rate "$BENCH/routes/queue-mta.camel.yaml" "$JAVA_OPTS -Dqueue.shapingRules=$rules"
    local i
    for i in $(seq 1 100); do grep -q 'shapes its deliveries by' "$OUT/logs/ours-rate.log" && break; sleep 0.1; done
    log "warm-up: $RATE_WARMUP messages to warm.bench.test (no rule, no pacing), not measured"
    drive "${PORT[ours-rate]}" "$RATE_WARMUP" reuse "$OUT/logs/src-rate-warmup.err" --domain warm.bench.test > /dev/null
    for i in $(seq 1 1200); do [ "$(rate_received "$mxlog" warm.bench.test)" -ge "$RATE_WARMUP" ] && break; sleep 0.1; done
    echo "limit_per_s,run,count,t_accept,t_all,rc,src_errlines,received,delivered,deferred,warn,n,dups,rate,max_win,max_win_closed,over,gap_ideal_ms,gap_p50_ms,gap_p99_ms,gap_min_ms,gap_max_ms,span_s,mx_cpu_s,ok" > "$OUT/rate.csv"
    for run in $(seq 1 "$RATE_RUNS"); do
        for n in $RATES; do
            local count=$((n * RATE_SECONDS)) domain="rate$n.bench.test" err="$OUT/logs/src-rate-$n-$run.err" log0 line t0 t1 got=0
            local off runlog="$OUT/logs/rate-mx-$n-$run.log"   # this run's part of the receiver's log
            log0=$(applog_lines ours-rate)
            off=$(stat -c %s "$mxlog")
            wait_quiet > /dev/null
            local mx0
            mx0=$(stat_ticks "/proc/$mxpid/stat")
            t0=$(date +%s.%N)
            line=$(drive "${PORT[ours-rate]}" "$count" reuse "$err" --domain "$domain")
            # bounded: twice the paced time, plus 30 s
            for i in $(seq 1 $(((2 * RATE_SECONDS + 30) * 10))); do
                got=$(rate_received "$mxlog" "$domain" "$off")
                [ "$got" -ge "$count" ] && break
                sleep 0.1
            done
            sleep 1   # a duplicate would come late
            t1=$(date +%s.%N)
            tail -c +$((off + 1)) "$mxlog" > "$runlog"
            got=$(rate_received "$runlog" "$domain")
            local mxcpu new delivered deferred warn check errlines ok=yes
            mxcpu=$(awk -v a="$mx0" -v b="$(stat_ticks "/proc/$mxpid/stat")" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }')
            new=$(applog_since ours-rate "$log0")
            delivered=$(grep -c '> delivered: ' <<< "$new"); deferred=$(grep -c '> deferred (attempt' <<< "$new")
            warn=$(grep -cE 'WARN|ERROR|Exception' <<< "$new")
            errlines=$(grep -vc '^$' "$err")
            check=$("$PYTHON" "$HELP/rate_check.py" "$runlog" "$domain" "$n" 1)
            [ "$(kv rc "$line")" = 0 ] && [ "$errlines" = 0 ] && [ "$got" = "$count" ] && [ "$(kv dups "$check")" = 0 ] || ok=no
            [ "$delivered" = "$count" ] && [ "$deferred" = 0 ] && [ "$warn" = 0 ] || ok=no
            echo "$n,$run,$count,$(kv t_src "$line"),$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a - 1 }'),$(kv rc "$line"),$errlines,$got,$delivered,$deferred,$warn,$(kv n "$check"),$(kv dups "$check"),$(kv rate "$check"),$(kv max_win "$check"),$(kv max_win_closed "$check"),$(kv over "$check"),$(kv gap_ideal "$check"),$(kv gap_p50 "$check"),$(kv gap_p99 "$check"),$(kv gap_min "$check"),$(kv gap_max "$check"),$(kv span_s "$check"),$mxcpu,$ok" >> "$OUT/rate.csv"
            log "rate $n/s run $run: $count messages accepted in $(kv t_src "$line") s, received $got; $check; receiver CPU ${mxcpu}s; ok=$ok"
            [ "$ok" = yes ] || log "  rc=$(kv rc "$line") stderr lines=$errlines delivered=$delivered deferred=$deferred warn=$warn: $(head -c 300 "$err" | tr '\n' ' ')"
        done
    done
    log_warnings ours-rate "$OUT/logs/ours-rate.log"
    stop_ours ours-rate
    stop_pid "${PID[ratemx]}" 5
    unset 'PID[ratemx]'
    rm -rf "$(spool_dir ours-rate)"
    "$PYTHON" - "$OUT/rate.csv" <<'PY' | tee "$OUT/rate-summary.md"
import csv, sys
print("| limit | run | messages | achieved msg/s | most in 1 s [t, t+1 s) | in [t, t+1 s] | windows > limit + 1 "
      "| inter-arrival p50 / p99 / min / max ms (ideal) | receiver CPU s | ok |")
print("|---:|---:|---:|---:|---:|---:|---:|---|---:|---|")
for r in csv.DictReader(open(sys.argv[1])):
    print(f'| {r["limit_per_s"]}/s | {r["run"]} | {r["n"]} | {r["rate"]} | {r["max_win"]} | {r["max_win_closed"]} | {r["over"]} '
          f'| {r["gap_p50_ms"]} / {r["gap_p99_ms"]} / {r["gap_min_ms"]} / {r["gap_max_ms"]} ({r["gap_ideal_ms"]}) | {r["mx_cpu_s"]} | {r["ok"]} |')
PY
}

phase_e2e() {
    log "phase e2e: smtp-source -> ours-mta / postfix-mta -> smtp-sink $SINK_HOST:$SINK_PORT, $COUNT_E2E messages per run"
    start_sink
    start_ours ours-mta "$BENCH/routes/queue-mta.camel.yaml"
    pf_start postfix-mta relay
    local server mode run
    log "warm-up: $WARMUP messages per server and mode, not measured"
    for server in ours-mta postfix-mta; do
        for mode in $MODES; do e2e_run "$server" "$mode" 0 "$WARMUP" "warmup-$server" > /dev/null; done
    done
    for run in $(seq 1 "$RUNS"); do
        for mode in $MODES; do
            for server in $(order_for "$run" ours-mta postfix-mta); do e2e_run "$server" "$mode" "$run" "$COUNT_E2E"; done
        done
    done
    if [ "$DIAG" = 1 ]; then
        jvm_threads_cpu "${JVM[ours-mta]}" "$OUT/ours-mta-threads-cpu.txt"
        jstack_threads_cpu "${JVM[ours-mta]}" "$OUT/ours-mta-java-threads-cpu.txt"
    fi
    jvm_histogram "${JVM[ours-mta]}" 25 "$OUT/logs/ours-mta-histogram.txt"
    stop_ours ours-mta
    pf_stop postfix-mta
    stop_sink
}

phase_mem() {
    log "phase mem: fresh JVM ($MEM_OPTS), $MEM_COUNT messages end to end ($MEM_MODE), sampled every ${MEM_EVERY}s"
    rm -rf "$(spool_dir ours-mem)"
    PORT[ours-mem]=${PORT[ours-mta]}
    start_sink
    start_ours ours-mem "$BENCH/routes/queue-mta.camel.yaml" "$MEM_OPTS"
    local pid=${JVM[ours-mem]} extra=()
    sleep 2
    ( exec timeout "$MAX_TIME" jstat -gc -t "$pid" "${MEM_EVERY}s" ) > "$OUT/mem-jstat.txt" 2>&1 &
    PID[jstat]=$!
    [ "$MEM_MODE" = reuse ] && extra+=(--reuse)
    local line
    line=$( ( cg_enter client; exec timeout $((RUN_TIMEOUT * 4 + 300)) "$PYTHON" "$HELP/mem_run.py" --port "${PORT[ours-mem]}" \
        --count "$MEM_COUNT" --sessions "$SESSIONS" --size "$SIZE" --limit $((RUN_TIMEOUT * 4)) --sink "$SINK_OUT" \
        --errfile "$OUT/logs/src-mem.err" --source "$SMTP_SOURCE" --spool "$(spool_dir ours-mem)" --pid "$pid" \
        --csv "$OUT/mem.csv" --every "$MEM_EVERY" --milestone "$MEM_MILESTONE" --histo-prefix "$OUT/logs/histo-mem" "${extra[@]}" ) 2>> "$OUT/bench.log")
    stop_pid "${PID[jstat]}" 5
    unset 'PID[jstat]'
    local sess quit mesg warn delivered errlines
    read -r sess quit mesg <<< "$(sink_counters "$SINK_OUT")"
    warn=$(grep -cE 'WARN|ERROR|Exception' "$OUT/logs/ours-mem.log")
    delivered=$(grep -c '> delivered: ' "$OUT/logs/ours-mem.log")
    errlines=$(grep -vc '^$' "$OUT/logs/src-mem.err")
    echo "$line received_final=$mesg sessions=$sess quits=$quit delivered_log=$delivered warn=$warn src_errlines=$errlines" > "$OUT/mem-result.txt"
    log "memory run: $line; receiver $mesg messages, $sess sessions; app: $delivered delivered, $warn WARN/ERROR lines; smtp-source stderr $errlines lines"
    [ "$DIAG" = 1 ] && { jvm_threads_cpu "$pid" "$OUT/ours-mem-threads-cpu.txt"; jstack_threads_cpu "$pid" "$OUT/ours-mem-java-threads-cpu.txt"; }
    jvm_histogram "$pid" 30 "$OUT/logs/ours-mem-histogram.txt"
    stop_ours ours-mem
    stop_sink
}

phase_backlog() {
    local spool sink_n
    spool=$(spool_dir backlog)
    log "phase backlog: $BACKLOG_COUNT messages into the queue with no consumer (fresh JVM, $MEM_OPTS, $BACKLOG_MODE), then a restart with the consumer: recovery and drain into the receiver"
    rm -rf "$spool"
    PORT[ours-fill]=${PORT[ours-accept]}
    PORT[ours-drain]=${PORT[ours-mta]}
    start_ours ours-fill "$BENCH/routes/queue-accept.camel.yaml" "$MEM_OPTS" "$spool"
    local extra=() line
    [ "$BACKLOG_MODE" = reuse ] && extra+=(--reuse)
    sleep 2
    line=$( ( cg_enter client; exec timeout $((RUN_TIMEOUT * 4 + 300)) "$PYTHON" "$HELP/mem_run.py" --port "${PORT[ours-fill]}" \
        --count "$BACKLOG_COUNT" --sessions "$SESSIONS" --size "$SIZE" --limit $((RUN_TIMEOUT * 4)) \
        --errfile "$OUT/logs/src-backlog.err" --source "$SMTP_SOURCE" --spool "$spool" --pid "${JVM[ours-fill]}" \
        --csv "$OUT/backlog-fill.csv" --every "$MEM_EVERY" --milestone "$MEM_MILESTONE" --end-wait 2 --gc-at-start --histo-prefix "$OUT/logs/histo-fill" "${extra[@]}" ) 2>> "$OUT/bench.log")
    jvm_histogram "${JVM[ours-fill]}" 20 "$OUT/logs/ours-fill-histogram.txt"
    local t0 t1
    t0=$(date +%s.%N); stop_ours ours-fill; t1=$(date +%s.%N)
    echo "fill $line stop_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') src_errlines=$(grep -vc '^$' "$OUT/logs/src-backlog.err") warn=$(grep -cE 'WARN|ERROR|Exception' "$OUT/logs/ours-fill.log")" > "$OUT/backlog-result.txt"
    log "backlog fill: $line; spool $("$PYTHON" "$HELP/spool_count.py" "$spool")"
    start_sink
    t0=$(date +%s.%N)
    start_ours ours-drain "$BENCH/routes/queue-mta.camel.yaml" "$MEM_OPTS" "$spool"
    t1=$(date +%s.%N)
    line=$( ( cg_enter client; exec timeout $((RUN_TIMEOUT * 4 + 300)) "$PYTHON" "$HELP/mem_run.py" --no-source \
        --port "${PORT[ours-drain]}" --count "$BACKLOG_COUNT" --sessions "$SESSIONS" --size "$SIZE" --limit $((RUN_TIMEOUT * 4)) \
        --sink "$SINK_OUT" --errfile /dev/null --spool "$spool" --pid "${JVM[ours-drain]}" \
        --csv "$OUT/backlog-drain.csv" --every "$MEM_EVERY" --milestone "$MEM_MILESTONE" --gc-at-start \
        --histo-prefix "$OUT/logs/histo-drain" ) 2>> "$OUT/bench.log")
    local sess quit mesg recovered
    read -r sess quit mesg <<< "$(sink_counters "$SINK_OUT")"
    recovered=$(sed -n 's/.*opened spool .* with \([0-9]*\) message(s) waiting.*/\1/p' "$OUT/logs/ours-drain.log" | head -1)
    echo "drain $line start_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') recovered=$recovered received_final=$mesg sessions=$sess delivered_log=$(grep -c '> delivered: ' "$OUT/logs/ours-drain.log") warn=$(grep -cE 'WARN|ERROR|Exception' "$OUT/logs/ours-drain.log")" >> "$OUT/backlog-result.txt"
    log "backlog drain: JVM started and listening after $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s with $recovered messages recovered; $line; receiver $mesg messages, $sess sessions"
    jvm_histogram "${JVM[ours-drain]}" 20 "$OUT/logs/ours-drain-histogram.txt"
    stop_ours ours-drain
    stop_sink
    rm -rf "$spool"
}

# ---------------------------------------------------------------------------------------------------------------
# main

[ "$(id -u)" -eq 0 ] || { echo "run as root (private Postfix instances, cgroups)" >&2; trap - EXIT; exit 1; }
case $OUT in /tmp/?*|/var/tmp/?*) ;; *) echo "OUT must be a folder under /tmp or /var/tmp (it is wiped): $OUT" >&2; trap - EXIT; exit 1 ;; esac
rm -rf "$OUT"
mkdir -p "$OUT/logs" "$OUT/spool"
for b in "$SMTP_SOURCE" "$SMTP_SINK" "$PYTHON" /usr/sbin/postfix; do [ -x "$b" ] || die "missing $b (apt-get install postfix)"; done
command -v jcmd > /dev/null || die "no jcmd (JDK)"
if [ "$PERF" = 1 ] && [ "$(perf list 2>/dev/null | grep -c 'syscalls:sys_enter_fdatasync')" -eq 0 ]; then
    echo "perf or its syscall tracepoints are missing: system calls are not counted (PERF=0)" >&2
    PERF=0
fi
[ -f "$APP_DIR/camel-smtp-examples.jar" ] || die "no $APP_DIR/camel-smtp-examples.jar (build examples first, or set APP_DIR)"
# the queue is camel-smtp-queue since issue 10; older builds (kept for comparisons) had it inside camel-smtp-relay
has_queue=0
for jar in "$APP_DIR"/lib/camel-smtp-queue-*.jar "$APP_DIR"/lib/camel-smtp-relay-*.jar; do
    # grep -c reads to the end: with pipefail, grep -q would let unzip die of SIGPIPE and fail the pipeline
    [ "$(unzip -l "$jar" 2>/dev/null | grep -c 'services/org/apache/camel/component/smtp-queue' || true)" -gt 0 ] && has_queue=1
done
[ "$has_queue" = 1 ] || die "the app in $APP_DIR has no smtp-queue component"
DISK=${DISK:-$(lsblk -no PKNAME "$(findmnt -n -o SOURCE -T "$OUT")" 2>/dev/null | head -1)}
[ -n "$DISK" ] || DISK=$(basename "$(findmnt -n -o SOURCE -T "$OUT")")
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "label,server,mode,run,count,seconds,msg_per_s,rc,src_errlines,stored,pf_stray,app_warn_lines,cpu_server_s,cpu_client_s,machine_busy_s,foreign_cpu_s,disk_flushes,disk_writes,disk_sectors,fdatasync_calls,fsync_calls,busy_cores_before,ok" > "$OUT/accept.csv"
echo "label,server,mode,run,count,t_src,t_sink,t_end,msg_per_s,accepted_per_s,rc,src_errlines,received,rcv_sessions,rcv_quits,delivered,deferred,bounced,queue_left,warn_lines,cpu_server_s,cpu_sink_s,cpu_client_s,machine_busy_s,foreign_cpu_s,disk_flushes,fdatasync_calls,fsync_calls,settle_s,rss_kb,busy_cores_before,ok" > "$OUT/e2e.csv"

start_time=$(date +%s)
cg_setup
machine_info
for phase in $PHASES; do
    case $phase in
        accept) phase_accept ;;
        e2e) phase_e2e ;;
        mem) phase_mem ;;
        backlog) phase_backlog ;;
        auth) phase_auth ;;
        metrics) phase_metrics ;;
        shaping) phase_shaping ;;
        shaping-rate) phase_shaping_rate ;;
        *) die "unknown phase $phase" ;;
    esac
done
log "phases done in $(( $(date +%s) - start_time )) s"

"$PYTHON" "$HELP/summary.py" "$OUT" | tee "$OUT/summary.md"
log "total $(( $(date +%s) - start_time )) s; raw results in $OUT"
