#!/usr/bin/env bash
# Issue 13's text-to-image findings from candidate pools (docs/t2i-verifiers.md, "Candidate pools"): one `pool` run per
# setting keeps every candidate of best-of-64 on the 200 prompts (raw scores of clip, reward, grader's aspects and
# aesthetic; the checker's aspects), then bench/scripts/t2i_pool_analysis.py derives best-of-n for n in 1, 4, 16, 64,
# every verifier, rank ensembles and the checker as an oracle, by category, into OUT/tables.md.
# Usage: bench/scripts/t2i-pool.sh [OUT] (env: N=64, EPS_N=16, MODELS_DIR=<models folder> (default: the repository's),
# STAGE=all|pools|analysis, LANES=2 (pools run two at a time, one engine thread each), POOLS="names" to run only
# those pools, e.g. POOLS=flow-g1.5 N=16 MODELS_DIR=... to redo one with another model).
# Pools: flow-g1.5 (shapes-flow, Euler 20, its guidance 1.5), flow-g1 (guidance 1), eps (shapes-eps, DDIM 20, its
# guidance 3; EPS_N candidates, 16 on the loaded machine: it costs what flow-g1.5 costs per candidate),
# flow-g3-none / flow-g2-none (one candidate: no search at higher guidance), dev (120 other prompts, other seeds,
# 16 candidates: where ensemble weights are chosen; never the 200 prompts).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${1:-$ROOT/out/t2i-pool}"
N="${N:-64}"
EPS_N="${EPS_N:-16}"
STAGE="${STAGE:-all}"
LANES="${LANES:-2}"
PROMPTS="$ROOT/bench/prompts/compbench-200.txt"
VERIFIER="ensemble:clip,reward,grader,aesthetic"
CHOOSE=(--choose clip --choose reward --choose grader --choose aesthetic --choose ensemble:clip,reward,grader)
MODELS=()
if [[ -n "${MODELS_DIR:-}" ]]; then MODELS=(--models-dir "$MODELS_DIR"); fi
NS="$ROOT/scripts/noisesearch"
mkdir -p "$OUT"

pool() {
    local name="$1"; shift
    [[ -f "$OUT/$name/pool.json" ]] && { echo "== $name: kept"; return; }
    [[ -n "${POOLS:-}" && " $POOLS " != *" $name "* ]] && return
    local start=$SECONDS
    nice -n 10 "$NS" pool --threads 1 --verifier "$VERIFIER" "${CHOOSE[@]}" ${MODELS[@]+"${MODELS[@]}"} "$@" \
        --out "$OUT/$name" > "$OUT/$name.log" 2>&1
    echo "== $name ($((SECONDS - start)) s): $*"
}

dev_prompts() {
    # 120 dev captions in the 200's proportions: every single and count caption of the grammar (the 200 hold all of
    # them, so only the seeds differ: 12 single x 2, 24 count + 12 of them again) and 60 relational captions of the
    # training grammar not among the 200 (never the held-out family)
    [[ -f "$OUT/dev-prompts.txt" ]] && return
    "$NS" shapes-data --split train --count 4000 --seed 7 --out "$OUT/dev-scenes/scenes.npz" > /dev/null
    python3 - "$OUT/dev-scenes/scenes.npz" "$PROMPTS" "$OUT/dev-prompts.txt" <<'EOF'
import sys, numpy as np
captions = [str(c) for c in np.load(sys.argv[1])["captions"]]
held = set(open(sys.argv[2]).read().split("\n"))
def kind(c):
    w = c.split()
    return "single" if w[0] == "a" and len(w) == 3 else "count" if w[0] in ("two", "three") else "relational"
unique = {k: [] for k in ("single", "count", "relational")}
for c in captions:
    if c not in unique[kind(c)] and (kind(c) != "relational" or c not in held):
        unique[kind(c)].append(c)
single, count = sorted(unique["single"]), sorted(unique["count"])
dev = single * 2 + count + count[:12] + unique["relational"][:60]
open(sys.argv[3], "w").write("\n".join(dev) + "\n")
EOF
}

if [[ "$STAGE" != analysis ]]; then
    # the model files each table is measured on
    for m in shapes-flow shapes-eps; do
        f="${MODELS_DIR:-$ROOT/tensorrt-plans/models}/$m/model.onnx"
        if [[ -f "$f" ]]; then sha256sum "$f" | cut -c1-16 | sed "s/^/$m /"; fi
    done > "$OUT/models.txt"
    dev_prompts
    lane_a() {
        pool flow-g1.5 --model shapes-flow --prompts "$PROMPTS" --candidates "$N"
        pool eps --model shapes-eps --prompts "$PROMPTS" --candidates "$EPS_N"
    }
    lane_b() {
        pool dev --model shapes-flow --prompts "$OUT/dev-prompts.txt" --candidates 16 --seed 100000
        pool flow-g1 --model shapes-flow --prompts "$PROMPTS" --candidates "$N" --cfg 1
        pool flow-g3-none --model shapes-flow --prompts "$PROMPTS" --candidates 1 --cfg 3
        pool flow-g2-none --model shapes-flow --prompts "$PROMPTS" --candidates 1 --cfg 2
    }
    if [[ "$LANES" == 2 ]]; then
        lane_a & a=$!
        lane_b & b=$!
        wait $a; wait $b
    else
        lane_a; lane_b
    fi
fi
if [[ "$STAGE" != pools ]]; then
    python3 "$ROOT/bench/scripts/t2i_pool_analysis.py" "$OUT" | tee "$OUT/tables.md"
fi
