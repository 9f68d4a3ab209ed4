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
    elif kind in ("shapes-ae", "shapes-t2l"):
        return load_part(folder, "model")
    elif kind.startswith("shapes-verifier-"):
        import shapes_verifiers
        model = shapes_verifiers.build(kind[len("shapes-verifier-"):], cfg.get("vocab", 0), fine=cfg.get("fine", 0))
    else:
        raise ValueError(f"{folder}/model.pt: unknown model kind {kind!r}")
    model.load_state_dict(ck["state_dict"])
    return model.eval()


def load_part(folder: str | Path, part: str) -> torch.nn.Module:
    """One exported graph of a shapes folder: "model" (model.onnx: the decoder or the denoiser), "encoder"
    (shapes-ae's encoder.onnx) or "textEncoder" (a denoiser's text-encoder.onnx)."""
    import shapes
    try:
        ae = shapes.load_autoencoder(folder)
        parts = {"model": ae.decoder, "encoder": ae.encoder}
    except SystemExit:
        t2l, _ = shapes.load_text_to_latent(folder)
        parts = {"model": t2l.den, "textEncoder": t2l.text}
    if part not in parts:
        raise ValueError(f"{folder}: no part {part!r} (one of {sorted(parts)})")
    return parts[part].eval()
