"""Class-conditional rectified-flow U-Net for MNIST (shared by mnist_flow_s.py and mnist_flow_l.py).

Rectified flow: x_t = (1 - t) x0 + t eps, t in [0, 1] (t = 0 data, t = 1 noise); the network predicts the
velocity v = eps - x0, so an ODE step from t to t' < t is x_{t'} = x_t + (t' - t) v.
Inputs: x [B,1,28,28] float32 in [-1,1] (pixels), t [B] float32, label [B] int64 (0..9; 10 = null class).
Output: v [B,1,28,28]. Training drops the label to the null class with probability 0.1 (classifier-free
guidance: v = v_null + w (v_label - v_null); guidance w = 1 is the conditional model alone).
"""
from __future__ import annotations

import math
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

import common

NULL_CLASS = 10
NUM_CLASSES = 10


def groups_for(ch: int) -> int:
    for g in (8, 4, 2, 1):
        if ch % g == 0:
            return g
    return 1


class TimeEmbedding(nn.Module):
    """Sinusoidal embedding of 1000 t, then a 2-layer MLP."""

    def __init__(self, dim: int, emb: int):
        super().__init__()
        self.dim = dim
        half = dim // 2
        freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
        self.register_buffer("freqs", freqs, persistent=False)
        self.mlp = nn.Sequential(nn.Linear(dim, emb), nn.SiLU(), nn.Linear(emb, emb))

    def forward(self, t: torch.Tensor) -> torch.Tensor:
        a = (t * 1000.0).unsqueeze(1) * self.freqs.unsqueeze(0)
        return self.mlp(torch.cat([torch.sin(a), torch.cos(a)], dim=1))


class ResBlock(nn.Module):
    def __init__(self, cin: int, cout: int, emb: int, dropout: float = 0.0):
        super().__init__()
        self.n1 = nn.GroupNorm(groups_for(cin), cin)
        self.c1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.e = nn.Linear(emb, cout)
        self.n2 = nn.GroupNorm(groups_for(cout), cout)
        self.drop = nn.Dropout(dropout)
        self.c2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
        h = self.c1(F.silu(self.n1(x)))
        h = h + self.e(e)[:, :, None, None]
        h = self.c2(self.drop(F.silu(self.n2(h))))
        return h + self.skip(x)


class UNet(nn.Module):
    """A small U-Net: levels at 28, 14, 7 pixels; `blocks` ResBlocks per level, one skip per level."""

    def __init__(self, ch: int = 32, mult: tuple = (1, 2, 2), blocks: int = 1, mid_blocks: int = 1,
                 emb_mult: int = 4, dropout: float = 0.0):
        super().__init__()
        self.config = dict(ch=ch, mult=list(mult), blocks=blocks, mid_blocks=mid_blocks, emb_mult=emb_mult,
                           dropout=dropout)
        emb = ch * emb_mult
        self.temb = TimeEmbedding(ch, emb)
        self.lemb = nn.Embedding(NUM_CLASSES + 1, emb)
        self.cin = nn.Conv2d(1, ch, 3, padding=1)
        chs = [ch * m for m in mult]
        self.down = nn.ModuleList()
        self.downsample = nn.ModuleList()
        prev = ch
        for i, c in enumerate(chs):
            self.down.append(nn.ModuleList([ResBlock(prev if j == 0 else c, c, emb, dropout) for j in range(blocks)]))
            prev = c
            self.downsample.append(nn.Conv2d(c, c, 3, stride=2, padding=1) if i < len(chs) - 1 else nn.Identity())
        self.mid = nn.ModuleList([ResBlock(prev, prev, emb, dropout) for _ in range(mid_blocks)])
        self.up = nn.ModuleList()
        self.upsample = nn.ModuleList()
        for i in reversed(range(len(chs))):
            c = chs[i]
            self.up.append(nn.ModuleList([ResBlock(prev + c if j == 0 else c, c, emb, dropout) for j in range(blocks)]))
            prev = c
            self.upsample.append(nn.Conv2d(c, chs[i - 1], 3, padding=1) if i > 0 else nn.Identity())
            if i > 0:
                prev = chs[i - 1]
        self.nout = nn.GroupNorm(groups_for(prev), prev)
        self.cout = nn.Conv2d(prev, 1, 3, padding=1)
        nn.init.zeros_(self.cout.weight)
        nn.init.zeros_(self.cout.bias)

    def forward(self, x: torch.Tensor, t: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        e = self.temb(t) + self.lemb(label)
        e = F.silu(e)
        h = self.cin(x)
        skips = []
        for blocks, ds in zip(self.down, self.downsample):
            for b in blocks:
                h = b(h, e)
            skips.append(h)
            h = ds(h)
        for b in self.mid:
            h = b(h, e)
        n = len(self.up)
        for k, (blocks, us) in enumerate(zip(self.up, self.upsample)):
            h = torch.cat([h, skips[n - 1 - k]], dim=1)
            for b in blocks:
                h = b(h, e)
            if k < n - 1:
                h = us(F.interpolate(h, scale_factor=2.0, mode="nearest"))
        return self.cout(F.silu(self.nout(h)))


def build(config: dict) -> UNet:
    return UNet(**{k: (tuple(v) if k == "mult" else v) for k, v in config.items()})


@torch.no_grad()
def euler_sample(model: nn.Module, labels: torch.Tensor, steps: int = 25, guidance: float = 1.0,
                 g: torch.Generator | None = None, shift: float = 1.0) -> torch.Tensor:
    """Euler from t = 1 (noise) to t = 0 on a uniform grid (shift 1.0); returns x in [-1,1] (clamped)."""
    model.eval()
    b = labels.shape[0]
    x = torch.randn(b, 1, 28, 28, generator=g)
    ts = torch.linspace(1.0, 0.0, steps + 1)
    if shift != 1.0:
        ts = shift * ts / (1 + (shift - 1) * ts)
    null = torch.full_like(labels, NULL_CLASS)
    for i in range(steps):
        t, tn = float(ts[i]), float(ts[i + 1])
        tt = torch.full((b,), t)
        v = model(x, tt, labels)
        if guidance != 1.0:
            vu = model(x, tt, null)
            v = vu + guidance * (v - vu)
        x = x + (tn - t) * v
    return x.clamp(-1, 1)


def train(name: str, config: dict, defaults: dict) -> None:
    p = common.base_parser(f"Train {name}: class-conditional rectified-flow U-Net on MNIST",
                           steps=defaults["steps"], batch_size=defaults["batch_size"], lr=defaults["lr"],
                           seed=defaults["seed"])
    p.add_argument("--label-dropout", type=float, default=0.1)
    p.add_argument("--ema", type=float, default=0.999)
    args = p.parse_args()
    common.setup(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    x_train, y_train = common.load_mnist("train", args.subset)
    n = len(x_train)
    steps = common.total_steps(args, n)
    model = build(config)
    ema = common.EMA(model, args.ema)
    params = common.count_params(model)
    flops = common.count_flops(model, (torch.zeros(2, 1, 28, 28), torch.full((2,), 0.5), torch.zeros(2, dtype=torch.long)))
    print(f"[{name}] {params} parameters, {flops / 1e6:.1f} MFLOPs per sample per NFE; {n} train images, "
          f"{steps} steps of batch {args.batch_size}, {args.threads} threads")
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    batches = common.Batches(n, args.batch_size, args.seed)
    g = torch.Generator().manual_seed(args.seed + 1)
    timer = common.Timer()
    model.train()
    loss_avg = None
    for step in range(steps):
        for pg in opt.param_groups:
            pg["lr"] = common.lr_at(step, steps, args.lr)
        idx = batches.next()
        x0, y = x_train[idx], y_train[idx].clone()
        b = x0.shape[0]
        drop = torch.rand(b, generator=g) < args.label_dropout
        y[drop] = NULL_CLASS
        t = torch.rand(b, generator=g)
        eps = torch.randn(x0.shape, generator=g)
        tt = t[:, None, None, None]
        xt = (1 - tt) * x0 + tt * eps
        v = model(xt, t, y)
        loss = F.mse_loss(v, eps - x0)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        ema.update(model)
        loss_avg = loss.item() if loss_avg is None else 0.98 * loss_avg + 0.02 * loss.item()
        if (step + 1) % args.log_every == 0 or step == steps - 1:
            el = timer.seconds()
            print(f"[{name}] step {step + 1}/{steps} loss {loss_avg:.4f} "
                  f"({el:.0f} s, {1000 * el / (step + 1):.0f} ms/step)", flush=True)
    t_train = timer.seconds()

    final = ema.model.eval()
    gi = torch.Generator().manual_seed(99)
    golden_inputs = {
        "x": torch.randn(4, 1, 28, 28, generator=gi),
        "t": torch.tensor([1.0, 0.7, 0.33, 0.02], dtype=torch.float32),
        "label": torch.tensor([0, 3, 10, 7], dtype=torch.int64),
    }
    export_inputs = tuple(golden_inputs.values())
    common.export_onnx(final, export_inputs, ["x", "t", "label"], ["v"], out / "model.onnx")
    common.write_golden(final, golden_inputs, ["v"], out / "golden.json",
                        "x ~ N(0,1) (seed 99), a spread of t, labels incl. the null class 10")
    common.save_checkpoint(out / "model.pt", final, {"kind": "flow", **config})
    manifest = {
        "name": name,
        "role": "denoiser",
        "file": "model.onnx",
        "inputs": [
            common.tensor_spec("x", [-1, 1, 28, 28], "float32"),
            common.tensor_spec("t", [-1], "float32"),
            common.tensor_spec("label", [-1], "int64"),
        ],
        "outputs": [common.tensor_spec("v", [-1, 1, 28, 28], "float32")],
        "prediction": "velocity",
        "schedule": {"type": "rectified-flow", "shift": 1.0},
        "condition": {"kind": "class-label", "classes": NUM_CLASSES, "nullClass": NULL_CLASS},
        "sample": common.SAMPLE,
        "flopsPerSample": flops,
        "parameters": params,
        "defaultSolver": {"kind": "euler", "steps": 25},
        "defaultGuidance": 1.0,
        # The models the engine's verifiers and metrics use with this denoiser, by folder name beside it.
        "verifiers": {"classifier": "mnist-classifier", "ssl": "mnist-ssl", "evaluator": "mnist-eval"},
        "provenance": common.provenance(
            args, t_train, common.data_desc("train", n, args.subset), steps=steps, batchSize=args.batch_size,
            lr=args.lr, labelDropout=args.label_dropout, ema=args.ema, architecture={"kind": "unet", **config}),
    }
    common.write_manifest(out / "manifest.json", manifest)
    common.finish(out, name, t_train)
