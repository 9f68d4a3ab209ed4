#!/usr/bin/env python3
"""shapes-flow: text-conditioned rectified-flow model on the shapes-ae latents (FLUX-like: velocity prediction,
timestep shift, Euler, classifier-free guidance against the null caption), with its text encoder (issue 12).

Production (see docs/t2i-models.md):
    python3 scripts/train/shapes_flow.py --threads 2 --data /work/data/shapes/train.npz \
        --ae tensorrt-plans/models/shapes-ae --out tensorrt-plans/models/shapes-flow
"""
import shapes

DEFAULTS = dict(steps=3000, batch_size=128, lr=1e-3, seed=0, shift=2.0, guidance=1.5)

if __name__ == "__main__":
    shapes.train("shapes-flow", "velocity", DEFAULTS)
