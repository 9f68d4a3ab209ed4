"""Rebuild a trained PyTorch model from its folder's model.pt (written next to model.onnx by every script)."""
from __future__ import annotations

from pathlib import Path

import torch


def load_model(folder: str | Path) -> torch.nn.Module:
    ck = torch.load(str(Path(folder) / "model.pt"), map_location="cpu")
    cfg = dict(ck["config"])
    kind = cfg.pop("kind")
    if kind == "flow":
        import flow
        model = flow.build(cfg)
    elif kind == "classifier":
        import mnist_classifier
        model = mnist_classifier.Classifier()
    elif kind == "eval":
        import mnist_eval
        model = mnist_eval.EvalNet()
    elif kind == "ssl":
        import mnist_ssl
        model = mnist_ssl.Exported(mnist_ssl.Encoder())
    else:
        raise ValueError(f"{folder}/model.pt: unknown model kind {kind!r}")
    model.load_state_dict(ck["state_dict"])
    return model.eval()
