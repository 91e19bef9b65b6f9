#!/bin/sh
# make soak: runs dev.warren.tests.soak.Soak for MINUTES (default 30) on loopback and writes the CSV,
# the charts and the summary into docs/soak/ (SOAK_OUT overrides). Exits 1 if the run failed.
#   build/soak.sh JAVA_HOME MINUTES
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
java_home=$1
minutes=${2:-30}
out=${SOAK_OUT:-$root/docs/soak}
mvn=${MVN:-mvn -B -q -e --no-transfer-progress}
cp_file="$root/tests/target/soak.classpath"
$mvn -f "$root/pom.xml" -pl tests dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
echo "soak: $minutes minutes; samples, charts and summary go to $out"
# -Djdk.pollerMode=1: see "Poller threads" in docs/ARCHITECTURE.md
# A fixed, pre-touched heap: otherwise G1 gives memory back after each forced full GC and takes it again,
# and the RSS series shows that sawtooth instead of what the process really holds.
exec "$java_home/bin/java" -Xms512m -Xmx512m -XX:+AlwaysPreTouch -XX:+UseG1GC -Djdk.pollerMode=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$root/tests/target/test-classes:$(cat "$cp_file")" dev.warren.tests.soak.Soak --minutes "$minutes" --out "$out"
