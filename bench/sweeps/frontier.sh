#!/usr/bin/env bash
# Issue 14's frontiers: gmm-image (oracle) and mnist-flow-s (classifier, ssl@0.7), search NFEs 64..2048, 200 requests
# a point, each into OUT/<sweep> with its results.csv, plots (every metric against NFEs) and index.html.
#   bench/sweeps/frontier.sh OUT            # the full sweeps (hours on 2 cores; shard with --shard if needed)
#   bench/sweeps/frontier.sh --quick OUT    # the same axes, fewer budgets and requests: a few minutes on 2 cores
set -euo pipefail
quick=false
if [[ "${1:-}" == "--quick" ]]; then
    quick=true
    shift
fi
out=${1:?usage: frontier.sh [--quick] OUT}
here=$(cd "$(dirname "$0")" && pwd)
cli="$here/../../scripts/noisesearch"
if $quick; then
    "$cli" profile "$here/frontier-gmm-image.yaml" --out "$out/gmm-image" \
        --set 'budgets=[64, 256, 1024]' --set evaluation.perClass=2
    "$cli" profile "$here/frontier-mnist.yaml" --out "$out/mnist" \
        --set 'budgets=[64, 256]' --set evaluation.perClass=1 --set 'algorithms=[{name: none, finalSteps: 25},
        {name: random, candidates: 256}, {name: zero-order, neighbours: 4, iterations: 1024, cosine: 0.95},
        {name: paths, paths: 2, width: 4, searchStart: 0.4, forwardStep: 0.1, backwardStep: 0.2, pathLength: 2},
        {name: prune, candidates: 16, pruneAt: [[0.7, 0.4]], keep: 4}]'
else
    "$cli" profile "$here/frontier-gmm-image.yaml" --out "$out/gmm-image"
    "$cli" profile "$here/frontier-mnist.yaml" --out "$out/mnist"
fi
