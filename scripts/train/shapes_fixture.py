#!/usr/bin/env python3
"""A small shapes file for smoke runs and tests, without the Java build: single-object scenes ("a C S") drawn
with the data set's rasterisation (a pixel is the shape's when its centre lies inside or on the shape; circle
inscribed in the box; triangle with its base the box's bottom edge, apex the top edge's middle).

    python3 scripts/train/shapes_fixture.py --count 64 --seed 0 --out /tmp/shapes-smoke.npz
"""
from __future__ import annotations

import argparse

import numpy as np

COLOURS = {"red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255), "yellow": (255, 255, 0)}
SHAPES = ("circle", "square", "triangle")


def covers(shape: str, x: int, y: int, size: int, column: np.ndarray, row: np.ndarray) -> np.ndarray:
    """The shape's pixels, in doubled coordinates (exact integers) like the data set's generator."""
    dx, dy = 2 * (column - x) + 1, 2 * (row - y) + 1
    inside = (dx >= 0) & (dy >= 0) & (dx <= 2 * size) & (dy <= 2 * size)
    if shape == "circle":
        return inside & ((dx - size) ** 2 + (dy - size) ** 2 <= size * size)
    if shape == "triangle":
        return inside & (2 * np.abs(dx - size) <= dy)
    return inside


def single_scenes(count: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.RandomState(seed)
    row, column = np.mgrid[0:32, 0:32]
    images = np.zeros((count, 32, 32, 3), dtype=np.uint8)
    objects = np.full((count, 3, 5), -1, dtype=np.int64)
    captions = []
    for i in range(count):
        colour = list(COLOURS)[rng.randint(4)]
        shape = SHAPES[rng.randint(3)]
        size = rng.randint(8, 13)
        x, y = rng.randint(0, 33 - size), rng.randint(0, 33 - size)
        images[i][covers(shape, x, y, size, column, row)] = COLOURS[colour]
        objects[i, 0] = (list(COLOURS).index(colour), SHAPES.index(shape), x, y, size)
        captions.append(f"a {colour} {shape}")
    return images, np.array(captions), objects


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--count", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    images, captions, objects = single_scenes(a.count, a.seed)
    np.savez(a.out, images=images, captions=captions, objects=objects)


if __name__ == "__main__":
    main()
