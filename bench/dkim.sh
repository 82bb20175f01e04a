#!/usr/bin/env bash
# DKIM signing and verification throughput: camel-smtp-auth's signer and verifier against dkimpy (python3-dkim) and
# OpenDKIM (opendkim, driven through its milter protocol by miltertest), on this machine, in the same run.
# Builds nothing: APP_DIR must hold a built app (mvn -B -ntp package -DskipTests -pl examples -am).
#
# What each one does per message, one at a time on one thread (the signer/verifier's cost, not a server's):
#   ours      bench/dkim/DkimBench.java on the app's class path: HeaderSection.read + DkimSigner.sign, or
#             HeaderSection.read + DkimVerifier.verify, the code smtp-auth:dkim-sign and smtp-auth:verify run, on a
#             message in memory; JIT warmed up for WARMUP seconds first
#   dkimpy    bench/dkim/dkimpy_bench.py: dkim.sign / dkim.verify on a message in memory (its Ed25519 is PyNaCl,
#             i.e. libsodium; its RSA is Python's own big integers)
#   opendkim  OpenDKIM 2.11 as a milter (Mode s or Mode v), fed by miltertest (bench/dkim/opendkim_bench.lua) over a
#             UNIX socket, one milter connection per message, as an MTA's smtpd does per session: its figure includes
#             the milter protocol and the header/body transfer, which is how OpenDKIM is always used; miltertest's
#             own Lua work is small next to it. Timed from outside (Lua has no fine clock): a calibration run of
#             CAL messages, then as many messages as fill about SECS seconds
# Verification: every verifier checks the same message, signed by dkimpy; the key record comes from memory (dnsfunc,
# a Map, OpenDKIM's TestPublicKeys), i.e. "DNS cached". Every verification must pass, every signing must produce a
# signature, or the run fails. Signing: relaxed/relaxed, each implementation's default header set.
# Matrix: op sign|verify x key RSA-2048 (rsa-sha256) | Ed25519 (ed25519-sha256) x message 4 KB | 100 KB (plain text,
# CRLF). Runs are interleaved: RUNS rounds, each round every case and implementation once (the order of the
# implementations rotating per round); the median of the rounds is reported.
#
# Environment:
#   APP_DIR   folder with lib/ of the built app (default: REPO/examples/target)
#   RUNS      rounds (default 5); SECS seconds per measurement (default 5); WARMUP seconds of warm-up per JVM and
#             per dkimpy process (default 3); CAL OpenDKIM calibration messages (default 200)
#   OUT       results and logs (default /tmp/camel-smtp-dkim-bench; wiped at start). OpenDKIM refuses
#             world-writable folders on its paths only for keys; RequireSafeKeys is off in its configuration here
# Output: a Markdown table on stdout (also OUT/summary.md), every measurement in OUT/dkim.csv.
# Needs: java 17+, /usr/bin/python3 with python3-dkim (and python3-nacl for Ed25519), opendkim, miltertest, openssl.
set -euo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$BENCH")
APP_DIR=${APP_DIR:-$REPO/examples/target}
RUNS=${RUNS:-5}
SECS=${SECS:-5}
WARMUP=${WARMUP:-3}
CAL=${CAL:-200}
OUT=${OUT:-/tmp/camel-smtp-dkim-bench}
JAVA=${JAVA:-java}
PYTHON=${PYTHON:-/usr/bin/python3}
DOMAIN=bench.test

for tool in "$JAVA" "$PYTHON" opendkim miltertest openssl; do
    command -v "$tool" > /dev/null || { echo "missing: $tool" >&2; exit 1; }
done
[ -d "$APP_DIR/lib" ] || { echo "no $APP_DIR/lib: build the app first" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT/logs"
cd "$OUT"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done; }
trap cleanup EXIT

log() { echo "$(date +%H:%M:%S) $*" >&2; }

# keys: PKCS#8 PEM for ours and OpenDKIM, PKCS#1 for dkimpy's RSA, the raw base64 seed for dkimpy's Ed25519
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem 2> /dev/null
openssl rsa -in rsa.pem -traditional -out rsa-pkcs1.pem 2> /dev/null
openssl genpkey -algorithm ed25519 -out ed25519.pem
openssl pkey -in ed25519.pem -outform DER | tail -c 32 | base64 > ed25519.seed
declare -A RECORD=(
    [rsa]="v=DKIM1; k=rsa; p=$(openssl pkey -in rsa.pem -pubout -outform DER | base64 -w0)"
    [ed25519]="v=DKIM1; k=ed25519; p=$(openssl pkey -in ed25519.pem -pubout -outform DER | tail -c 32 | base64 -w0)")
declare -A KEY_OURS=([rsa]=rsa.pem [ed25519]=ed25519.pem)
declare -A KEY_PY=([rsa]=rsa-pkcs1.pem [ed25519]=ed25519.seed)
declare -A ALG=([rsa]=rsa-sha256 [ed25519]=ed25519-sha256)
declare -A SIZE=([4k]=4096 [100k]=102400)
printf '%s._domainkey.%s %s\n' rsa "$DOMAIN" "${RECORD[rsa]}" ed25519 "$DOMAIN" "${RECORD[ed25519]}" > public-keys.txt

# messages, and the same messages signed by dkimpy for the verifiers
"$PYTHON" - <<'PY'
import random
for name, size in (("4k", 4096), ("100k", 102400)):
    head = ("From: Alice <alice@bench.test>\r\nTo: Bob <bob@example.test>\r\nSubject: benchmark message\r\n"
            "Date: Sun, 06 Dec 2026 20:00:00 +0000\r\nMessage-ID: <bench-1@bench.test>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n\r\n")
    rnd = random.Random(1)
    words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor".split()
    parts, n = [head], len(head)
    while n < size:
        line = " ".join(rnd.choice(words) for _ in range(11))[:76] + "\r\n"
        parts.append(line)
        n += len(line)
    open(f"m-{name}.eml", "wb").write("".join(parts).encode())
PY
for k in rsa ed25519; do
    for s in 4k 100k; do
        "$PYTHON" -c 'import dkim, sys
m = open(sys.argv[1], "rb").read()
sig = dkim.sign(m, sys.argv[3].encode(), b"bench.test", open(sys.argv[2], "rb").read().strip(),
                canonicalize=(b"relaxed", b"relaxed"), signature_algorithm=sys.argv[4].encode())
open(sys.argv[5], "wb").write(sig + m)' "m-$s.eml" "${KEY_PY[$k]}" "$k" "${ALG[$k]}" "signed-$k-$s.eml"
    done
done

# OpenDKIM: one signer per key, one verifier
opendkim_conf() {   # name mode [key]
    local f="$OUT/opendkim-$1.conf"
    {
        echo "Mode $2"; echo "Syslog no"; echo "Socket local:$OUT/opendkim-$1.sock"; echo "PidFile $OUT/opendkim-$1.pid"
        echo "UserID root"; echo "RequireSafeKeys no"; echo "Canonicalization relaxed/relaxed"; echo "AuthservID bench"
        echo "MinimumKeyBits 1024"; echo "InternalHosts 127.0.0.1"; echo "TestPublicKeys $OUT/public-keys.txt"
        if [ "$2" = s ]; then echo "Domain $DOMAIN"; echo "Selector $3"; echo "KeyFile $OUT/${KEY_OURS[$3]}"
            echo "SignatureAlgorithm ${ALG[$3]}"; fi
    } > "$f"
    timeout 7200 opendkim -f -x "$f" > "$OUT/logs/opendkim-$1.log" 2>&1 &
    PIDS+=($!)
}
opendkim_conf sign-rsa s rsa
opendkim_conf sign-ed25519 s ed25519
opendkim_conf verify v
for n in sign-rsa sign-ed25519 verify; do
    for i in $(seq 1 100); do [ -S "$OUT/opendkim-$n.sock" ] && break; sleep 0.1; done
    [ -S "$OUT/opendkim-$n.sock" ] || { echo "opendkim $n did not start: $(cat "$OUT/logs/opendkim-$n.log")" >&2; exit 1; }
done

now() { date +%s.%N; }

measure() {   # impl op key size -> "msgs seconds rate"
    local impl=$1 op=$2 k=$3 s=$4 msg arg line
    if [ "$op" = sign ]; then msg="m-$s.eml"; else msg="signed-$k-$s.eml"; fi
    case $impl in
        ours)
            if [ "$op" = sign ]; then arg=${KEY_OURS[$k]}; else arg=${RECORD[$k]}; fi
            line=$("$JAVA" -cp "$APP_DIR/lib/*" "$BENCH/dkim/DkimBench.java" "$op" "$msg" "$arg" "$DOMAIN" "$k" "$SECS" "$WARMUP")
            ;;
        dkimpy)
            line=$("$PYTHON" "$BENCH/dkim/dkimpy_bench.py" "$op" "$msg" "${KEY_PY[$k]}" "$DOMAIN" "$k" "${ALG[$k]}" "$SECS" \
                "$WARMUP" "${RECORD[$k]}")
            ;;
        opendkim)
            local sock t0 t1 count
            if [ "$op" = sign ]; then sock="$OUT/opendkim-sign-$k.sock"; else sock="$OUT/opendkim-verify.sock"; fi
            t0=$(now)
            BENCH_SOCKET="unix:$sock" BENCH_MESSAGE="$msg" BENCH_OP=$op BENCH_COUNT=$CAL \
                miltertest -s "$BENCH/dkim/opendkim_bench.lua" > /dev/null
            t1=$(now)
            count=$(awk -v c="$CAL" -v a="$t0" -v b="$t1" -v s="$SECS" 'BEGIN { n = int(c / (b - a) * s); print (n < c ? c : n) }')
            t0=$(now)
            BENCH_SOCKET="unix:$sock" BENCH_MESSAGE="$msg" BENCH_OP=$op BENCH_COUNT=$count \
                miltertest -s "$BENCH/dkim/opendkim_bench.lua" > /dev/null
            t1=$(now)
            line=$(awk -v n="$count" -v a="$t0" -v b="$t1" 'BEGIN { printf "msgs=%d seconds=%.3f rate=%.1f", n, b - a, n / (b - a) }')
            ;;
    esac
    echo "$line" | tr ' ' '\n' | awk -F= '$1 == "msgs" { m = $2 } $1 == "seconds" { s = $2 } $1 == "rate" { r = $2 } END { print m, s, r }'
}

echo "impl,op,key,size,run,msgs,seconds,rate" > dkim.csv
IMPLS=(ours dkimpy opendkim)
log "DKIM: $RUNS rounds x sign/verify x rsa/ed25519 x 4k/100k x ${IMPLS[*]}, ${SECS}s per measurement"
for run in $(seq 1 "$RUNS"); do
    for op in sign verify; do
        for k in rsa ed25519; do
            for s in 4k 100k; do
                for i in 0 1 2; do
                    impl=${IMPLS[$(((i + run) % 3))]}
                    read -r msgs secs rate <<< "$(measure "$impl" "$op" "$k" "$s")"
                    [ -n "$rate" ] || { log "FAILED: $impl $op $k $s"; exit 1; }
                    echo "$impl,$op,$k,$s,$run,$msgs,$secs,$rate" >> dkim.csv
                    log "run $run $op $k $s $impl: $rate msg/s"
                done
            done
        done
    done
done

"$PYTHON" - <<'PY' | tee summary.md
import csv, statistics
rows = list(csv.DictReader(open("dkim.csv")))
med = {}
for key in {(r["op"], r["key"], r["size"], r["impl"]) for r in rows}:
    med[key] = statistics.median(float(r["rate"]) for r in rows if (r["op"], r["key"], r["size"], r["impl"]) == key)
names = {"rsa": "RSA-2048", "ed25519": "Ed25519", "4k": "4 KB", "100k": "100 KB"}
print("| operation | key | message | ours msg/s | dkimpy msg/s | OpenDKIM msg/s | ours / dkimpy | ours / OpenDKIM |")
print("|---|---|---|---:|---:|---:|---:|---:|")
for op in ("sign", "verify"):
    for k in ("rsa", "ed25519"):
        for s in ("4k", "100k"):
            o, p, d = (med[(op, k, s, i)] for i in ("ours", "dkimpy", "opendkim"))
            print(f"| {op} | {names[k]} | {names[s]} | {o:,.0f} | {p:,.0f} | {d:,.0f} | {o / p:.2f}× | {o / d:.2f}× |")
PY
