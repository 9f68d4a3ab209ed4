#!/usr/bin/env python3
"""Issue 13's findings from the candidate pools of bench/scripts/t2i-pool.sh (one folder per setting, each written by
`noisesearch pool`): best-of-n for n in 1, 4, 16, 64 with every verifier, rank ensembles and the checker as an oracle,
by category; prints markdown tables.

Best-of-n reads the first n candidates of a pool (random search's candidates are named by (seed, key), so best-of-n
draws the first n of any larger pool) and takes the argmax of the verifier's combined score, ties to the lowest index:
a single verifier's raw score; the grader's weighted mean of its aspects; a rank ensemble's minus weighted mean rank
(each member ranks the prefix, ties by index). These are the engine's rules (Scores, GraderVerifier, EnsembleVerifier);
this script checks its choices against the engine's own (the pool's choices.csv) before any table.
Usage: t2i_pool_analysis.py OUT
"""
import csv
import itertools
import json
import os
import sys

import numpy as np

GRADER = ["grader:object", "grader:colour", "grader:count", "grader:spatial", "grader:quality"]
CATEGORIES = ["single", "count", "relational", "held-out relational"]
VERIFIERS = ["clip", "reward", "grader", "aesthetic", "ensemble:clip,reward,grader"]


class Pool:
    def __init__(self, folder):
        self.folder = folder
        self.info = json.load(open(os.path.join(folder, "pool.json")))
        rows = list(csv.DictReader(open(os.path.join(folder, "pool.csv"))))
        self.n = self.info["candidates"]
        self.p = len(rows) // self.n
        head = rows[0].keys()
        self.members = [h[len("score:"):] for h in head if h.startswith("score:")]
        self.scores = {m: np.array([float(r["score:" + m]) for r in rows], dtype=np.float32).reshape(self.p, self.n)
                       for m in self.members}
        self.checks = {}
        for h in head:
            if h.startswith("check:"):
                self.checks[h[len("check:"):]] = np.array([np.nan if r[h] == "" else float(r[h]) for r in rows]
                                                          ).reshape(self.p, self.n)
        self.captions = [rows[i * self.n]["prompt"] for i in range(self.p)]
        self.category = [rows[i * self.n]["category"] for i in range(self.p)]
        self.found = [[r["found"].split() for r in rows[i * self.n:(i + 1) * self.n]] for i in range(self.p)]

    def sizes(self):
        out, k = [], 1
        while k < self.n:
            out.append(k)
            k *= 4
        return out + [self.n]


def parse(spec):
    """A verifier spec as [(member verifier, weight)], a member being a name or ('grader', aspect weights)."""
    if not spec.startswith("ensemble:"):
        return None, spec
    members = []
    for part in spec[len("ensemble:"):].split(","):
        name, _, w = part.partition("=")
        members.append((name, float(w) if w else 1.0))
    return "ensemble", members


def combined(pool, name, p, n):
    """One float32 score per candidate of the prefix, as the engine combines a single (non-ensemble) verifier."""
    if name == "grader":
        total = np.zeros(n)
        for a in GRADER:
            total = total + 1.0 * pool.scores[a][p, :n].astype(np.float64)
        return (total / len(GRADER)).astype(np.float32)
    if name == "oracle":
        return np.nan_to_num(pool.checks["overall"][p, :n]).astype(np.float32)
    return pool.scores[name][p, :n]


def choose(pool, spec, p, n):
    kind, members = parse(spec)
    if kind is None:
        return int(np.argmax(combined(pool, members, p, n)))
    rank_sum = np.zeros(n)
    weight_sum = 0.0
    for name, w in members:
        s = combined(pool, name, p, n).astype(np.float64)
        order = np.lexsort((np.arange(n), -s))
        ranks = np.empty(n)
        ranks[order] = np.arange(1, n + 1)
        rank_sum += w * ranks
        weight_sum += w
    return int(np.argmax((-rank_sum / weight_sum).astype(np.float32)))


def check_against_engine(pool):
    checked = 0
    for r in csv.DictReader(open(os.path.join(pool.folder, "choices.csv"))):
        got = choose(pool, r["verifier"], int(r["prompt_index"]), int(r["n"]))
        if got != int(r["candidate"]):
            sys.exit(f"{pool.folder}: {r['verifier']} best-of-{r['n']} prompt {r['prompt_index']}: script chose "
                     f"{got}, the engine {r['candidate']}")
        checked += 1
    return checked


def chosen(pool, spec, n):
    return np.array([choose(pool, spec, p, n) for p in range(pool.p)])


def rates(pool, picks):
    """Checker rates of the picked candidates: overall by category, all, count numeracy, spatial."""
    def of(aspect, cats):
        vals = [pool.checks[aspect][p, picks[p]] for p in range(pool.p) if pool.category[p] in cats]
        vals = [v for v in vals if not np.isnan(v)]
        return 100.0 * np.mean(vals) if vals else float("nan")
    row = [of("overall", [c]) for c in CATEGORIES]
    row.append(of("overall", CATEGORIES))
    row.append(of("numeracy", ["count"]))
    row.append(of("spatial", ["relational", "held-out relational"]))
    return row


HEAD = "| verifier | n | single | count | relational | held-out relational | all | count numeracy | spatial |"


def fmt(row):
    return " | ".join(f"{v:.1f}%" for v in row)


def table(pool, specs, title):
    print(f"\n### {title}\n")
    print(HEAD)
    print("| --- " * 9 + "|")
    results = {}
    base = rates(pool, np.zeros(pool.p, dtype=int))
    print(f"| none | 1 | {fmt(base)} |")
    results[("none", 1)] = base
    for spec in specs:
        for n in pool.sizes():
            if n == 1:
                continue
            r = rates(pool, chosen(pool, spec, n))
            results[(spec, n)] = r
            print(f"| {spec} | {n} | {fmt(r)} |")
    return results


def gflops(pool, spec, n):
    """GFLOPs per sample of best-of-n (n solves, n scores with their decodes) or of no search (one solve, one
    decode); the prompt's encoding is in the solve's share."""
    solve = pool.info["solveGflopsPerCandidate"]
    if n == 1 and spec == "none":
        return solve + pool.info["decodeGflops"]
    cost, decode = pool.info["chooserGflopsPerCandidate"], pool.info["decodeGflops"]
    kind, members = parse(spec)
    if spec == "oracle":
        per = decode  # the checker itself is a few integer passes over the image
    elif kind is None:
        per = cost[spec]
    else:
        # each member's cost holds one decode; an ensemble decodes once
        per = sum(cost[m] - decode for m, _ in members) + decode
    return n * (solve + per)


def own_score(pool, spec, n):
    return float(np.mean([combined(pool, spec, p, n)[choose(pool, spec, p, n)] for p in range(pool.p)]))


def count_label(pool, p, c):
    """A count prompt's candidate: correct, missing (fewer of the named object), extra named (more of it) or extra
    other (the named number of it, and something else)."""
    w = pool.captions[p].split()
    want, thing = {"two": 2, "three": 3}[w[0]], f"{w[1]}-{w[2][:-1]}"
    named = sum(1 for f in pool.found[p][c] if f == thing)
    other = len(pool.found[p][c]) - named
    return ("correct" if named == want and other == 0 else "missing" if named < want
            else "extra named" if named > want else "extra other")


def clip_count(pool):
    """Count prompts: clip's (and the grader's count aspect's) scores against what the image holds."""
    print(f"\n### Why clip loses count ({pool.folder}: count prompts, {pool.n} candidates each)\n")
    kinds = ["correct", "missing", "extra named", "extra other"]
    prompts = [p for p in range(pool.p) if pool.category[p] == "count"]
    labels = {p: [count_label(pool, p, c) for c in range(pool.n)] for p in prompts}
    print("| candidates | rows | mean clip | mean grader:count | right above it within a prompt: clip "
          "| right above it: grader:count | pairs |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for k in kinds:
        rows = [(p, c) for p in prompts for c in range(pool.n) if labels[p][c] == k]
        clip = np.mean([pool.scores["clip"][p, c] for p, c in rows]) if rows else float("nan")
        grader = np.mean([pool.scores["grader:count"][p, c] for p, c in rows]) if rows else float("nan")
        auc = {"clip": [], "grader:count": []}
        if k != "correct":
            for p in prompts:
                ok = np.array([lab == "correct" for lab in labels[p]])
                bad = np.array([lab == k for lab in labels[p]])
                if ok.any() and bad.any():
                    for name in auc:
                        s = pool.scores[name][p]
                        pos, neg = s[ok][:, None], s[bad][None, :]
                        auc[name].append(((pos > neg) + 0.5 * (pos == neg)).ravel())
        pairs = sum(len(a) for a in auc["clip"])
        cells = [f"{np.mean(np.concatenate(auc[n])):.3f}" if auc[n] else "-" for n in auc]
        print(f"| {k} | {len(rows)} | {clip:.4f} | {grader:.4f} | {cells[0]} | {cells[1]} | {pairs} |")
    for spec in ["none", "clip", "grader", "ensemble:clip,reward,grader", "oracle"]:
        picks = {}
        for p in prompts:
            c = 0 if spec == "none" else choose(pool, spec, p, pool.n)
            picks[labels[p][c]] = picks.get(labels[p][c], 0) + 1
        print(f"- {spec} (best-of-{1 if spec == 'none' else pool.n}): " + ", ".join(
            f"{k} {picks.get(k, 0)}" for k in kinds))
    extra = {}
    for p in prompts:
        c = choose(pool, "clip", p, pool.n)
        if labels[p][c].startswith("extra"):
            key = f"'{pool.captions[p].split()[0]} ...' with {len(pool.found[p][c])} objects"
            extra[key] = extra.get(key, 0) + 1
    print("- clip's picks with extra objects: " + (", ".join(f"{k}: {v}" for k, v in sorted(extra.items())) or "none"))
    for word in ["two", "three"]:
        sub = [p for p in prompts if pool.captions[p].startswith(word)]
        none = np.mean([labels[p][0] == "correct" for p in sub]) * 100
        clip = np.mean([labels[p][choose(pool, "clip", p, pool.n)] == "correct" for p in sub]) * 100
        print(f"- '{word} ...' prompts ({len(sub)}): right with no search {none:.1f}%, clip best-of-{pool.n} "
              f"{clip:.1f}%")


def dev_weights(dev):
    """Rank-ensemble weights chosen on the dev pool (other captions and seeds): best overall at its largest n."""
    grid = [0.5, 1.0, 2.0]
    best = None
    print(f"\n### Ensemble weights chosen on the dev pool ({dev.p} captions of the training grammar not among the "
          f"200, seeds from 100000, best-of-{dev.n})\n")
    scored = []
    for wc, wr, wg in itertools.product(grid, grid, grid):
        spec = f"ensemble:clip={wc:g},reward={wr:g},grader={wg:g}"
        overall = rates(dev, chosen(dev, spec, dev.n))[4]
        scored.append((overall, -abs(wc - 1) - abs(wr - 1) - abs(wg - 1), spec))
    for wa in [0.5, 1.0]:
        spec = f"ensemble:clip=1,reward=1,grader=1,aesthetic={wa:g}"
        scored.append((rates(dev, chosen(dev, spec, dev.n))[4], -10, spec))
    scored.sort(reverse=True)
    equal = [s for s in scored if s[2] == "ensemble:clip=1,reward=1,grader=1"][0]
    print("| dev weights | dev overall |")
    print("| --- | --- |")
    for s in scored[:5]:
        print(f"| {s[2]} | {s[0]:.1f}% |")
    print(f"| {equal[2]} (equal) | {equal[0]:.1f}% |")
    best = scored[0][2]
    print(f"\nchosen: {best} (ties to the weights nearest equal)")
    return best


def main():
    out = sys.argv[1]
    pools = {}
    for name in ["flow-g1.5", "flow-g1", "eps", "flow-g2-none", "flow-g3-none", "dev"]:
        if os.path.isfile(os.path.join(out, name, "pool.json")):
            pools[name] = Pool(os.path.join(out, name))
    models = open(os.path.join(out, "models.txt")).read().strip() if os.path.isfile(
        os.path.join(out, "models.txt")) else "?"
    print(f"# Candidate pools ({out})\n\nmodel.onnx sha256 prefixes: {models.replace(chr(10), '; ')}")
    for name, pool in pools.items():
        print(f"- {name}: {pool.p} prompts x {pool.n} candidates, {pool.info['model']} {pool.info['solver']} guidance "
              f"{pool.info['guidance']}, seed {pool.info['seed']}; choices checked against the engine's: "
              f"{check_against_engine(pool)}; pool wall {pool.info['wallSeconds']:.0f} s")
    if "dev" in pools:
        # the dev pool's own table: where new verifiers are compared with old ones, never on the 200
        table(pools["dev"], VERIFIERS + ["oracle"], f"dev: {pools['dev'].p} captions, guidance "
                                                    f"{pools['dev'].info['guidance']} (checker, % of prompts)")
    weighted = dev_weights(pools["dev"]) if "dev" in pools else None
    specs = VERIFIERS + ([weighted] if weighted else []) + ["oracle"]
    results = {}
    for name in ["flow-g1.5", "flow-g1", "eps"]:
        if name in pools:
            pool = pools[name]
            results[name] = table(pool, specs, f"{name}: {pool.info['model']}, {pool.info['solver']}, guidance "
                                               f"{pool.info['guidance']} (checker, % of prompts)")

    print("\n### Verifier's own score of the chosen candidate (mean over the 200) against checker overall\n")
    print("| pool | verifier | n | own score | checker overall |")
    print("| --- | --- | --- | --- | --- |")
    for name in ["flow-g1", "flow-g1.5", "eps"]:
        if name in pools:
            for spec in ["aesthetic", "clip", "grader"]:
                for n in pools[name].sizes():
                    r = results[name][("none", 1)] if n == 1 else results[name][(spec, n)]
                    print(f"| {name} | {spec} | {n} | {own_score(pools[name], spec, n):.4f} | {r[4]:.1f}% |")

    print("\n### Search against guidance, on compute (GFLOPs per sample: solves, decodes, verifier)\n")
    print("| setting | GFLOPs / sample | single | count | relational | held-out relational | all | count numeracy |"
          " spatial |")
    print("| --- " * 9 + "|")
    for name in ["flow-g1", "flow-g1.5", "flow-g2-none", "flow-g3-none"]:
        if name in pools:
            pool = pools[name]
            print(f"| {name} none | {gflops(pool, 'none', 1):.2f} | {fmt(rates(pool, np.zeros(pool.p, dtype=int)))} |")
    for name in ["flow-g1", "flow-g1.5"]:
        if name in pools:
            for spec in ["clip", "ensemble:clip,reward,grader"]:
                # best-of-2 at guidance 1 costs what no search at guidance > 1 costs (two passes per step)
                for n in ([2] if name == "flow-g1" else []) + pools[name].sizes()[1:]:
                    r = results[name].get((spec, n)) or rates(pools[name], chosen(pools[name], spec, n))
                    print(f"| {name} {spec} best-of-{n} | {gflops(pools[name], spec, n):.2f} | {fmt(r)} |")

    if "eps" in pools and "flow-g1.5" in pools:
        print("\n### shapes-flow against shapes-eps under search (all: checker overall, %)\n")
        f, e = pools["flow-g1.5"], pools["eps"]
        print("| verifier | n | GFLOPs / sample flow | GFLOPs / sample eps | flow all | eps all | flow count |"
              " eps count | flow spatial | eps spatial |")
        print("| --- " * 10 + "|")
        for spec in ["none"] + specs:
            for n in e.sizes():
                if (spec == "none") != (n == 1):
                    continue
                rf, re_ = results["flow-g1.5"][(spec, n)], results["eps"][(spec, n)]
                print(f"| {spec} | {n} | {gflops(f, spec, n):.2f} | {gflops(e, spec, n):.2f} | {rf[4]:.1f}% | "
                      f"{re_[4]:.1f}% | {rf[1]:.1f}% | {re_[1]:.1f}% | {rf[6]:.1f}% | {re_[6]:.1f}% |")

    for name in ["flow-g1.5", "flow-g1"]:
        if name in pools:
            print(f"\n#### {name}")
            clip_count(pools[name])


if __name__ == "__main__":
    main()
