#!/usr/bin/env python3
"""Why relational prompts fail: reads the checker's check.json files (scripts/noisesearch shapes-check) and sorts
every relational sample, trained family and held-out apart, into
  objects wrong   - a named (colour, shape) missing, or the objects found are not the caption's two (binding/count)
  relation right  - both objects exactly as named and the relation holds (the checker's spatial)
  reversed        - objects right, the centres at least 2 px apart along the relation's axis the other way
  too close       - objects right, less than 2 px apart along the relation's axis
and reports, for samples with both objects right, the share whose larger centre offset lies on the other axis
(left/right drawn as above/below), per relation word.
Usage: bench/scripts/shapes-relational-diagnosis.py CHECK_JSON...
"""
import json
import sys
from collections import Counter, defaultdict

AXIS = {"left": (0, -1), "right": (0, 1), "above": (1, -1), "below": (1, 1)}  # (axis x=0/y=1, sign of c1 - c2)


def parse(caption: str):
    w = caption.split(" ")
    rel = w[3]
    rest = w[5:] if rel in ("left", "right") else w[4:]
    return (w[1], w[2]), rel, (rest[1], rest[2])


def centre(obj):
    _, _, left, top, right, bottom, _ = obj
    return (left + right) / 2.0, (top + bottom) / 2.0


def classify(j):
    a, rel, b = parse(j["caption"])
    found = [tuple(o[:2]) for o in j["found"]]
    if sorted(found) != sorted([a, b]):
        return rel, "objects wrong", None
    oa = next(o for o in j["found"] if tuple(o[:2]) == a)
    ob = next(o for o in j["found"] if tuple(o[:2]) == b)
    axis, sign = AXIS[rel]
    d = [centre(oa)[k] - centre(ob)[k] for k in (0, 1)]
    along, across = sign * d[axis], abs(d[1 - axis])
    kind = "relation right" if along >= 2 else "reversed" if along <= -2 else "too close"
    return rel, kind, across > abs(along)


def main(paths):
    rows = defaultdict(Counter)
    for path in paths:
        for j in json.load(open(path))["judgements"]:
            if j["category"] not in ("relational", "held-out relational"):
                continue
            rel, kind, other_axis = classify(j)
            fam = "held-out" if j["category"].startswith("held") else "trained"
            for key in ((fam, "all"), (fam, rel)):
                rows[key][kind] += 1
                rows[key]["n"] += 1
                if other_axis is not None:
                    rows[key]["objects right"] += 1
                    rows[key]["other axis"] += other_axis
            if kind == "relation right" and not j["aspects"]["spatial"]:
                raise SystemExit(f"{path}: {j['caption']}: disagrees with the checker")
    kinds = ["objects wrong", "relation right", "reversed", "too close"]
    print("| family | relation | samples | " + " | ".join(kinds) + " | objects right: larger offset on the other axis |")
    print("| --- | --- | --- | " + " | ".join("---" for _ in kinds) + " | --- |")
    for (fam, rel), c in sorted(rows.items(), key=lambda kv: (kv[0][0] != "trained", kv[0][1] != "all", kv[0][1])):
        cells = " | ".join(f"{100 * c[k] / c['n']:.0f}%" for k in kinds)
        oa = f"{100 * c['other axis'] / c['objects right']:.0f}% of {c['objects right']}" if c["objects right"] else "-"
        print(f"| {fam} | {rel} | {c['n']} | {cells} | {oa} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    main(sys.argv[1:])
