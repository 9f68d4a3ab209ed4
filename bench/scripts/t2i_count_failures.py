#!/usr/bin/env python3
"""Where a verifier's best-of-n count choices go wrong, from candidate pools of `noisesearch pool` (pool.csv only):
for the count prompts, the checker's verdict on the chosen candidate, and among the wrong ones how many are
`... squares` captions whose chosen image holds a named-colour circle (a named square the checker reads as a circle).
Usage: t2i_count_failures.py [--verifier clip] [--n 16] POOL_FOLDER...
"""
import argparse
import collections
import csv
import os


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--verifier", default="clip", help="a score column of pool.csv without its score: prefix")
    p.add_argument("--n", type=int, default=16)
    p.add_argument("pools", nargs="+")
    args = p.parse_args()
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


if __name__ == "__main__":
    main()
