#!/usr/bin/env python3
"""Small committed fixtures for the Java tests of the .npz reader and the Evaluator, so that CI needs neither the
MNIST cache nor trained models. Deterministic (fixed seeds, 1 thread); rerun only to change the fixtures:

    /usr/bin/python3 scripts/train/make_test_fixtures.py      (needs .cache/mnist/mnist.npz: scripts/fetch-mnist)

Writes under engine-java/src/test/resources/:
  npz/numpy.npz            np.savez of uint8 [2,3,4], int64 [5], float32 [3,2], float32 0-d, uint8 [0,3]
  npz/numpy-compressed.npz the same, np.savez_compressed (deflated entries)
  npz/fortran.npz          a float32 [2,3] array saved in Fortran order (the reader must reject it)
  npz/big-endian.npz       a '>f4' array (the reader must reject it)
  tiny-eval/               an evaluation model like mnist-eval but tiny (32 features, ~20 k parameters):
    model.onnx, manifest.json  x [B,1,28,28] -> logits [B,10], features [B,32]
    reference.npz              features [200,32] float32 (PyTorch) + labels of reference-digits.npz
    reference-digits.npz       arr_0 uint8 [200,28,28,1], labels int64 [200]: test digits 0..19 of each class
    heldout-digits.npz         the same layout: test digits 20..39 of each class (disjoint from the reference)
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import reference_features  # noqa: E402

RESOURCES = common.REPO / "engine-java" / "src" / "test" / "resources"
PER_CLASS = 20
FEATURES = 32


def block(cin, cout, k=3, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU())


class TinyEvalNet(nn.Module):
    """mnist_eval.EvalNet's shape with far fewer channels."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(block(1, 8, 5, 2), block(8, 16, 3, 2), block(16, 32), block(32, FEATURES))
        self.fc = nn.Linear(FEATURES, 10)

    def forward(self, x):
        f = self.body(x).mean(dim=(2, 3))
        return self.fc(f), f


def npz_fixtures(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    arrays = {
        "images": np.arange(24, dtype=np.uint8).reshape(2, 3, 4) * 10,
        "labels": np.array([0, -1, 7, 2 ** 40, -(2 ** 62)], dtype=np.int64),
        "features": np.array([[0.5, -1.25], [3.0e-8, 1.0e30], [-0.0, 7.0]], dtype=np.float32),
        "scalar": np.array(2.5, dtype=np.float32),
        "empty": np.zeros((0, 3), dtype=np.uint8),
    }
    np.savez(out / "numpy.npz", **arrays)
    np.savez_compressed(out / "numpy-compressed.npz", **arrays)
    np.savez(out / "fortran.npz", x=np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
    np.savez(out / "big-endian.npz", x=np.arange(4, dtype=">f4"))


def digits(per_class_from: int, per_class: int) -> tuple[np.ndarray, np.ndarray]:
    """Test digits [per_class_from, per_class_from + per_class) of each class, class-major; uint8 and int64."""
    with np.load(common.mnist_path()) as z:
        x, y = z["x_test"], z["y_test"]
    idx = np.concatenate([np.flatnonzero(y == c)[per_class_from:per_class_from + per_class] for c in range(10)])
    return x[idx], y[idx].astype(np.int64)


def samples_npz(path: Path, x: np.ndarray, y: np.ndarray) -> None:
    """The samples.npz layout of `generate`: arr_0 uint8 [N,H,W,C], labels int64 [N] (deflated, to stay small)."""
    np.savez_compressed(path, arr_0=x[..., None].astype(np.uint8), labels=y.astype(np.int64))


def tiny_eval(out: Path, steps: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    args = argparse.Namespace(subset=None, batch_size=64, lr=3e-3, seed=40, threads=1, steps=steps, epochs=None,
                              log_every=100)
    common.setup(args)
    model = TinyEvalNet()
    t_train, steps, n = common.train_supervised("tiny-eval", model, args, lambda o: o[0], aug_strength=1.0)
    acc = common.test_accuracy(model, lambda o: o[0])
    print(f"[tiny-eval] test accuracy {acc:.4f}")
    gx = common.golden_images()
    common.export_onnx(model, (gx,), ["x"], ["logits", "features"], out / "model.onnx")
    common.write_manifest(out / "manifest.json", {
        "name": "tiny-eval",
        "role": "evaluator",
        "file": "model.onnx",
        "inputs": [common.tensor_spec("x", [-1, 1, 28, 28], "float32")],
        "outputs": [
            common.tensor_spec("logits", [-1, 10], "float32", meaning="class logits (pre-softmax)"),
            common.tensor_spec("features", [-1, FEATURES], "float32", meaning="penultimate layer, post-ReLU"),
        ],
        "classes": 10,
        "sample": common.SAMPLE,
        "flopsPerSample": common.count_flops(model, (gx,)),
        "parameters": common.count_params(model),
        "testAccuracy": round(acc, 4),
        "provenance": common.provenance(args, t_train, common.data_desc("train", n, None), steps=steps,
                                        batchSize=args.batch_size, lr=args.lr,
                                        note="test fixture of the Java Evaluator, not a real evaluation network"),
    })
    xr, yr = digits(0, PER_CLASS)
    xh, yh = digits(PER_CLASS, PER_CLASS)
    samples_npz(out / "reference-digits.npz", xr, yr)
    samples_npz(out / "heldout-digits.npz", xh, yh)
    xt = torch.from_numpy(xr.astype(np.float32) / 127.5 - 1.0).unsqueeze(1)
    reference_features.write_reference(out / "reference.npz", reference_features.features_of(model, xt), yr)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=400, help="training steps of the tiny evaluation net")
    args = p.parse_args()
    npz_fixtures(RESOURCES / "npz")
    tiny_eval(RESOURCES / "tiny-eval", args.steps)
    for f in sorted((RESOURCES / "npz").iterdir()) + sorted((RESOURCES / "tiny-eval").iterdir()):
        print(f"  {f.relative_to(common.REPO)}  {f.stat().st_size} bytes")


if __name__ == "__main__":
    main()
