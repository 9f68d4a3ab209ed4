#!/usr/bin/env python3
"""Where a verifier's best-of-n count choices go wrong, from candidate pools of `noisesearch pool` (pool.csv only):
for the count prompts, the checker's verdict on the chosen candidate, and among the wrong ones how many are
`... squares` captions whose chosen image holds a named-colour circle (a named square the checker reads as a circle).
With --fills (the pools' images.npz; the checker's reading in scripts/train/shapes_verifiers.py, checked against
pool.csv's): how square the named squares of those wrong choices are drawn (their lowest fill of the bounding box;
the checker's square line is 0.9, a disc fills about pi/4), and the count gain over no search with that line moved,
in analysis only (the scores, so the choices, stay).
Usage: t2i_count_failures.py [--verifier clip] [--n 16] [--fills] POOL_FOLDER...
"""
import argparse
import collections
import csv
import os
import sys

LINES = (0.85, 0.875, 0.9, 0.925, 0.95)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--verifier", default="clip", help="a score column of pool.csv without its score: prefix")
    p.add_argument("--n", type=int, default=16)
    p.add_argument("--fills", action="store_true", help="read the images: fills of the wrong square choices, gains "
                   "with the square line moved")
    p.add_argument("pools", nargs="+")
    args = p.parse_args()
    if args.fills:
        return fills(args)
    total = collections.Counter()
    for folder in args.pools:
        lines = collections.defaultdict(list)
        for r in csv.DictReader(open(os.path.join(folder, "pool.csv"))):
            lines[int(r["prompt_index"])].append(r)
        c = collections.Counter()
        for rows in lines.values():
            if rows[0]["category"] != "count":
                continue
            best = max(rows[:args.n], key=lambda r: float(r["score:" + args.verifier]))  # ties: the first
            colour, shape = best["prompt"].split()[1], best["prompt"].split()[2].rstrip("s")
            square = shape == "square"
            c["count prompts"] += 1
            c["square prompts"] += square
            c["right, no search"] += rows[0]["check:overall"] == "1"
            c["right, no search, square prompts"] += square and rows[0]["check:overall"] == "1"
            c["square prompts with a right candidate"] += square and any(
                r["check:overall"] == "1" for r in rows[:args.n])
            if best["check:overall"] == "1":
                c["right"] += 1
                c["right, square prompts"] += square
            elif square and f"{colour}-circle" in best["found"].split():
                c["wrong: a named square read as a circle"] += 1
            else:
                c["wrong: other"] += 1
        print(f"{folder}: {dict(c)}")
        total.update(c)
    print(f"all: {dict(total)}")


def fills(args):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "train"))
    import numpy as np
    import shapes_verifiers as sv
    triangle, square, circle = (sv.KINDS.index(k) for k in ("triangle", "square", "circle"))

    def right_at(p, reading, line):
        """The count verdict with the square line at `line`: the found things are the named ones, n times."""
        found = [(c, k if k == triangle else square if f >= line else circle) for c, k, f in reading]
        return sorted(found) == sorted(p.things * p.n)

    gains = {line: [] for line in LINES}
    lowest, wrong, other = [], 0, 0
    for folder in args.pools:
        rows = list(csv.DictReader(open(os.path.join(folder, "pool.csv"))))
        images = np.load(os.path.join(folder, "images.npz"))["arr_0"]
        lines = collections.defaultdict(list)
        for i, r in enumerate(rows):
            lines[int(r["prompt_index"])].append(i)
        right = collections.Counter()
        count = 0
        for idx in lines.values():
            idx = idx[:args.n]
            if rows[idx[0]]["category"] != "count":
                continue
            count += 1
            p = sv.parse(rows[idx[0]]["prompt"])
            best = max(idx, key=lambda i: float(rows[i]["score:" + args.verifier]))  # ties: the first
            read = {i: sv.checker_reading(images[i]) for i in (idx[0], best)}
            for i in read:
                if sorted(f"{sv.COLOURS[c]}-{sv.KINDS[k]}" for c, k, _ in read[i]) != sorted(rows[i]["found"].split()):
                    raise SystemExit(f"{folder}: the checker's reading of candidate {i} is not pool.csv's")
            for line in LINES:
                right[("none", line)] += right_at(p, read[idx[0]], line)
                right[("chosen", line)] += right_at(p, read[best], line)
            if p.things[0][1] == square and rows[best]["check:overall"] != "1":
                wrong += 1
                q = sv.squareness(p, read[best])
                if q is None:
                    other += 1
                else:
                    lowest.append(q)
        for line in LINES:
            gains[line].append(100.0 * (right[("chosen", line)] - right[("none", line)]) / count)
        print(f"{folder}: count gain " + " ".join(f"{line}: {gains[line][-1]:+.1f}" for line in LINES))
    print(f"all ({len(args.pools)} pools), mean count gain of best-of-{args.n} {args.verifier} over no search, by the "
          "square line: " + ", ".join(f"{line}: {np.mean(gains[line]):+.1f}" for line in LINES))
    low = np.array(lowest)
    bins = [(0.0, 0.8), (0.8, 0.85), (0.85, 0.875), (0.875, 0.9)]
    print(f"wrong `... squares` choices: {wrong}; drawing exactly the named squares, one under the line: {len(low)} "
          f"(lowest fill " + ", ".join(f"[{a}, {b}): {int(((low >= a) & (low < b)).sum())}" for a, b in bins)
          + (f"; median {np.median(low):.3f}" if len(low) else "") + f"); other: {other}")


if __name__ == "__main__":
    main()
