#!/usr/bin/env bash
# Best-of-N on the 200 prompts with the text verifiers against no search (issue 13's findings 1 to 3), scored by the
# shapes checker. Each run is `generate` (one sample per prompt) then `evaluate`; the category tables go to OUT.
# Usage: bench/scripts/t2i-best-of-n.sh [OUT] (env: MODEL=shapes-flow, NS="4 16", VERIFIERS="clip reward grader
# aesthetic ensemble:clip,reward,grader", GUIDANCE=model default, SEED=0). Run it on a quiet machine for timings.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${1:-$ROOT/out/t2i-best-of-n}"
MODEL="${MODEL:-shapes-flow}"
NS="${NS:-4 16}"
VERIFIERS="${VERIFIERS:-clip reward grader aesthetic ensemble:clip,reward,grader}"
PROMPTS="$ROOT/bench/prompts/compbench-200.txt"
SEED="${SEED:-0}"
EXTRA=()
if [[ -n "${GUIDANCE:-}" ]]; then EXTRA+=(--guidance "$GUIDANCE"); fi
mkdir -p "$OUT"
run() {
    local name="$1"; shift
    local dir="$OUT/$name"
    local start=$SECONDS
    "$ROOT/scripts/noisesearch" generate --model "$MODEL" --prompts "$PROMPTS" --per-prompt 1 --seed "$SEED" \
        ${EXTRA[@]+"${EXTRA[@]}"} "$@" --out "$dir" > "$dir.log" 2>&1
    echo "== $name ($((SECONDS - start)) s): $*" | tee -a "$OUT/tables.md"
    "$ROOT/scripts/noisesearch" evaluate --samples "$dir/samples.npz" | tee -a "$OUT/tables.md"
}
run none
for n in $NS; do
    for v in $VERIFIERS; do
        run "$(tr ':,' '--' <<<"$v")-n$n" --algorithm random --candidates "$n" --verifier "$v"
    done
done
echo "tables: $OUT/tables.md"
