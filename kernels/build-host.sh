#!/usr/bin/env bash
# Builds libnoisesearch_host.so into $1 (the Maven build passes target/classes/native/linux-x86_64).
# Exact IEEE float semantics are part of the noise contract: no fast-math, no implicit FMA contraction.
# -fno-math-errno only lets sqrt compile to the instruction (the values are the same).
set -euo pipefail
out_dir=${1:?usage: build-host.sh <output-dir>}
here=$(cd "$(dirname "$0")" && pwd)
lib="$out_dir/libnoisesearch_host.so"

# Skip when the library is newer than every source, header and this script.
if [[ -f "$lib" ]] && [[ -z $(find "$here/include" "$here/src/host" "$0" -newer "$lib" -print -quit) ]]; then
    exit 0
fi
mkdir -p "$out_dir"
${CXX:-g++} -std=c++17 -O3 -fopenmp -fPIC -shared -ffp-contract=off -fno-math-errno \
    -Wall -Wextra -Werror \
    -I"$here/include" "$here"/src/host/*.cpp -o "$lib.tmp"
mv "$lib.tmp" "$lib"
echo "built $lib"
