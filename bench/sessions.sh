#!/usr/bin/env bash
# Many concurrent sessions (issue 14, item 3): the app holds SESSIONS idle SMTP sessions (bench/idle_sessions.py),
# on JDK 21+ with virtual threads (the app's default there), on the same JDK with them turned off, and on JDK 17;
# it reports the app's resident memory and OS threads while they are held, and how long a new client waits for a
# whole transaction meanwhile (Python smtplib: connect, EHLO, MAIL, RCPT, DATA, QUIT; interpreter start included).
# Goal of the issue: 10,000 sessions in < 512 MB RSS, the new client served in < 1 s.
#
# Environment:
#   APP_DIR    folder with camel-smtp-examples.jar and lib/ (default REPO/examples/target; build it first with the
#              README's command)
#   JAVA_NEW   java of JDK 21 or later (default: the first under /usr/lib/jvm); JAVA_OLD (default: java on PATH)
#   SESSIONS   idle sessions (default 10000); HOLD seconds they are held (default 20); RUNS per mode (default 3)
#   MODES      "virtual platform-new jdk17" (default) or a subset
#   JAVA_OPTS  (default -Xmx512m: an idle session takes about 30 KB of heap)
#   OUT        results and logs (default /tmp/camel-smtp-sessions-bench); wiped at start
# Output: OUT/runs.tsv (one line per run) and a Markdown summary (medians) on stdout and in OUT/summary.md.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
APP_DIR=${APP_DIR:-$REPO/examples/target}
SESSIONS=${SESSIONS:-10000}
HOLD=${HOLD:-20}
RUNS=${RUNS:-3}
MODES=${MODES:-"virtual platform-new jdk17"}
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
OUT=${OUT:-/tmp/camel-smtp-sessions-bench}
PORT=2530
PYTHON=/usr/bin/python3
if [ -z "${JAVA_NEW:-}" ]; then
    for home in /usr/lib/jvm/*; do
        v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release" 2>/dev/null)
        if [ -n "$v" ] && [ "$v" -ge 21 ] && [ -x "$home/bin/java" ]; then JAVA_NEW=$home/bin/java; break; fi
    done
fi
JAVA_OLD=${JAVA_OLD:-$(command -v java)}

[ -f "$APP_DIR/camel-smtp-examples.jar" ] || die "no $APP_DIR/camel-smtp-examples.jar: build the app first"
rm -rf "$OUT"; mkdir -p "$OUT/logs"
# each held session is a file descriptor in the client and in the app: raise the soft limit to the hard one
ulimit -n "$(ulimit -Hn)" 2>/dev/null
[ "$(ulimit -n)" -ge $((SESSIONS + 1000)) ] || die "open-file limit $(ulimit -n) is too low for $SESSIONS sessions"

APP_PID=""
cleanup() { [ -n "$APP_PID" ] && stop_pid "$APP_PID" 10; }
set_traps

printf 'mode\trun\tjava\tsessions\tgreeted\talive\trss_kb\tthreads\tprobe_s\n' > "$OUT/runs.tsv"
PROBE="$PYTHON -c \"import smtplib; s = smtplib.SMTP('127.0.0.1', $PORT, timeout=10); \
s.sendmail('probe@bench.test', ['to@sessions.test'], 'Subject: probe\\r\\n\\r\\nhello\\r\\n'); s.quit()\""

for mode in $MODES; do
    case $mode in
        virtual) java=$JAVA_NEW; extra="" ;;
        platform-new) java=$JAVA_NEW; extra="-Dcamel.threads.virtual.enabled=false" ;;
        jdk17) java=$JAVA_OLD; extra="" ;;
        *) die "unknown mode $mode" ;;
    esac
    [ -n "$java" ] || { log "SKIPPED $mode: no JDK 21 or later found (set JAVA_NEW)"; continue; }
    for run in $(seq 1 "$RUNS"); do
        work=$OUT/$mode-$run; mkdir -p "$work"
        # shellcheck disable=SC2086
        (cd "$work" && exec timeout 900 "$java" $JAVA_OPTS $extra -Dsessions.port=$PORT -Dadmin.port=0 \
            -Ddata.dir="$work/data" -jar "$APP_DIR/camel-smtp-examples.jar" \
            --routes "$BENCH/sessions/idle.camel.yaml" > "$OUT/logs/$mode-$run.log" 2>&1) &
        APP_PID=$!
        wait_listening 127.0.0.1:$PORT "$APP_PID" 120 || die "the app did not listen ($OUT/logs/$mode-$run.log)"
        jpid=$(pgrep -P "$APP_PID" -f camel-smtp-examples.jar | head -1); jpid=${jpid:-$APP_PID}
        "$PYTHON" "$BENCH/idle_sessions.py" 127.0.0.1 $PORT "$SESSIONS" "$HOLD" "$jpid" "$PROBE" \
            > "$OUT/logs/$mode-$run.idle" 2>&1
        get() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" "$OUT/logs/$mode-$run.idle" | head -1; }
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$run" "$("$java" -version 2>&1 | head -1 | tr '\t' ' ')" \
            "$SESSIONS" "$(get greeted_220)" "$(get alive_after_hold_250)" "$(get rss_kb_held)" "$(get threads_held)" \
            "$(get probe_seconds)" >> "$OUT/runs.tsv"
        log "$mode run $run: $(tail -1 "$OUT/runs.tsv")"
        stop_pid "$APP_PID" 15; APP_PID=""
        settle "sport = :$PORT" echo 0 > /dev/null
    done
done

{
    echo "| mode | JDK | sessions greeted / alive after hold | RSS held (MiB) | OS threads | new client (s) |"
    echo "|---|---|---|---|---|---|"
    "$PYTHON" - "$OUT/runs.tsv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
for mode in dict.fromkeys(r["mode"] for r in rows):
    rs = [r for r in rows if r["mode"] == mode]
    med = lambda k: statistics.median(float(r[k]) for r in rs if r[k])
    print(f"| {mode} | {rs[0]['java']} | {min(int(r['greeted'] or 0) for r in rs)} / "
          f"{min(int(r['alive'] or 0) for r in rs)} of {rs[0]['sessions']} | {med('rss_kb') / 1024:.0f} | "
          f"{med('threads'):.0f} | {med('probe_s'):.2f} |")
PY
} | tee "$OUT/summary.md"
