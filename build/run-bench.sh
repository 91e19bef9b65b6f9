#!/bin/sh
# make bench: runs the JMH benchmarks of bench/ (pass a regex in BENCH to pick some, JMH_ARGS to
# override JMH options) and the side-by-side programs. Results go to bench/results/.
#   SIDE=a,b,...        the parts to run (default: all of them):
#                       jmh     the JMH benchmarks (BENCH, JMH_ARGS)
#                       parked  1,000,000 parked tasklets vs raw virtual threads
#                       msg     framed messaging: Warren MessageServer vs Netty 4.1, same client
#                               (MSG_ARGS are passed on, e.g. MSG_ARGS="--only sink1,echo --rounds 5")
#                       stream  keyed sliding windows by in-process emit vs a trafilo-style lock-per-bucket pool
#                       kafka   a windowed count: warren vs Kafka Streams (TopologyTestDriver, in-memory store)
#                       udp     UDP ingest with hiveparser's generator vs a raw socket drain
#   SKIP_JMH=1          the same as leaving jmh out of SIDE
set -eu
jdk=$1
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mkdir -p bench/results
cp="bench/target/warren-bench.jar:bench/target/lib/*"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
side=${SIDE:-all}
parts="jmh parked msg stream kafka udp"
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
    "$jdk/bin/java" -cp "$cp" org.openjdk.jmh.Main ${BENCH:-} ${JMH_ARGS:-} -rf json -rff "bench/results/jmh-$stamp.json" \
        | tee "bench/results/jmh-$stamp.txt"
fi
if wants parked; then
    echo "== 1,000,000 parked: tasklets vs raw virtual threads =="
    "$jdk/bin/java" -Xmx4g -cp "$cp" dev.warren.bench.ParkedFootprint 1000000 | tee "bench/results/parked-$stamp.txt"
fi
if wants msg; then
    echo "== framed messaging: Warren MessageServer vs Netty 4.1, same client =="
    "$jdk/bin/java" -Xmx2g -cp "$cp" dev.warren.bench.MsgSideBySide ${MSG_ARGS:-} | tee "bench/results/msg-$stamp.txt"
fi
if wants stream; then
    echo "== keyed sliding windows, in-process emit: warren vs trafilo-style lock-per-bucket pool =="
    "$jdk/bin/java" -Xmx6g -cp "$cp" dev.warren.bench.StreamThroughput | tee "bench/results/stream-$stamp.txt"
fi
if wants kafka; then
    echo "== windowed count: warren vs Kafka Streams TopologyTestDriver =="
    "$jdk/bin/java" -Xmx4g -cp "$cp" dev.warren.bench.KafkaStreamsPeer 1000000 1000 | tee "bench/results/kafka-$stamp.txt"
fi
if wants udp; then
    echo "== UDP ingest with the hiveparser generator: warren StreamJob vs raw socket drain =="
    "$jdk/bin/java" -cp "$cp" dev.warren.bench.UdpIngest 5 400000 2000000 | tee "bench/results/udp-$stamp.txt"
    "$jdk/bin/java" -Dsenders=2 -cp "$cp" dev.warren.bench.UdpIngest 5 400000 2000000 | tee -a "bench/results/udp-$stamp.txt"
fi
echo "results in bench/results/*-$stamp.*"
