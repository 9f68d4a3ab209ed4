#!/usr/bin/env python3
"""Quality check of a trained flow: sample N per class (Euler, PyTorch) and report the accuracy of the
requested class as judged by the evaluation network (and, for a second opinion, the classifier).

    python3 scripts/train/sample_check.py --flow tensorrt-plans/models/mnist-flow-s \
        --eval tensorrt-plans/models/mnist-eval [--classifier tensorrt-plans/models/mnist-classifier] \
        [--per-class 20] [--steps 25] [--guidance 1.0] [--seed 0] [--grid out/flow-s.png]

Target (issue 3): mnist-flow-s, Euler 25 steps, guidance 1.0, 20 per class: >= 95% recognised (the issue's
acceptance uses an independent held-out evaluator; this script is the in-repo proxy). Exit 0 always; the
caller reads the numbers. Prints one JSON line at the end.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

import flow
import registry


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--flow", required=True)
    p.add_argument("--eval", required=True)
    p.add_argument("--classifier", default=None)
    p.add_argument("--per-class", type=int, default=20)
    p.add_argument("--steps", type=int, default=25)
    p.add_argument("--guidance", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--grid", default=None, help="write a PNG grid (a row per digit)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)

    model = registry.load_model(a.flow)
    evaluator = registry.load_model(a.eval)
    clf = registry.load_model(a.classifier) if a.classifier else None
    labels = torch.arange(10).repeat_interleave(a.per_class)
    g = torch.Generator().manual_seed(a.seed)
    t0 = time.perf_counter()
    xs = torch.cat([flow.euler_sample(model, labels[i:i + 100], a.steps, a.guidance, g)
                    for i in range(0, len(labels), 100)])
    secs = time.perf_counter() - t0
    # quantise like the engine's samples.npz (uint8) before judging
    xq = torch.round((xs + 1) * 127.5) / 127.5 - 1
    with torch.no_grad():
        pred = evaluator(xq)[0].argmax(1)
        pred_c = clf(xq).argmax(1) if clf is not None else None
    acc = (pred == labels).float().mean().item()
    per = [(pred[labels == d] == d).float().mean().item() for d in range(10)]
    res = {"flow": a.flow, "samples": len(labels), "steps": a.steps, "guidance": a.guidance, "seed": a.seed,
           "evalAccuracy": round(acc, 4), "evalAccuracyPerClass": [round(v, 3) for v in per],
           "sampleSeconds": round(secs, 1)}
    if pred_c is not None:
        res["classifierAccuracy"] = round((pred_c == labels).float().mean().item(), 4)
    if a.grid:
        from PIL import Image
        img = ((xq + 1) * 127.5).round().clamp(0, 255).to(torch.uint8).reshape(10, a.per_class, 28, 28)
        img = img.permute(0, 2, 1, 3).reshape(10 * 28, a.per_class * 28).numpy()
        Path(a.grid).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(img, mode="L").save(a.grid)
        res["grid"] = a.grid
    print(json.dumps(res))


if __name__ == "__main__":
    main()
