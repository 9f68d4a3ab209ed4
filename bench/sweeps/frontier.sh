#!/usr/bin/env bash
# Issue 14's frontiers: gmm-image (oracle) and mnist-flow-s (classifier, ssl@0.7), search NFEs 64..2048, 200 requests
# a point, each into OUT/<sweep> with its results.csv, plots (every metric against NFEs) and index.html.
#   bench/sweeps/frontier.sh OUT            # the full sweeps, resumed where OUT stopped (hours on 2 cores)
#   bench/sweeps/frontier.sh --quick OUT    # the same axes, fewer budgets and requests: a few minutes on 2 cores
#   bench/sweeps/frontier.sh --reduced OUT  # gmm-image in full; mnist-flow-s at 50 requests a point (5 per digit),
#                                           # one setting per algorithm, budgets 64, 256 and 1024 (hours on 2 cores)
set -euo pipefail
mode=full
if [[ "${1:-}" == "--quick" || "${1:-}" == "--reduced" ]]; then
    mode=${1#--}
    shift
fi
out=${1:?usage: frontier.sh [--quick|--reduced] OUT}
here=$(cd "$(dirname "$0")" && pwd)
cli="$here/../../scripts/noisesearch"
# The reduced mnist run's algorithms: the full sweep's first setting of each; beam sized to each budget (B = budget / 22),
# its levels below ssl@0.7's capture
reduced_algorithms() {
    local beams="{name: beam, beamWidth: 2, beamChildren: 4, beamAt: [[0.6, 0.4, 0.2]], budgets: 64},
        {name: beam, beamWidth: 11, beamChildren: 4, beamAt: [[0.6, 0.4, 0.2]], budgets: 256},
        {name: beam, beamWidth: 46, beamChildren: 4, beamAt: [[0.6, 0.4, 0.2]], budgets: 1024}"
    echo "algorithms=[{name: none, finalSteps: 25}, {name: random, candidates: 256},
        {name: zero-order, neighbours: 4, iterations: 1024, cosine: 0.95},
        {name: paths, paths: 2, width: 4, searchStart: 0.4, forwardStep: 0.1, backwardStep: 0.2, pathLength: 2},
        {name: prune, candidates: 16, pruneAt: [[0.7, 0.4]], keep: 4},
        {name: smc, particles: 256, potential: difference, smcLambda: 1, searchSolver: euler-sde, searchSteps: 10},
        {name: evolution, population: 8, generations: 1024, elites: 2, evoCosineStart: 0.8, evoCosineEnd: 0.98},
        $beams]"
}
if [[ $mode == reduced ]]; then
    "$cli" profile "$here/frontier-gmm-image.yaml" --out "$out/gmm-image" --resume
    "$cli" profile "$here/frontier-mnist.yaml" --out "$out/mnist" --resume --set evaluation.perClass=5 \
        --set 'budgets=[64, 256, 1024]' --set "$(reduced_algorithms)"
elif [[ $mode == quick ]]; then
    "$cli" profile "$here/frontier-gmm-image.yaml" --out "$out/gmm-image" \
        --set 'budgets=[64, 256, 1024]' --set evaluation.perClass=2
    "$cli" profile "$here/frontier-mnist.yaml" --out "$out/mnist" \
        --set 'budgets=[64, 256]' --set evaluation.perClass=1 --set 'algorithms=[{name: none, finalSteps: 25},
        {name: random, candidates: 256}, {name: zero-order, neighbours: 4, iterations: 1024, cosine: 0.95},
        {name: paths, paths: 2, width: 4, searchStart: 0.4, forwardStep: 0.1, backwardStep: 0.2, pathLength: 2},
        {name: prune, candidates: 16, pruneAt: [[0.7, 0.4]], keep: 4}]'
else
    # --resume: an interrupted run continues where it stopped (the mnist sweep spans sessions here; its points so far
    # are kept in bench/results/reference/frontier-mnist/, which seeds OUT/mnist when that folder holds none)
    if [[ ! -f "$out/mnist/results.jsonl" && -f "$here/../results/reference/frontier-mnist/results.jsonl" ]]; then
        mkdir -p "$out/mnist"
        cp "$here/../results/reference/frontier-mnist/results.jsonl" "$out/mnist/"
    fi
    "$cli" profile "$here/frontier-gmm-image.yaml" --out "$out/gmm-image" --resume
    "$cli" profile "$here/frontier-mnist.yaml" --out "$out/mnist" --resume --workers 4 --threads 2
fi
