#!/usr/bin/env python3
"""shapes-eps: the same data as an epsilon-prediction VP model (DDPM linear betas, DDIM, classifier-free guidance
against the null caption; PixArt/SDXL-like), with its text encoder (issue 12).

Production (see docs/t2i-models.md):
    python3 scripts/train/shapes_eps.py --threads 2 --data /work/data/shapes/train.npz \
        --ae tensorrt-plans/models/shapes-ae --out tensorrt-plans/models/shapes-eps
"""
import shapes

DEFAULTS = dict(steps=3000, batch_size=128, lr=1e-3, seed=0, guidance=3.0)

if __name__ == "__main__":
    shapes.train("shapes-eps", "epsilon", DEFAULTS)
