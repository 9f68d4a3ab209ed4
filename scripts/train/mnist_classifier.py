#!/usr/bin/env python3
"""mnist-classifier: the supervised verifier (the DINO-linear-head analogue): x [B,1,28,28] in [-1,1] -> logits [B,10].

A small VGG-style CNN (no normalisation layers), trained with cross-entropy and mild affine/noise augmentation.

Production (see tensorrt-plans/README.md):
    python3 scripts/train/mnist_classifier.py --threads 2 --out tensorrt-plans/models/mnist-classifier
"""
from pathlib import Path

import torch
import torch.nn as nn

import common

NAME = "mnist-classifier"


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),      # 14x14
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
            nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),      # 7x7
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.3),
                                  nn.Linear(128, 10))

    def forward(self, x):
        return self.head(self.features(x))


def main():
    p = common.base_parser("Train mnist-classifier (supervised verifier)", steps=375, batch_size=128, lr=2e-3,
                           seed=10)  # 375 x 128 = 6 epochs
    args = p.parse_args()
    common.setup(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model = Classifier()
    t_train, steps, n = common.train_supervised(NAME, model, args, lambda o: o)
    acc = common.test_accuracy(model, lambda o: o)
    print(f"[{NAME}] test accuracy {acc:.4f}")
    flops = common.export_image_model(model, out, ["logits"], "classifier")
    common.write_manifest(out / "manifest.json", {
        "name": NAME,
        "role": "verifier",
        "file": "model.onnx",
        "inputs": [common.tensor_spec("x", [-1, 1, 28, 28], "float32")],
        "outputs": [common.tensor_spec("logits", [-1, 10], "float32", meaning="class logits (pre-softmax)")],
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
