#!/bin/sh
# make fuzz: coverage-guided fuzzing (Jazzer) of every fuzz target, FUZZ_SECONDS each (default 60).
# Each target runs in its own Maven/JVM (Jazzer fuzzes one @FuzzTest per JVM). New corpus entries stay in
# MODULE/.cifuzz-corpus/CLASS/METHOD (kept between runs, not in git); a finding is written by Jazzer to
# MODULE/src/test/resources/.../CLASSInputs/METHOD/crash-* and from then on runs in `make run_tests` as a
# regression input: fix the bug, commit the input. Prints one line per target and exits 1 on a finding.
#   FUZZ_TARGETS="net:dev.warren.net.http.HttpParserFuzzTest#requestParser ..." picks targets.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-"
net:dev.warren.net.http.HttpParserFuzzTest#requestParser
net:dev.warren.net.http.HttpParserFuzzTest#chunkedDecoder
net:dev.warren.net.frame.FrameDecoderFuzzTest#buffStreams
net:dev.warren.net.frame.FrameDecoderFuzzTest#fixed32
net:dev.warren.net.http.RouterFuzzTest#pathMatching
streaming:dev.warren.streaming.KeyValueFuzzTest#parse
streaming:dev.warren.streaming.datapath.RequestParserFuzzTest#check
"}
mvn=${MVN:-mvn -B -e --no-transfer-progress}
logdir="$root/target/fuzz"
mkdir -p "$logdir"
# the modules' test classes and their dependencies, once
if ! $mvn -q install -DskipTests -f "$root/pom.xml" -pl tasklets,net,streaming -am >"$logdir/build.log" 2>&1; then
    echo "fuzz: the build failed (JAVA_HOME must be a JDK >= 21; make sets it); see $logdir/build.log" >&2
    exit 1
fi
failed=0
for t in $targets; do
    module=${t%%:*}
    test=${t#*:}
    log="$logdir/$(echo "$test" | tr '#' '.').log"
    (cd "$root/$module" && JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" $mvn test -Dtest="$test" \
        -Dsurefire.failIfNoSpecifiedTests=false -Djacoco.skip=true >"$log" 2>&1)
    rc=$?
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
    corpus="$root/$module/.cifuzz-corpus/${test%%#*}/${test#*#}"
    entries=$(ls "$corpus" 2>/dev/null | wc -l)
    if [ $rc -eq 0 ]; then
        echo "fuzz $test: ok, ${done_line:-no libFuzzer summary (see $log)}; corpus $entries entries"
    else
        failed=1
        echo "fuzz $test: FINDING or failure (exit $rc); see $log and the new crash-* input in $module/src/test/resources"
        grep -E 'Caused by|Exception|Error' "$log" | grep -v '^\s*at ' | head -n 5
    fi
done
exit $failed
