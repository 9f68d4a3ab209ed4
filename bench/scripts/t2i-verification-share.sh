#!/usr/bin/env bash
# Issue 13's cost target: the share of a text search's wall time that verifying its candidates with clip takes
# (target: under 10% for 64 candidates). io.noisesearch.bench.VerificationShare times the verifier's calls inside
# warm random searches (decode + clip, and clip alone) and prints the medians and the per-round shares.
# Usage: bench/scripts/t2i-verification-share.sh [MODEL] [CANDIDATES] [THREADS] [ROUNDS]
#   defaults shapes-flow 64 0 7 (threads 0: all cores). Run it on a quiet machine for numbers to keep.
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../../scripts/lib.sh"
JAR="$ROOT/bench/target/benchmarks.jar"
if [[ ! -f "$JAR" || -n "$(find "$ROOT/bench/src" "$ROOT/bench/pom.xml" "$ROOT/engine-java/src/main" "$ROOT/kernels" \
        "$ROOT/pom.xml" "$ROOT/engine-java/pom.xml" -newer "$JAR" -type f -print -quit 2>/dev/null)" ]]; then
    echo "t2i-verification-share: building bench/target/benchmarks.jar..." >&2
    (cd "$ROOT" && ./mvnw -q -B -DskipTests -pl bench -am package) >&2
    touch "$JAR"
fi
"$JAVA" --enable-native-access=ALL-UNNAMED -Dnoisesearch.models="${NOISESEARCH_MODELS:-$ROOT/tensorrt-plans/models}" \
    -cp "$JAR" io.noisesearch.bench.VerificationShare "${1:-shapes-flow}" "${2:-64}" "${3:-0}" "${4:-7}"
