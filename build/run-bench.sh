#!/bin/sh
# make bench: runs the JMH benchmarks of bench/ (pass a regex in BENCH to pick some, JMH_ARGS to
# override JMH options) and the side-by-side programs. Results go to bench/results/.
#   SIDE=a,b,...        the parts to run (default: all of them):
#                       jmh     the JMH benchmarks (BENCH, JMH_ARGS)
#                       parked  1,000,000 parked tasklets vs raw virtual threads
#                       msg     framed messaging: Warren MessageServer vs Netty 4.2 (native epoll), same client
#                               (MSG_ARGS are passed on, e.g. MSG_ARGS="--only sink1,echo --rounds 5")
#                       ws      WebSocket echo over 1 and 100 connections and heap per idle WebSocket: Warren vs
#                               Netty 4.2's WebSocket codec on native epoll, same client
#                               (WS_ARGS, e.g. WS_ARGS="--rounds 3 --seconds 5 --idle 10000")
#                       stream  keyed sliding windows by in-process emit vs a trafilo-style lock-per-bucket pool
#                       kafka   a windowed count: warren vs Kafka Streams (TopologyTestDriver, in-memory store)
#                       kafka-e2e  Warren (KafkaSource + StreamJob + KafkaSink, as ./hiveparser --kafka) vs a Kafka
#                               Streams application on one real KRaft broker started for the run (KafkaScaleOutBench):
#                               hopping 5 s / 1 s count+sum over 1,000 keys, 12 partitions, each member its own JVM
#                               (KAFKA_E2E_HEAP, default 2g); records/s from the first record consumed to the group's
#                               commits at the end of KAFKA_E2E_RECORDS (default 10000000) records with 1 and 2
#                               processes (KAFKA_E2E_PROCS, default "1,2"), then the recovery after SIGKILL of one of
#                               2 processes on a live topic (KAFKA_E2E_LIVE_RATE records/s, default 50000, for
#                               KAFKA_E2E_LIVE_SECONDS, default 60); KAFKA_E2E_ROUNDS alternating rounds (default 3;
#                               medians); KAFKA_E2E_MODE throughput,recovery (default both); every run's output is
#                               checked window by window; KAFKA_E2E_ARGS are passed on (e.g. "--grace 15",
#                               "--sides warren,warren-cl,streams": warren-cl is Warren with a changelog)
#                       kafka-restore  restore of open windows from a changelog (KafkaRestoreBench): one member
#                               writes KAFKA_RESTORE_KEYS (default 1000000) keys' windows, the next restores them;
#                               ms per million keys, KAFKA_RESTORE_ROUNDS rounds (default 3)
#                       udp     UDP ingest with hiveparser's generator vs a raw socket drain
#                       datapath  datapaths (DatapathBench): blocks/s of (gen) > (grep) > (count) in one tasklet
#                               and with a boundary vs Pekko Streams and Reactor; the compress stage vs a bare
#                               Deflater; exported-stream read/peek with 1 and 4 readers vs ArrayBlockingQueue
#                               (each pipeline in a JVM of its own, DATAPATH_ROUNDS rounds, default 3;
#                               DATAPATH_ARGS, e.g. "-Dblocks=1000000", before the class)
#                       fair    a bystander's latency while hostile clients load ./http_server (HostileLoad),
#                               fair turns on and off in alternating rounds (FAIR_ROUNDS, default 3)
#                       http    Warren's HttpServer vs Netty 4.2 (native epoll and NIO) and a minimal C epoll
#                               responder (HTTP_PEERS, default "warren netty-epoll netty c-epoll"; add
#                               warren-nofair for the A/B of fair turns; warren-base for the same server built
#                               from another commit, whose bench class path HTTP_BASE_CP names, e.g.
#                               HTTP_BASE_CP="/tmp/base/bench/target/warren-bench.jar:/tmp/base/bench/target/lib/*"
#                               HTTP_PEERS="warren warren-base": the warren/it column is then this build's
#                               req/s over the base's), serving the same page, loaded by wrk
#                               (installed from the system packages when missing) at HTTP_CONNECTIONS (default
#                               "50 500 5000") for HTTP_SECONDS (default 10) each, in HTTP_ROUNDS (default 3)
#                               rounds alternating the peers (the summary compares medians), and by ./http_client -n -c;
#                               then per peer the heap (after GC) and RSS per idle keep-alive connection and
#                               wrk on /sleep?ms=100, both at HTTP_IDLE (default 10000) connections
#                       metrics Warren's library metrics on vs off (-Dwarren.metrics), and on with /metrics
#                               scraped every 100 ms, HTTP keep-alive req/s by wrk at METRICS_CONNECTIONS (default
#                               500) for METRICS_SECONDS (default 10) in METRICS_ROUNDS (default 3) alternating
#                               rounds (medians); then the time and size of /metrics and /sockets.json with
#                               METRICS_OPEN (default 10000) open connections (MetricsRender)
#                       tls     HTTPS: Warren's HttpServer (TlsTransport) vs Netty 4.2 on native epoll with an
#                               SslHandler on the JDK's provider, the same page and the same throwaway EC P-256
#                               certificate (made with openssl), TLS 1.3; wrk keep-alive at TLS_CONNECTIONS
#                               (default "50 500") and full handshakes/s (wrk with Connection: close, one new
#                               TLS connection per request) at TLS_HANDSHAKE_CONNECTIONS (default 50), each for
#                               TLS_SECONDS (default 10), in TLS_ROUNDS (default 3) alternating rounds (medians); TLS_PEERS
#                               (default "warren netty-epoll") may add warren-base (HTTP_BASE_CP, as for http)
#   SKIP_JMH=1          the same as leaving jmh out of SIDE
set -eu
jdk=$1
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mkdir -p bench/results
cp="bench/target/warren-bench.jar:bench/target/lib/*"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
side=${SIDE:-all}
# Every JVM runs as the demo launchers run them: the JDK's socket pollers on platform threads
# (docs/ARCHITECTURE.md, "Poller threads"). BENCH_JAVA_OPTS replaces this, e.g. BENCH_JAVA_OPTS=-Djdk.pollerMode=2.
jopts=${BENCH_JAVA_OPTS:--Djdk.pollerMode=1}
parts="jmh parked msg ws http tls fair stream kafka kafka-e2e kafka-restore udp datapath metrics"
for p in $(echo "$side" | tr ',' ' '); do
    case " all $parts " in
        *" $p "*) ;;
        *) echo "run-bench.sh: unknown part '$p' in SIDE=$side (parts: $parts, or all)" >&2; exit 2 ;;
    esac
done
wants() {
    case ",$side," in
        *",all,"*|*",$1,"*) return 0 ;;
        *) return 1 ;;
    esac
}
if wants jmh && [ "${SKIP_JMH:-0}" != 1 ]; then
    echo "== JMH (${BENCH:-all}) =="
    "$jdk/bin/java" $jopts -cp "$cp" org.openjdk.jmh.Main ${BENCH:-} ${JMH_ARGS:-} -rf json -rff "bench/results/jmh-$stamp.json" \
        | tee "bench/results/jmh-$stamp.txt"
fi
if wants parked; then
    echo "== 1,000,000 parked: tasklets vs raw virtual threads =="
    "$jdk/bin/java" $jopts -Xmx4g -cp "$cp" dev.warren.bench.ParkedFootprint 1000000 | tee "bench/results/parked-$stamp.txt"
fi
if wants msg; then
    echo "== framed messaging: Warren MessageServer vs Netty 4.2 (native epoll), same client =="
    "$jdk/bin/java" $jopts -Xmx2g -cp "$cp" dev.warren.bench.MsgSideBySide ${MSG_ARGS:-} | tee "bench/results/msg-$stamp.txt"
fi
if wants ws; then
    echo "== WebSocket echo: Warren Router.websocket vs Netty 4.2 WebSocket codec (native epoll), same client =="
    "$jdk/bin/java" $jopts -Xmx2g -cp "$cp" dev.warren.bench.WsSideBySide ${WS_ARGS:-} | tee "bench/results/ws-$stamp.txt"
fi
# ---- HTTP: Warren vs Netty, same page, same load
wait_port() { # wait_port PORT: until something answers GET / there (30 s at most)
    i=0
    until curl -s -o /dev/null "http://127.0.0.1:$1/"; do
        i=$((i + 1)); [ $i -lt 300 ] || { echo "nothing listens on $1" >&2; return 1; }
        sleep 0.1
    done
}
to_ms() { # a wrk latency (123.45us, 1.2ms, 2.01s) in ms
    awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}
median() { # median COLUMN FILE: the median of a column of numbers (the lower middle for an even count)
    awk -v k="$1" '{ print $k }' "$2" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
start_peer() { # start_peer PEER: an HTTP peer on $port in the background, its pid in $pid
    case "$1" in
        c-epoll)
            "bench/target/epoll_http" "$port" >>"bench/results/http-$1-$stamp.log" 2>&1 &
            ;;
        warren-base) # the same peer built from another commit (HTTP_BASE_CP), e.g. before a change on the hot path
            [ -n "${HTTP_BASE_CP:-}" ] || { echo "warren-base needs HTTP_BASE_CP: the bench class path of a build of the base commit" >&2; return 1; }
            "$jdk/bin/java" $jopts --enable-native-access=ALL-UNNAMED -Xmx1g -cp "$HTTP_BASE_CP" dev.warren.bench.HttpPeer warren "$port" \
                >>"bench/results/http-$1-$stamp.log" 2>&1 &
            ;;
        warren-nofair) # the A/B of fair turns: the same server with them off
            "$jdk/bin/java" $jopts -Dwarren.fairness.sliceMicros=0 -Xmx1g -cp "$cp" dev.warren.bench.HttpPeer warren "$port" \
                >>"bench/results/http-$1-$stamp.log" 2>&1 &
            ;;
        *)
            "$jdk/bin/java" $jopts --enable-native-access=ALL-UNNAMED -Xmx1g -cp "$cp" dev.warren.bench.HttpPeer "$1" "$port" \
                >>"bench/results/http-$1-$stamp.log" 2>&1 &
            ;;
    esac
    pid=$!
    wait_port "$port"
}
stop_peer() {
    kill "$pid"; wait "$pid" 2>/dev/null || true
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
http_side() {
    if ! command -v wrk >/dev/null 2>&1; then
        echo "wrk is missing: installing it from the system packages"
        if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk
        else sudo apt-get update -qq && sudo apt-get install -y -qq --no-install-recommends wrk; fi
    fi
    out="bench/results/http-$stamp.txt"
    seconds=${HTTP_SECONDS:-10}
    conns=${HTTP_CONNECTIONS:-50 500 5000}
    port=${HTTP_PORT:-18080}
    idle=${HTTP_IDLE:-10000}
    # warren first: every other peer is compared with it. netty-epoll is Netty's native transport (what
    # its users run on Linux), netty its NIO one, c-epoll the minimal C responder (the ceiling).
    peers=${HTTP_PEERS:-warren netty-epoll netty c-epoll}
    ulimit -n 20000 2>/dev/null || true
    case " $peers " in
        *" c-epoll "*)
            cc -O2 -pthread -o bench/target/epoll_http bench/src/main/c/epoll_http.c \
                || { echo "cannot build the C epoll peer (cc)" >&2; return 1; } ;;
    esac
    rounds=${HTTP_ROUNDS:-3}
    # The wrk passes run in rounds, the peers alternating, each round on a fresh server after a warm-up:
    # single passes on a 2-core machine swing by 10-30 %, so the summary compares medians over rounds.
    r=1
    while [ "$r" -le "$rounds" ]; do
        for peer in $peers; do
            start_peer "$peer"
            [ "$r" != 1 ] || curl -s "http://127.0.0.1:$port/" >"bench/results/http-$peer-$stamp.page"
            echo "== $peer, round $r of $rounds: warm-up =="
            wrk -t2 -c50 -d5s "http://127.0.0.1:$port/" >/dev/null
            for c in $conns; do
                echo "== $peer, round $r: wrk -t2 -c$c -d${seconds}s --latency =="
                wrk -t2 -c"$c" -d"${seconds}s" --latency "http://127.0.0.1:$port/" \
                    | tee "bench/results/http-$peer-c$c-r$r-$stamp.wrk"
            done
            stop_peer
        done
        r=$((r + 1))
    done
    # the load a demo user runs, /sleep at many connections, and memory: Warren and Netty's epoll peer
    jvmpeers=""
    for p in $peers; do case "$p" in warren|netty-epoll) jvmpeers="$jvmpeers $p" ;; esac; done
    for peer in $jvmpeers; do
        start_peer "$peer"
        echo "== $peer: ./http_client -n 200000 -c 50 =="
        "$jdk/bin/java" $jopts -cp "demos/target/warren-demos.jar:demos/target/lib/*" dev.warren.demos.Main http_client \
            -n 200000 -c 50 127.0.0.1 "$port" / | tee "bench/results/http-$peer-client-$stamp.txt"
        echo "== $peer: /sleep?ms=100 at $idle connections, wrk -t2 -c$idle -d${seconds}s =="
        wrk -t2 -c"$idle" -d"${seconds}s" --latency --timeout 10s "http://127.0.0.1:$port/sleep?ms=100" \
            | tee "bench/results/http-$peer-sleep-$stamp.wrk"
        stop_peer
        # a fresh server for the memory figure, so the runs above leave nothing behind in its heap
        start_peer "$peer"
        echo "== $peer: memory per idle keep-alive connection at $idle =="
        "$jdk/bin/java" $jopts -cp "$cp" dev.warren.bench.IdleConnections "$port" "$pid" "$idle" \
            | tee "bench/results/http-$peer-idle-$stamp.txt"
        stop_peer
    done
    for peer in $peers; do
        cmp -s "bench/results/http-warren-$stamp.page" "bench/results/http-$peer-$stamp.page" \
            || { echo "$peer served a different page than warren" >&2; return 1; }
    done
    {
        echo "== HTTP keep-alive GET / ($(wc -c <"bench/results/http-warren-$stamp.page") bytes), $rounds rounds, medians =="
        printf "%-12s %-12s %12s %10s %14s %10s\n" connections peer req/s warren/it p99 warren/it
        for c in $conns; do
            for peer in $peers; do
                : >"bench/results/http-$peer-c$c-$stamp.rounds"
                r=1
                while [ "$r" -le "$rounds" ]; do
                    f="bench/results/http-$peer-c$c-r$r-$stamp.wrk"
                    echo "$(awk '/^Requests\/sec/ {print $2}' "$f") $(to_ms "$(awk '$1 == "99%" {print $2}' "$f")")" \
                        >>"bench/results/http-$peer-c$c-$stamp.rounds"
                    e=$(awk '/Socket errors|Non-2xx/ {print}' "$f" | tr '\n' ' ')
                    [ -z "$e" ] || echo "    errors, $peer round $r at $c: $e"
                    r=$((r + 1))
                done
            done
            wr=$(median 1 "bench/results/http-warren-c$c-$stamp.rounds")
            wp=$(median 2 "bench/results/http-warren-c$c-$stamp.rounds")
            for peer in $peers; do
                pr=$(median 1 "bench/results/http-$peer-c$c-$stamp.rounds")
                pp=$(median 2 "bench/results/http-$peer-c$c-$stamp.rounds")
                printf "%-12s %-12s %12s %10s %12sms %10s\n" "$c" "$peer" "$pr" "$(ratio "$wr" "$pr")" "$pp" "$(ratio "$wp" "$pp")"
            done
        done
        for peer in $jvmpeers; do
            c=$(awk '/^requests\/s/ {print $2}' "bench/results/http-$peer-client-$stamp.txt")
            s=$(awk '/^Requests\/sec/ {print $2}' "bench/results/http-$peer-sleep-$stamp.wrk")
            echo "$peer: ./http_client -n 200000 -c 50: $c req/s; /sleep?ms=100 at $idle connections: $s req/s"
            awk '/Socket errors|Non-2xx/ {print "    " p " sleep errors: " $0}' p="$peer" "bench/results/http-$peer-sleep-$stamp.wrk"
            echo "$peer: $(cat "bench/results/http-$peer-idle-$stamp.txt")"
        done
    } | tee "$out"
}
# ---- HTTPS: Warren's TLS transport vs Netty's SslHandler (the JDK's provider for both), same page, same certificate
tls_side() {
    command -v wrk >/dev/null 2>&1 || { echo "wrk is missing (apt-get install wrk)" >&2; return 1; }
    command -v openssl >/dev/null 2>&1 || { echo "openssl is missing (apt-get install openssl)" >&2; return 1; }
    out="bench/results/tls-$stamp.txt"
    seconds=${TLS_SECONDS:-10}
    conns=${TLS_CONNECTIONS:-50 500}
    hconns=${TLS_HANDSHAKE_CONNECTIONS:-50}
    rounds=${TLS_ROUNDS:-3}
    port=${TLS_PORT:-18443}
    peers=${TLS_PEERS:-warren netty-epoll}
    ulimit -n 20000 2>/dev/null || true
    certdir="bench/target/tls-$stamp"
    mkdir -p "$certdir"
    # -nodes writes the key as unencrypted PKCS#8, which both servers read
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$certdir/key.pem" -out "$certdir/cert.pem" 2>/dev/null \
        || { echo "openssl could not make the certificate" >&2; return 1; }
    tlsopts="-Dwarren.bench.tls.cert=$certdir/cert.pem -Dwarren.bench.tls.key=$certdir/key.pem"
    r=1
    while [ "$r" -le "$rounds" ]; do
        for peer in $peers; do
            case "$peer" in
                warren-base) # this server built from another commit (HTTP_BASE_CP): the same-run A/B of a change
                    [ -n "${HTTP_BASE_CP:-}" ] || { echo "warren-base needs HTTP_BASE_CP" >&2; return 1; }
                    pcp=$HTTP_BASE_CP; pname=warren ;;
                *) pcp=$cp; pname=$peer ;;
            esac
            "$jdk/bin/java" $jopts $tlsopts --enable-native-access=ALL-UNNAMED -Xmx1g -cp "$pcp" dev.warren.bench.HttpPeer "$pname" "$port" \
                >>"bench/results/tls-$peer-$stamp.log" 2>&1 &
            pid=$!
            i=0
            until curl -sk -o /dev/null "https://127.0.0.1:$port/"; do
                i=$((i + 1)); [ $i -lt 300 ] || { echo "nothing speaks TLS on $port" >&2; kill "$pid"; return 1; }
                sleep 0.1
            done
            [ "$r" != 1 ] || curl -sk "https://127.0.0.1:$port/" >"bench/results/tls-$peer-$stamp.page"
            echo "== $peer, round $r of $rounds: warm-up =="
            wrk -t2 -c50 -d"$(( seconds < 5 ? seconds : 5 ))s" "https://127.0.0.1:$port/" >/dev/null
            for c in $conns; do
                echo "== $peer, round $r: HTTPS keep-alive, wrk -t2 -c$c -d${seconds}s --latency =="
                wrk -t2 -c"$c" -d"${seconds}s" --latency "https://127.0.0.1:$port/" \
                    | tee "bench/results/tls-$peer-c$c-r$r-$stamp.wrk"
            done
            echo "== $peer, round $r: full handshakes, wrk -t2 -c$hconns -d${seconds}s --latency -H 'Connection: close' =="
            wrk -t2 -c"$hconns" -d"${seconds}s" --latency -H "Connection: close" "https://127.0.0.1:$port/" \
                | tee "bench/results/tls-$peer-hs-r$r-$stamp.wrk"
            kill "$pid"; wait "$pid" 2>/dev/null || true
        done
        r=$((r + 1))
    done
    for peer in $peers; do
        cmp -s "bench/results/tls-warren-$stamp.page" "bench/results/tls-$peer-$stamp.page" \
            || { echo "$peer served a different page than warren" >&2; return 1; }
    done
    {
        echo "== HTTPS (TLS 1.3, EC P-256, JDK provider on both), GET / ($(wc -c <"bench/results/tls-warren-$stamp.page") bytes), $rounds rounds, medians =="
        printf "%-22s %-12s %12s %10s %14s %10s\n" load peer req/s warren/it p99 warren/it
        for c in $conns hs; do
            for peer in $peers; do
                : >"bench/results/tls-$peer-$c-$stamp.rounds"
                r=1
                while [ "$r" -le "$rounds" ]; do
                    case "$c" in hs) f="bench/results/tls-$peer-hs-r$r-$stamp.wrk" ;; *) f="bench/results/tls-$peer-c$c-r$r-$stamp.wrk" ;; esac
                    p99=$(awk '$1 == "99%" {print $2}' "$f")
                    echo "$(awk '/^Requests\/sec/ {print $2}' "$f") $( [ -n "$p99" ] && to_ms "$p99" || echo 0)" \
                        >>"bench/results/tls-$peer-$c-$stamp.rounds"
                    e=$(awk '/Socket errors|Non-2xx/ {print}' "$f" | tr '\n' ' ')
                    [ -z "$e" ] || echo "    errors, $peer round $r at $c: $e"
                    r=$((r + 1))
                done
            done
            wr=$(median 1 "bench/results/tls-warren-$c-$stamp.rounds")
            wp=$(median 2 "bench/results/tls-warren-$c-$stamp.rounds")
            case "$c" in hs) label="handshakes/s, c$hconns" ;; *) label="keep-alive, c$c" ;; esac
            for peer in $peers; do
                pr=$(median 1 "bench/results/tls-$peer-$c-$stamp.rounds")
                pp=$(median 2 "bench/results/tls-$peer-$c-$stamp.rounds")
                printf "%-22s %-12s %12s %10s %12sms %10s\n" "$label" "$peer" "$pr" "$(ratio "$wr" "$pr")" "$pp" "$(ratio "$wp" "$pp")"
            done
        done
    } | tee "$out"
}
# ---- library metrics: what counting costs an HTTP server, and what rendering costs with many connections
metrics_side() {
    command -v wrk >/dev/null 2>&1 || { echo "wrk is missing (apt-get install wrk)" >&2; return 1; }
    out="bench/results/metrics-$stamp.txt"
    seconds=${METRICS_SECONDS:-10}
    rounds=${METRICS_ROUNDS:-3}
    c=${METRICS_CONNECTIONS:-500}
    port=${METRICS_PORT:-18082}
    admin=$((port + 1))
    ulimit -n 40000 2>/dev/null || ulimit -n 20000 2>/dev/null || true
    r=1
    while [ "$r" -le "$rounds" ]; do
        for mode in off on scraped; do
            case "$mode" in
                off) flags="-Dwarren.metrics=false" ;;
                on) flags="-Dwarren.metrics=true" ;;
                scraped) flags="-Dwarren.metrics=true -Dwarren.bench.admin=$admin" ;;
            esac
            "$jdk/bin/java" $jopts $flags -Xmx1g -cp "$cp" dev.warren.bench.HttpPeer warren "$port" \
                >>"bench/results/metrics-$mode-$stamp.log" 2>&1 &
            pid=$!
            wait_port "$port"
            scraper=""
            if [ "$mode" = scraped ]; then
                # started before the warm-up, so its own JVM start is not in the measured pass; one
                # long-lived scraper on a keep-alive connection, as Prometheus is (a curl started
                # every 100 ms cost the 2-core machine more than the rendering it was there to measure)
                "$jdk/bin/java" -Xmx64m -XX:TieredStopAtLevel=1 -cp "$cp" dev.warren.bench.Scraper \
                    "http://127.0.0.1:$admin/metrics" 100 2>>"bench/results/metrics-scraper-$stamp.log" &
                scraper=$!
            fi
            wrk -t2 -c"$c" -d3s "http://127.0.0.1:$port/" >/dev/null # warm-up
            echo "== metrics $mode, round $r of $rounds: wrk -t2 -c$c -d${seconds}s =="
            wrk -t2 -c"$c" -d"${seconds}s" --latency "http://127.0.0.1:$port/" | tee "bench/results/metrics-$mode-r$r-$stamp.wrk"
            if [ -n "$scraper" ]; then
                [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$admin/metrics")" = 200 ] \
                    || echo "    the scrape of /metrics failed in round $r" >&2
                kill "$scraper"; wait "$scraper" 2>/dev/null || true
            fi
            stop_peer
        done
        r=$((r + 1))
    done
    {
        echo "== HTTP keep-alive GET / at $c connections, library metrics off / on / on + /metrics every 100 ms, $rounds rounds, medians =="
        for mode in off on scraped; do
            : >"bench/results/metrics-$mode-$stamp.rounds"
            r=1
            while [ "$r" -le "$rounds" ]; do
                f="bench/results/metrics-$mode-r$r-$stamp.wrk"
                awk '/^Requests\/sec/ {print $2}' "$f" >>"bench/results/metrics-$mode-$stamp.rounds"
                e=$(awk '/Socket errors|Non-2xx/ {print}' "$f" | tr '\n' ' ')
                [ -z "$e" ] || echo "    errors, $mode round $r: $e"
                r=$((r + 1))
            done
        done
        off=$(median 1 "bench/results/metrics-off-$stamp.rounds")
        on=$(median 1 "bench/results/metrics-on-$stamp.rounds")
        scraped=$(median 1 "bench/results/metrics-scraped-$stamp.rounds")
        printf "%-28s %12s %8s\n" mode req/s vs-off
        printf "%-28s %12s %8s\n" "metrics off" "$off" "1.00"
        printf "%-28s %12s %8s\n" "metrics on" "$on" "$(ratio "$on" "$off")"
        printf "%-28s %12s %8s\n" "metrics on, scraped 100 ms" "$scraped" "$(ratio "$scraped" "$off")"
        echo "== rendering with ${METRICS_OPEN:-10000} open connections =="
        "$jdk/bin/java" $jopts -Xmx2g -cp "$cp" dev.warren.bench.MetricsRender "${METRICS_OPEN:-10000}"
    } | tee "$out"
}
# ---- fairness: a bystander's latency while hostile clients keep ./http_server busy, fair turns on and off
fair_side() {
    out="bench/results/fair-$stamp.txt"
    port=${FAIR_PORT:-18081}
    rounds=${FAIR_ROUNDS:-3}
    : >"bench/results/fair-$stamp.raw"
    r=1
    while [ "$r" -le "$rounds" ]; do
        for mode in "pipe 2" "pipe 50" "stream 2" "noread 50"; do
            for slice in 250 0; do
                if [ "$slice" = 0 ]; then n=5; tmo=5000; else n=200; tmo=30000; fi
                WARREN_JAVA_OPTS="-Dwarren.fairness.sliceMicros=$slice" ./http_server "$port" >>"bench/results/fair-server-$stamp.log" 2>&1 &
                spid=$!
                wait_port "$port"
                res=$("$jdk/bin/java" -Dhostile.timeoutMillis="$tmo" -cp "$cp" dev.warren.bench.HostileLoad 127.0.0.1 "$port" $mode "$n")
                echo "round=$r slice_us=$slice $res" | tee -a "bench/results/fair-$stamp.raw"
                kill "$spid"; wait "$spid" 2>/dev/null || true
            done
        done
        r=$((r + 1))
    done
    {
        echo "== a bystander's GET /hello on a new connection while hostile clients load ./http_server: medians over $rounds rounds =="
        printf "%-8s %-8s %-9s %10s %10s %10s %8s\n" mode hostile slice_us p50_ms p99_ms max_ms failed
        for mode in pipe:2 pipe:50 stream:2 noread:50; do
            m=${mode%:*}; h=${mode#*:}
            for slice in 250 0; do
                grep "slice_us=$slice mode=$m hostile=$h " "bench/results/fair-$stamp.raw" \
                    | sed 's/[a-z0-9_]*=//g' >"bench/results/fair-$m-$h-$slice-$stamp.rows"
                # columns after the sed: round slice mode hostile requests failed p50 p90 p99 max MB/s
                printf "%-8s %-8s %-9s %10s %10s %10s %8s\n" "$m" "$h" "$slice" \
                    "$(median 7 "bench/results/fair-$m-$h-$slice-$stamp.rows")" \
                    "$(median 9 "bench/results/fair-$m-$h-$slice-$stamp.rows")" \
                    "$(median 10 "bench/results/fair-$m-$h-$slice-$stamp.rows")" \
                    "$(median 6 "bench/results/fair-$m-$h-$slice-$stamp.rows")"
            done
        done
    } | tee "$out"
}
if wants fair; then
    fair_side
fi
if wants http; then
    http_side
fi
if wants tls; then
    echo "== HTTPS: Warren vs Netty 4.2 (native epoll, SslHandler on the JDK's provider), same page and certificate =="
    tls_side
fi
if wants metrics; then
    metrics_side
fi
if wants stream; then
    echo "== keyed sliding windows, in-process emit: warren vs trafilo-style lock-per-bucket pool =="
    "$jdk/bin/java" $jopts -Xmx6g -cp "$cp" dev.warren.bench.StreamThroughput | tee "bench/results/stream-$stamp.txt"
fi
if wants kafka; then
    echo "== windowed count: warren vs Kafka Streams TopologyTestDriver =="
    "$jdk/bin/java" $jopts -Xmx4g -cp "$cp" dev.warren.bench.KafkaStreamsPeer 1000000 1000 | tee "bench/results/kafka-$stamp.txt"
fi
if wants kafka-e2e; then
    echo "== end to end on a real broker: warren vs Kafka Streams, throughput and recovery after SIGKILL =="
    "$jdk/bin/java" $jopts -Xmx2g -cp "$cp" dev.warren.bench.KafkaScaleOutBench \
        --records "${KAFKA_E2E_RECORDS:-10000000}" --rounds "${KAFKA_E2E_ROUNDS:-3}" --procs "${KAFKA_E2E_PROCS:-1,2}" \
        --mode "${KAFKA_E2E_MODE:-throughput,recovery}" --heap "${KAFKA_E2E_HEAP:-2g}" \
        --live-rate "${KAFKA_E2E_LIVE_RATE:-50000}" --live-seconds "${KAFKA_E2E_LIVE_SECONDS:-60}" ${KAFKA_E2E_ARGS:-} \
        | tee "bench/results/kafka-e2e-$stamp.txt"
fi
if wants kafka-restore; then
    echo "== restore of open windows from a changelog, per million keys (issue 18 section 2) =="
    "$jdk/bin/java" $jopts -Xmx4g -cp "$cp" dev.warren.bench.KafkaRestoreBench \
        --keys "${KAFKA_RESTORE_KEYS:-1000000}" --rounds "${KAFKA_RESTORE_ROUNDS:-3}" \
        | tee "bench/results/kafka-restore-$stamp.txt"
fi
if wants udp; then
    echo "== UDP ingest with the hiveparser generator: warren StreamJob vs raw socket drain =="
    "$jdk/bin/java" $jopts -cp "$cp" dev.warren.bench.UdpIngest 5 400000 2000000 | tee "bench/results/udp-$stamp.txt"
    "$jdk/bin/java" $jopts -Dsenders=2 -cp "$cp" dev.warren.bench.UdpIngest 5 400000 2000000 | tee -a "bench/results/udp-$stamp.txt"
fi
if wants datapath; then
    echo "== datapaths: pipeline vs Pekko Streams and Reactor, compress vs Deflater, exported streams vs ArrayBlockingQueue =="
    out="bench/results/datapath-$stamp.txt"
    # The pipelines each in a JVM of their own, alternating, so that no pipeline's code pollutes the
    # profiles another's is compiled with (in one JVM the first one measured ran 1.7x faster than later
    # rounds of itself); then compress and export in one JVM.
    rounds=${DATAPATH_ROUNDS:-3}
    : >"bench/results/datapath-pipeline-$stamp.raw"
    r=1
    while [ "$r" -le "$rounds" ]; do
        for v in "warren 1 tasklet" "warren boundary" "pekko fused" "pekko async" "reactor" "reactor publishOn"; do
            "$jdk/bin/java" $jopts -Xmx2g ${DATAPATH_ARGS:-} -Drounds=1 -Dpipeline.only="$v" -cp "$cp" \
                dev.warren.bench.DatapathBench pipeline 2>/dev/null | grep '^round 1 ' \
                | sed "s/^round 1 /round $r /" | tee -a "bench/results/datapath-pipeline-$stamp.raw"
        done
        r=$((r + 1))
    done
    {
        echo "== pipeline (gen) > (grep) > (count), one JVM per run, medians over $rounds rounds =="
        for v in "warren 1 tasklet" "warren boundary" "pekko fused" "pekko async" "reactor" "reactor publishOn"; do
            grep "  $v  *[0-9]" "bench/results/datapath-pipeline-$stamp.raw" | sed 's/.* \([0-9,]*\) blocks\/s/\1/' \
                | tr -d , | sort -n | awk -v name="$v" '{a[NR]=$1} END {printf "median  %-18s %14d blocks/s\n", name, a[int((NR+1)/2)]}'
        done
    } | tee "$out"
    "$jdk/bin/java" $jopts -Xmx2g ${DATAPATH_ARGS:-} -cp "$cp" dev.warren.bench.DatapathBench compress,export | tee -a "$out"
fi
echo "results in bench/results/*-$stamp.*"
