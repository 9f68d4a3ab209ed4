#!/usr/bin/env python3
"""shapes-ae: the autoencoder of the shapes latent models (issue 12), 32x32x3 images <-> 8x8x4 latents.

A plain convolutional autoencoder trained on pixel MSE, with a little Gaussian noise on the latents (so the
decoder tolerates the small errors of sampled latents) and a small L2 pull on them. After training, the latents'
per-channel mean and standard deviation over the training images become the normalisation folded into both
exported graphs, so the latents the denoisers see are about zero mean and unit variance.

Writes model.onnx (the decoder: latent [B,4,8,8] -> image [B,3,32,32] in [-1,1]), encoder.onnx (image -> latent),
manifest.json, golden.json (decoder), golden-encoder.json, model.pt; and reports reconstructions on the eval
file: the share of images whose every pixel rounds to the right palette colour (--recon writes them as an npz
for `scripts/noisesearch shapes-check`).

Production (see docs/t2i-models.md):
    python3 scripts/train/shapes_ae.py --threads 2 --data /work/data/shapes/train.npz \
        --eval-data /work/data/shapes/eval.npz --out tensorrt-plans/models/shapes-ae
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

import common
import shapes

DEFAULTS = dict(steps=2000, batch_size=32, lr=2e-3, seed=0)
CONFIG = dict(ch=24, latent=4)
PALETTE = np.array([[0, 0, 0], [255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]], dtype=np.int32)


def palette_labels(images_u8: np.ndarray) -> np.ndarray:
    """[N,H,W,3] uint8 -> [N,H,W] index of the nearest of black, red, green, blue, yellow."""
    d = ((images_u8[..., None, :].astype(np.int32) - PALETTE) ** 2).sum(-1)
    return d.argmin(-1)


@torch.no_grad()
def reconstruct(ae: shapes.AutoEncoder, x: torch.Tensor, batch: int = 500) -> torch.Tensor:
    ae.eval()
    return torch.cat([ae.decoder(ae.encoder(x[i:i + batch])) for i in range(0, len(x), batch)])


def recon_report(x: torch.Tensor, r: torch.Tensor) -> dict:
    """Exact-palette share and wrong pixels between originals and reconstructions (both [-1,1] NCHW)."""
    a, b = palette_labels(shapes.to_uint8(x)), palette_labels(shapes.to_uint8(r))
    wrong = (a != b).reshape(len(a), -1).sum(1)
    return {"images": int(len(a)), "exactPalette": round(float((wrong == 0).mean()), 4),
            "atMost2WrongPixels": round(float((wrong <= 2).mean()), 4),
            "meanWrongPixels": round(float(wrong.mean()), 3),
            "mse": round(float(F.mse_loss(r, x)), 6)}


def main() -> None:
    p = common.base_parser("Train shapes-ae: the 32x32x3 <-> 8x8x4 autoencoder of the shapes latent models",
                           **DEFAULTS)
    p.add_argument("--data", required=True, help="training scenes (.npz from scripts/noisesearch shapes-data)")
    p.add_argument("--eval-data", default=None, help="held-out scenes for the reconstruction report")
    p.add_argument("--latent-noise", type=float, default=0.05, help="latent noise, in latent standard deviations")
    p.add_argument("--latent-l2", type=float, default=1e-4)
    p.add_argument("--ema", type=float, default=0.999)
    p.add_argument("--recon", default=None, help="write the eval reconstructions here (.npz: images, captions)")
    args = p.parse_args()
    common.setup(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    x_train, _ = shapes.load_npz(args.data)
    if args.subset is not None:
        x_train = x_train[:args.subset]
    n = len(x_train)
    steps = common.total_steps(args, n)
    ae = shapes.AutoEncoder(**CONFIG)
    ema = common.EMA(ae, args.ema)
    params = common.count_params(ae)
    print(f"[shapes-ae] {params} parameters; {n} train images, {steps} steps of batch {args.batch_size}, "
          f"{args.threads} threads")
    opt = torch.optim.AdamW(ae.parameters(), lr=args.lr, weight_decay=0.0)
    batches = common.Batches(n, args.batch_size, args.seed)
    g = torch.Generator().manual_seed(args.seed + 1)
    timer = common.Timer()
    ae.train()
    loss_avg = None
    for step in range(steps):
        for pg in opt.param_groups:
            pg["lr"] = common.lr_at(step, steps, args.lr, final_frac=0.02)
        x = x_train[batches.next()]
        z = ae.encoder.raw(x)
        zn = z + args.latent_noise * z.detach().std() * torch.randn(z.shape, generator=g)
        r = ae.decoder.raw(zn)
        loss = F.mse_loss(r, x) + args.latent_l2 * z.pow(2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(ae.parameters(), 1.0)
        opt.step()
        ema.update(ae)
        loss_avg = loss.item() if loss_avg is None else 0.98 * loss_avg + 0.02 * loss.item()
        if (step + 1) % args.log_every == 0 or step == steps - 1:
            el = timer.seconds()
            print(f"[shapes-ae] step {step + 1}/{steps} loss {loss_avg:.5f} "
                  f"({el:.0f} s, {1000 * el / (step + 1):.0f} ms/step)", flush=True)
    t_train = timer.seconds()

    final = ema.model.eval()
    with torch.no_grad():
        zs = torch.cat([final.encoder.raw(x_train[i:i + 500]) for i in range(0, min(n, 10000), 500)])
    shift = zs.mean(dim=(0, 2, 3))
    scale = 1.0 / zs.std(dim=(0, 2, 3)).clamp(min=1e-6)
    final.set_normalisation(shift, scale)

    report = {"train": recon_report(x_train[:2000], reconstruct(final, x_train[:2000]))}
    if args.eval_data:
        x_eval, captions = shapes.load_npz(args.eval_data)
        r = reconstruct(final, x_eval)
        report["eval"] = recon_report(x_eval, r)
        if args.recon:
            Path(args.recon).parent.mkdir(parents=True, exist_ok=True)
            np.savez(args.recon, images=shapes.to_uint8(r), captions=np.array(captions))
    print(f"[shapes-ae] reconstructions: {json.dumps(report)}")

    export(final, out, args, t_train, n, steps, report)
    common.finish(out, "shapes-ae", t_train)


def golden_latents(ae: shapes.AutoEncoder, images: torch.Tensor) -> torch.Tensor:
    """Golden decoder inputs: two encoded scenes, one perturbed, one N(0,1) draw."""
    gi = torch.Generator().manual_seed(99)
    with torch.no_grad():
        z = ae.encoder(images[:2])
    return torch.cat([z, z[:1] + 0.3 * torch.randn(1, 4, 8, 8, generator=gi), torch.randn(1, 4, 8, 8, generator=gi)])


def export(ae: shapes.AutoEncoder, out: Path, args, t_train: float, n: int, steps: int, report: dict) -> None:
    x_train, _ = shapes.load_npz(args.data)
    images = x_train[:4].contiguous()
    latents = golden_latents(ae, images)
    common.export_onnx(ae.decoder, (latents,), ["latent"], ["image"], out / "model.onnx")
    common.export_onnx(ae.encoder, (images,), ["image"], ["latent"], out / "encoder.onnx")
    common.write_golden(ae.decoder, {"latent": latents}, ["image"], out / "golden.json",
                        "latent: two encoded training scenes, one perturbed by 0.3 N(0,1), one N(0,1) draw")
    common.write_golden(ae.encoder, {"image": images}, ["latent"], out / "golden-encoder.json",
                        "image: the first four training scenes")
    common.save_checkpoint(out / "model.pt", ae, {"kind": "shapes-ae", **CONFIG})
    dec_flops = shapes.count_flops(ae.decoder, (torch.zeros(2, 4, 8, 8),))
    enc_flops = shapes.count_flops(ae.encoder, (torch.zeros(2, 3, 32, 32),))
    latent = [-1, 4, 8, 8]
    manifest = {
        "name": "shapes-ae",
        "role": "decoder",
        "file": "model.onnx",
        "sha256": shapes.file_sha256(out / "model.onnx"),
        "inputs": [common.tensor_spec("latent", latent, "float32")],
        "outputs": [common.tensor_spec("image", [-1, 3, 32, 32], "float32")],
        "sample": shapes.IMAGE,
        "latent": {**shapes.LATENT, "normalised": True,
                   "shift": [round(float(v), 6) for v in ae.encoder.shift],
                   "scale": [round(float(v), 6) for v in ae.encoder.scale],
                   "note": "latent = (raw - shift) * scale per channel, applied inside both graphs"},
        "flopsPerSample": dec_flops,
        "parameters": common.count_params(ae.decoder),
        "encoder": {
            "file": "encoder.onnx",
            "golden": "golden-encoder.json",
            "inputs": [common.tensor_spec("image", [-1, 3, 32, 32], "float32")],
            "outputs": [common.tensor_spec("latent", latent, "float32")],
            "flopsPerSample": enc_flops,
            "parameters": common.count_params(ae.encoder),
        },
        "reconstruction": report,
        "provenance": common.provenance(
            args, t_train, shapes.data_desc(args.data, n), steps=steps, batchSize=args.batch_size, lr=args.lr,
            latentNoise=args.latent_noise, latentL2=args.latent_l2, ema=args.ema,
            architecture={"kind": "conv-autoencoder", **CONFIG}),
    }
    common.write_manifest(out / "manifest.json", manifest)


if __name__ == "__main__":
    main()
