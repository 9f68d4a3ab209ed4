#!/usr/bin/env python3
"""mnist-ssl: self-supervised feature encoder (the CLIP/DINO feature-similarity analogue), trained WITHOUT labels.

x [B,1,28,28] in [-1,1] -> features [B,128], L2-NORMALISED (unit length; cosine similarity = dot product).
SimCLR: two augmented views per image (random affine: rotation/scale/shift/shear; random blur; random pixel
noise; random erasing), NT-Xent loss (temperature 0.2) on a 2-layer projection head; the exported features are
the encoder output before the projection head. Labels are used only to report a k-NN test accuracy after
training (a diagnostic, not part of training).

Production (see tensorrt-plans/README.md):
    python3 scripts/train/mnist_ssl.py --threads 2 --out tensorrt-plans/models/mnist-ssl
"""
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

import common

NAME = "mnist-ssl"
FEATURES = 128


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.GroupNorm(8, 32), nn.SiLU(),
            nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.GroupNorm(8, 64), nn.SiLU(),     # 14x14
            nn.Conv2d(64, 64, 3, padding=1), nn.GroupNorm(8, 64), nn.SiLU(),
            nn.Conv2d(64, 128, 3, stride=2, padding=1), nn.GroupNorm(8, 128), nn.SiLU(),   # 7x7
        )
        self.fc = nn.Linear(128 * 7 * 7, FEATURES)

    def forward(self, x):
        return self.fc(self.body(x).flatten(1))


class Exported(nn.Module):
    """What the ONNX file computes: L2-normalised encoder features."""

    def __init__(self, enc: Encoder):
        super().__init__()
        self.enc = enc

    def forward(self, x):
        f = self.enc(x)
        return f / f.norm(dim=1, keepdim=True).clamp_min(1e-6)


def augment(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    b = x.shape[0]
    x = common.random_affine(x, g, rot_deg=15.0, scale=(0.85, 1.15), shift_px=3.0, shear=0.2)
    # random blur (what a mid-trajectory x-prediction looks like), half of the views
    blur = (torch.rand(b, 1, 1, 1, generator=g) < 0.5).float()
    xb = F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)
    x = blur * xb + (1 - blur) * x
    # random erasing: one 8x8 patch set to background, a quarter of the views
    er = torch.rand(b, generator=g) < 0.25
    if er.any():
        cy = torch.randint(0, 21, (b,), generator=g)
        cx = torch.randint(0, 21, (b,), generator=g)
        ys = torch.arange(28)[None, :, None]
        xs = torch.arange(28)[None, None, :]
        m = ((ys >= cy[:, None, None]) & (ys < cy[:, None, None] + 8) & (xs >= cx[:, None, None])
             & (xs < cx[:, None, None] + 8) & er[:, None, None])
        x = torch.where(m[:, None], torch.full_like(x, -1.0), x)
    sigma = 0.3 * torch.rand(b, 1, 1, 1, generator=g)
    return (x + sigma * torch.randn(x.shape, generator=g)).clamp(-1, 1)


def nt_xent(z1: torch.Tensor, z2: torch.Tensor, tau: float) -> torch.Tensor:
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    sim = z @ z.t() / tau
    sim.fill_diagonal_(float("-inf"))
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, target)


@torch.no_grad()
def knn_accuracy(model: nn.Module, k: int = 5) -> float:
    """Diagnostic only: k-NN (cosine) test accuracy with the train split as the memory bank."""
    xtr, ytr = common.load_mnist("train")
    xte, yte = common.load_mnist("test")
    ftr = torch.cat([model(xtr[i:i + 1000]) for i in range(0, len(xtr), 1000)])
    fte = torch.cat([model(xte[i:i + 1000]) for i in range(0, len(xte), 1000)])
    idx = (fte @ ftr.t()).topk(k, dim=1).indices
    votes = F.one_hot(ytr[idx], 10).sum(1)
    return (votes.argmax(1) == yte).float().mean().item()


def main():
    p = common.base_parser("Train mnist-ssl (self-supervised feature verifier)", steps=320, batch_size=256, lr=2e-3,
                           seed=20)
    p.add_argument("--temperature", type=float, default=0.2)
    args = p.parse_args()
    common.setup(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    x_train, _labels_unused = common.load_mnist("train", args.subset)  # labels are NOT used for training
    n = len(x_train)
    steps = common.total_steps(args, n)
    enc = Encoder()
    head = nn.Sequential(nn.Linear(FEATURES, 128), nn.ReLU(), nn.Linear(128, 64))
    params = list(enc.parameters()) + list(head.parameters())
    print(f"[{NAME}] {common.count_params(enc)} encoder parameters; {n} train images (labels unused), {steps} steps of "
          f"batch {args.batch_size}, {args.threads} threads")
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=1e-4)
    batches = common.Batches(n, args.batch_size, args.seed)
    g = torch.Generator().manual_seed(args.seed + 1)
    timer = common.Timer()
    loss_avg = None
    for step in range(steps):
        for pg in opt.param_groups:
            pg["lr"] = common.lr_at(step, steps, args.lr, final_frac=0.02)
        x = x_train[batches.next()]
        loss = nt_xent(head(enc(augment(x, g))), head(enc(augment(x, g))), args.temperature)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        loss_avg = loss.item() if loss_avg is None else 0.98 * loss_avg + 0.02 * loss.item()
        if (step + 1) % args.log_every == 0 or step == steps - 1:
            el = timer.seconds()
            print(f"[{NAME}] step {step + 1}/{steps} loss {loss_avg:.4f} "
                  f"({el:.0f} s, {1000 * el / (step + 1):.0f} ms/step)", flush=True)
    t_train = timer.seconds()

    model = Exported(enc).eval()
    knn = knn_accuracy(model)
    print(f"[{NAME}] diagnostic 5-NN test accuracy of the features {knn:.4f}")
    flops = common.export_image_model(model, out, ["features"], "ssl")
    common.write_manifest(out / "manifest.json", {
        "name": NAME,
        "role": "features",
        "file": "model.onnx",
        "inputs": [common.tensor_spec("x", [-1, 1, 28, 28], "float32")],
        "outputs": [common.tensor_spec("features", [-1, FEATURES], "float32", normalized=True,
                                       meaning="L2-normalised encoder features (cosine similarity = dot product)")],
        "sample": common.SAMPLE,
        "flopsPerSample": flops,
        "parameters": common.count_params(model),
        "knnTestAccuracy": round(knn, 4),
        "provenance": common.provenance(args, t_train, common.data_desc("train", n, args.subset) + "; labels unused",
                                        steps=steps, batchSize=args.batch_size, lr=args.lr,
                                        temperature=args.temperature, method="SimCLR (NT-Xent)"),
    })
    common.finish(out, NAME, t_train)


if __name__ == "__main__":
    main()
