#!/usr/bin/env python3
"""mnist-flow-l: the large class-conditional rectified-flow U-Net (the SiT-XL analogue).

~1.4 M parameters, ~4.7x the FLOPs per sample of mnist-flow-s (all compute at 64 channels, two ResBlocks per
level), ONNX ~5.5 MiB.

Production (see tensorrt-plans/README.md):
    python3 scripts/train/mnist_flow_l.py --threads 2 --out tensorrt-plans/models/mnist-flow-l
"""
import flow

CONFIG = dict(ch=64, mult=[1, 1, 1], blocks=2, mid_blocks=1, emb_mult=2, dropout=0.0)
DEFAULTS = dict(steps=2500, batch_size=64, lr=1e-3, seed=1)  # 2500 x 64 = 20 epochs of 7996

if __name__ == "__main__":
    flow.train("mnist-flow-l", CONFIG, DEFAULTS)
