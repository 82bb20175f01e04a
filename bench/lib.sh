# shellcheck shell=bash
# Functions shared by the benchmark scripts bench/inbound.sh, bench/queue.sh and bench/relay.sh, which source this
# file first thing (`. "$(dirname "$0")/lib.sh"`). It only defines functions and a few variables of their own; what a
# script sets for them:
#   OUT            the run's output folder (logs under OUT/logs, OUT/bench.log, OUT/machine.txt)
#   JAVA           as documented in each script's header
# shellcheck disable=SC2154   # the variables above are assigned by the script that sources this file

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

# ---------------------------------------------------------------------------------------------------------------
# processes of the app

stat_ticks() {   # /proc/.../stat file: utime + stime in clock ticks
    sed 's/^.*) //' "$1" 2>/dev/null | awk '{ print $12 + $13 }'
}

log_warnings() {   # name log-file: log how many WARN/ERROR/Exception lines the server's log has, with the first
    local n
    n=$(grep -cE 'WARN|ERROR|Exception' "$2")
    [ "$n" -eq 0 ] || log "$1 log: $n WARN/ERROR lines, e.g. $(grep -m1 -E 'WARN|ERROR|Exception' "$2")"
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

pf_files() {   # dir queue-dir...: number of queue files in those queue directories (hold, deferred, ...) of DIR
    local pf=$1 d dirs=()
    shift
    for d in "$@"; do dirs+=("$pf/spool/$d"); done
    find "${dirs[@]}" -type f 2>/dev/null | wc -l
}

# ---------------------------------------------------------------------------------------------------------------
# measurements

ratio() {   # a b [printf format, default %.1f]: a / b, or NA if either is NA or b is 0
    awk -v a="$1" -v b="$2" -v f="${3:-%.1f}" 'BEGIN { if (a == "NA" || b == "NA" || b + 0 == 0) print "NA"; else printf f, a / b }'
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
