#!/bin/sh
# Prints the home of a JDK >= 21 for building and running Warren.
#   1. $JAVA_HOME, if it is set and holds a JDK 21 or newer;
#   2. otherwise the newest JDK >= 21 found in the usual install places.
# Exits 1 with a message naming what it found when there is none.
set -u
MIN=21

# Prints the feature version (17, 21, 25, ...) of the JDK at $1, or nothing if it is not a JDK.
feature_version() {
    [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
    if [ -f "$1/release" ]; then
        v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$1/release")
    else
        v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
    fi
    case "$v" in
        1.*) v=${v#1.} ;;
    esac
    echo "${v%%[.+-]*}"
}

found=""
if [ -n "${JAVA_HOME:-}" ]; then
    v=$(feature_version "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge "$MIN" ]; then
        echo "$JAVA_HOME"
        exit 0
    fi
    found="JAVA_HOME=$JAVA_HOME (version ${v:-unknown}, too old or not a JDK)"
fi

best="" best_v=0
for d in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /opt/*jdk* /Library/Java/JavaVirtualMachines/*/Contents/Home \
         "${HOME:-/nonexistent}"/.sdkman/candidates/java/* "${HOME:-/nonexistent}"/.jdks/*; do
    [ -d "$d" ] || continue
    [ -L "$d" ] && continue
    v=$(feature_version "$d")
    [ -n "$v" ] || continue
    found="$found${found:+, }$d ($v)"
    if [ "$v" -ge "$MIN" ] && [ "$v" -gt "$best_v" ]; then
        best=$d best_v=$v
    fi
done
if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    d=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    v=$(feature_version "$d")
    found="$found${found:+, }$d (${v:-unknown}, from PATH)"
    if [ -n "$v" ] && [ "$v" -ge "$MIN" ]; then best=$d; fi
fi
if [ -z "$best" ]; then
    echo "find-jdk: Warren needs a JDK $MIN or newer and found none. Looked at: ${found:-no JDK at all}." >&2
    echo "find-jdk: install one (e.g. apt-get install openjdk-21-jdk-headless) or set JAVA_HOME to it." >&2
    exit 1
fi
echo "$best"
