#!/usr/bin/env bash
# Start-up with a backlog (issue 14): how long the app takes, after a restart with N deferred messages in its spool,
# until its SMTP listener accepts a connection and until the queue has read the whole backlog; the heap that costs per
# queued message and the disk it takes. Builds nothing; results go to docs/benchmarks.md by hand.
#
# For each N of COUNTS (and N = 0 first, the baseline the per-message heap is taken against):
#   1. a fresh spool (SPOOL_ROOT/spool) with N deferred messages of SIZE octets, written by the queue's own classes
#      (io.camelsmtp.smtp.queue.spool.BacklogWriter, camel-smtp-queue's test classes: deferred/<id>.eml and <id>.env
#      exactly as the queue writes them, not fsynced one by one) due in a day, then `sync`. Spool bytes (du -sb) and
#      files are recorded: disk bytes per message (du -sB1: allocated blocks).
#   2. for each build (BEFORE_DIR first when set, then APP_DIR): the app (camel-smtp-examples.jar, bench/backlog/
#      backlog.camel.yaml: smtp-server -> smtp-queue, whose consumer relays to a port where nothing listens) started
#      on that spool with -Xmx$HEAP; bench/backlog/probe.py measures from the launch: listen_ms (a TCP connect to
#      127.0.0.1:PORT answered with 220) and recovered_ms (the log line "opened spool ... with N message(s)
#      waiting"); then the live heap after a full GC (the Total of jcmd GC.class_histogram, which collects first)
#      and the JVM's RSS; then SIGTERM. The page cache is warm (the spool was just written): a cold-cache start
#      after a reboot reads every file from disk and takes longer, in both builds.
#   3. the spool is deleted.
# One TSV line per run in OUT/results.tsv: build N listen_ms recovered_ms messages read_ms heap_bytes
# heap_per_msg rss_kb spool_bytes spool_bytes_per_msg files; the app logs in OUT/logs/.
#
# Bounded: every JVM runs under timeout(MAX_TIME); the probe gives up after MAX_TIME; a run that fails is logged
# and the next one starts. Takes the shared lock of the machine's benchmarks and tests (/tmp/camel-smtp-testbed.lock)
# for each N in turn.
#
# Environment:
#   APP_DIR     folder with camel-smtp-examples.jar and lib/ of the build to measure (default REPO/examples/target:
#               mvn -o -q -DskipTests package -pl examples -am); copy it elsewhere if a build may rewrite it meanwhile
#   BEFORE_DIR  the same of an older build to compare with (e.g. main exported with git archive and packaged), or unset
#   WRITER_CP   class path of BacklogWriter (default REPO/camel-smtp-queue/target/test-classes plus APP_DIR/lib/*:
#               mvn -o -q test-compile -pl camel-smtp-queue -am)
#   COUNTS      default "10000 100000 1000000"; SIZE octets per message (default 4096)
#   SPOOL_ROOT  where the spool goes (default /var/tmp/camel-smtp-backlog-bench; 1,000,000 messages take ~8 GB)
#   HEAP        -Xmx of the app (default 4g); PORT (default 2541); MAX_TIME seconds (default 1800)
#   OUT         output folder (default /tmp/camel-smtp-backlog-bench/DATE)
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
APP_DIR=${APP_DIR:-$REPO/examples/target}
BEFORE_DIR=${BEFORE_DIR:-}
WRITER_CP=${WRITER_CP:-$REPO/camel-smtp-queue/target/test-classes:$APP_DIR/lib/*}
COUNTS=${COUNTS:-"10000 100000 1000000"}
SIZE=${SIZE:-4096}
SPOOL_ROOT=${SPOOL_ROOT:-/var/tmp/camel-smtp-backlog-bench}
HEAP=${HEAP:-4g}
PORT=${PORT:-2541}
MAX_TIME=${MAX_TIME:-1800}
JAVA=${JAVA:-java}
OUT=${OUT:-/tmp/camel-smtp-backlog-bench/$(date +%Y%m%d-%H%M%S)}
SPOOL=$SPOOL_ROOT/spool
APP_PID=""

log() { echo "$(date +%H:%M:%S) $*" | tee -a "$OUT/bench.log" >&2; }
die() { log "FATAL: $*"; exit 1; }

cleanup() {
    if [ -n "$APP_PID" ] && kill -0 "$APP_PID" 2>/dev/null; then kill "$APP_PID"; sleep 2; kill -9 "$APP_PID" 2>/dev/null; fi
    rm -rf "$SPOOL"
}

mkdir -p "$OUT/logs" "$SPOOL_ROOT"
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM
[ -f "$APP_DIR/camel-smtp-examples.jar" ] || die "no $APP_DIR/camel-smtp-examples.jar (build examples first)"
[ -z "$BEFORE_DIR" ] || [ -f "$BEFORE_DIR/camel-smtp-examples.jar" ] || die "no $BEFORE_DIR/camel-smtp-examples.jar"
[ -f "$REPO/camel-smtp-queue/target/test-classes/io/camelsmtp/smtp/queue/spool/BacklogWriter.class" ] \
    || die "no BacklogWriter class (mvn -o -q test-compile -pl camel-smtp-queue -am)"
! (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null || die "127.0.0.1:$PORT is in use"
{ uname -a; nproc; free -m; df -h "$SPOOL_ROOT"; "$JAVA" -version 2>&1; } > "$OUT/machine.txt"
printf 'build\tN\tlisten_ms\trecovered_ms\tmessages\tread_ms\theap_bytes\theap_per_msg\trss_kb\tspool_bytes\tspool_bytes_per_msg\tfiles\n' \
    > "$OUT/results.tsv"

exec 9>/tmp/camel-smtp-testbed.lock
log "COUNTS=$COUNTS SIZE=$SIZE HEAP=$HEAP APP_DIR=$APP_DIR BEFORE_DIR=${BEFORE_DIR:-none} OUT=$OUT"

declare -A BASE_HEAP

run_app() {   # build app-dir N spool-bytes files: one start on the spool, one TSV line
    local build=$1 dir=$2 n=$3 bytes=$4 files=$5 logf t0 probe heap rss per
    logf="$OUT/logs/$build-$n.log"
    t0=$(date +%s%N)
    ( cd "$OUT" && exec timeout "$MAX_TIME" "$JAVA" -Xmx"$HEAP" -Dsmtp.port="$PORT" -Dadmin.port=$((PORT + 10000)) \
        -Dspool.dir="$SPOOL" -jar "$dir/camel-smtp-examples.jar" --routes "$REPO/bench/backlog/backlog.camel.yaml" \
        < /dev/null > "$logf" 2>&1 ) &
    APP_PID=$!
    sleep 0.2
    local jvm
    jvm=$(pgrep -P "$APP_PID" java || echo "$APP_PID")
    probe=$(/usr/bin/python3 "$REPO/bench/backlog/probe.py" --port "$PORT" --log "$logf" --t0-ns "$t0" --pid "$jvm" \
        --limit "$MAX_TIME") || log "$build N=$n: the probe failed: $probe"
    heap=$(timeout 300 jcmd "$jvm" GC.class_histogram 2>/dev/null | awk '/^Total/ {print $3}')
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$jvm/status" 2>/dev/null)
    kill "$APP_PID" 2>/dev/null
    for _ in $(seq 1 300); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$APP_PID" 2>/dev/null
    wait "$APP_PID" 2>/dev/null
    APP_PID=""
    [ "$n" = 0 ] && BASE_HEAP[$build]=${heap:-0}
    per=NA
    if [ "$n" -gt 0 ] && [ -n "$heap" ] && [ -n "${BASE_HEAP[$build]:-}" ]; then per=$(((heap - BASE_HEAP[$build]) / n)); fi
    local listen recovered messages read
    listen=$(sed -n 's/.*listen_ms=\([^ ]*\).*/\1/p' <<< "$probe")
    recovered=$(sed -n 's/.*recovered_ms=\([^ ]*\).*/\1/p' <<< "$probe")
    messages=$(sed -n 's/.*messages=\([^ ]*\).*/\1/p' <<< "$probe")
    read=$(sed -n 's/.*read_ms=\([^ ]*\).*/\1/p' <<< "$probe")
    local bpm=NA
    [ "$n" -gt 0 ] && bpm=$((bytes / n))
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$build" "$n" "${listen:-NA}" "${recovered:-NA}" \
        "${messages:-NA}" "${read:-NA}" "${heap:-NA}" "$per" "${rss:-NA}" "$bytes" "$bpm" "$files" >> "$OUT/results.tsv"
    log "$build N=$n: listen ${listen:-NA} ms, recovered ${recovered:-NA} ms (${messages:-NA} messages, read ${read:-NA} ms), heap ${heap:-NA} B ($per B/message over N=0), RSS ${rss:-NA} kB"
}

for n in 0 $COUNTS; do
    log "N=$n: waiting for /tmp/camel-smtp-testbed.lock"
    flock 9   # per N, so that others' tests can run in between
    rm -rf "$SPOOL"
    if [ "$n" -gt 0 ]; then
        log "N=$n: writing the backlog"
        local_t0=$(date +%s)
        timeout "$MAX_TIME" "$JAVA" -Xmx1g -cp "$WRITER_CP" io.camelsmtp.smtp.queue.spool.BacklogWriter "$SPOOL" "$n" \
            "$SIZE" 86400 backlog.test 2>> "$OUT/bench.log" || { log "N=$n: BacklogWriter failed"; continue; }
        sync
        log "N=$n: written and synced in $(($(date +%s) - local_t0)) s"
    else
        mkdir -p "$SPOOL"
    fi
    bytes=$(du -sB1 "$SPOOL" | cut -f1)   # disk used (allocated blocks), not the sum of file lengths
    files=$(find "$SPOOL" -type f | wc -l)
    log "N=$n: spool $bytes bytes in $files files"
    [ -n "$BEFORE_DIR" ] && run_app before "$BEFORE_DIR" "$n" "$bytes" "$files"
    run_app after "$APP_DIR" "$n" "$bytes" "$files"
    flock -u 9   # deleting the spool (minutes for 2,000,000 files) is no measurement: others may test meanwhile
    rm -rf "$SPOOL"
done
log "done: $OUT/results.tsv"
column -t "$OUT/results.tsv" >&2
