#!/usr/bin/env python3
"""Reference features of the real MNIST test digits for FID / precision / recall (issue 3).

Runs the evaluation network (mnist-eval, rebuilt in PyTorch from its model.pt) on every digit of the test split
(2,004 digits; per class the last 20% of the file, see scripts/fetch-mnist) and writes
<eval>/reference.npz with
    features  float32 [N, D]   the network's `features` output (D = 128 for mnist-eval)
    labels    int64   [N]      the digits' labels
(uncompressed numpy .npz, ~1 MB). The Java Evaluator (io.noisesearch.metrics.Evaluator) reads it: the Gaussian
statistics of `features` are the FID reference, the features themselves the real manifold of precision / recall.

    python3 scripts/train/reference_features.py --eval tensorrt-plans/models/mnist-eval
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import registry  # noqa: E402


@torch.no_grad()
def features_of(model: torch.nn.Module, x: torch.Tensor, batch: int = 500) -> np.ndarray:
    """`features` output of an evaluation net (forward returns (logits, features)) for x [N,1,28,28] in [-1,1]."""
    model.eval()
    out = []
    for i in range(0, len(x), batch):
        out.append(model(x[i:i + batch])[1].float().numpy())
    return np.concatenate(out).astype(np.float32)


def write_reference(path: Path, features: np.ndarray, labels: np.ndarray) -> None:
    np.savez(path, features=np.ascontiguousarray(features, dtype=np.float32),
             labels=np.ascontiguousarray(labels, dtype=np.int64))


def main():
    p = argparse.ArgumentParser(description="Reference features of the MNIST test split for FID / P&R")
    p.add_argument("--eval", default=str(common.REPO / "tensorrt-plans" / "models" / "mnist-eval"),
                   help="evaluation model folder with model.pt (default %(default)s)")
    p.add_argument("--out", default=None, help="output file (default: <eval>/reference.npz)")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(max(1, args.threads))
    folder = Path(args.eval)
    if not (folder / "model.pt").is_file():
        sys.exit(f"{folder / 'model.pt'} not found: train the evaluation network first "
                 f"(python3 scripts/train/mnist_eval.py --out {folder})")
    out = Path(args.out) if args.out else folder / "reference.npz"
    t0 = time.perf_counter()
    model = registry.load_model(folder)
    x, y = common.load_mnist("test")
    feats = features_of(model, x)
    write_reference(out, feats, y.numpy())
    print(f"[reference] {out}: features {feats.shape} float32, labels {tuple(y.shape)} int64 "
          f"({out.stat().st_size} bytes) in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
