#!/usr/bin/env bash
# Console benchmark for camel-smtp: how fast the queue console's reads answer with a large backlog (issue 14: "the
# console must stay responsive with 100,000 queued messages"). The results are in docs/benchmarks.md ("Queue
# console").
#
# 1. smtp-sink on 127.0.0.1:SINK_PORT answering every RCPT with a 4xx (-r RCPT): the next hop defers.
# 2. The app (APP_DIR/camel-smtp-examples.jar) with bench/routes/console.camel.yaml: smtp-server -> smtp-queue
#    "console" -> smtp-relay to that sink; each message is tried once, deferred, and stays queued (next try in 6 h).
# 3. smtp-source fills it with COUNT messages (SESSIONS sessions, SIZE octets, numbered recipients NrcptN@bench.test);
#    the script waits (bounded) until /queue/console/stats says size = COUNT and deferred = COUNT (every message tried).
# 4. bench/console/latency.py times the console's reads, RUNS times each, median: first page, a page in the middle,
#    searches, destinations, stats, samples, and the unpaged listing for comparison.
# Everything on loopback; every process runs under timeout(1) and is stopped at exit; the spool (about 1 GB for
# 100,000 messages) is removed at exit unless KEEP=1.
#
# Environment: APP_DIR (default REPO/examples/target, after `mvn -q package -DskipTests`), COUNT (100000),
# SESSIONS (20), SIZE (1024), RUNS (11), SMTP_PORT (2541), ADMIN_PORT (8597), SINK_PORT (2642), OUT (a new folder
# under /tmp), MAX_TIME (seconds any process may run, 3600), JAVA_OPTS (default -Xmx2g).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
APP_DIR=${APP_DIR:-$REPO/examples/target}
COUNT=${COUNT:-100000}
SESSIONS=${SESSIONS:-20}
SIZE=${SIZE:-1024}
RUNS=${RUNS:-11}
SMTP_PORT=${SMTP_PORT:-2541}
ADMIN_PORT=${ADMIN_PORT:-8597}
SINK_PORT=${SINK_PORT:-2642}
MAX_TIME=${MAX_TIME:-3600}
JAVA_OPTS=${JAVA_OPTS:--Xmx2g}
OUT=${OUT:-$(mktemp -d /tmp/camel-smtp-console-bench.XXXXXX)}
mkdir -p "$OUT"

log() { echo "$(date +%H:%M:%S) $*" >&2; }
die() { log "FATAL: $*"; exit 1; }
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do
        for _ in $(seq 1 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null || true
    done
    [ "${KEEP:-0}" = 1 ] || rm -rf "$OUT/spool"
}
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM

listening() { ss -Hltn "src 127.0.0.1:$1" 2>/dev/null | grep -q .; }
wait_listening() {   # port pid seconds
    for _ in $(seq 1 $(($3 * 10))); do
        listening "$1" && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

for tool in smtp-sink smtp-source python3 curl ss "${JAVA:-java}"; do
    command -v "$tool" > /dev/null || die "$tool is not installed (Debian: postfix, python3, curl, iproute2, a JDK)"
done
[ -f "$APP_DIR/camel-smtp-examples.jar" ] || die "no $APP_DIR/camel-smtp-examples.jar (mvn -q package -DskipTests first)"
for port in "$SMTP_PORT" "$ADMIN_PORT" "$SINK_PORT"; do listening "$port" && die "port $port is in use"; done

log "next hop: smtp-sink -r RCPT on 127.0.0.1:$SINK_PORT"
sink_user=()
[ "$(id -u)" = 0 ] && sink_user=(-u root)
timeout "$MAX_TIME" smtp-sink "${sink_user[@]}" -r RCPT 127.0.0.1:"$SINK_PORT" 256 > "$OUT/sink.log" 2>&1 &
PIDS+=($!)
wait_listening "$SINK_PORT" "$!" 10 || die "smtp-sink did not start: $(cat "$OUT/sink.log")"

log "app: $APP_DIR/camel-smtp-examples.jar, spool $OUT/spool"
# shellcheck disable=SC2086
( cd "$OUT" && exec timeout "$MAX_TIME" "${JAVA:-java}" $JAVA_OPTS -Dsmtp.port="$SMTP_PORT" -Dadmin.port="$ADMIN_PORT" \
    -Dsink.port="$SINK_PORT" -Dspool.dir="$OUT/spool" -Ddata.dir="$OUT/data" \
    -jar "$APP_DIR/camel-smtp-examples.jar" --routes "$REPO/bench/routes/console.camel.yaml" ) < /dev/null > "$OUT/app.log" 2>&1 &
PIDS+=($!)
wait_listening "$SMTP_PORT" "$!" 90 || { tail -30 "$OUT/app.log" >&2; die "the app did not start"; }
wait_listening "$ADMIN_PORT" "$!" 30 || die "the admin port did not open"
TOKEN=$(cat "$OUT/data/admin.token")
stats() { curl -sS --max-time 30 -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$ADMIN_PORT/queue/console/stats"; }
field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

log "filling: smtp-source -s $SESSIONS -m $COUNT -l $SIZE -N"
start=$(date +%s.%N)
timeout "$MAX_TIME" smtp-source -s "$SESSIONS" -m "$COUNT" -l "$SIZE" -N -f sender@bench.test -t rcpt@bench.test \
    -M bench.localdomain 127.0.0.1:"$SMTP_PORT" > "$OUT/source.log" 2>&1 || die "smtp-source failed: $(tail -5 "$OUT/source.log")"
fill=$(python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$start" "$(date +%s.%N)")
log "smtp-source done in $fill s; waiting (at most 30 min) until every message is queued and tried once"
for _ in $(seq 1 1800); do
    s=$(stats)
    size=$(field size <<< "$s"); deferred=$(field deferred <<< "$s")
    [ "$size" -ge "$COUNT" ] && [ "$deferred" -ge "$COUNT" ] && break
    sleep 1
done
log "queue: size=$size deferred=$deferred"
[ "$size" = "$COUNT" ] || die "the queue holds $size messages, not $COUNT"
[ "$deferred" -ge "$COUNT" ] || die "only $deferred of $COUNT messages tried"
rss=$(ps -o rss= -p "$(pgrep -P "${PIDS[1]}" -x java | head -1)" | tr -d ' ')

{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  cores: $(nproc)  java: $("${JAVA:-java}" -version 2>&1 | head -1)"
    echo "commit: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')  fill: $COUNT messages of $SIZE octets in $fill s, app RSS ${rss} KiB"
    python3 "$REPO/bench/console/latency.py" "http://127.0.0.1:$ADMIN_PORT" "$TOKEN" console "$RUNS"
    echo "spool: $(du -sh "$OUT/spool" | cut -f1)"
} | tee "$OUT/result.txt"
log "results in $OUT/result.txt"
