#!/usr/bin/env python3
"""The race's table (scripts/race): medians of the timed rounds of every process, side by side, the winners of both
sides (which must agree: same key, scores within 1e-4) and the noise yardstick. Reads OUT/raw, writes OUT/race.json
and OUT/race.md, prints the markdown; exits 1 when a winner disagrees or the parity check failed.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
from pathlib import Path

TOLERANCE = 1e-4
TORCH_SIDES = ("eager", "traced", "optimized")
TITLES = {"eager": "torch eager", "traced": "torch traced", "optimized": "torch traced+optimized"}


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def case_rows(search: list[dict]) -> list[dict]:
    """One row per case, in the order the race ran them: pooled rounds per side, their median, the winners."""
    cases: dict[str, dict] = {}
    for entry in search:
        tag, result = entry["tag"], entry["result"]
        case = cases.setdefault(tag["case"], {"case": tag["case"], "candidates": result["candidates"],
                                              "batch": result["batch"], "threads": result["threads"],
                                              "roundsMs": {}, "winners": {}, "noiseMs": [], "noiseShare": []})
        side = tag["side"]
        case["roundsMs"].setdefault(side, []).extend(result["roundsMs"])
        winner = dict(result["winner"])
        case["winners"].setdefault(side, []).append(winner)
        if side == "noisesearch":
            case["noiseMs"].append(result["noiseMs"])
    rows = []
    for case in cases.values():
        medians = {side: statistics.median(ms) for side, ms in case["roundsMs"].items()}
        engine_ms = medians["noisesearch"]
        row = {k: case[k] for k in ("case", "candidates", "batch", "threads")}
        row["medianMs"] = medians
        row["candidatesPerSecond"] = {side: case["candidates"] * 1000 / ms for side, ms in medians.items()}
        row["speedup"] = {side: medians[side] / engine_ms for side in TORCH_SIDES if side in medians}
        row["noiseMs"] = statistics.median(case["noiseMs"])
        row["noiseShare"] = row["noiseMs"] / engine_ms
        row["winners"], row["agree"], row["disagreement"] = agreement(case["winners"])
        rows.append(row)
    return rows


def agreement(winners: dict[str, list[dict]]) -> tuple[dict, bool, list[str]]:
    """Every process of every side must pick the engine's winner, with scores within the tolerance."""
    reference = winners["noisesearch"][0]
    problems = []
    worst = {}
    for side, picks in winners.items():
        for pick in picks:
            if pick["index"] != reference["index"]:
                problems.append(f"{side} chose candidate {pick['index']}, the engine {reference['index']}")
            for score in ("searchScore", "score"):
                delta = abs(pick[score] - reference[score])
                worst[f"{side}.{score}"] = max(worst.get(f"{side}.{score}", 0.0), delta)
                if delta > TOLERANCE:
                    problems.append(f"{side} {score} {pick[score]} vs the engine's {reference[score]}")
    summary = {side: {**picks[0], "maxDelta": {s: worst[f"{side}.{s}"] for s in ("searchScore", "score")}}
               for side, picks in winners.items()}
    summary["noisesearch"]["keyHex"] = reference.get("keyHex")
    return summary, not problems, problems


def noise_rows(noise: list[dict]) -> list[dict]:
    by_threads: dict[int, dict] = {}
    for entry in noise:
        tag, result = entry["tag"], entry["result"]
        by_threads.setdefault(tag["threads"], {}).setdefault(tag["side"], []).extend(result["elementsPerSecond"])
    rows = []
    for threads, sides in sorted(by_threads.items()):
        medians = {side: statistics.median(rates) for side, rates in sides.items()}
        rows.append({"threads": threads, "elementsPerSecond": medians,
                     "ratio": medians["noisesearch"] / medians["torch.randn"]})
    return rows


def case_title(row: dict) -> str:
    threads = f"{row['threads']} thread{'s' if row['threads'] > 1 else ''}"
    if row["candidates"] == 1:
        return f"1 candidate, batch 1, {threads} (whole request)"
    return f"{row['candidates']} candidates, batch {row['batch']}, {threads}"


def cell(row: dict, side: str) -> str:
    if side not in row["medianMs"]:
        return "-"
    ms = row["medianMs"][side]
    if row["candidates"] == 1:
        return f"{ms:.1f} ms"
    return f"{ms:.0f} ms ({row['candidatesPerSecond'][side]:.1f}/s)"


def markdown(report: dict) -> str:
    sides = [s for s in TORCH_SIDES if any(s in r["medianMs"] for r in report["cases"])]
    out = [f"# Race: noisesearch vs PyTorch ({report['date']})", "",
           "Request: mnist-flow-s, random search over N candidates, Euler x10, classifier verifier (log p(class | x)),"
           " the winner re-solved with Euler x25; the same weights and candidate noises on both sides. Times: median"
           " ms per whole request (candidates per second) over "
           f"{report['processes']} process(es) x {report['rounds']} timed rounds after {report['warmup']} warm-up"
           " rounds; ratio = PyTorch time / noisesearch time (above 1: noisesearch is faster).", "",
           f"Machine: {report['machine']['cpu']}, {report['machine']['cores']} cores; load average"
           f" {report['machine']['loadBefore']} before, {report['machine']['loadAfter']} after. torch"
           f" {report['torch']}.", ""]
    header = ["case", "noisesearch"] + [TITLES[s] for s in sides] + [f"vs {s}" for s in sides]
    out += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in report["cases"]:
        cells = [case_title(row), cell(row, "noisesearch")] + [cell(row, s) for s in sides]
        cells += [f"{row['speedup'][s]:.2f}x" if s in row["speedup"] else "-" for s in sides]
        out.append("| " + " | ".join(cells) + " |")
    out += ["", "Winners (every process of every side must choose the engine's candidate, scores within 1e-4):", "",
            "| case | winner (key) | noisesearch score (search / final) | max abs difference, PyTorch (search / final)"
            " | agree |", "|---|---|---|---|---|"]
    for row in report["cases"]:
        engine = row["winners"]["noisesearch"]
        deltas = [row["winners"][s]["maxDelta"] for s in sides if s in row["winners"]]
        search_delta = max((d["searchScore"] for d in deltas), default=0.0)
        final_delta = max((d["score"] for d in deltas), default=0.0)
        out.append(f"| {case_title(row)} | {engine['index']} (0x{engine['keyHex']}) | {engine['searchScore']:.6g} /"
                   f" {engine['score']:.6g} | {search_delta:.2g} / {final_delta:.2g} |"
                   f" {'yes' if row['agree'] else 'NO: ' + '; '.join(row['disagreement'])} |")
    out += ["", "Noise: the engine's host Gaussian noise kernel (Philox4x32-10, exact-IEEE transform) against"
            f" torch.randn into a preallocated tensor, {report['noiseElements']} elements, same threads:", "",
            "| threads | noisesearch (Melem/s) | torch.randn (Melem/s) | noisesearch / torch |", "|---|---|---|---|"]
    for row in report["noise"]:
        rates = row["elementsPerSecond"]
        out.append(f"| {row['threads']} | {rates['noisesearch'] / 1e6:.0f} | {rates['torch.randn'] / 1e6:.0f} |"
                   f" {row['ratio']:.2f}x |")
    out += ["", "Noise's share of a search's wall (the search's noises, N + 1 rows, timed on the same kernel and"
            " threads, over the request's median):", ""]
    for row in report["cases"]:
        out.append(f"- {case_title(row)}: {row['noiseMs']:.3f} ms, {100 * row['noiseShare']:.3f}%")
    out += ["", f"Result: {'the winners agree' if report['ok'] else 'FAILED: ' + report['failure']}.", ""]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--mode", default="full")
    parser.add_argument("--processes", type=int, required=True)
    parser.add_argument("--rounds", type=int, required=True)
    parser.add_argument("--warmup", type=int, required=True)
    parser.add_argument("--load-before", default="")
    args = parser.parse_args()
    raw = args.out / "raw"
    check = json.loads((raw / "check.json").read_text())
    search = lines(raw / "search.jsonl")
    noise = lines(raw / "noise.jsonl")
    cases = case_rows(search)
    torch_version = next((e["result"]["torch"] for e in search if e["tag"]["side"] != "noisesearch"), "?")
    report = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "mode": args.mode, "processes": args.processes, "rounds": args.rounds, "warmup": args.warmup,
        "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "loadBefore": args.load_before or "?",
                    "loadAfter": " ".join(f"{x:.2f}" for x in os.getloadavg())},
        "torch": torch_version, "parity": check, "cases": cases, "noise": noise_rows(noise),
        "noiseElements": noise[0]["result"]["elements"] if noise else 0,
    }
    failures = [f"{row['case']}: " + "; ".join(row["disagreement"]) for row in cases if not row["agree"]]
    if not check.get("ok"):
        failures.insert(0, "the PyTorch parity check failed")
    report["ok"] = not failures
    report["failure"] = " | ".join(failures)
    text = markdown(report)
    (args.out / "race.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / "race.md").write_text(text)
    print(text)
    if failures:
        print(f"race: FAILED: {report['failure']}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
