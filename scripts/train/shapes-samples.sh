#!/usr/bin/env bash
# Verifier training data from the generator's own samples (issue 13): shapes-flow candidate pools on captions of the
# TRAINING grammar only (never the held-out red-and-blue relational family), each decoded candidate labelled by the
# exact checker (pool.csv's check:* columns, images in images.npz). The rater is the checker, as ImageReward's raters
# are people. Seeds 200000+ (guidance 1), 210000+ (guidance 1.5), 220000+ and 230000+ (the count pools at 1.5 and 1)
# stay clear of the evaluation's (0..199, 1000..1199, 2000..2199) and the dev pool's (100000+); the three squares
# pools (guidance 1.5) use 240000+, 250000+ and 260000+.
# Usage: scripts/train/shapes-samples.sh OUT [CANDIDATES=8]  -> OUT/prompts-{g1,g1.5,count,squares}.txt and the pools
# OUT/g1/, OUT/g1.5/, OUT/count-g1/, OUT/count-g1.5/, OUT/squares-{a,b,c}/ (env POOLS, default all seven: the pools to
# make, one after the other; calls with different ones run side by side).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$1"
N="${2:-8}"
mkdir -p "$OUT"
# Guidance 1: every single caption twice, every count caption six times (counting is where search fails), every
# relational caption of the training grammar twice; guidance 1.5 (its candidates cost twice as much): half as many.
# A repeated line is another seed, so another pool. The count pools: count captions only, those naming squares thirty
# times each and the others ten (a generated square is often read as a circle), shuffled so that the held-out lines
# (9 mod 10) are a random tenth of them. The squares pools: the eight captions naming squares a hundred times each,
# shuffled (clip's graded pairs: which of two drawings of the named squares is squarer).
python3 - "$OUT" <<'PY'
import random, sys
colours, kinds = ["red", "green", "blue", "yellow"], ["circle", "square", "triangle"]
things = [(c, k) for c in colours for k in kinds]
single = [f"a {c} {k}" for c, k in things]
count = [f"{n} {c} {k}s" for n in ("two", "three") for c, k in things]
relational = [f"a {c1} {k1} {r} a {c2} {k2}" for r in ("left of", "right of", "above", "below")
              for c1, k1 in things for c2, k2 in things if (c1, k1) != (c2, k2) and {c1, c2} != {"red", "blue"}]
open(sys.argv[1] + "/prompts-g1.txt", "w").write("\n".join(single * 2 + count * 6 + relational * 2) + "\n")
open(sys.argv[1] + "/prompts-g1.5.txt", "w").write("\n".join(single + count * 3 + relational) + "\n")
counts = [line for line in count for _ in range(30 if line.endswith(" squares") else 10)]
random.Random(31).shuffle(counts)
open(sys.argv[1] + "/prompts-count.txt", "w").write("\n".join(counts) + "\n")
squares = [line for line in count if line.endswith(" squares")] * 100
random.Random(34).shuffle(squares)
open(sys.argv[1] + "/prompts-squares.txt", "w").write("\n".join(squares) + "\n")
PY
run() {
    local name="$1" prompts="$2"; shift 2
    local all="g1 g1.5 count-g1 count-g1.5 squares-a squares-b squares-c"
    [[ -f "$OUT/$name/pool.json" || " ${POOLS:-$all} " != *" $name "* ]] && return
    "$ROOT/scripts/noisesearch" pool --threads 1 --model shapes-flow --prompts "$OUT/prompts-$prompts.txt" \
        --candidates "$N" --verifier aesthetic "$@" --out "$OUT/$name" > "$OUT/$name.log" 2>&1
}
run g1 g1 --cfg 1 --seed 200000
run g1.5 g1.5 --cfg 1.5 --seed 210000
run count-g1 count --cfg 1 --seed 230000
run count-g1.5 count --cfg 1.5 --seed 220000
run squares-a squares --cfg 1.5 --seed 240000
run squares-b squares --cfg 1.5 --seed 250000
run squares-c squares --cfg 1.5 --seed 260000
