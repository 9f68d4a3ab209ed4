#!/usr/bin/env python3
"""mnist-flow-s: the small class-conditional rectified-flow U-Net (the SiT-B analogue), ~0.5 M parameters.

Production (see tensorrt-plans/README.md):
    python3 scripts/train/mnist_flow_s.py --threads 2 --out tensorrt-plans/models/mnist-flow-s
"""
import flow

CONFIG = dict(ch=28, mult=[1, 2, 2], blocks=1, mid_blocks=1, emb_mult=4, dropout=0.0)
DEFAULTS = dict(steps=3000, batch_size=128, lr=2e-3, seed=0)  # 3000 x 128 = 48 epochs of 7996

if __name__ == "__main__":
    flow.train("mnist-flow-s", CONFIG, DEFAULTS)
