#!/usr/bin/env bash
# Builds libnoisesearch_cuda.so into $1 from the same element math as the host library: sm_80 and sm_90 code
# plus compute_90 PTX for later GPUs. -fmad=false keeps a*b+c unfused (the noise contract); IEEE division and
# square root are nvcc's defaults and must stay so (no --use_fast_math). NS_CUDA_FLAGS adds flags (e.g. a tuning
# macro such as -DNS_NOISE_LANE_BLOCKS=3 for a measurement).
set -euo pipefail
out_dir=${1:?usage: build-cuda.sh <output-dir>}
here=$(cd "$(dirname "$0")" && pwd)
nvcc=${NVCC:-$(command -v nvcc || true)}
if [[ -z "$nvcc" ]]; then
    echo "nvcc not found: skipping the CUDA library"
    exit 0
fi
lib="$out_dir/libnoisesearch_cuda.so"
if [[ -z "${NS_CUDA_FLAGS:-}" ]] && [[ -f "$lib" ]] && [[ -z $(find "$here/include" "$here/src/cuda" "$0" -newer "$lib" -print -quit) ]]; then
    exit 0
fi
mkdir -p "$out_dir/obj"
flags=(-std=c++17 -O3 -fmad=false --extended-lambda -Xcompiler -fPIC,-ffp-contract=off
       -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90
       -gencode arch=compute_90,code=compute_90 -I"$here/include" ${NS_CUDA_FLAGS:-})
objects=()
for source in "$here"/src/cuda/*.cu; do
    object="$out_dir/obj/$(basename "$source" .cu).o"
    "$nvcc" "${flags[@]}" -c "$source" -o "$object"
    objects+=("$object")
done
"$nvcc" -shared -cudart static "${flags[@]}" "${objects[@]}" -o "$lib.tmp"
mv "$lib.tmp" "$lib"
echo "built $lib"
