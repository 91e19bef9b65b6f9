#!/bin/sh
# Sums PIT's MODULE/target/pit-reports/mutations.xml per package: mutants, killed (detected: killed,
# timed out, memory error), survived, not covered, and the score killed/mutants.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
found=0
for f in "$root"/*/target/pit-reports/mutations.xml; do
    [ -f "$f" ] || continue
    found=1
    cat "$f"
done | awk '
    BEGIN { RS = "</mutation>" }
    /<mutatedClass>/ {
        cls = $0; sub(/.*<mutatedClass>/, "", cls); sub(/<\/mutatedClass>.*/, "", cls)
        pkg = cls; sub(/\.[^.]*$/, "", pkg)
        st = $0; sub(/.*status=.?/, "", st); sub(/[^A-Z_].*/, "", st)
        total[pkg]++
        if (st == "KILLED" || st == "TIMED_OUT" || st == "MEMORY_ERROR" || st == "RUN_ERROR") killed[pkg]++
        else if (st == "SURVIVED") survived[pkg]++
        else if (st == "NO_COVERAGE") nocov[pkg]++
    }
    END {
        printf "%-28s %8s %8s %9s %12s %7s\n", "package", "mutants", "killed", "survived", "not covered", "score"
        for (p in total) {
            printf "%-28s %8d %8d %9d %12d %6.1f%%\n", p, total[p], killed[p], survived[p], nocov[p], 100 * killed[p] / total[p]
        }
    }'
