#!/bin/sh
# make bench: runs the JMH benchmarks of bench/ (pass a regex in BENCH to pick some, JMH_ARGS to
# override JMH options) and the side-by-side programs. Results go to bench/results/.
set -eu
jdk=$1
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mkdir -p bench/results
cp="bench/target/warren-bench.jar:bench/target/lib/*"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
echo "== JMH (${BENCH:-all}) =="
"$jdk/bin/java" -cp "$cp" org.openjdk.jmh.Main ${BENCH:-} ${JMH_ARGS:-} -rf json -rff "bench/results/jmh-$stamp.json" \
    | tee "bench/results/jmh-$stamp.txt"
echo "== 1,000,000 parked: tasklets vs raw virtual threads =="
"$jdk/bin/java" -Xmx4g -cp "$cp" dev.warren.bench.ParkedFootprint 1000000 | tee "bench/results/parked-$stamp.txt"
echo "results in bench/results/*-$stamp.*"
