# Shared by the scripts: finds JDK 25 and the repository root. Source it; it defines ROOT and JAVA.

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
PREFERRED_JDK=/usr/lib/jvm/temurin-25-jdk-amd64
if [[ -x "$PREFERRED_JDK/bin/java" ]]; then
    export JAVA_HOME="$PREFERRED_JDK"
fi
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    JAVA="$JAVA_HOME/bin/java"
elif command -v java >/dev/null 2>&1; then
    JAVA="$(command -v java)"
    export JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$JAVA")")")"
else
    echo "noisesearch: no Java found: install JDK 25 (e.g. Temurin 25) or set JAVA_HOME" >&2
    exit 1
fi
# "java -version" prints e.g. 'openjdk version "25.0.1" 2025-10-21' (or "1.8.0_..." for old JDKs).
JAVA_MAJOR="$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)"
if [[ -z "$JAVA_MAJOR" || "$JAVA_MAJOR" -lt 25 ]]; then
    echo "noisesearch: $JAVA is Java ${JAVA_MAJOR:-of unknown version}; JDK 25 or newer is needed (set JAVA_HOME)" >&2
    exit 1
fi
# Maven's own libraries (jansi, Guava) trip JDK 25's native-access and Unsafe warnings; they are not ours.
export MAVEN_OPTS="${MAVEN_OPTS:-} --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
