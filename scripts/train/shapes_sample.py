#!/usr/bin/env python3
"""Sample a trained shapes-flow / shapes-eps model in PyTorch (the same maths as the engine: Euler on the shifted
rectified-flow grid or DDIM on the VP grid, classifier-free guidance against the null caption), decode with
shapes-ae and write an npz of `arr_0` uint8 [N,32,32,3] and `prompts` (the layout of the engine's samples.npz) for
`scripts/noisesearch shapes-check --samples FILE`.

    python3 scripts/train/shapes_sample.py --model tensorrt-plans/models/shapes-flow \
        --ae tensorrt-plans/models/shapes-ae --prompts-from /work/data/shapes/eval.npz \
        [--per-prompt 1] [--steps 20] [--guidance 3.0] [--seed 0] --out out/shapes/flow-samples.npz

Several --guidance values write one file each (name suffixed -g<value>). Prints one JSON line per file.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

import shapes


def prompts_of(args) -> list[str]:
    if args.prompts:
        lines = Path(args.prompts).read_text().splitlines()
        return [ln.strip() for ln in lines if ln.strip()]
    with np.load(args.prompts_from, allow_pickle=False) as z:
        return [str(c) for c in z["captions"]]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True)
    p.add_argument("--ae", required=True)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--prompts", help="text file, one caption a line")
    src.add_argument("--prompts-from", help="an npz whose `captions` are the prompts (e.g. shapes-data --split eval)")
    p.add_argument("--per-prompt", type=int, default=1)
    p.add_argument("--steps", type=int, default=None, help="default: the manifest's defaultSolver.steps")
    p.add_argument("--guidance", type=float, nargs="+", default=None, help="default: the manifest's defaultGuidance")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    torch.set_num_threads(a.threads)

    model, manifest = shapes.load_text_to_latent(a.model)
    ae = shapes.load_autoencoder(a.ae)
    tok = shapes.Tokenizer(manifest["tokenizer"]["vocabulary"], manifest["tokenizer"]["maxTokens"])
    kind = manifest["prediction"]
    shift = float(manifest["schedule"].get("shift", 1.0))
    steps = a.steps or manifest["defaultSolver"]["steps"]
    prompts = [c for c in prompts_of(a) for _ in range(a.per_prompt)]
    tokens = tok.batch(prompts)
    g = torch.Generator().manual_seed(a.seed)
    noise = torch.randn(len(prompts), 4, 8, 8, generator=g)
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    guidances = a.guidance or [float(manifest["defaultGuidance"])]
    for w in guidances:
        t0 = time.perf_counter()
        chunks = []
        for i in range(0, len(prompts), a.batch):
            z = shapes.sample(model, kind, tokens[i:i + a.batch], noise[i:i + a.batch], steps, w, shift)
            with torch.no_grad():
                chunks.append(ae.decoder(z))
        secs = time.perf_counter() - t0
        images = shapes.to_uint8(torch.cat(chunks))
        path = out if len(guidances) == 1 else out.with_name(f"{out.stem}-g{w:g}{out.suffix}")
        caps = np.array(prompts)
        np.savez(path, arr_0=images, prompts=caps)
        print(json.dumps({"model": a.model, "samples": len(prompts), "solver": "euler" if kind == "velocity" else "ddim",
                          "steps": steps, "guidance": w, "seed": a.seed, "seconds": round(secs, 1),
                          "out": str(path)}), flush=True)


if __name__ == "__main__":
    main()
