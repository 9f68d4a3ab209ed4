#!/usr/bin/env python3
"""mnist-eval: the evaluation network (the Inception analogue) for FID / IS / precision / recall.

x [B,1,28,28] in [-1,1] -> logits [B,10] and features [B,128]. The features are the penultimate layer: the
global-average-pooled output of the last conv block (after BatchNorm + ReLU, so non-negative, like Inception's
pool3), not normalised; logits = Linear(128 -> 10)(dropout(features)).
A different architecture (BatchNorm, strided convs, global pooling) and seed from mnist-classifier; trained with
stronger augmentation. Never a default verifier (the oracle verifiers may use it).

Production (see tensorrt-plans/README.md):
    python3 scripts/train/mnist_eval.py --threads 2 --out tensorrt-plans/models/mnist-eval
"""
from pathlib import Path

import torch
import torch.nn as nn

import common

NAME = "mnist-eval"
FEATURES = 128


def block(cin, cout, k=3, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU())


class EvalNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            block(1, 32, 5),                  # 28x28
            block(32, 64, 3, 2),              # 14x14
            block(64, 64),
            block(64, 128, 3, 2),             # 7x7
            block(128, FEATURES),
        )
        self.drop = nn.Dropout(0.2)
        self.fc = nn.Linear(FEATURES, 10)

    def forward(self, x):
        f = self.body(x).mean(dim=(2, 3))
        return self.fc(self.drop(f)), f


def main():
    p = common.base_parser("Train mnist-eval (evaluation network)", steps=500, batch_size=128, lr=3e-3,
                           seed=30)  # 500 x 128 = 8 epochs
    args = p.parse_args()
    common.setup(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model = EvalNet()
    t_train, steps, n = common.train_supervised(NAME, model, args, lambda o: o[0], aug_strength=1.5)
    acc = common.test_accuracy(model, lambda o: o[0])
    print(f"[{NAME}] test accuracy {acc:.4f}")
    flops = common.export_image_model(model, out, ["logits", "features"], "eval")
    common.write_manifest(out / "manifest.json", {
        "name": NAME,
        "role": "evaluator",
        "file": "model.onnx",
        "inputs": [common.tensor_spec("x", [-1, 1, 28, 28], "float32")],
        "outputs": [
            common.tensor_spec("logits", [-1, 10], "float32", meaning="class logits (pre-softmax)"),
            common.tensor_spec("features", [-1, FEATURES], "float32",
                               meaning="penultimate layer (global-average-pooled, post-ReLU), not normalised"),
        ],
        "classes": 10,
        "sample": common.SAMPLE,
        "flopsPerSample": flops,
        "parameters": common.count_params(model),
        "testAccuracy": round(acc, 4),
        "provenance": common.provenance(args, t_train, common.data_desc("train", n, args.subset), steps=steps,
                                        batchSize=args.batch_size, lr=args.lr),
    })
    common.finish(out, NAME, t_train)


if __name__ == "__main__":
    main()
