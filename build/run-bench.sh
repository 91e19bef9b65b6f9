#!/bin/sh
# make bench: runs the JMH benchmarks of bench/ (pass a regex in BENCH to pick some, JMH_ARGS to
# override JMH options) and the side-by-side programs. Results go to bench/results/.
# SIDE=NAME runs one part only: jmh, parked (1,000,000 parked tasklets), msg (Warren vs Netty framed
# messaging; MSG_ARGS are passed on, e.g. MSG_ARGS="--only sink1,echo --rounds 5").
set -eu
jdk=$1
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mkdir -p bench/results
cp="bench/target/warren-bench.jar:bench/target/lib/*"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
side=${SIDE:-all}
case "$side" in
    all|jmh|parked|msg) ;;
    *) echo "run-bench.sh: SIDE must be jmh, parked or msg (or unset for all), was '$side'" >&2; exit 2 ;;
esac
if [ "$side" = all ] || [ "$side" = jmh ]; then
    echo "== JMH (${BENCH:-all}) =="
    "$jdk/bin/java" -cp "$cp" org.openjdk.jmh.Main ${BENCH:-} ${JMH_ARGS:-} -rf json -rff "bench/results/jmh-$stamp.json" \
        | tee "bench/results/jmh-$stamp.txt"
fi
if [ "$side" = all ] || [ "$side" = parked ]; then
    echo "== 1,000,000 parked: tasklets vs raw virtual threads =="
    "$jdk/bin/java" -Xmx4g -cp "$cp" dev.warren.bench.ParkedFootprint 1000000 | tee "bench/results/parked-$stamp.txt"
fi
if [ "$side" = all ] || [ "$side" = msg ]; then
    echo "== framed messaging: Warren MessageServer vs Netty 4.1, same client =="
    "$jdk/bin/java" -Xmx2g -cp "$cp" dev.warren.bench.MsgSideBySide ${MSG_ARGS:-} | tee "bench/results/msg-$stamp.txt"
fi
echo "results in bench/results/*-$stamp.*"
