#!/usr/bin/env bash
# Transport-security benchmark for camel-smtp (issue 13): what MTA-STS, DANE and TLS reporting cost the relay once
# their answers are cached. The same relay route (bench/transport/relay.camel.yaml) runs in two JVMs at once, one
# with the features off and one with them all on, and the runs alternate between them; the issue's target is
# on >= 0.9x of off. There is no Postfix column: Postfix needs an external resolver for MTA-STS (see
# docs/benchmarks.md). Builds nothing; see docs/benchmarks.md (Transport security) for the results.
#
# Everything listens on loopback (no network namespace: the relay's `port` option points MX deliveries elsewhere
# than 25, and `mtaStsPolicyPort` the policy fetch elsewhere than 443):
#   dnsmasq   127.0.0.1:2553, bench/transport/dnsmasq.conf: d1.test with MX mx.d1.test, `_mta-sts` TXT,
#             `_smtp._tls` TXT, TTL 300 (cacheable); not signed
#   named     127.0.0.1:2555: d2.test, DNSSEC-signed at start (dnssec-keygen, dnssec-signzone), MX mx.d2.test and a
#             DANE-EE TLSA record (3 1 1) for the receiver's key at _25._tcp.mx.d2.test; TTL 300
#   unbound   127.0.0.1:2554: the relays' resolver (dnsServers) and the trusted validating resolver for DANE; d1.test
#             from dnsmasq, d2.test from named, validated from d2.test's DS (the only trust anchor)
#   receiver  the app with bench/transport/receiver.camel.yaml on 127.0.0.1:2600 (STARTTLS, a certificate for
#             mx.d1.test from a CA made for the run), accepting and dropping; the same JVM serves d1.test's MTA-STS
#             policy (mode enforce, mx mx.d1.test) over HTTPS on 127.0.0.1:2443
#   off       the app with relay.camel.yaml on 127.0.0.1:2525: mtaSts=false, dane=false, TLS reporting off;
#             tls=opportunistic (STARTTLS, certificate not checked)
#   on        the same route on 127.0.0.1:2527: mtaSts=true (the policy fetched once, then cached and persisted),
#             dane=true with unbound as the trusted resolver, tlsReporting=true (every session counted for the
#             daily report). To d1.test: DANE finds mx.d1.test's address insecure, MTA-STS applies (TLS verified by
#             PKIX and the name mx.d1.test). To d2.test: DANE applies (the receiver's key checked against the TLSA
#             record); d2.test publishes no MTA-STS record
# Destinations (DESTS): d1 = MTA-STS (the common case of a large provider), d2 = DANE.
# Both relays keep their connections to the receiver (connectionReuse, the default), so most messages travel over a
# TLS session already open: the run measures the per-message cost of the policy decisions, plus the handshakes
# of the few connections each relay opens.
# Load: one smtp-source, SESSIONS sessions, COUNT messages of SIZE octets to numbered recipients at d1.test, one
# connection per message ("conn") or, with -d, per session ("reuse"). The client's 250 comes only after the relay
# delivered, so a run's time is smtp-source's; the receiver's counter and smtp-source's error output check that
# every message arrived.
# CPU: cgroups (off, on, receiver, dns, client); CPU per message is the relay JVM's.
#
# Environment:
#   APP_DIR     folder with camel-smtp-examples.jar and lib/, used as is. Default: a copy of REPO/examples/target
#   DESTS       "d1 d2" (default) or one of them
#   RUNS        measured runs per mode and relay (default 5), median reported; COUNT (default 10000);
#   SESSIONS    (default 20); SIZE (default 4096); MODES "conn reuse" (default) or one; WARMUP (default 10000)
#   QUIET_WAIT, QUIET_MAX   wait up to QUIET_WAIT s (default 60) before each run until the machine uses less than
#               QUIET_MAX cores (default 0.3)
#   RUN_TIMEOUT seconds per run (default 300); MAX_TIME upper bound of every process (default 3600)
#   JAVA_OPTS   (default -Xmx1g)
#   OUT         results and logs (default /tmp/camel-smtp-transport-bench); wiped at start
# Output: a Markdown summary on stdout and in OUT/summary.md; every run in OUT/runs.csv.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
TS=$BENCH/transport
RUNS=${RUNS:-5}
COUNT=${COUNT:-10000}
SESSIONS=${SESSIONS:-20}
SIZE=${SIZE:-4096}
MODES=${MODES:-"conn reuse"}
DESTS=${DESTS:-"d1 d2"}
WARMUP=${WARMUP:-10000}
RUN_TIMEOUT=${RUN_TIMEOUT:-300}
MAX_TIME=${MAX_TIME:-3600}
QUIET_WAIT=${QUIET_WAIT:-60}
QUIET_MAX=${QUIET_MAX:-0.3}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:--Xmx1g}
OUT=${OUT:-/tmp/camel-smtp-transport-bench}
PYTHON=${PYTHON:-/usr/bin/python3}
SMTP_SOURCE=${SMTP_SOURCE:-/usr/sbin/smtp-source}
declare -A PORT=([off]=2525 [on]=2527 [receiver]=2600)
STS_PORT=2443
declare -A PID=()
declare -A JVM=()
CG_NAME=cs-transport-bench
CG_GROUPS="off on receiver dns client"
DNS_DIR=$OUT/dns
MADE_APP=0

cleanup() {
    trap - EXIT
    stop_jvm off 30
    stop_jvm on 30
    stop_jvm receiver 30
    stop_pid "${PID[unbound]:-}" 5
    stop_pid "${PID[named]:-}" 5
    stop_pid "${PID[dns]:-}" 5
    cg_teardown
    [ "$MADE_APP" = 1 ] && rm -rf "$OUT/app"
    rm -rf "$OUT/tls" "$OUT"/data-* "$DNS_DIR"
}
set_traps

make_certs() {   # a CA, the receiver's key and certificate (mx.d1.test, mta-sts.d1.test), a trust store with the CA
    local d=$OUT/tls
    mkdir -p "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=camel-smtp bench CA" -keyout "$d/ca.key" \
        -out "$d/ca.pem" -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign \
        > /dev/null 2>&1 || die "openssl: CA"
    openssl req -newkey rsa:2048 -nodes -subj "/CN=mx.d1.test" -keyout "$d/rcv.key" -out "$d/rcv.csr" \
        > /dev/null 2>&1 || die "openssl: request"
    printf 'subjectAltName=DNS:mx.d1.test,DNS:mta-sts.d1.test,DNS:mx.d2.test\nextendedKeyUsage=serverAuth\n' > "$d/ext.cnf"
    openssl x509 -req -in "$d/rcv.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
        -extfile "$d/ext.cnf" -out "$d/rcv.pem" > /dev/null 2>&1 || die "openssl: certificate"
    openssl pkcs12 -export -inkey "$d/rcv.key" -in "$d/rcv.pem" -certfile "$d/ca.pem" -passout pass:changeit \
        -out "$d/receiver.p12" > /dev/null 2>&1 || die "openssl: pkcs12"
    keytool -importcert -noprompt -alias benchca -file "$d/ca.pem" -keystore "$d/trust.p12" -storetype PKCS12 \
        -storepass changeit > /dev/null 2>&1 || die "keytool: trust store"
}

start_dns() {
    ( cg_enter dns; exec timeout "$MAX_TIME" dnsmasq -C "$TS/dnsmasq.conf" ) > "$OUT/logs/dnsmasq.log" 2>&1 &
    PID[dns]=$!
    local i
    for i in $(seq 1 100); do
        dig +short +time=1 +tries=1 -p 2553 @127.0.0.1 mx.d1.test 2>/dev/null | grep -q 127.0.0.1 && return 0
        kill -0 "${PID[dns]}" 2>/dev/null || break
        sleep 0.05
    done
    cat "$OUT/logs/dnsmasq.log" >&2
    die "dnsmasq did not answer"
}

answers() {   # port name address: does the server on 127.0.0.1:PORT answer NAME's A query with ADDRESS (20 s)?
    local i
    for i in $(seq 1 200); do
        dig +short +time=1 +tries=1 -p "$1" @127.0.0.1 "$2" 2>/dev/null | grep -qx "$3" && return 0
        sleep 0.1
    done
    return 1
}

start_named() {   # d2.test, signed now, on 127.0.0.1:2555
    mkdir -p "$DNS_DIR"
    local tlsa
    tlsa=$(openssl x509 -in "$OUT/tls/rcv.pem" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
    cat > "$DNS_DIR/d2.test.zone" <<ZONE
\$TTL 300
\$ORIGIN d2.test.
@ SOA ns.d2.test. hostmaster.d2.test. 1 3600 600 86400 300
@ NS ns.d2.test.
ns A 127.0.0.1
@ MX 10 mx.d2.test.
mx A 127.0.0.1
_25._tcp.mx TLSA 3 1 1 $tlsa
_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tlsrpt@d2.test"
ZONE
    ( cd "$DNS_DIR" && dnssec-keygen -q -a ECDSAP256SHA256 -f KSK d2.test > /dev/null && dnssec-keygen -q -a ECDSAP256SHA256 d2.test > /dev/null &&
        for k in Kd2.test.+*.key; do echo "\$INCLUDE $k"; done >> d2.test.zone &&
        dnssec-signzone -q -O full -o d2.test -S -K . d2.test.zone > /dev/null 2>&1 ) || die "signing d2.test failed"
    cat > "$DNS_DIR/named.conf" <<CONF
options { directory "$DNS_DIR"; listen-on port 2555 { 127.0.0.1; }; listen-on-v6 { none; }; recursion no;
          pid-file none; dnssec-validation no; };
controls { };
zone "d2.test" { type primary; file "d2.test.zone.signed"; };
CONF
    # as root without -u: with -u bind, named cannot read a folder under /tmp on some kernels
    ( cg_enter dns; exec timeout "$MAX_TIME" named -g -c "$DNS_DIR/named.conf" ) > "$OUT/logs/named.log" 2>&1 &
    PID[named]=$!
    answers 2555 mx.d2.test 127.0.0.1 || { tail -20 "$OUT/logs/named.log" >&2; die "named did not answer"; }
}

start_unbound() {   # the validating resolver on 127.0.0.1:2554: d1.test -> dnsmasq, d2.test -> named
    local anchor
    anchor=$(sed -E 's/[[:space:]]+IN[[:space:]]+/ /' "$DNS_DIR/dsset-d2.test." | head -1)
    cat > "$DNS_DIR/unbound.conf" <<CONF
server:
  interface: 127.0.0.1
  port: 2554
  do-ip6: no
  username: ""
  chroot: ""
  directory: "$DNS_DIR"
  pidfile: ""
  use-syslog: no
  logfile: ""
  do-not-query-localhost: no
  module-config: "validator iterator"
  local-zone: "test." nodefault
  domain-insecure: "d1.test"
  trust-anchor: "$anchor"
stub-zone:
  name: "d1.test"
  stub-addr: 127.0.0.1@2553
stub-zone:
  name: "d2.test"
  stub-addr: 127.0.0.1@2555
CONF
    ( cg_enter dns; exec timeout "$MAX_TIME" unbound -d -c "$DNS_DIR/unbound.conf" ) > "$OUT/logs/unbound.log" 2>&1 &
    PID[unbound]=$!
    answers 2554 mx.d1.test 127.0.0.1 && answers 2554 mx.d2.test 127.0.0.1 || { tail -20 "$OUT/logs/unbound.log" >&2; die "unbound did not answer"; }
    dig +dnssec +time=2 -p 2554 @127.0.0.1 _25._tcp.mx.d2.test TLSA | grep -q 'flags:.* ad' ||
        die "unbound does not validate d2.test: $(dig +dnssec -p 2554 @127.0.0.1 _25._tcp.mx.d2.test TLSA | head -20)"
}

start_receiver() {
    # shellcheck disable=SC2086
    start_jvm receiver receiver "${PORT[receiver]}" "$OUT/logs/receiver.log" $JAVA_OPTS \
        -Ddata.dir="$OUT/data-receiver" -Dadmin.port=$((PORT[receiver] + 10000)) -Drcv.port="${PORT[receiver]}" \
        -Dtls.keystore="file:$OUT/tls/receiver.p12" -Dtls.password=changeit \
        -DmtaSts.domains=d1.test -DmtaSts.mode=enforce -DmtaSts.mx=mx.d1.test -DmtaSts.maxAge=86400 \
        -DmtaSts.host=127.0.0.1 -DmtaSts.port=$STS_PORT \
        -jar "$APP_DIR/camel-smtp-examples.jar" --routes "$TS/receiver.camel.yaml"
}

start_relay() {   # off|on
    local name=$1 sec=(-Dsec.mtaSts=false -Dsec.dane=false)
    [ "$name" = on ] && sec=(-Dsec.mtaSts=true -Dsec.dane=true -Dcamel.component.smtp-relay.tlsReporting=true
        -Dcamel.component.smtp-relay.tlsReportDirectory="$OUT/data-on/tlsrpt"
        -Dcamel.component.smtp-relay.tlsReportSubmitter=tlsrpt@bench.ours -Dcamel.component.smtp-relay.tlsReportOrganization=bench)
    mkdir -p "$OUT/data-$name/sts"
    # shellcheck disable=SC2086
    start_jvm "$name" "$name" "${PORT[$name]}" "$OUT/logs/$name.log" $JAVA_OPTS "${sec[@]}" \
        -Ddata.dir="$OUT/data-$name" -Dadmin.port=$((PORT[$name] + 10000)) -Dsmtp.port="${PORT[$name]}" \
        -Drcv.port="${PORT[receiver]}" -Dbench.truststore="file:$OUT/tls/trust.p12" -Dsec.dir="$OUT/data-$name" \
        -Dsec.stsPort=$STS_PORT -jar "$APP_DIR/camel-smtp-examples.jar" --routes "$TS/relay.camel.yaml"
}

received() {   # messages the receiver has counted (its throughput logger, every 1000)
    grep -o 'Received: [0-9]* messages so far' "$OUT/logs/receiver.log" | tail -1 | awk '{ print $2 + 0 }'
}

drive() {   # relay dest mode count errfile -> key=value line of drive.py
    local a=(--port "${PORT[$1]}" --count "$4" --sessions "$SESSIONS" --size "$SIZE" --domain "$2.test"
        --limit "$RUN_TIMEOUT" --errfile "$5" --pid "${JVM[$1]}" --source "$SMTP_SOURCE")
    [ "$3" = reuse ] && a+=(--reuse)
    ( cg_enter client; exec timeout $((RUN_TIMEOUT + 60)) "$PYTHON" "$BENCH/queue/drive.py" "${a[@]}" "${CG_ARGS[@]}" )
}

run_one() {   # relay dest mode run count
    local relay=$1 dest=$2 mode=$3 run=$4 count=$5
    local err=$OUT/logs/src-$relay-$dest-$mode-$run.err idle r0 r1 line
    idle=$(wait_quiet)
    r0=$(received)
    line=$(drive "$relay" "$dest" "$mode" "$count" "$err")
    sleep 0.5   # the receiver's throughput logger line for the last thousand
    r1=$(received)
    local t rc cpu rcv client foreign errlines ok=yes
    t=$(kv t_src "$line"); rc=$(kv rc "$line"); cpu=$(kv "cpu_$relay" "$line"); [ "$cpu" = NA ] && cpu=$(kv cpu_pid "$line")
    rcv=$(kv cpu_receiver "$line"); client=$(kv cpu_client "$line"); foreign=$(kv foreign "$line")
    errlines=$(grep -vc '^$' "$err" 2>/dev/null)
    [ "$rc" = 0 ] && [ "$errlines" = 0 ] && [ $((r1 - r0)) = "$count" ] || ok=no
    local rate ms
    rate=$(ratio "$count" "$t"); ms=$(awk -v c="$cpu" -v n="$count" 'BEGIN { if (c == "NA") print "NA"; else printf "%.3f", c * 1000 / n }')
    echo "$relay,$dest,$mode,$run,$count,$t,$rate,$cpu,$ms,$rcv,$client,$((r1 - r0)),$rc,$errlines,$foreign,$idle,$ok" >> "$OUT/runs.csv"
    log "$(printf '%-3s %s %-5s run %s: %5d msgs in %7ss = %7s msg/s, relay CPU %ss (%s ms/msg), receiver CPU %ss, received %s, other CPU %ss, ok=%s' \
        "$relay" "$dest" "$mode" "$run" "$count" "$t" "$rate" "$cpu" "$ms" "$rcv" "$((r1 - r0))" "$foreign" "$ok")"
    [ "$ok" = yes ] || log "  rc=$rc errlines=$errlines: $(head -c 300 "$err" | tr '\n' ' ')"
}

machine_lines() {
    host_lines os
    echo "dnsmasq: $(dnsmasq --version | head -1)"
    echo "cgroup for CPU: ${CG_BASE:-none} ($CG_FILE)"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    app_lines
    echo "JAVA_OPTS: $JAVA_OPTS"
    echo "unbound: $(unbound -V 2>/dev/null | head -1); named: $(named -v 2>/dev/null)"
    echo "DESTS='$DESTS' RUNS=$RUNS COUNT=$COUNT SESSIONS=$SESSIONS SIZE=$SIZE MODES='$MODES' WARMUP=$WARMUP QUIET_WAIT=$QUIET_WAIT QUIET_MAX=$QUIET_MAX"
}

check_on() {   # the "on" relay really applied an enforce policy, and counted sessions for the TLS report
    local f=$OUT/data-on/sts/d1.test.sts
    [ -f "$f" ] && grep -q 'mode: enforce' "$f" || die "relay 'on' holds no enforce policy for d1.test ($f)"
    [ -f "$OUT/data-off/sts/d1.test.sts" ] && die "relay 'off' fetched a policy"
    log "relay 'on' holds d1.test's policy: $(grep -E '^(mode|mx|max_age):' "$f" | tr '\n' ' ')"
}

col() {   # relay dest mode column: the median of that column over the runs that were ok
    awk -F, -v r="$1" -v d="$2" -v m="$3" -v c="$4" 'NR > 1 && $1 == r && $2 == d && $3 == m && $17 == "yes" { print $c }' "$OUT/runs.csv" | median
}

report_counts() {   # what relay "on" counted for the TLS reports, per domain: policy type and sessions (the proof that
                    # MTA-STS applied to d1.test and DANE to d2.test); the day files are kept in OUT/tlsrpt, the
                    # counts go to the log and OUT/tlsrpt-counts.txt
    cp -r "$OUT/data-on/tlsrpt" "$OUT/tlsrpt" 2>/dev/null
    "$PYTHON" - "$OUT/tlsrpt" > "$OUT/tlsrpt-counts.txt" <<'PYEOF'
import json, pathlib, sys
for f in sorted(pathlib.Path(sys.argv[1]).glob("tlsrpt-*.json")):
    for p in json.loads(f.read_text()).get("policies", []):
        print(f"{p.get('policy-domain')}: {p.get('policy-type')} {' / '.join(p.get('policy-string', []))}:"
              f" {p.get('successful')} sessions successful, {p.get('failed')} failed")
PYEOF
    log "relay 'on' TLS-report counts: $(tr '\n' ';' < "$OUT/tlsrpt-counts.txt")"
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "NA"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

summary() {
    local mode relay
    echo "# Transport-security benchmark: all features on vs off ($(date -u +%Y-%m-%d), $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null))"
    echo
    echo "COUNT=$COUNT SESSIONS=$SESSIONS SIZE=$SIZE, $RUNS runs per relay and mode, medians; relay CPU = the relay JVM's."
    echo
    echo "| destination | mode | off msg/s | on msg/s | on/off | off CPU ms/msg | on CPU ms/msg | on/off CPU | runs ok |"
    echo "|---|---|---|---|---|---|---|---|---|"
    local dest
    for dest in $DESTS; do
        for mode in $MODES; do
            local r_off r_on c_off c_on okc
            r_off=$(col off "$dest" "$mode" 7); r_on=$(col on "$dest" "$mode" 7)
            c_off=$(col off "$dest" "$mode" 9); c_on=$(col on "$dest" "$mode" 9)
            okc=$(awk -F, -v d="$dest" -v m="$mode" 'NR > 1 && $2 == d && $3 == m { n++; if ($17 == "yes") k++ } END { printf "%d/%d", k, n }' "$OUT/runs.csv")
            echo "| $dest.test | $mode | $r_off | $r_on | $(ratio "$r_on" "$r_off" %.2f) | $c_off | $c_on | $(ratio "$c_on" "$c_off" %.2f) | $okc |"
        done
    done
}

# ---------------------------------------------------------------------------------------------------------------
# main

[ "$(id -u)" -eq 0 ] || { echo "run as root (cgroups)" >&2; exit 1; }
case $OUT in /tmp/?*|/var/tmp/?*) ;; *) echo "OUT must be a folder under /tmp or /var/tmp (it is wiped): $OUT" >&2; trap - EXIT; exit 1 ;; esac
rm -rf "$OUT"
mkdir -p "$OUT/logs"
for b in "$SMTP_SOURCE" "$PYTHON" /usr/sbin/dnsmasq; do [ -x "$b" ] || die "missing $b"; done
for b in openssl keytool dig named unbound dnssec-keygen dnssec-signzone; do command -v "$b" > /dev/null || die "missing $b"; done
for p in 2525 2527 2600 2443 2553 2554 2555 12525 12527 12600; do listening "127.0.0.1:$p" && die "127.0.0.1:$p is in use"; done
if [ -z "${APP_DIR:-}" ]; then
    [ -f "$REPO/examples/target/camel-smtp-examples.jar" ] || die "no examples/target/camel-smtp-examples.jar (build first, or set APP_DIR)"
    cp -r "$REPO/examples/target" "$OUT/app" || die "cannot copy the app"
    APP_DIR=$OUT/app; MADE_APP=1
fi
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "relay,dest,mode,run,count,t_s,msg_per_s,relay_cpu_s,relay_cpu_ms_per_msg,receiver_cpu_s,client_cpu_s,received,rc,src_errlines,foreign_cpu_s,busy_cores_before,ok" > "$OUT/runs.csv"
cg_setup
machine_info
make_certs
start_dns
start_named
start_unbound
start_receiver
start_relay off
start_relay on
log "warm-up: $WARMUP messages per relay and mode"
for dest in $DESTS; do
    for mode in $MODES; do
        for relay in off on; do
            w=$OUT/logs/warmup-$relay-$dest-$mode.err
            drive "$relay" "$dest" "$mode" "$WARMUP" "$w" > /dev/null
            [ -s "$w" ] && log "warm-up $relay $dest $mode: $(head -c 300 "$w")"
        done
    done
done
check_on
for run in $(seq 1 "$RUNS"); do
    for dest in $DESTS; do
        for mode in $MODES; do
            for relay in $(order_for "$run" off on); do run_one "$relay" "$dest" "$mode" "$run" "$COUNT"; done
        done
    done
done
check_on
for relay in off on receiver; do log_warnings "$relay" "$OUT/logs/$relay.log"; done
jvm_threads_cpu "${JVM[on]}" "$OUT/on-threads-cpu.txt"
stop_jvm on 30   # writes the day's TLS-report counts
report_counts
summary | tee "$OUT/summary.md"
