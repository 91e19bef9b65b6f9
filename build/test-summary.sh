#!/bin/sh
# Sums the Surefire reports of every module into one closing line: "tests: N passed, N failed, N skipped".
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cat "$root"/*/target/surefire-reports/TEST-*.xml 2>/dev/null | awk '
    /<testsuite / {
        for (i = 1; i <= NF; i++) {
            if ($i ~ /^tests=/)    { gsub(/[^0-9]/, "", $i); t += $i }
            if ($i ~ /^failures=/) { gsub(/[^0-9]/, "", $i); f += $i }
            if ($i ~ /^errors=/)   { gsub(/[^0-9]/, "", $i); f += $i }
            if ($i ~ /^skipped=/)  { gsub(/[^0-9]/, "", $i); s += $i }
        }
    }
    END { printf "tests: %d passed, %d failed, %d skipped\n", t - f - s, f, s }'
