#!/bin/sh
# Prints one line per module from MODULE/target/site/jacoco/jacoco.csv: line and branch coverage.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
printf '%-10s %8s %10s   %s\n' module lines branches report
for csv in "$root"/*/target/site/jacoco/jacoco.csv; do
    [ -f "$csv" ] || continue
    module=$(basename "$(dirname "$(dirname "$(dirname "$(dirname "$csv")")")")")
    # CSV columns: GROUP,PACKAGE,CLASS,INSTRUCTION_MISSED,INSTRUCTION_COVERED,BRANCH_MISSED,BRANCH_COVERED,
    #              LINE_MISSED,LINE_COVERED,...
    awk -F, -v m="$module" -v html="${csv%jacoco.csv}index.html" 'NR > 1 { bm += $6; bc += $7; lm += $8; lc += $9 }
        END { printf "%-10s %7.1f%% %9.1f%%   %s\n", m, (lm + lc) ? 100 * lc / (lm + lc) : 0,
              (bm + bc) ? 100 * bc / (bm + bc) : 0, html }' "$csv"
done
