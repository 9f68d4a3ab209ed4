#!/usr/bin/env bash
# Builds the TensorRT plans of the committed ONNX models with trtexec, for the GPU and the TensorRT of this machine:
#   tensorrt-plans/plans/<gpu>-trt<major.minor.patch>/<model>.plan   (+ <model>.log, trtexec's output)
# A plan runs only on the GPU model and TensorRT version that built it, hence the folder name; the engine
# (io.noisesearch.tensorrt.PlanLocator) looks for exactly this name: the GPU's name in lower case, every run of
# characters other than letters and digits made one '-' ("NVIDIA H100 80GB HBM3" -> nvidia-h100-80gb-hbm3).
#
# Per model (every folder of tensorrt-plans/models with a manifest.json, or the names given):
#   - the batch profile comes from the manifest's optional "batch": {"min": 1, "opt": 256, "max": 1024} (those are
#     the defaults); every input's dimension -1 becomes min / opt / max, its other dimensions are the manifest's;
#   - --fp16 lets TensorRT choose fp16 kernels inside the engine while the I/O keeps the ONNX types (float32,
#     int64), which the engine binds in place (it also takes fp16 sample/prediction I/O, through conversion kernels).
#     TensorRT deprecates these weakly typed builds and TensorRT 11 builds strongly typed networks only: there the
#     portable route is an ONNX export in fp16 that casts at its boundaries (float32 I/O), built with
#     STRONGLY_TYPED=1 (--stronglyTyped instead of --fp16).
#
# Usage: tensorrt-plans/build-plans.sh [MODEL ...]
#        tensorrt-plans/build-plans.sh --folder-name GPU_NAME TRT_VERSION   (prints a plan folder's name)
# Environment: TRTEXEC (default: trtexec on PATH, else /usr/src/tensorrt/bin/trtexec), GPU (the device index for
#   nvidia-smi and trtexec --device, default 0; CUDA_DEVICE_ORDER=PCI_BUS_ID is set so that CUDA numbers the GPUs
#   as nvidia-smi does; they agree when CUDA_VISIBLE_DEVICES is unset), TRT_VERSION
#   (overrides the version read from trtexec's output), STRONGLY_TYPED=1, MODELS and PLANS (the folders, default
#   beside this script).
# Exit status: 0 all plans built; 1 a build failed; 2 bad usage, or no trtexec, GPU or python3 here.
set -euo pipefail
export CUDA_DEVICE_ORDER=PCI_BUS_ID # CUDA's default order is fastest first; nvidia-smi's is the PCI bus order
here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
models=${MODELS:-$here/models}
plans=${PLANS:-$here/plans}
gpu_index=${GPU:-0}

fail() {
    echo "build-plans: $1" >&2
    exit "${2:-2}"
}

folder_name() {
    local gpu
    gpu=$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]' | sed -E 's/[^a-z0-9]+/-/g; s/^-//; s/-$//')
    printf '%s-trt%s\n' "$gpu" "$2"
}

if [[ ${1:-} == --folder-name ]]; then
    [[ $# -eq 3 ]] || fail "usage: build-plans.sh --folder-name GPU_NAME TRT_VERSION"
    folder_name "$2" "$3"
    exit 0
fi
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
    exit 0
fi

trtexec=${TRTEXEC:-$(command -v trtexec || true)}
if [[ -z $trtexec && -x /usr/src/tensorrt/bin/trtexec ]]; then
    trtexec=/usr/src/tensorrt/bin/trtexec
fi
[[ -n $trtexec && -x $trtexec ]] || fail "trtexec not found (install TensorRT 10, or set TRTEXEC=/path/to/trtexec)"
command -v nvidia-smi >/dev/null 2>&1 || fail "no GPU: nvidia-smi is missing (plans are built on the GPU they run on)"
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader -i "$gpu_index" 2>/dev/null | head -n 1 || true)
[[ -n $gpu ]] || fail "no GPU: nvidia-smi finds no device $gpu_index (plans are built on the GPU they run on)"
python=/usr/bin/python3
[[ -x $python ]] || python=$(command -v python3 || true)
[[ -n $python ]] || fail "python3 is needed to read the manifests"

if [[ $# -gt 0 ]]; then
    names=("$@")
else
    names=()
    for manifest in "$models"/*/manifest.json; do
        [[ -f $manifest ]] && names+=("$(basename "$(dirname "$manifest")")")
    done
fi
[[ ${#names[@]} -gt 0 ]] || fail "no model folder with a manifest.json in $models"

# One line per field: the ONNX file, then the --minShapes / --optShapes / --maxShapes values (empty: static shapes).
read_manifest() {
    "$python" - "$1" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
batch = m.get("batch") or {}
low, opt, high = (int(batch.get(k, d)) for k, d in (("min", 1), ("opt", 256), ("max", 1024)))
if not 1 <= low <= opt <= high:
    sys.exit(f"{sys.argv[1]}: batch must satisfy 1 <= min <= opt <= max, got {low}, {opt}, {high}")
dynamic = any(-1 in t["shape"] for t in m["inputs"])
def shapes(rows):
    return ",".join(t["name"] + ":" + "x".join(str(rows if d == -1 else d) for d in t["shape"]) for t in m["inputs"])
print(m["file"])
for rows in (low, opt, high):
    print(shapes(rows) if dynamic else "")
EOF
}

# trtexec prints the version of the TensorRT it runs: "TensorRT version: 10.15.1", or "[TensorRT v101501]".
version_of() {
    local v
    v=$(grep -oE 'TensorRT version: [0-9]+\.[0-9]+\.[0-9]+' "$1" | head -n 1 | awk '{print $3}' || true)
    if [[ -z $v ]]; then
        v=$(grep -oE '\[TensorRT v[0-9]+\]' "$1" | head -n 1 | tr -dc '0-9' || true)
        # TensorRT 10 encodes major * 10000 + minor * 100 + patch; older numbers are not read (set TRT_VERSION).
        if [[ -n $v ]] && ((v >= 100000)); then
            v="$((v / 10000)).$((v / 100 % 100)).$((v % 100))"
        else
            v=""
        fi
    fi
    printf '%s' "$v"
}

work=$(mktemp -d "${TMPDIR:-/tmp}/build-plans.XXXXXX")
trap 'rm -rf "$work"' EXIT
precision=(--fp16)
[[ ${STRONGLY_TYPED:-0} == 1 ]] && precision=(--stronglyTyped)
echo "build-plans: $gpu (device $gpu_index), $trtexec, ${#names[@]} model(s)"
failed=0
version=${TRT_VERSION:-}
for name in "${names[@]}"; do
    folder=$models/$name
    [[ -f $folder/manifest.json ]] || fail "$folder/manifest.json is missing"
    mapfile -t fields < <(read_manifest "$folder/manifest.json") || fail "$folder/manifest.json is not readable"
    [[ ${#fields[@]} -eq 4 ]] || fail "$folder/manifest.json: cannot read the file and input shapes"
    args=(--onnx="$folder/${fields[0]}" --saveEngine="$work/$name.plan" --device="$gpu_index" "${precision[@]}"
          --skipInference)
    [[ -n ${fields[1]} ]] && args+=(--minShapes="${fields[1]}" --optShapes="${fields[2]}" --maxShapes="${fields[3]}")
    echo "build-plans: $name: trtexec ${args[*]}"
    if ! "$trtexec" "${args[@]}" >"$work/$name.log" 2>&1; then
        echo "build-plans: $name: trtexec failed; the end of its output:" >&2
        tail -n 20 "$work/$name.log" >&2
        failed=1
        continue
    fi
    built=$(version_of "$work/$name.log")
    if [[ -z $version ]]; then
        version=$built
        [[ -n $version ]] ||
            fail "cannot read TensorRT's version from trtexec's output (set TRT_VERSION=major.minor.patch)" 1
    elif [[ -n $built && $built != "$version" ]]; then
        fail "$name was built by TensorRT $built, the others by $version" 1
    fi
done

if [[ -n $version ]]; then
    out=$plans/$(folder_name "$gpu" "$version")
    mkdir -p "$out"
    for plan in "$work"/*.plan; do
        [[ -f $plan ]] || continue
        base=$(basename "$plan" .plan)
        mv "$plan" "$out/$base.plan"
        mv "$work/$base.log" "$out/$base.log"
        echo "build-plans: $out/$base.plan"
    done
fi
exit "$failed"
