#!/usr/bin/env python3
"""Tiny random-weight text-to-image model folders for the Java tests (issue 12), with the tensors of the shapes
models' contract (docs/t2i-models.md) but a few thousand parameters, so that CI needs no trained shapes models.
Deterministic (fixed seed, 1 thread); rerun only to change the fixtures:

    /usr/bin/python3 scripts/train/make_shapes_fixtures.py

Writes under engine-java/src/test/resources/shapes-models/:
  tiny-shapes-ae/    role decoder: model.onnx latent [B,4,8,8] -> image [B,3,32,32] in [-1,1] (tanh)
  tiny-shapes-flow/  role denoiser, condition text: model.onnx x [B,4,8,8], t [B], text [B,12,16], textMask [B,12]
                     -> v [B,4,8,8]; text-encoder.onnx tokens [B,12] int64 -> text [B,12,16], textMask [B,12];
                     rectified flow, Euler 4 steps, guidance 2, decoder tiny-shapes-ae
  tiny-shapes-eps/   the same graphs as an epsilon model on the VP schedule (DDIM 4 steps), with the text encoder's
                     SHA-256 in its manifest
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import torch
import torch.nn as nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

OUT = common.REPO / "engine-java" / "src" / "test" / "resources" / "shapes-models"
VOCAB = json.loads((common.REPO / "tensorrt-plans" / "shapes-vocabulary.json").read_text())
L = VOCAB["maxTokens"]
D = 16


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 3, 3, padding=1)

    def forward(self, z):
        return torch.tanh(self.conv(nn.functional.interpolate(z, scale_factor=4.0, mode="nearest")))


class TextEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(len(VOCAB["vocabulary"]), D)
        self.position = nn.Parameter(torch.randn(L, D) * 0.1)

    def forward(self, tokens):
        mask = (tokens != 0).float()
        return (self.embed(tokens) + self.position) * mask.unsqueeze(-1), mask


class Denoiser(nn.Module):
    """A conv on the latent, shifted per channel by the masked mean of the words and scaled by the time."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)
        self.text = nn.Linear(D, 4)
        self.time = nn.Linear(1, 4)
        self.null = nn.Parameter(torch.randn(4) * 0.5)

    def forward(self, x, t, text, text_mask):
        words = text_mask.sum(1, keepdim=True)
        mean = (text * text_mask.unsqueeze(-1)).sum(1) / words.clamp(min=1.0)
        cond = self.text(mean) + self.null * (words == 0).float()
        return self.conv(x) * self.time(t.unsqueeze(-1)).unsqueeze(-1).unsqueeze(-1) \
            + cond.unsqueeze(-1).unsqueeze(-1)


def spec(name, shape, dtype="float32"):
    return common.tensor_spec(name, shape, dtype)


def write(folder: Path, manifest: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def main() -> None:
    torch.manual_seed(0)
    torch.set_num_threads(1)
    provenance = {"script": "scripts/train/make_shapes_fixtures.py", "seed": 0, "note": "random weights, tests only"}
    image = {"channels": 3, "height": 32, "width": 32, "range": [-1, 1]}
    latent = {"channels": 4, "height": 8, "width": 8}

    ae = OUT / "tiny-shapes-ae"
    ae.mkdir(parents=True, exist_ok=True)
    common.export_onnx(Decoder(), (torch.randn(2, 4, 8, 8),), ["latent"], ["image"], ae / "model.onnx")
    write(ae, {"name": "tiny-shapes-ae", "role": "decoder", "file": "model.onnx",
               "inputs": [spec("latent", [-1, 4, 8, 8])], "outputs": [spec("image", [-1, 3, 32, 32])],
               "sample": image, "latent": latent, "flopsPerSample": 2 * 32 * 32 * 3 * 4 * 9, "provenance": provenance})

    text_encoder, denoiser = TextEncoder(), Denoiser()
    tokens = torch.zeros(2, L, dtype=torch.int64)
    tokens[0, :3] = torch.tensor([1, 4, 8])
    text, mask = text_encoder(tokens)
    for name, prediction, schedule, solver in (
            ("tiny-shapes-flow", "velocity", {"type": "rectified-flow", "shift": 3.0}, "euler"),
            ("tiny-shapes-eps", "epsilon", {"type": "vp", "betas": "linear"}, "ddim")):
        folder = OUT / name
        folder.mkdir(parents=True, exist_ok=True)
        common.export_onnx(text_encoder, (tokens,), ["tokens"], ["text", "textMask"], folder / "text-encoder.onnx")
        # the eps folder records the text encoder's hash (checked when given), the flow folder none
        sha256 = ({"sha256": hashlib.sha256((folder / "text-encoder.onnx").read_bytes()).hexdigest()}
                  if prediction == "epsilon" else {})
        out = "v" if prediction == "velocity" else "eps"
        common.export_onnx(denoiser, (torch.randn(2, 4, 8, 8), torch.tensor([0.5, 0.25]), text, mask),
                           ["x", "t", "text", "textMask"], [out], folder / "model.onnx")
        write(folder, {
            "name": name, "role": "denoiser", "file": "model.onnx",
            "inputs": [spec("x", [-1, 4, 8, 8]), spec("t", [-1]), spec("text", [-1, L, D]),
                       spec("textMask", [-1, L])],
            "outputs": [spec(out, [-1, 4, 8, 8])],
            "prediction": prediction, "schedule": schedule,
            "condition": {"kind": "text", "nullCaption": "all pads"},
            "tokenizer": VOCAB,
            "textEncoder": {"file": "text-encoder.onnx", "inputs": [spec("tokens", [-1, L], "int64")],
                            "outputs": [spec("text", [-1, L, D]), spec("textMask", [-1, L])],
                            "flopsPerSample": 2 * L * D, **sha256},
            "sample": {**latent, "range": [-3, 3]}, "decoder": "tiny-shapes-ae", "image": image,
            "flopsPerSample": 2 * 64 * 4 * 4 * 9 + 2 * D * 4,
            "defaultSolver": {"kind": solver, "steps": 4}, "defaultGuidance": 2.0, "provenance": provenance})
    print("wrote", OUT)


if __name__ == "__main__":
    main()
