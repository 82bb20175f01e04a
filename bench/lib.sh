# shellcheck shell=bash
# Functions shared by the benchmark scripts bench/inbound.sh, bench/queue.sh and bench/relay.sh, which source this
# file first thing (`. "$(dirname "$0")/lib.sh"`). It only defines functions and a few variables of their own; what a
# script sets for them:
#   OUT            the run's output folder (logs under OUT/logs, OUT/bench.log, OUT/machine.txt)
#   PID, JVM       associative arrays: name -> pid of what the script started / of the JVM under it (start_jvm)
#   JAVA, MAX_TIME, SMTP_SINK, QUIET_WAIT, QUIET_MAX   as documented in each script's header
#   CG_NAME, CG_GROUPS   the cgroup folder's name and the cgroups in it (cg_setup)
#   NSX            command prefix that runs a command in the benchmark's network namespace (relay.sh:
#                  ip netns exec NS); empty (the default set here) = this namespace
# shellcheck disable=SC2154   # the variables above are assigned by the script that sources this file
# shellcheck disable=SC2004    # PID[$name], JVM[$name]: associative arrays (declared by the scripts), the $ is needed

NSX=()          # see above
CG_BASE=""      # cgroup folder holding our cgroups (cg_setup), "" = no CPU accounting
CG_FILE=""      # cpuacct.usage (v1) or cpu.stat (v2)
CG_ARGS=()      # --cgroup NAME=FILE for every cgroup, for the Python drivers (empty without cgroups)

# ---------------------------------------------------------------------------------------------------------------
# messages, traps

log() {   # message: "HH:MM:SS message" on stderr, and appended to OUT/bench.log once OUT/logs exists
    local line
    line="$(date +%H:%M:%S) $*"
    echo "$line" >&2
    if [ -d "$OUT/logs" ]; then echo "$line" >> "$OUT/bench.log"; fi
}

die() { log "FATAL: $*"; exit 1; }   # message: log it as FATAL and exit 1 (the EXIT trap cleans up)

set_traps() {   # the script's cleanup runs at every exit; INT and TERM log "interrupted" and exit 130
    trap cleanup EXIT
    trap 'log "interrupted"; exit 130' INT TERM
}

# ---------------------------------------------------------------------------------------------------------------
# processes

stop_pid() {   # pid [seconds]: stop one process we started: TERM, then KILL after the grace period (default 15 s)
    local pid=$1 grace=${2:-15} i
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill "$pid" 2>/dev/null
    for i in $(seq 1 $((grace * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

listening() { "${NSX[@]}" ss -Hltn "src $1" 2>/dev/null | grep -q .; }   # addr:port: is a socket listening there?

wait_listening() {   # addr:port pid seconds: wait until ADDR:PORT listens; fail if PID ends first or time runs out
    local i
    for i in $(seq 1 $(($3 * 20))); do
        listening "$1" && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

established() {   # ss-filter: number of established TCP connections matching it, e.g. "dport = :25"
    "${NSX[@]}" ss -Htn state established "( $1 )" 2>/dev/null | wc -l
}

settle() {   # ss-filter command...: wait (at most 60 s) until no connection matches the filter and COMMAND prints 0
             # (the queue left); prints the seconds waited (whole seconds, rounded down)
    local filter=$1 i
    shift
    for i in $(seq 1 600); do
        if [ "$(established "$filter")" -eq 0 ]; then
            [ "$("$@")" -eq 0 ] && break
        fi
        sleep 0.1
    done
    echo "$((i / 10))"
}

# ---------------------------------------------------------------------------------------------------------------
# cgroups: CPU accounting for groups of processes (Postfix's many short-lived processes included)

cg_setup() {   # make the cgroups CG_GROUPS under CG_NAME (cpuacct v1, or v2 with cpu.stat); sets CG_BASE, CG_FILE
               # and CG_ARGS. Without a writable cgroup tree CG_BASE stays "" and the CPU figures are NA
    if [ -w /sys/fs/cgroup/cpuacct ] && [ -f /sys/fs/cgroup/cpuacct/cpuacct.usage ]; then
        CG_BASE=/sys/fs/cgroup/cpuacct/$CG_NAME; CG_FILE=cpuacct.usage
    elif [ -f /sys/fs/cgroup/cgroup.controllers ] && [ -w /sys/fs/cgroup ]; then
        CG_BASE=/sys/fs/cgroup/$CG_NAME; CG_FILE=cpu.stat
    else
        log "no writable cpuacct cgroup (v1) or cgroup v2: CPU figures will be NA"
        return 0
    fi
    local g
    for g in $CG_GROUPS; do mkdir -p "$CG_BASE/$g" || { CG_BASE=""; return 0; }; done
    for g in $CG_GROUPS; do CG_ARGS+=(--cgroup "$g=$CG_BASE/$g/$CG_FILE"); done
}

cg_enter() {   # name: move the calling (sub)shell into our cgroup NAME
    [ -n "$CG_BASE" ] && echo "$BASHPID" > "$CG_BASE/$1/cgroup.procs" 2>/dev/null
    return 0
}

cg_teardown() {   # remove our cgroups (they must be empty: called after every process has been stopped)
    [ -n "$CG_BASE" ] && [ -d "$CG_BASE" ] || return 0
    local g i
    for g in $CG_GROUPS; do
        for i in $(seq 1 50); do rmdir "$CG_BASE/$g" 2>/dev/null && break; [ -d "$CG_BASE/$g" ] || break; sleep 0.1; done
    done
    rmdir "$CG_BASE" 2>/dev/null || log "could not remove cgroup $CG_BASE"
}

# ---------------------------------------------------------------------------------------------------------------
# the app in a JVM

start_jvm() {   # name cgroup port log-file java-args...: "$JAVA" JAVA-ARGS from OUT, in cgroup CGROUP (and the
                # namespace NSX), bounded by MAX_TIME, output to LOG-FILE; waits (60 s) until 127.0.0.1:PORT listens.
                # PID[name] = the timeout(1) around it, JVM[name] = the JVM itself
    local name=$1 cg=$2 port=$3 logfile=$4 i
    shift 4
    ( cg_enter "$cg"; cd "$OUT" && exec "${NSX[@]}" timeout "$MAX_TIME" "$JAVA" "$@" ) < /dev/null > "$logfile" 2>&1 &
    PID[$name]=$!
    wait_listening "127.0.0.1:$port" "${PID[$name]}" 60 || { tail -30 "$logfile" >&2; die "$(basename "$logfile" .log) did not start"; }
    JVM[$name]=""
    for i in $(seq 1 50); do
        JVM[$name]=$(pgrep -P "${PID[$name]}" -x java | head -1)
        [ -n "${JVM[$name]}" ] && break
        sleep 0.1
    done
    [ -n "${JVM[$name]}" ] || die "no JVM under pid ${PID[$name]}"
}

stop_jvm() {   # name grace-seconds: stop what start_jvm started under NAME (TERM, KILL after the grace period)
    [ -n "${PID[$1]:-}" ] || return 0
    stop_pid "${PID[$1]}" "$2"
    unset "PID[$1]" "JVM[$1]"
}

jvm_histogram() {   # pid lines file: the top LINES lines of the JVM's class histogram (jcmd GC.class_histogram)
    timeout 60 jcmd "$1" GC.class_histogram 2>/dev/null | head -"$2" > "$3"
}

stat_ticks() {   # /proc/.../stat file: utime + stime in clock ticks
    sed 's/^.*) //' "$1" 2>/dev/null | awk '{ print $12 + $13 }'
}

jvm_threads_cpu() {   # pid file: CPU seconds per thread name (numbers stripped), largest first, then the totals
    [ -n "${1:-}" ] && [ -d "/proc/$1/task" ] || return 0
    local t
    for t in /proc/"$1"/task/*; do
        printf '%s\t%s\n' "$(stat_ticks "$t/stat")" "$(cat "$t/comm" 2>/dev/null)"
    done | awk -F'\t' -v hz="$(getconf CLK_TCK)" '{ n = $2; gsub(/#[0-9]+/, "#N", n); gsub(/-[0-9]+$/, "-N", n); cpu[n] += $1; cnt[n]++ }
        END { for (n in cpu) printf "%9.2f s  %4d live  %s\n", cpu[n] / hz, cnt[n], n }' | sort -rn > "$2"
    local total
    total=$(sed 's/^.*) //' "/proc/$1/stat" | awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($12 + $13) / hz }')
    awk -v t="$total" '{ s += $1 } END { printf "%9.2f s  all live threads\n%9.2f s  threads that have exited\n%9.2f s  whole JVM process\n", s, t - s, t }' "$2" >> "$2"
}

log_warnings() {   # name log-file: log how many WARN/ERROR/Exception lines the server's log has, with the first
    local n
    n=$(grep -cE 'WARN|ERROR|Exception' "$2")
    [ "$n" -eq 0 ] || log "$1 log: $n WARN/ERROR lines, e.g. $(grep -m1 -E 'WARN|ERROR|Exception' "$2")"
}

# ---------------------------------------------------------------------------------------------------------------
# receivers: Postfix's smtp-sink

sink_spawn() {   # cgroup addr:port out-file [smtp-sink options...]: smtp-sink -c (running counters) on ADDR:PORT,
                 # backlog 256, as root, in cgroup CGROUP (and the namespace NSX), bounded by MAX_TIME, its output in
                 # OUT-FILE. Returns at once, with $! its pid: sink_wait then waits until it listens
    local cg=$1 addr=$2 out=$3
    shift 3
    ( cg_enter "$cg"; exec "${NSX[@]}" timeout "$MAX_TIME" "$SMTP_SINK" -u root -c "$@" "$addr" 256 ) \
        < /dev/null > "$out" 2>&1 &
}

sink_wait() {   # addr:port pid out-file: die unless the receiver started by sink_spawn listens within 10 s
    wait_listening "$1" "$2" 10 || die "smtp-sink on $1 did not start: $(cat "$3")"
}

sink_counters() {   # out-file...: "sess quit mesg" summed over those receivers (smtp-sink -c: sessions ended, QUITs,
                    # messages), "0 0 0" before the first count
    local f
    for f in "$@"; do
        tail -c 200 "$f" 2>/dev/null | tr '\r' '\n' | grep 'mesg=' | tail -1 |
            sed -E 's/.*sess=([0-9]+) quit=([0-9]+) mesg=([0-9]+).*/\1 \2 \3/'
    done | awk '{ s += $1; q += $2; m += $3 } END { print s + 0, q + 0, m + 0 }'
}

# ---------------------------------------------------------------------------------------------------------------
# private Postfix instances: config, queue, data and log under one folder DIR

pf_instance() {   # dir listen maxproc: a fresh instance folder (etc/, spool/, data/ owned by postfix) with the
                  # main.cf lines every generated instance has, then the lines on stdin (the instance's own
                  # settings), and a master.cf with smtpd on LISTEN (addr:port; process limit MAXPROC,
                  # - = default_process_limit) and Postfix's standard services, nothing chrooted
    local pf=$1 listen=$2 maxproc=$3
    rm -rf "$pf"
    mkdir -p "$pf/etc" "$pf/spool" "$pf/data"
    chown postfix "$pf/data"
    {
        cat <<EOF
compatibility_level = 3.6
queue_directory = $pf/spool
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
mydestination =
relay_domains =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_peername_lookup = no
maillog_file = $pf/maillog
maillog_file_prefixes = $pf
biff = no
smtpd_banner = \$myhostname ESMTP
EOF
        cat
    } > "$pf/etc/main.cf"
    cat > "$pf/etc/master.cf" <<EOF
$listen inet n - n - $maxproc smtpd
pickup     unix  n - n 60 1 pickup
cleanup    unix  n - n -  0 cleanup
qmgr       unix  n - n 300 1 qmgr
rewrite    unix  - - n -  - trivial-rewrite
bounce     unix  - - n -  0 bounce
defer      unix  - - n -  0 bounce
trace      unix  - - n -  0 bounce
verify     unix  - - n -  1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n -  - proxymap
proxywrite unix  - - n -  1 proxymap
smtp       unix  - - n -  - smtp
relay      unix  - - n -  - smtp
showq      unix  n - n -  - showq
error      unix  - - n -  - error
retry      unix  - - n -  - error
discard    unix  - - n -  - discard
local      unix  - n n -  - local
anvil      unix  - - n -  1 anvil
scache     unix  - - n -  1 scache
postlog    unix-dgram n - n - 1 postlogd
EOF
}

pf_hold_cf() {   # the main.cf lines of the acceptance peer (inbound.sh's postfix, queue.sh's postfix-hold): smtpd puts
                 # every message on hold (check_client_access static:HOLD), so cleanup writes, fsyncs and renames the
                 # queue file into hold/ and nothing is delivered. in_flow_delay = 0s: no deliveries means no
                 # flow-control tokens. default_process_limit 150 (with smtpd maxproc 120: 100 sessions fit)
    cat <<EOF
myhostname = bench.localdomain
mydomain = localdomain
myorigin = \$myhostname
smtpd_client_restrictions = check_client_access static:HOLD
smtp_dns_support_level = disabled
in_flow_delay = 0s
smtpd_client_connection_count_limit = 0
default_process_limit = 150
EOF
}

pf_start_fg() {   # name dir port: start the instance in DIR (master in the foreground, so it is our child, bounded
                  # by MAX_TIME) in cgroup "postfix" (and the namespace NSX); PID[name]; waits (30 s) for 127.0.0.1:PORT
    local name=$1 pf=$2 port=$3
    ( cg_enter postfix; exec "${NSX[@]}" timeout "$MAX_TIME" postfix -c "$pf/etc" start-fg ) \
        < /dev/null > "$OUT/logs/$name-start.log" 2>&1 &
    PID[$name]=$!
    wait_listening "127.0.0.1:$port" "${PID[$name]}" 30 && return 0
    cat "$OUT/logs/$name-start.log" "$pf/maillog" >&2 2>/dev/null
    die "$name did not start (its early errors go to syslog; try: script -qec 'postfix -c $pf/etc check' /dev/null)"
}

pf_stop_fg() {   # name dir: stop what pf_start_fg started; its maillog is kept as OUT/logs/NAME-maillog.log
    local name=$1 pf=$2
    [ -n "${PID[$name]:-}" ] || return 0
    "${NSX[@]}" timeout 30 postfix -c "$pf/etc" stop < /dev/null > /dev/null 2>&1
    stop_pid "${PID[$name]}" 15
    unset "PID[$name]"
    [ -f "$pf/maillog" ] && cp "$pf/maillog" "$OUT/logs/$name-maillog.log"
}

pf_files() {   # dir queue-dir...: number of queue files in those queue directories (hold, deferred, ...) of DIR
    local pf=$1 d dirs=()
    shift
    for d in "$@"; do dirs+=("$pf/spool/$d"); done
    find "${dirs[@]}" -type f 2>/dev/null | wc -l
}

# ---------------------------------------------------------------------------------------------------------------
# measurements

busy_cores() {   # cores busy over one second, whole machine
    local a b
    a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)
    sleep 1
    b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)
    awk -v a="$a" -v b="$b" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }'
}

wait_quiet() {   # wait (at most QUIET_WAIT s) until the machine is nearly idle (< QUIET_MAX cores busy), so other
                 # work does not skew a run; prints the busy cores last measured (NA with QUIET_WAIT=0)
    local i c=NA
    for i in $(seq 1 "$QUIET_WAIT"); do
        c=$(busy_cores)
        awk -v c="$c" -v m="$QUIET_MAX" 'BEGIN { exit !(c < m) }' && { echo "$c"; return 0; }
    done
    log "machine still busy ($c cores) after ${QUIET_WAIT}s: measuring anyway"
    echo "$c"
}

kv() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<< "$2"; }   # key line: the value of KEY=value in a line of key=value pairs

ratio() {   # a b [printf format, default %.1f]: a / b, or NA if either is NA or b is 0
    awk -v a="$1" -v b="$2" -v f="${3:-%.1f}" 'BEGIN { if (a == "NA" || b == "NA" || b + 0 == 0) print "NA"; else printf f, a / b }'
}

order_for() {   # run servers...: the servers, reversed on even runs (so neither always goes first)
    local run=$1
    shift
    if [ $((run % 2)) -eq 0 ]; then printf '%s\n' "$@" | tac | tr '\n' ' '; else echo "$@"; fi
}

# ---------------------------------------------------------------------------------------------------------------
# OUT/machine.txt

machine_info() {   # OUT/machine.txt, also shown on stderr: what the script's machine_lines prints
    machine_lines > "$OUT/machine.txt"
    cat "$OUT/machine.txt" >&2
}

host_lines() {   # [os]: the first lines of every machine.txt: date, cores, CPU, memory, kernel, (with "os": the
                 # distribution,) java
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nproc: $(nproc)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
    echo "ram: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "kernel: $(uname -sr)"
    # shellcheck source=/dev/null
    [ "${1:-}" = os ] && echo "os: $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "java: $("$JAVA" -version 2>&1 | head -2 | tr '\n' ' ')"
}

postfix_line() {   # "postfix: VERSION (package VERSION)"
    echo "postfix: $(postconf -d -h mail_version 2>/dev/null) (package $(dpkg-query -W -f='${Version}' postfix 2>/dev/null))"
}

app_lines() {   # the app under test (APP_DIR, its relay jar, the jar's time) and the repository's commit
    # shellcheck disable=SC2011   # jar names have no odd characters
    echo "APP_DIR: $APP_DIR ($(ls "$APP_DIR"/lib/camel-smtp-*.jar 2>/dev/null | xargs -r -n1 basename | tr '\n' ' ')jar mtime $(date -u -r "$APP_DIR/camel-smtp-examples.jar" +%Y-%m-%dT%H:%M:%SZ))"
    echo "git: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null) $(git -C "$REPO" status --short 2>/dev/null | wc -l) changed files"
}
