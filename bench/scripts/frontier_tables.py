#!/usr/bin/env python3
"""Markdown tables of a frontier sweep's results.jsonl (scripts/noisesearch profile): per verifier, one row per
algorithm setting and one column per search budget; a cell holds the chosen metrics of the point and, in brackets,
the search NFEs it spent per request. Settings that are sized to the budget (beam's width) are one row.

    bench/scripts/frontier_tables.py OUT/results.jsonl [--metrics accuracy,inceptionScore,fid] [--merge beamWidth]
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, OrderedDict

FORMATS = {"accuracy": "{:.3f}", "inceptionScore": "{:.3f}", "fid": "{:.2f}", "precision": "{:.3f}",
           "recall": "{:.3f}", "meanVerifierScore": "{:.3g}", "meanOracleLogDensity": "{:.1f}"}


def label(configuration: dict, merged: set[str], usual_solver: str) -> str:
    """The row's name: algorithm, its parameters but the merged ones, and the search solver where it is not the sweep's."""
    parameters = [f"{k} {v}" for k, v in configuration["parameters"].items() if k not in merged]
    solver = configuration.get("searchSolver")
    if solver not in (None, "default", usual_solver):
        parameters.append(f"search {solver}")
    text = configuration["algorithm"]
    if parameters:
        text += " (" + ", ".join(parameters) + ")"
    return text


def cell(result: dict, metrics: list[str]) -> str:
    quality = result["quality"]
    values = []
    for m in metrics:
        v = quality.get(m)
        values.append("-" if v is None else FORMATS.get(m, "{:.4g}").format(v))
    text = " / ".join(values)
    searched = result["compute"]["searchNfe"] / max(1, result["samples"])
    if result["configuration"]["budgetNfe"] is not None or searched > 0:
        text += f" ({searched:.0f})"
    return text


def tables(lines: list[dict], metrics: list[str], merged: set[str]) -> str:
    by_verifier: OrderedDict[str, OrderedDict[str, dict]] = OrderedDict()
    budgets: set[int] = set()
    solvers = Counter(r["configuration"].get("searchSolver") for r in lines if r["configuration"]["budgetNfe"])
    usual = solvers.most_common(1)[0][0] if solvers else None
    for r in lines:
        c = r["configuration"]
        rows = by_verifier.setdefault(c["verifier"], OrderedDict())
        budget = c["budgetNfe"]
        if budget is not None:
            budgets.add(budget)
        rows.setdefault(label(c, merged, usual), {})[budget] = r
    columns = sorted(budgets)
    out = []
    for verifier, rows in by_verifier.items():
        out.append(f"**{verifier}** ({' / '.join(metrics)}; search NFEs per request):\n")
        out.append("| search | no search | " + " | ".join(f"budget {b}" for b in columns) + " |")
        out.append("|---|---|" + "---|" * len(columns))
        for name, points in rows.items():
            cells = [cell(points[None], metrics) if None in points else ""]
            cells += [cell(points[b], metrics) if b in points else "" for b in columns]
            out.append(f"| {name} | " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("results", help="a profile folder's results.jsonl")
    p.add_argument("--metrics", default="accuracy,inceptionScore,fid",
                   help="quality fields, comma-separated (default: accuracy,inceptionScore,fid)")
    p.add_argument("--merge", default="beamWidth",
                   help="parameters sized to the budget, whose points form one row (default: beamWidth)")
    args = p.parse_args()
    with open(args.results) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    if not lines:
        sys.exit(f"frontier_tables: {args.results} holds no results")
    merged = set(filter(None, args.merge.split(",")))
    print(tables(lines, args.metrics.split(","), merged))


if __name__ == "__main__":
    main()
