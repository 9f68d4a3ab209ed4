#!/usr/bin/env python3
"""The text-to-image verifiers of the shapes set (issue 13), each trained and exported to its own folder:

  clip       dual encoder (image tower, text tower), contrastive with hard-negative captions; score = cosine
  aesthetic  prompt-agnostic quality predictor: clean renders ranked above degraded ones; never sees captions
  reward     cross-encoder (image tokens attend to the caption's words) trained on preference pairs
  grader     the reward's architecture with five aspect heads (object, colour, count, spatial, quality)

    python3 scripts/train/shapes_verifiers.py --kind clip --threads 1 --minutes 12 \
        --data /work/data/shapes/train.npz --eval-data /work/data/shapes/eval.npz --out tensorrt-plans/models/shapes-clip

Graphs (docs/t2i-verifiers.md): `image` [B,3,32,32] in [-1,1] (and `tokens` [B,12] int64 for the text ones) ->
`score` [B] (clip, aesthetic, reward) or `aspects` [B,5] in [0,1] (grader). Near-misses are the training scenes
re-rendered with one thing changed (a colour, a shape, the count, the relation, a whole object) using the data
set's rasterisation; degradations are blur, noise, colour shifts and smeared edges. Nothing red-and-blue relational
(the held-out family) is ever used in training: not as a caption, not as a negative caption, and no training image
(a near-miss render or a generator sample) shows a red and a blue object together.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import common
import shapes
from shapes_fixture import covers

COLOURS = ["red", "green", "blue", "yellow"]
RGB = np.array([(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)], dtype=np.uint8)
KINDS = ["circle", "square", "triangle"]
RELATIONS = ["left of", "right of", "above", "below"]
CONVERSE = {"left of": "right of", "right of": "left of", "above": "below", "below": "above"}
NUMBERS = {1: "a", 2: "two", 3: "three"}
NEGATIVE_KINDS = ["colour", "shape", "count", "relation", "object"]
ASPECTS = ["object", "colour", "count", "spatial", "quality"]
DEGRADATIONS = ["blur", "noise", "colour", "smear"]
# The grader's changed scenes: every near-miss kind, a degraded render and, rarely, the scene unchanged. Relation
# flips exist only for relational captions (the draw falls back to another kind), so they are drawn more often to
# give the spatial aspect about as many negatives as the others.
GRADER_CHANGES = NEGATIVE_KINDS + ["quality", "clean"]
GRADER_WEIGHTS = np.array([1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 0.25]) / 7.25
MARGIN = 4
GAP = 2
_ROW, _COL = np.mgrid[0:32, 0:32]


# ------------------------------------------------------------------------------------------ captions
class Parsed:
    """A caption as structure: things [(colour, kind)] in caption order, the count n, and the relation (or None)."""

    def __init__(self, things: list[tuple[int, int]], n: int, relation: str | None):
        self.things, self.n, self.relation = things, n, relation

    def text(self) -> str:
        if self.relation is not None:
            (c1, s1), (c2, s2) = self.things
            return f"a {COLOURS[c1]} {KINDS[s1]} {self.relation} a {COLOURS[c2]} {KINDS[s2]}"
        c, s = self.things[0]
        return f"a {COLOURS[c]} {KINDS[s]}" if self.n == 1 else f"{NUMBERS[self.n]} {COLOURS[c]} {KINDS[s]}s"

    def held_out(self) -> bool:
        return self.relation is not None and {self.things[0][0], self.things[1][0]} == {0, 2}

    def valid(self) -> bool:
        return self.relation is None or self.things[0] != self.things[1]


def parse(caption: str) -> Parsed:
    w = caption.split(" ")
    if len(w) == 3:
        if w[0] == "a":
            return Parsed([(COLOURS.index(w[1]), KINDS.index(w[2]))], 1, None)
        return Parsed([(COLOURS.index(w[1]), KINDS.index(w[2][:-1]))], {"two": 2, "three": 3}[w[0]], None)
    rel = " ".join(w[3:5]) if w[4] == "of" else w[3]
    rest = w[5:] if w[4] == "of" else w[4:]
    return Parsed([(COLOURS.index(w[1]), KINDS.index(w[2])), (COLOURS.index(rest[1]), KINDS.index(rest[2]))], 2, rel)


def negative(p: Parsed, kind: str, rng: np.random.RandomState) -> Parsed | None:
    """A hard-negative caption of `kind` for p (a caption the image does not satisfy), or None when there is none."""
    things = list(p.things)
    if kind == "colour":
        if p.relation is not None and things[0][0] != things[1][0] and rng.rand() < 0.5:
            things = [(things[1][0], things[0][1]), (things[0][0], things[1][1])]  # colours swapped between objects
        else:
            i = rng.randint(len(things))
            things[i] = ((things[i][0] + 1 + rng.randint(3)) % 4, things[i][1])
        return Parsed(things, p.n, p.relation)
    if kind == "shape":
        if p.relation is not None and things[0][1] != things[1][1] and rng.rand() < 0.5:
            things = [(things[0][0], things[1][1]), (things[1][0], things[0][1])]
        else:
            i = rng.randint(len(things))
            things[i] = (things[i][0], (things[i][1] + 1 + rng.randint(2)) % 3)
        return Parsed(things, p.n, p.relation)
    if kind == "count":
        if p.relation is not None:
            i = rng.randint(2)
            return Parsed([things[i]], 2 + rng.randint(2), None)
        return Parsed(things, [m for m in (1, 2, 3) if m != p.n][rng.randint(2)], None)
    if kind == "relation":
        if p.relation is None:
            return None
        return Parsed(things, 2, CONVERSE[p.relation])
    if kind == "object":
        i = rng.randint(len(things))
        options = [(c, s) for c in range(4) for s in range(3) if c != things[i][0] and s != things[i][1]]
        things[i] = options[rng.randint(len(options))]
        return Parsed(things, p.n, p.relation)
    raise ValueError(kind)


def training_negative(p: Parsed, kind: str, rng: np.random.RandomState) -> Parsed | None:
    """negative() drawn again until it is a valid caption outside the held-out family (None after 20 tries)."""
    for _ in range(20):
        q = negative(p, kind, rng)
        if q is None:
            return None
        if q.valid() and not q.held_out() and q.text() != p.text():
            return q
    return None


# ------------------------------------------------------------------------------------------ scenes
def render(objects: list[tuple[int, int, int, int, int]]) -> np.ndarray:
    """uint8 [32,32,3]: black background, each (colour, kind, x, y, size) drawn flat (the data set's rasterisation)."""
    img = np.zeros((32, 32, 3), dtype=np.uint8)
    for c, s, x, y, size in objects:
        img[covers(KINDS[s], x, y, size, _COL, _ROW)] = RGB[c]
    return img


def gap(a, b) -> int:
    return max(b[2] - (a[2] + a[4]), a[2] - (b[2] + b[4]), b[3] - (a[3] + a[4]), a[3] - (b[3] + b[4]))


def centre(o) -> tuple[float, float]:
    return o[2] + o[4] / 2.0, o[3] + o[4] / 2.0


def holds(relation: str, a, b) -> bool:
    (x1, y1), (x2, y2) = centre(a), centre(b)
    return {"left of": x2 - x1, "right of": x1 - x2, "above": y2 - y1, "below": y1 - y2}[relation] >= MARGIN


def labels(p: Parsed, objects: list) -> list[float]:
    """Aspect truths (object, colour, count, spatial) of a scene against a caption, from its objects (exact)."""
    spatial = p.relation is None or any(
        holds(p.relation, a, b) for a in objects for b in objects
        if a is not b and (a[0], a[1]) == p.things[0] and (b[0], b[1]) == p.things[1])
    return truths(p, [(o[0], o[1]) for o in objects], spatial)


def truths(p: Parsed, pairs: list[tuple[int, int]], spatial: bool) -> list[float]:
    """Aspect truths (object, colour, count, spatial) from the (colour, kind) pairs present and the relation's truth."""
    present = all(s in [k for _, k in pairs] for _, s in p.things)
    bound = all(t in pairs for t in p.things)
    if p.relation is None:
        count = len(pairs) == p.n and all(q == p.things[0] for q in pairs)
    else:
        count = len(pairs) == 2
    return [float(present), float(bound), float(count), float(spatial)]


def free_spot(objects: list, size: int, rng: np.random.RandomState):
    for _ in range(50):
        x, y = rng.randint(0, 33 - size), rng.randint(0, 33 - size)
        o = (0, 0, x, y, size)
        if all(gap(o, q) >= GAP for q in objects):
            return x, y
    return None


def near_miss(p: Parsed, objects: list, kind: str, rng: np.random.RandomState) -> list | None:
    """The scene with one thing changed (a list of objects), or None when that change is impossible here."""
    objs = [tuple(o) for o in objects]
    if kind == "colour":
        i = rng.randint(len(objs))
        c, s, x, y, z = objs[i]
        objs[i] = ((c + 1 + rng.randint(3)) % 4, s, x, y, z)
    elif kind == "shape":
        i = rng.randint(len(objs))
        c, s, x, y, z = objs[i]
        objs[i] = (c, (s + 1 + rng.randint(2)) % 3, x, y, z)
    elif kind == "count":
        if len(objs) > 1 and rng.rand() < 0.5:
            objs.pop(rng.randint(len(objs)))
        else:
            if len(objs) >= 3:
                objs.pop(rng.randint(len(objs)))
                return objs
            c, s, _, _, _ = objs[rng.randint(len(objs))]
            size = rng.randint(8, 13)
            spot = free_spot(objs, size, rng)
            if spot is None:
                return None
            objs.append((c, s, spot[0], spot[1], size))
    elif kind == "relation":
        if p.relation is None:
            return None
        a, b = objs
        (ax, ay), (bx, by) = centre(a), centre(b)
        na = (a[0], a[1], int(round(bx - a[4] / 2)), int(round(by - a[4] / 2)), a[4])
        nb = (b[0], b[1], int(round(ax - b[4] / 2)), int(round(ay - b[4] / 2)), b[4])
        if any(not (0 <= o[2] <= 32 - o[4] and 0 <= o[3] <= 32 - o[4]) for o in (na, nb)) or gap(na, nb) < GAP:
            return None
        objs = [na, nb]
    elif kind == "object":
        i = rng.randint(len(objs))
        c, s, x, y, z = objs[i]
        options = [(cc, ss) for cc in range(4) for ss in range(3) if cc != c and ss != s]
        cc, ss = options[rng.randint(len(options))]
        objs[i] = (cc, ss, x, y, z)
    else:
        raise ValueError(kind)
    return objs


def image_negative(p: Parsed, objs: list, rng: np.random.RandomState) -> list | None:
    """An image-side hard negative of clip's caption: for a count (or single) caption its scene with one object of
    the named kind added (up to four, which no training scene holds) or one removed, half each where both are
    possible; for a relation the two objects' places swapped. None when the change is impossible here."""
    if p.relation is not None:
        return near_miss(p, objs, "relation", rng)
    if len(objs) > 1 and (len(objs) >= 4 or rng.rand() < 0.5):
        out = list(objs)
        out.pop(rng.randint(len(out)))
        return out
    size = rng.randint(8, 13)
    spot = free_spot(objs, size, rng)
    if spot is None:
        return None
    c, s = p.things[0]
    return list(objs) + [(c, s, spot[0], spot[1], size)]


# The checker calls a symmetric blob a square when it fills at least this share of its bounding box, else a circle
# (ShapeChecker.SQUARE_FILL); a disc fills about pi/4.
SQUARE_FILL = 0.9
# --graded-squares: the least difference of squareness (lowest named fill) that makes a preference, about two pixels
# of an 8-pixel square's box
GRADE_MARGIN = 0.03


def cut_square(size: int, rng: np.random.RandomState) -> np.ndarray | None:
    """A size x size mask: a square with its four corners cut by triangles of random legs until it fills 80% to just
    under SQUARE_FILL of its box. It keeps the full box and a centred mass, so the checker reads a circle, while it
    looks most like a square: the generator's soft squares that its count captions lose. None if no draw fits."""
    i, j = np.mgrid[0:size, 0:size]
    r = size - 1
    for _ in range(50):
        k = rng.randint(1, size // 2, size=4)
        mask = ~((i + j < k[0]) | (i + r - j < k[1]) | (r - i + j < k[2]) | (2 * r - i - j < k[3]))
        if 0.8 <= mask.mean() < SQUARE_FILL:
            return mask
    return None


def square_negative(p: Parsed, objs: list, rng: np.random.RandomState) -> tuple[np.ndarray, list] | None:
    """A negative for a caption naming a square: its scene rendered with one of the named squares drawn as
    cut_square, and the objects as the checker reads that image (the cut one a circle); None when the caption names
    no square or the scene holds none of the named kind."""
    named = [i for i, o in enumerate(objs) if (o[0], o[1]) in p.things and KINDS[o[1]] == "square"]
    if not named:
        return None
    i = named[rng.randint(len(named))]
    c, _, x, y, size = objs[i]
    mask = cut_square(size, rng)
    if mask is None:
        return None
    img = render(objs)
    img[y:y + size, x:x + size] = 0
    img[y:y + size, x:x + size][mask] = RGB[c]
    read = [tuple(o) for o in objs]
    read[i] = (c, KINDS.index("circle"), x, y, size)
    return img, read


def ragged_square(img: np.ndarray, o, low: float, high: float, rng: np.random.RandomState) -> bool:
    """Draws square o (colour, kind, x, y, size) into img with ragged edges: runs of its edge pixels notched out and
    runs of pixels bulging one row or column past it, as the generator's glitched squares have, until it fills
    [low, high) of its bounding box (the checker's square fill is 0.9: below it the checker reads a circle). The
    edits stay inside the square's 1 px margin, so they neither reach another object nor merge with one. False,
    img untouched, when no draw fits."""
    c, _, x, y, size = o
    for _ in range(30):
        canvas = np.zeros((size + 2, size + 2), dtype=bool)
        canvas[1:-1, 1:-1] = True
        for _ in range(1 + rng.randint(6)):
            # a run along one side (top, bottom, left, right): notched out of its edge or bulging past it
            side, bulge, run = rng.randint(4), rng.rand() < 0.5, 1 + rng.randint(max(1, size // 2))
            start = 1 + rng.randint(size - run + 1)
            line = canvas if side < 2 else canvas.T
            edge = [1, size][side % 2]
            line[edge + [-1, 1][side % 2] * bulge, start:start + run] = bulge
        rows, cols = np.nonzero(canvas)
        top, left = y - 1, x - 1
        outside = (rows + top < 0) | (rows + top >= 32) | (cols + left < 0) | (cols + left >= 32)
        canvas[rows[outside], cols[outside]] = False
        rows, cols = rows[~outside], cols[~outside]
        h, w = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
        fill = len(rows) / (h * w)
        centroid = (rows.mean() - rows.min() + 0.5) / h
        if low <= fill < high and centroid < 0.57 and blobs(canvas) == 1:
            img[y:y + size, x:x + size] = 0
            img[rows + top, cols + left] = RGB[c]
            return True
    return False


def ragged_image(p: Parsed, objs: list, low: float, high: float, every: bool,
                 rng: np.random.RandomState) -> np.ndarray | None:
    """The scene with one named square (every=False) or each (every=True) drawn by ragged_square with a fill in
    [low, high); None when the caption names no square, the scene holds none or a draw fails."""
    named = [i for i, o in enumerate(objs) if (o[0], o[1]) in p.things and KINDS[o[1]] == "square"]
    if not named:
        return None
    img = render(objs)
    for i in (named if every else [named[rng.randint(len(named))]]):
        if not ragged_square(img, objs[i], low, high, rng):
            return None
    return img


def ragged_below_image(p: Parsed, objs: list, rng: np.random.RandomState) -> np.ndarray | None:
    """--ragged-squares' negative: the scene with one named square ragged to 75% up to the square fill (a circle to
    the checker)."""
    return ragged_image(p, objs, 0.75, SQUARE_FILL, False, rng)


def touch_negative(p: Parsed, objs: list, rng: np.random.RandomState) -> list | None:
    """A negative for a count caption of two or three: its scene with one named object moved against another, the
    two sharing 3 px or more of an edge, so that they draw one blob of their colour (one object to the checker, as
    the generator's merged objects are); None when the scene holds fewer than two named objects or no place fits."""
    if p.relation is not None or p.n < 2:
        return None
    named = [i for i, o in enumerate(objs) if (o[0], o[1]) == p.things[0]]
    if len(named) < 2:
        return None
    for _ in range(20):
        i, j = rng.choice(named, 2, replace=False)
        (_, _, ax, ay, sa), (c, k, _, _, sb) = objs[i], objs[j]
        side, off = rng.randint(4), rng.randint(3 - sb, sa - 2)
        x, y = [(ax + sa, ay + off), (ax - sb, ay + off), (ax + off, ay + sa), (ax + off, ay - sb)][side]
        moved = (c, k, x, y, sb)
        if 0 <= x <= 32 - sb and 0 <= y <= 32 - sb and all(
                gap(moved, o) >= GAP for r, o in enumerate(objs) if r not in (i, j)):
            out = [moved if r == j else tuple(o) for r, o in enumerate(objs)]
            # squares always merge so; circles and triangles may only come near, then another draw is tried
            if blobs((render(out) == RGB[c]).all(-1)) == len(named) - 1:
                return out
    return None


def square_cut_image(p: Parsed, objs: list, rng: np.random.RandomState) -> np.ndarray | None:
    """square_negative's image alone."""
    cut = square_negative(p, objs, rng)
    return None if cut is None else cut[0]


def touch_image(p: Parsed, objs: list, rng: np.random.RandomState) -> np.ndarray | None:
    """touch_negative's scene rendered."""
    merged = touch_negative(p, objs, rng)
    return None if merged is None else render(merged)


def blobs(mask: np.ndarray) -> int:
    """The number of 4-connected components of a boolean image."""
    seen, count = np.zeros_like(mask), 0
    for start in zip(*np.nonzero(mask)):
        if seen[start]:
            continue
        count += 1
        stack = [start]
        seen[start] = True
        while stack:
            y, x = stack.pop()
            for q in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                if 0 <= q[0] < mask.shape[0] and 0 <= q[1] < mask.shape[1] and mask[q] and not seen[q]:
                    seen[q] = True
                    stack.append(q)
    return count


def checker_reading(img: np.ndarray) -> list[tuple[int, int, float]]:
    """ShapeChecker.segment on a uint8 HWC 32x32 image, in its scan order: each pixel takes the nearest of the four
    colours, or background when black is nearer or that colour is farther than 160; objects are the 4-connected
    components of one colour of at least 10 pixels, each read as (colour, kind, fill of its bounding box) with the
    checker's triangle and square lines. The fill is what says how square a square is drawn."""
    x = img.reshape(-1, 3).astype(np.int64)
    d = ((x[:, None, :] - RGB[None].astype(np.int64)) ** 2).sum(-1)
    nearest, distance = d.argmin(1), d.min(1)
    label = np.where((distance < (x ** 2).sum(-1)) & (distance <= 160 * 160), nearest, -1).reshape(32, 32)
    seen, out = np.zeros((32, 32), dtype=bool), []
    for start in zip(*np.nonzero(label >= 0)):
        if seen[start]:
            continue
        colour, stack, pts = label[start], [start], []
        seen[start] = True
        while stack:
            y, x_ = stack.pop()
            pts.append((y, x_))
            for q in ((y + 1, x_), (y - 1, x_), (y, x_ + 1), (y, x_ - 1)):
                if 0 <= q[0] < 32 and 0 <= q[1] < 32 and label[q] == colour and not seen[q]:
                    seen[q] = True
                    stack.append(q)
        if len(pts) < 10:
            continue
        r, c = np.array(pts).T
        h, w = r.max() - r.min() + 1, c.max() - c.min() + 1
        fill, centroid = len(pts) / (h * w), (r.mean() - r.min() + 0.5) / h
        shape = "triangle" if centroid >= 0.57 else "square" if fill >= SQUARE_FILL else "circle"
        out.append((int(colour), KINDS.index(shape), float(fill)))
    return out


def squareness(p: Parsed, reading: list[tuple[int, int, float]]) -> float | None:
    """For a caption naming squares only: the lowest fill among the image's objects when they are exactly the named
    number of the named colour and none reads as a triangle (each drawn as a square, however cleanly); else None.
    Above the checker's line all of them are squares and the image is right; below it one reads as a circle."""
    colour = p.things[0][0]
    if len(reading) != p.n or any(c != colour or k == KINDS.index("triangle") for c, k, _ in reading):
        return None
    return min(f for _, _, f in reading)


def family_scene(colours) -> bool:
    """Whether objects of these colours show red beside blue, as only the held-out family's scenes do. The training
    scenes hold none, so a training negative that did would teach the cross-encoders that red beside blue is wrong
    in itself, and they would then rank the family's right images below its wrong ones."""
    return {0, 2} <= set(colours)


def scene_objects(row: np.ndarray) -> list:
    return [tuple(int(v) for v in o) for o in row if o[0] >= 0]


# ------------------------------------------------------------------------------------------ degradations
def degrade(x: torch.Tensor, kinds: list[str], g: torch.Generator) -> torch.Tensor:
    """Each image [3,32,32] in [-1,1] degraded by its kind, with a random strength (one call per kind present)."""
    out = torch.empty_like(x)
    for kind in sorted(set(kinds)):  # a fixed order: a set of strings iterates in the process's hash-seed order
        rows = torch.tensor([i for i, k in enumerate(kinds) if k == kind])
        out[rows] = _degrade_kind(x[rows], kind, g)
    return out


def _degrade_kind(x: torch.Tensor, kind: str, g: torch.Generator) -> torch.Tensor:
    """Images [B,3,32,32] degraded by one kind, each with its own random strength."""
    b = len(x)
    u = torch.rand(b, generator=g)
    if kind == "blur":
        sigma = 0.5 + 1.0 * u
        r = torch.arange(-3, 4, dtype=torch.float32)
        k = torch.exp(-r[None] ** 2 / (2 * sigma[:, None] ** 2))
        k = (k / k.sum(1, keepdim=True)).repeat_interleave(3, 0)
        y = x.reshape(1, b * 3, 32, 32)
        y = F.conv2d(F.pad(y, (3, 3, 0, 0), mode="replicate"), k.view(b * 3, 1, 1, 7), groups=b * 3)
        y = F.conv2d(F.pad(y, (0, 0, 3, 3), mode="replicate"), k.view(b * 3, 1, 7, 1), groups=b * 3)
        y = y.view(b, 3, 32, 32)
    elif kind == "noise":
        y = x + (0.08 + 0.3 * u).view(b, 1, 1, 1) * torch.randn(x.shape, generator=g)
    elif kind == "colour":
        shift = (torch.rand(b, 3, 1, 1, generator=g) * 2 - 1) * (0.3 + 0.5 * u).view(b, 1, 1, 1)
        y = x + shift * (x > -0.9).any(1, keepdim=True).float()
        swap = u > 0.5
        if swap.any():
            y[swap] = y[swap][:, torch.randperm(3, generator=g)]
    elif kind == "smear":
        y = torch.stack([_degrade_one(img, float(v), g) for img, v in zip(x, u)])
    else:
        raise ValueError(kind)
    return y.clamp(-1, 1)


def _degrade_one(img: torch.Tensor, u: float, g: torch.Generator) -> torch.Tensor:
    """One image [3,32,32] smeared along a random axis by a box of 3 to 6 pixels (u: the strength in [0,1))."""
    length = 3 + int(4 * u)
    k = torch.full((length,), 1.0 / length)
    horizontal = bool(torch.rand(1, generator=g) < 0.5)
    shape = (1, 1, 1, length) if horizontal else (1, 1, length, 1)
    pad = (length - 1, 0, 0, 0) if horizontal else (0, 0, length - 1, 0)
    return F.conv2d(F.pad(img[:, None], pad, mode="replicate"), k.view(*shape))[:, 0]


# ------------------------------------------------------------------------------------------ networks
class ImageTower(nn.Module):
    """[B,3,32,32] -> image tokens [B,16,width] (a 4x4 grid): four 3x3 convolutions (three of stride 2, 16, 32, 64 and
    `width` channels) with GroupNorm and SiLU; small, because training shares two cores with other work."""

    def __init__(self, width: int = 128):
        super().__init__()

        def block(i, o, stride):
            return nn.Sequential(nn.Conv2d(i, o, 3, stride, 1), nn.GroupNorm(8, o), nn.SiLU())

        self.net = nn.Sequential(block(3, 16, 2), block(16, 32, 1), block(32, 64, 2), block(64, width, 2))

    def forward(self, x):
        return self.net(x).flatten(2).transpose(1, 2)


# the parameters of the full-resolution branch (--fine-tower), by name prefix
BRANCH = ("fine.", "fine_proj.")


def zero_linear(i: int, o: int) -> nn.Linear:
    """A projection that starts at zero: a branch grown onto a trained model adds nothing until it is trained."""
    layer = nn.Linear(i, o)
    nn.init.zeros_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class FineTower(nn.Module):
    """[B,3,32,32] -> [B,16*ch]: two stride-1 3x3 convolutions at full resolution, where a square's edge glitch of one
    pixel is a local pattern, max-pooled over a 4x4 grid of 8x8 cells (whether a cell holds one)."""

    def __init__(self, ch: int):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1), nn.GroupNorm(8, 16), nn.SiLU(),
                                 nn.Conv2d(16, ch, 3, 1, 1), nn.GroupNorm(8, ch), nn.SiLU(), nn.MaxPool2d(8))

    def forward(self, x):
        return self.net(x).flatten(1)

    def cells(self, x):
        """[B,16,ch]: the grid cells as tokens, in ImageTower's order."""
        return self.net(x).flatten(2).transpose(1, 2)


class Clip(nn.Module):
    """Dual encoder: cosine of the image's and the caption's embeddings (score in [-1, 1]). With fine > 0 the image
    embedding also takes a full-resolution branch (FineTower of that many channels), its projection starting at zero
    so that a trained clip grown by it scores as before."""

    def __init__(self, vocab: int, dim: int = 128, pos_std: float = 0.02, fine: int = 0):
        super().__init__()
        self.config = dict(vocab=vocab, dim=dim, **({"fine": fine} if fine else {}))
        self.image = ImageTower(128)
        self.image_proj = nn.Linear(16 * 128, dim)
        if fine:
            self.fine = FineTower(fine)
            self.fine_proj = zero_linear(16 * fine, dim)
        self.text = shapes.TextEncoder(vocab, dim=64, depth=1, heads=4, pos_std=pos_std)
        self.text_proj = nn.Linear(2 * 64, dim)
        self.log_scale = nn.Parameter(torch.tensor(math.log(10.0)))

    def embed_image(self, image):
        h = self.image_proj(self.image(image).flatten(1))
        if "fine" in self.config:
            h = h + self.fine_proj(self.fine(image))
        return F.normalize(h, dim=-1)

    def embed_text(self, tokens):
        h, mask = self.text(tokens)
        mean = (h * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
        return F.normalize(self.text_proj(torch.cat([mean, h[:, 0]], dim=-1)), dim=-1)

    def forward(self, image, tokens):
        return (self.embed_image(image) * self.embed_text(tokens)).sum(-1)


class FusionBlock(nn.Module):
    """Image tokens: self-attention, cross-attention to the words (pads masked), MLP; pre-norm residuals."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.n1, self.n2, self.n3 = nn.LayerNorm(dim), nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.self_att = shapes.MultiHead(dim, dim, heads)
        self.cross = shapes.MultiHead(dim, dim, heads)
        self.mlp = shapes.Mlp(dim, 2)

    def forward(self, x, text, bias):
        h = self.n1(x)
        x = x + self.self_att(h, h, None)
        x = x + self.cross(self.n2(x), text, bias)
        return x + self.mlp(self.n3(x))


class CrossEncoder(nn.Module):
    """Image and caption fused (image tokens attend to the words): `outputs` logits per pair. pos_std: the initial
    scale of the image tokens' and the words' learned positions; a relation needs both (which cell is left, which
    object the caption names first), and the mean over tokens keeps no place otherwise. With fine > 0 each image
    token also takes its cell of a full-resolution branch (FineTower), projected from zero as in Clip."""

    def __init__(self, vocab: int, outputs: int, dim: int = 64, depth: int = 2, heads: int = 4,
                 pos_std: float = 0.02, fine: int = 0):
        super().__init__()
        self.config = dict(vocab=vocab, outputs=outputs, dim=dim, depth=depth, heads=heads,
                           **({"fine": fine} if fine else {}))
        self.image = ImageTower(128)
        self.proj = nn.Linear(128, dim)
        if fine:
            self.fine = FineTower(fine)
            self.fine_proj = zero_linear(fine, dim)
        self.pos = nn.Parameter(torch.randn(1, 16, dim) * pos_std)
        self.text = shapes.TextEncoder(vocab, dim=dim, depth=1, heads=heads, pos_std=pos_std)
        self.blocks = nn.ModuleList([FusionBlock(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, outputs)

    def logits(self, image, tokens):
        text, mask = self.text(tokens)
        bias = (mask - 1.0) * 1e4
        x = self.proj(self.image(image)) + self.pos
        if "fine" in self.config:
            x = x + self.fine_proj(self.fine.cells(image))
        for blk in self.blocks:
            x = blk(x, text, bias)
        return self.head(self.norm(x).mean(1))


class Reward(CrossEncoder):
    def __init__(self, vocab: int, pos_std: float = 0.02, fine: int = 0):
        super().__init__(vocab, 1, pos_std=pos_std, fine=fine)

    def forward(self, image, tokens):
        return self.logits(image, tokens)[:, 0]


class Grader(CrossEncoder):
    """Five aspect probabilities (ASPECTS order)."""

    def __init__(self, vocab: int, pos_std: float = 0.02, fine: int = 0):
        super().__init__(vocab, len(ASPECTS), pos_std=pos_std, fine=fine)

    def forward(self, image, tokens):
        return torch.sigmoid(self.logits(image, tokens))


class Aesthetic(nn.Module):
    """Image only: a scalar quality score."""

    def __init__(self):
        super().__init__()
        self.config = {}
        self.image = ImageTower(64)
        self.head = nn.Sequential(nn.Linear(16 * 64, 128), nn.SiLU(), nn.Linear(128, 1))

    def forward(self, image):
        return self.head(self.image(image).flatten(1))[:, 0]


# ------------------------------------------------------------------------------------------ data
class Data:
    """Scenes of an npz written by shapes-data: uint8 images, captions, parsed captions and object rows."""

    def __init__(self, path: str, subset: int | None):
        with np.load(path, allow_pickle=False) as z:
            self.images = z["images"][:subset]
            self.captions = [str(c) for c in z["captions"][:subset]]
            self.objects = z["objects"][:subset]
        self.parsed = [parse(c) for c in self.captions]

    def __len__(self):
        return len(self.images)


class Samples:
    """The generator's own decoded samples, labelled by the exact checker: pool folders (pool.csv, images.npz) of
    scripts/train/shapes-samples.sh. Each candidate's aspect truths come from the checker's found objects and its
    spatial verdict by the grader's definitions (truths()); its `overall` says right or wrong. Pool lines whose
    index is 9 mod 10 are the held-out part, the others the training part; the training part leaves out samples
    showing red beside blue (family_scene). With graded, the pool lines of captions naming squares only also give
    graded pairs: of two samples that draw the named squares (squareness), the one drawn squarer by at least
    GRADE_MARGIN is preferred, right or wrong, so that the preference goes on past the checker's line both ways."""

    def __init__(self, folders: list[str], part: str, graded: bool = False):
        import csv
        images, captions, aspects, right, groups, square = [], [], [], [], [], []
        for folder in folders:
            with np.load(Path(folder) / "images.npz", allow_pickle=False) as z:
                pixels, prompts = z["arr_0"], z["prompts"]
            with open(Path(folder) / "pool.csv", newline="") as f:
                rows = list(csv.DictReader(f))
            if len(rows) != len(pixels) or any(r["prompt"] != str(c) for r, c in zip(rows, prompts)):
                raise SystemExit(f"{folder}: pool.csv and images.npz disagree")
            by_line: dict = {}
            for r, row in zip(range(len(rows)), rows):
                line = int(row["prompt_index"])
                if (line % 10 == 9) != (part == "eval"):
                    continue
                q = parse(row["prompt"])
                if q.held_out():
                    raise SystemExit(f"{folder}: holds a held-out (red and blue relational) caption: {row['prompt']}")
                found = [(COLOURS.index(o.split("-")[0]), KINDS.index(o.split("-")[1])) for o in row["found"].split()]
                if part == "train" and family_scene(c for c, _ in found):
                    continue
                by_line.setdefault(line, []).append(len(images))
                images.append(pixels[r])
                captions.append(row["prompt"])
                aspects.append(truths(q, found, row["check:spatial"] != "0"))
                right.append(row["check:overall"] == "1")
                square.append(None)
                if graded and q.relation is None and q.things[0][1] == KINDS.index("square"):
                    reading = checker_reading(pixels[r])
                    if sorted((c, k) for c, k, _ in reading) != sorted(found):
                        raise SystemExit(f"{folder}: line {line}: the checker's reading of a sample is not "
                                         f"pool.csv's ({row['found']})")
                    square[-1] = squareness(q, reading)
            groups += list(by_line.values())
        self.images, self.captions = np.stack(images), captions
        self.aspects, self.right = torch.tensor(aspects), np.array(right)
        # (right rows, wrong rows) of each pool line that has both: the preference pairs
        self.pairs = [(np.array([i for i in g if right[i]]), np.array([i for i in g if not right[i]])) for g in groups]
        self.pairs = [(a, b) for a, b in self.pairs if len(a) and len(b)]
        # (squarer, less square) of every pool line naming squares only
        self.graded = np.array([(i, k) for g in groups for i in g for k in g
                                if square[i] is not None and square[k] is not None
                                and square[i] - square[k] >= GRADE_MARGIN], dtype=np.int64).reshape(-1, 2)

    def __len__(self):
        return len(self.images)

    def describe(self) -> str:
        graded = f", {len(self.graded)} graded square pairs" if len(self.graded) else ""
        return f"{len(self)} samples ({int(self.right.sum())} right), {len(self.pairs)} pool lines with both{graded}"

    def preference_batch(self, n: int, tok: shapes.Tokenizer, rng: np.random.RandomState, symmetries: bool = False):
        """n pairs (a right sample, a wrong sample of the same pool line): images right, images wrong, tokens. With
        symmetries, each pair (both images, its caption) goes through one of the moves that keep the checker's verdict
        (symmetric_pair)."""
        rows = []
        for j in rng.randint(len(self.pairs), size=n):
            a, b = self.pairs[j]
            rows.append((a[rng.randint(len(a))], b[rng.randint(len(b))]))
        return self.pair_batch(rows, tok, rng, symmetries)

    def graded_batch(self, n: int, tok: shapes.Tokenizer, rng: np.random.RandomState, symmetries: bool = False):
        """n graded pairs (the squarer sample, the less square one of the same line), as preference_batch's (the
        square's eight symmetries do not change a fill)."""
        return self.pair_batch(self.graded[rng.randint(len(self.graded), size=n)], tok, rng, symmetries)

    def pair_batch(self, rows, tok: shapes.Tokenizer, rng: np.random.RandomState, symmetries: bool):
        good, bad, captions = [], [], []
        for i, k in rows:
            g, w, c = self.images[i], self.images[k], self.captions[i]
            if symmetries:
                g, w, c = symmetric_pair(g, w, c, rng)
            good.append(g)
            bad.append(w)
            captions.append(c)
        return shapes.to_float(np.stack(good)), shapes.to_float(np.stack(bad)), tok.batch(captions)

    def aspect_batch(self, n: int, tok: shapes.Tokenizer, rng: np.random.RandomState):
        """n samples with their four caption aspects (quality is not labelled for samples)."""
        rows = rng.randint(len(self), size=n)
        return shapes.to_float(self.images[rows]), tok.batch([self.captions[i] for i in rows]), self.aspects[rows]


def symmetric_pair(good: np.ndarray, bad: np.ndarray, caption: str, rng: np.random.RandomState):
    """One random move of two HWC images of a caption that keeps the checker's verdict on both, and the caption it
    then reads: the mirror (left and right swap places, so a relation's "left of" and "right of" swap; the checker's
    box centres mirror exactly, fills and centroid heights do not change), or, for a caption naming squares only, any of
    the square's eight symmetries (a component of fill >= 0.9 stays a square whichever way up, and no other component
    becomes one, so a right image stays right and a wrong one wrong). Identity included."""
    p = parse(caption)
    if p.relation is None and p.things[0][1] == KINDS.index("square"):
        k, flip = rng.randint(4), rng.randint(2) == 1
    else:
        k, flip = 0, rng.randint(2) == 1
    out = []
    for img in (good, bad):
        img = np.rot90(img, k, axes=(0, 1))
        out.append(np.ascontiguousarray(img[:, ::-1] if flip else img))
    if flip and p.relation in ("left of", "right of"):
        p = Parsed(p.things, p.n, CONVERSE[p.relation])
    return out[0], out[1], p.text()


def sample_loss(kind: str, model: nn.Module, samples: Samples, n: int, tok: shapes.Tokenizer,
                rng: np.random.RandomState, symmetries: bool = False) -> torch.Tensor:
    """The samples' share of a step: reward and clip rank a right sample above a wrong one of its caption (clip on
    its scaled cosine); the grader learns the four caption aspects (its quality head is left to the renders)."""
    if kind == "grader":
        images, tokens, target = samples.aspect_batch(n, tok, rng)
        return balanced_bce(model.logits(images, tokens)[:, :4], target)
    loss = preference_loss(kind, model, *samples.preference_batch(n, tok, rng, symmetries))
    if len(samples.graded):
        loss = loss + preference_loss(kind, model, *samples.graded_batch(n, tok, rng, symmetries))
    return loss


def preference_loss(kind: str, model: nn.Module, good, bad, tokens) -> torch.Tensor:
    """Bradley-Terry: the first image of each pair above the second for its caption (clip on its scaled cosine)."""
    n = len(good)
    s = model(torch.cat([good, bad]), torch.cat([tokens, tokens]))
    if kind == "clip":
        s = s * model.log_scale.exp().clamp(max=100.0)
    return F.softplus(-(s[:n] - s[n:])).mean()


@torch.no_grad()
def sample_measures(kind: str, model: nn.Module, samples: Samples, tok: shapes.Tokenizer) -> dict:
    """On the held-out samples: a right sample above a wrong one of the same pool line (every such pair; reward,
    clip), or each caption aspect's AUC (grader)."""
    model.eval()
    out = []
    for start in range(0, len(samples), 500):
        rows = slice(start, start + 500)
        out.append(model(shapes.to_float(samples.images[rows]), tok.batch(samples.captions[rows])))
    score = torch.cat(out).numpy()
    model.train()
    if kind == "grader":
        truth = samples.aspects.numpy()
        return {"aspectAuc": {a: None if (v := auc(score[:, i], truth[:, i])) is None else round(v, 4)
                              for i, a in enumerate(ASPECTS[:4])},
                "aspectTrueShare": {a: round(float(truth[:, i].mean()), 4) for i, a in enumerate(ASPECTS[:4])},
                "overallAuc": round(auc(score[:, :4].mean(1), samples.right.astype(float)), 4),
                "samples": len(samples)}
    wins = [float(score[a][:, None].__gt__(score[b][None, :]).mean()) for a, b in samples.pairs]
    sizes = [len(a) * len(b) for a, b in samples.pairs]
    out = {"rightAboveWrong": round(float(np.average(wins, weights=sizes)), 4), "pairs": int(sum(sizes)),
           "poolLines": len(samples.pairs), "samples": len(samples)}
    if len(samples.graded):
        out["squarerAbove"] = round(float((score[samples.graded[:, 0]] > score[samples.graded[:, 1]]).mean()), 4)
        out["gradedPairs"] = len(samples.graded)
    return out


def make_batch(kind: str, data: Data, idx: np.ndarray, tok: shapes.Tokenizer, rng: np.random.RandomState,
               g: torch.Generator, training: bool, image_negatives: bool = False, square_negatives: bool = False,
               touch_negatives: bool = False, ragged_squares: bool = False):
    """The tensors one step of `kind` trains on (see the train_* losses). With square_negatives, half of clip's
    image-side negatives for captions naming a square are square_negative()s, and a sixth of the reward's and the
    grader's changed scenes for such captions. With touch_negatives, half of clip's image-side negatives for count
    captions of two or three are touch_negative()s. With ragged_squares (clip), half of the image-side negatives
    left for captions naming a square have one named square ragged below the square fill (ragged_image)."""
    if kind == "aesthetic":
        clean = shapes.to_float(data.images[idx])
        kinds = [DEGRADATIONS[rng.randint(4)] for _ in idx]
        return clean, degrade(clean, kinds, g), kinds
    if kind == "clip":
        images = shapes.to_float(data.images[idx])
        negs, kinds, neg_images = [], [], []
        for i in idx:
            p = data.parsed[i]
            for k in NEGATIVE_KINDS:
                q = training_negative(p, k, rng) if training else negative(p, k, rng)
                negs.append((q or p).text())
                kinds.append(k if q is not None else None)
            objs = scene_objects(data.objects[i])
            neg = touch_image(p, objs, rng) if touch_negatives and rng.rand() < 0.5 else None
            if neg is None and ragged_squares and rng.rand() < 0.5:
                neg = ragged_below_image(p, objs, rng)
            if neg is None and square_negatives and rng.rand() < 0.5:
                neg = square_cut_image(p, objs, rng)
            if neg is None and image_negatives:
                changed = image_negative(p, objs, rng)
                neg = None if changed is None else render(changed)
            neg_images.append(data.images[i] if neg is None else neg)
            kinds.append(None if neg is None else "image")
        return (images, tok.batch([data.captions[i] for i in idx]), tok.batch(negs), kinds,
                shapes.to_float(np.stack(neg_images)))
    # reward / grader: a clean scene and a changed one (a near-miss, a degraded render or, for the grader, itself)
    pos, neg, caps, lab, neg_kinds = [], [], [], [], []
    degraded_rows = []
    reward = kind == "reward"
    choices = NEGATIVE_KINDS + ["quality"] if reward else GRADER_CHANGES
    for i in idx:
        p, objs = data.parsed[i], scene_objects(data.objects[i])
        cut = square_negative(p, objs, rng) if square_negatives and rng.rand() < 1 / 6 else None
        if cut is not None:
            pos.append(data.images[i])
            neg.append(cut[0])
            caps.append(data.captions[i])
            lab.append(labels(p, cut[1]) + [1.0])
            neg_kinds.append("square")
            continue
        for _ in range(10):
            k = choices[rng.randint(len(choices)) if reward else rng.choice(len(choices), p=GRADER_WEIGHTS)]
            if k in ("quality", "clean"):
                changed = objs
                break
            changed = near_miss(p, objs, k, rng)
            if changed is not None and not all(labels(p, changed)) and not (
                    training and family_scene(o[0] for o in changed)):
                break
        else:
            k, changed = "quality", objs
        pos.append(data.images[i])
        neg.append(render(changed) if k not in ("quality", "clean") else data.images[i])
        caps.append(data.captions[i])
        lab.append(labels(p, changed) + [0.0 if k == "quality" else 1.0])
        neg_kinds.append(k)
        if k == "quality":
            degraded_rows.append(len(neg) - 1)
    pos_t, neg_t = shapes.to_float(np.stack(pos)), shapes.to_float(np.stack(neg))
    if degraded_rows:
        rows = torch.tensor(degraded_rows)
        neg_t[rows] = degrade(neg_t[rows], [DEGRADATIONS[rng.randint(4)] for _ in degraded_rows], g)
    return pos_t, neg_t, tok.batch(caps), torch.tensor(lab), neg_kinds


def loss_of(kind: str, model: nn.Module, batch) -> torch.Tensor:
    if kind == "aesthetic":
        clean, bad, _ = batch
        s = model(torch.cat([clean, bad]))
        return F.softplus(-(s[:len(clean)] - s[len(clean):])).mean()
    if kind == "clip":
        images, tokens, negs, kinds, neg_images = batch
        b = len(images)
        every = torch.cat([tokens, negs])
        distinct, index = torch.unique(every, dim=0, return_inverse=True)
        z_all = model.embed_text(distinct)[index]
        with_image = any(k == "image" for k in kinds)
        z_img = model.embed_image(torch.cat([images, neg_images]) if with_image else images)
        zi, zt, zn = z_img[:b], z_all[:b], z_all[b:]
        scale = model.log_scale.exp().clamp(max=100.0)
        same = (tokens[:, None, :] == tokens[None, :, :]).all(-1) & ~torch.eye(b, dtype=torch.bool)
        batch_logits = (zi @ zt.T).masked_fill(same, -1e4)
        hard = (zi[:, None, :] * zn.view(b, len(NEGATIVE_KINDS), -1)).sum(-1)
        valid = torch.tensor([k is not None for k in kinds]).view(b, -1)
        hard = hard.masked_fill(~valid[:, :len(NEGATIVE_KINDS)], -1e4)
        target = torch.arange(b)
        i2t = F.cross_entropy(scale * torch.cat([batch_logits, hard], 1), target)
        # caption -> image: the batch's images and, where there is one, the caption's own image-side negative
        own = (zt * z_img[b:]).sum(-1, keepdim=True) if with_image else torch.full((b, 1), -1e4)
        own = own.masked_fill(~valid[:, len(NEGATIVE_KINDS):], -1e4)
        t2i = F.cross_entropy(scale * torch.cat([batch_logits.T, own], 1), target)
        return i2t + 0.5 * t2i
    pos, neg, tokens, lab, _ = batch
    if kind == "reward":
        s = model(torch.cat([pos, neg]), torch.cat([tokens, tokens]))
        return F.softplus(-(s[:len(pos)] - s[len(pos):])).mean()
    logits = model.logits(torch.cat([pos, neg]), torch.cat([tokens, tokens]))
    return balanced_bce(logits, torch.cat([torch.ones_like(lab), lab]))


def balanced_bce(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy per aspect with its true and its false rows weighed half each, averaged over aspects.
    Most rows are true on most aspects (a true render is right on all five), so the plain mean is minimised by the
    base rates alone; weighing the classes equally leaves the network only the image-caption evidence to lower it."""
    bce = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    pos, neg = target, 1.0 - target
    per_pos = (bce * pos).sum(0) / pos.sum(0).clamp(min=1.0)
    per_neg = (bce * neg).sum(0) / neg.sum(0).clamp(min=1.0)
    has_neg = (neg.sum(0) > 0).float()
    return ((per_pos * (2.0 - has_neg) + per_neg * has_neg) / 2.0).mean()


# ------------------------------------------------------------------------------------------ evaluation
@torch.no_grad()
def evaluate(kind: str, model: nn.Module, data: Data, tok: shapes.Tokenizer, seed: int = 5) -> dict:
    """Held-out measures on the evaluation scenes (the held-out relational family included, also reported apart)."""
    model.eval()
    rng = np.random.RandomState(seed)
    g = torch.Generator().manual_seed(seed)
    idx = np.arange(len(data))
    results: dict = {}
    if kind == "clip":
        hits = {k: [] for k in NEGATIVE_KINDS}
        held = []
        for start in range(0, len(idx), 200):
            part = idx[start:start + 200]
            images, tokens, negs, kinds, _ = make_batch(kind, data, part, tok, rng, g, training=False)
            s_true = model(images, tokens)
            s_neg = model(images.repeat_interleave(len(NEGATIVE_KINDS), 0), negs).view(len(part), -1)
            for r, i in enumerate(part):
                for j, k in enumerate(NEGATIVE_KINDS):
                    if kinds[r * (len(NEGATIVE_KINDS) + 1) + j] is not None:
                        win = bool(s_true[r] > s_neg[r, j])
                        hits[k].append(win)
                        if data.parsed[i].held_out():
                            held.append(win)
        everything = [h for v in hits.values() for h in v]
        results = {"trueAboveNegative": round(float(np.mean(everything)), 4),
                   "byNegative": {k: round(float(np.mean(v)), 4) for k, v in hits.items()},
                   "heldOutRelational": round(float(np.mean(held)), 4) if held else None,
                   "pairs": len(everything),
                   "trueAboveImageNegative": image_side_measures(model, data, tok, seed)}
    elif kind == "aesthetic":
        clean = shapes.to_float(data.images)
        by = {}
        for d in DEGRADATIONS:
            s_clean = model(clean)
            s_bad = model(degrade(clean, [d] * len(clean), g))
            by[d] = round(float((s_clean > s_bad).float().mean()), 4)
        results = {"cleanAboveDegraded": round(float(np.mean(list(by.values()))), 4), "byDegradation": by}
    else:
        pos, neg, tokens, lab, kinds = make_batch(kind, data, idx, tok, rng, g, training=False)
        if kind == "reward":
            sp, sn = model(pos, tokens), model(neg, tokens)
            win = (sp > sn).numpy()
            results = {"correctAboveNearMiss": round(float(win.mean()), 4),
                       "byNearMiss": wins_by_kind(win, kinds, NEGATIVE_KINDS + ["quality"], [True] * len(kinds))}
        else:
            sp, sn = model(pos, tokens), model(neg, tokens)
            results = grader_measures(sp.numpy(), sn.numpy(), lab.numpy(), kinds)
            # one score per pair for the family's measure below: the mean of the four caption aspects
            sp, sn = sp[:, :4].mean(1), sn[:, :4].mean(1)
            win = (sp > sn).numpy()
        results["heldOutFamily"] = family_measures(win, kinds, [data.parsed[i].held_out() for i in idx])
    if kind != "aesthetic":
        results["shapeNegatives"] = shape_measures(model, data, tok, seed)
    model.train()
    return results


def family_measures(win: np.ndarray, kinds: list[str], family: list[bool]) -> dict:
    """The right render above its caption-changing near-miss (a colour, shape, count, relation or object changed)
    on the held-out family's scenes alone: the pairs whose right image shows red beside blue, never seen in
    training. Both scores are the reward's, or the mean of the grader's four caption aspects."""
    rows = [i for i, kk in enumerate(kinds) if kk in NEGATIVE_KINDS and family[i]]
    return {"correctAboveNearMiss": round(float(win[rows].mean()), 4) if rows else None,
            "byNearMiss": wins_by_kind(win, kinds, NEGATIVE_KINDS, family), "pairs": len(rows)}


def wins_by_kind(win: np.ndarray, kinds: list[str], names: list[str], keep: list[bool]) -> dict:
    """The share of wins among the kept pairs of each named change kind (kinds without a kept pair left out)."""
    by = {}
    for k in names:
        rows = [i for i, kk in enumerate(kinds) if kk == k and keep[i]]
        if rows:
            by[k] = round(float(win[rows].mean()), 4)
    return by


def image_side_measures(model: nn.Module, data: Data, tok: shapes.Tokenizer, seed: int) -> dict:
    """How often the caption scores its own render above the render with one object more of the named kind, one
    object fewer (count and single captions) or the two objects' places swapped (relational); its own random
    stream, so the caption-side measures stay those of earlier models."""
    rng = np.random.RandomState(seed + 1)
    wins: dict = {"oneMore": [], "oneFewer": [], "swapped": []}
    for i in range(len(data)):
        p, objs = data.parsed[i], scene_objects(data.objects[i])
        changed = image_negative(p, objs, rng)
        if changed is None:
            continue
        name = "swapped" if p.relation is not None else "oneMore" if len(changed) > len(objs) else "oneFewer"
        s = model(shapes.to_float(np.stack([data.images[i], render(changed)])), tok.batch([data.captions[i]] * 2))
        wins[name].append(bool(s[0] > s[1]))
    return {k: round(float(np.mean(v)), 4) for k, v in wins.items() if v} | {"pairs": sum(map(len, wins.values()))}


@torch.no_grad()
def shape_measures(model: nn.Module, data: Data, tok: shapes.Tokenizer, seed: int) -> dict:
    """How often a caption scores its own render above the render with one named square's corners cut
    (square_negative; captions naming a square) and above the render with two named objects merged into one blob
    (touch_negative; count captions of two or three) and above the render with one named square ragged below the
    square fill (ragged_below_image), and its render with every named square ragged above the fill above that one
    (raggedAbove: the checker's line between glitched squares); the grader by the mean of its four caption aspects.
    Each on its own random stream."""

    def own(make):
        def pair(p, objs, rng):
            neg = make(p, objs, rng)
            return None if neg is None else (render(objs), neg)
        return pair

    def ragged_above(p, objs, rng):
        right = ragged_image(p, objs, SQUARE_FILL, 1.0, True, rng)
        wrong = ragged_below_image(p, objs, rng)
        return None if right is None or wrong is None else (right, wrong)

    out = {}
    for name, make, salt in (("squareCut", own(square_cut_image), 2), ("touched", own(touch_image), 3),
                             ("ragged", own(ragged_below_image), 4), ("raggedAbove", ragged_above, 5)):
        rng = np.random.RandomState(seed + salt)
        rows, pairs = [], []
        for i in range(len(data)):
            pair = make(data.parsed[i], scene_objects(data.objects[i]), rng)
            if pair is not None:
                rows.append(i)
                pairs.append(pair)
        wins = []
        for start in range(0, len(rows), 250):
            part, both = rows[start:start + 250], pairs[start:start + 250]
            images = shapes.to_float(np.stack([a for a, _ in both] + [b for _, b in both]))
            s = model(images, tok.batch([data.captions[i] for i in part] * 2))
            if s.dim() == 2:
                s = s[:, :4].mean(1)
            wins += (s[:len(part)] > s[len(part):]).tolist()
        out[name] = {"rightAbove": round(float(np.mean(wins)), 4) if wins else None, "pairs": len(wins)}
    return out


def auc(score: np.ndarray, truth: np.ndarray) -> float | None:
    """Area under the ROC curve: the chance that a true row scores above a false one (ties count half); None
    without rows of both kinds."""
    p, n = score[truth > 0.5], score[truth <= 0.5]
    if len(p) == 0 or len(n) == 0:
        return None
    above = (p[:, None] > n[None, :]).mean()
    ties = (p[:, None] == n[None, :]).mean()
    return float(above + 0.5 * ties)


def grader_measures(prob_true: np.ndarray, prob_changed: np.ndarray, lab: np.ndarray, kinds: list[str]) -> dict:
    """Per aspect on the true renders and their changed scenes: AUC, balanced accuracy at 0.5, the share of true
    labels (the base rate a constant scores), the spread of the probabilities across images (std), and how often a
    true render's aspect scores above its near-miss's where the near-miss broke that aspect."""
    prob = np.concatenate([prob_true, prob_changed])
    truth = np.concatenate([np.ones_like(lab), lab])
    out: dict = {"aspectAuc": {}, "aspectBalancedAccuracy": {}, "aspectTrueShare": {}, "aspectStd": {},
                 "trueAboveBroken": {}}
    for a, name in enumerate(ASPECTS):
        t, s = truth[:, a] > 0.5, prob[:, a]
        broken = lab[:, a] < 0.5
        area = auc(s, truth[:, a])
        out["aspectAuc"][name] = None if area is None else round(area, 4)
        out["aspectBalancedAccuracy"][name] = None if area is None else round(
            (float((s[t] > 0.5).mean()) + float((s[~t] <= 0.5).mean())) / 2, 4)
        out["aspectTrueShare"][name] = round(float(t.mean()), 4)
        out["aspectStd"][name] = round(float(s.std()), 4)
        out["trueAboveBroken"][name] = round(float((prob_true[broken, a] > prob_changed[broken, a]).mean()), 4) \
            if broken.any() else None
    out["rows"] = int(len(prob))
    out["changes"] = {k: kinds.count(k) for k in GRADER_CHANGES}
    return out


# ------------------------------------------------------------------------------------------ main
def start_from(kind: str, fresh: nn.Module, folder: Path, vocab: int) -> nn.Module:
    """--init-from: the weights of a trained folder of the same kind (fine-tuning goes on from them), or for the
    grader those of a shapes-reward; the fresh network is kept only for the reward-to-grader case and for a model
    grown by a full-resolution branch (--fine-tower) that the folder's lacks (the branch fresh, adding zero)."""
    if kind == "grader" and folder_kind(folder, "--init-from") == "reward":
        init_from_reward(fresh, folder)
        return fresh
    model = trained(kind, folder, vocab, "--init-from",
                    f"starts only from a {kind}" + (" or a reward" if kind == "grader" else ""))
    if fresh.config.get("fine", 0) != model.config.get("fine", 0):
        if "fine" in model.config:
            raise SystemExit(f"--init-from {folder}: a {kind} with a full-resolution branch of {model.config['fine']} "
                             f"channels; --fine-tower {fresh.config.get('fine', 0)} differs")
        missing, unexpected = fresh.load_state_dict(model.state_dict(), strict=False)
        if unexpected or any(not k.startswith(BRANCH) for k in missing):
            raise SystemExit(f"--init-from {folder}: architecture differs (missing {missing}, unexpected {unexpected})")
        print(f"[shapes-{kind}] going on from {folder} (reproduces its golden.json), grown by a full-resolution branch")
        return fresh.train()
    print(f"[shapes-{kind}] going on from {folder} (reproduces its golden.json)")
    return model.train()


def folder_kind(folder: Path, option: str) -> str:
    import json
    try:
        return json.loads((folder / "manifest.json").read_text())["verifier"]["kind"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise SystemExit(f"{option} {folder}: no verifier manifest.json ({e})")


def trained(kind: str, folder: Path, vocab: int, option: str, allowed: str) -> nn.Module:
    """A trained folder of this kind and vocabulary, read back and checked against its golden.json; `allowed` ends
    the refusal of another kind ("a clip model; a reward <allowed>")."""
    start = folder_kind(folder, option)
    if start != kind:
        raise SystemExit(f"{option} {folder}: a {start} model; a {kind} {allowed}")
    model = load_folder(kind, folder)
    if kind != "aesthetic" and model.config.get("vocab") != vocab:
        raise SystemExit(f"{option} {folder}: vocabulary of {model.config.get('vocab')} words, not {vocab}")
    return model


@torch.no_grad()
def average_with(kind: str, model: nn.Module, folder: Path, weight: float, vocab: int) -> None:
    """--average-with: every weight becomes weight * trained + (1 - weight) * the folder's (a weight-space average
    as in WiSE-FT: a model gone on from the folder keeps what the start generalised to, e.g. the held-out family)."""
    theirs = trained(kind, folder, vocab, "--average-with", f"averages only with a {kind}").state_dict()
    for key, value in model.state_dict().items():
        if key in theirs:
            if value.is_floating_point():
                value.mul_(weight).add_(theirs[key], alpha=1.0 - weight)
        elif key.startswith("fine_proj."):
            value.mul_(weight)  # a model without the full-resolution branch is one whose branch adds zero
        elif not key.startswith(BRANCH):
            raise SystemExit(f"--average-with {folder}: architecture differs ({key})")
    print(f"[shapes-{kind}] averaged with {folder}: {weight:g} trained, {1.0 - weight:g} theirs")


def frozen_part(key: str, part: str) -> bool:
    """--frozen: whether parameter `key` is kept (text: the text tower, and clip's text projection; base: all but
    the full-resolution branch, clip's temperature included)."""
    if part == "text":
        return key.startswith(("text.", "text_proj."))
    return not key.startswith(BRANCH)


def build(kind: str, vocab: int, pos_std: float = 0.02, fine: int = 0) -> nn.Module:
    """A fresh verifier network; pos_std is the learned positions' initial std (not part of the architecture), fine
    the channels of the full-resolution branch of clip, reward or grader (0: none)."""
    return {"clip": lambda: Clip(vocab, pos_std=pos_std, fine=fine), "aesthetic": Aesthetic,
            "reward": lambda: Reward(vocab, pos_std=pos_std, fine=fine),
            "grader": lambda: Grader(vocab, pos_std=pos_std, fine=fine)}[kind]()


def init_from_reward(model: "Grader", folder: Path) -> None:
    """The grader's trunk (image tower, text encoder, fusion blocks) from a trained reward model of the same
    architecture, and its five aspect heads from the reward's one logit, so that every aspect starts by telling a
    true render from a near-miss and fine-tuning only has to specialise them. The weights are read by load_folder,
    so they reproduce the folder's golden.json (those of its model.onnx)."""
    reward = load_folder("reward", folder).state_dict()
    state = {k: v for k, v in reward.items() if not k.startswith("head.")}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or set(missing) != {"head.weight", "head.bias"}:
        raise SystemExit(f"--init-from {folder}: architecture differs (missing {missing}, unexpected {unexpected})")
    with torch.no_grad():
        model.head.weight.copy_(reward["head.weight"].expand_as(model.head.weight))
        model.head.bias.copy_(reward["head.bias"].expand_as(model.head.bias))
    print(f"[shapes-grader] started from {folder} (reproduces its golden.json)")


@torch.no_grad()
def onnx_state(model: nn.Module, inputs: tuple, input_names: list[str], output_names: list[str],
               committed: bytes) -> dict:
    """The state dict read from a committed ONNX export of this architecture. The exporter's names for folded
    weights (onnx::Mul_N) vary between exports, but the initializers come in the same order: this architecture is
    exported with distinct random weights, each initializer matched to its parameter by value, and the committed
    initializer at the same position (and of the same shape) taken."""
    import copy
    import tempfile
    probe = copy.deepcopy(model).eval()
    g = torch.Generator().manual_seed(12345)
    for prm in probe.parameters():
        prm.copy_(torch.randn(prm.shape, generator=g))
    with tempfile.TemporaryDirectory() as tmp:
        common.export_onnx(probe, inputs, input_names, output_names, Path(tmp) / "probe.onnx")
        fresh = list(shapes._initializer_arrays((Path(tmp) / "probe.onnx").read_bytes()).values())
    theirs = list(shapes._initializer_arrays(committed).values())
    if [v.shape for v in fresh] != [v.shape for v in theirs]:
        raise SystemExit("the committed ONNX's initializers differ from this architecture's")
    params, state = dict(probe.named_parameters()), {}
    for value, their in zip(fresh, theirs):
        for k, prm in params.items():
            forms = shapes._as_params(value, prm.shape)
            hit = next((i for i, c in enumerate(forms) if torch.equal(c, prm.data)), None)
            if k not in state and hit is not None:
                state[k] = shapes._as_params(their, prm.shape)[hit]
                break
    missing = sorted(set(params) - set(state))
    if missing:
        raise SystemExit(f"parameters not found in the committed ONNX: {', '.join(missing)}")
    return state


def load_folder(kind: str, folder: Path) -> nn.Module:
    """A trained verifier folder as a PyTorch model: its model.pt where there is one, else its weights read back
    from model.onnx (committed folders carry no checkpoint); either way checked against its golden.json."""
    import json
    manifest = json.loads((folder / "manifest.json").read_text())
    fine = manifest.get("provenance", {}).get("architecture", {}).get("fine", 0)
    model = build(kind, len(manifest["tokenizer"]["vocabulary"]) if "tokenizer" in manifest else 0, fine=fine).eval()
    golden = json.loads((folder / "golden.json").read_text())
    ins = [torch.tensor(v["data"], dtype=torch.int64 if v["dtype"] == "int64" else torch.float32).reshape(v["shape"])
           for v in golden["inputs"].values()]
    if (folder / "model.pt").exists():
        model.load_state_dict(torch.load(str(folder / "model.pt"), map_location="cpu")["state_dict"])
    else:
        # clip's temperature is not in its graph (training only): held as a buffer while the graph's weights are read
        scale = model._parameters.pop("log_scale", None)
        state = onnx_state(model, tuple(ins), list(golden["inputs"]), list(golden["outputs"]),
                           (folder / "model.onnx").read_bytes())
        if scale is not None:
            model.log_scale = scale
        model.load_state_dict(state, strict=scale is None)
    with torch.no_grad():
        got = model(*ins)
    (name, want), = golden["outputs"].items()
    if not torch.allclose(got, torch.tensor(want["data"]).reshape(want["shape"]), atol=golden["atol"], rtol=0):
        raise SystemExit(f"{folder}: the weights read do not reproduce golden.json")
    return model


def measure(kind: str, folder: Path, eval_data: Data, samples: Samples | None, tok: shapes.Tokenizer) -> None:
    """--measure: a trained folder's held-out measures by this script's rules (to set old and new side by side)."""
    import json
    model = load_folder(kind, folder)
    measured = evaluate(kind, model, eval_data, tok)
    if samples is not None:
        measured["heldOutSamples"] = sample_measures(kind, model, samples, tok)
    print(json.dumps({"folder": str(folder), **measured}))


def golden_inputs(data: Data, tok: shapes.Tokenizer) -> tuple[torch.Tensor, torch.Tensor]:
    """Four evaluation scenes (one degraded) and captions: their own, a hard negative, the null caption."""
    images = shapes.to_float(data.images[:4]).clone()
    images[3] = degrade(images[3:4], ["blur"], torch.Generator().manual_seed(3))[0]
    caps = [data.captions[0], negative(data.parsed[1], "colour", np.random.RandomState(1)).text(), "",
            data.captions[3]]
    return images, tok.batch(caps)


def main() -> None:
    p = common.base_parser("Train a shapes verifier (clip, aesthetic, reward, grader)", steps=3000, batch_size=64,
                           lr=2e-3, seed=0)
    p.add_argument("--kind", required=True, choices=["clip", "aesthetic", "reward", "grader"])
    p.add_argument("--data", required=True, help="training scenes (.npz from scripts/noisesearch shapes-data)")
    p.add_argument("--eval-data", required=True, help="evaluation scenes (shapes-data --split eval)")
    p.add_argument("--vocabulary", default=None, help="vocabulary JSON (default tensorrt-plans/shapes-vocabulary.json)")
    p.add_argument("--minutes", type=float, default=None,
                   help="wall-time budget: the LR schedule follows max(step share, time share)")
    p.add_argument("--init-from", default=None,
                   help="a trained folder of the same kind to go on training from (checked against its "
                        "golden.json); for the grader also a shapes-reward folder: every aspect head starts as the "
                        "reward's head")
    p.add_argument("--samples", action="append", default=[],
                   help="clip, reward, grader: a pool folder of the generator's samples labelled by the checker "
                        "(scripts/train/shapes-samples.sh; repeatable); lines 9 mod 10 are held out for evaluation")
    p.add_argument("--sample-batch", type=int, default=32,
                   help="samples per step: preference pairs (clip, reward) or labelled samples (grader)")
    p.add_argument("--sample-symmetries", action="store_true",
                   help="clip, reward: each preference pair of the samples mirrored (a relation's left and right "
                        "swapped) or, for captions naming squares only, turned by any of the square's symmetries; "
                        "moves that keep the checker's verdict")
    p.add_argument("--graded-squares", action="store_true",
                   help="clip, reward: also graded pairs of the samples of captions naming squares only: of two "
                        "samples of a pool line that draw the named squares, the squarer (lowest fill higher by "
                        "GRADE_MARGIN) is preferred, whichever side of the checker's line either lies")
    p.add_argument("--fine-tower", type=int, default=0,
                   help="clip, reward, grader: channels of a full-resolution image branch added to the embedding "
                        "(clip) or to each image token (reward, grader) (0: none); from --init-from without one it "
                        "starts adding zero")
    p.add_argument("--frozen", choices=["text", "base"], default=None,
                   help="clip, reward, grader: weights kept as --init-from's while training: the text tower (and "
                        "clip's projection) (text), or everything but the full-resolution branch (base), so that "
                        "what the start generalised to (the held-out family's words) is not trained away")
    p.add_argument("--image-negatives", action="store_true",
                   help="clip: each caption also against its own scene with one named object more or fewer "
                        "(count, single) or the objects' places swapped (relational)")
    p.add_argument("--square-negatives", action="store_true",
                   help="captions naming a square are also contrasted with their scene with one named square's "
                        "corners cut below the checker's square fill (read as a circle): half of clip's image-side "
                        "negatives of such captions, a sixth of the reward's and grader's changed scenes")
    p.add_argument("--touch-negatives", action="store_true",
                   help="clip: half of the image-side negatives of count captions of two or three are their scene "
                        "with two named objects moved together into one blob")
    p.add_argument("--ragged-squares", action="store_true",
                   help="clip: half of the image-side negatives left after the touch ones, for captions naming a "
                        "square, are their scene with one named square's edges ragged (notched, bulging) below the "
                        "checker's square fill")
    p.add_argument("--position-scale", type=float, default=0.02,
                   help="initial std of the learned positions (words; reward and grader also image cells), "
                        "against the word embeddings' 1")
    p.add_argument("--average-with", default=None,
                   help="a trained folder of the same kind (usually --init-from's): after training every weight "
                        "becomes w * trained + (1 - w) * the folder's, w = --average-weight (WiSE-FT)")
    p.add_argument("--average-weight", type=float, default=0.5,
                   help="the trained weights' share in --average-with's average (0..1)")
    p.add_argument("--measure", default=None,
                   help="only measure a trained folder (its model.pt) on --eval-data and the held-out samples; "
                        "print JSON, write nothing")
    args = p.parse_args()
    common.setup(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tok = shapes.load_tokenizer(args.vocabulary)
    data, eval_data = Data(args.data, args.subset), Data(args.eval_data, None)
    if any(q.held_out() for q in data.parsed):
        raise SystemExit(f"{args.data}: holds held-out (red and blue relational) captions; use a training split")
    kind = args.kind
    name = f"shapes-{kind}"
    if args.ragged_squares and kind != "clip":
        raise SystemExit("--ragged-squares: only clip draws ragged squares")
    if args.samples and kind == "aesthetic":
        raise SystemExit("--samples: aesthetic never reads a caption, and the checker does not rate quality")
    if args.sample_symmetries and (kind not in ("clip", "reward") or not args.samples):
        raise SystemExit("--sample-symmetries: moves the preference pairs of --samples (clip, reward)")
    if args.graded_squares and (kind not in ("clip", "reward") or not args.samples):
        raise SystemExit("--graded-squares: graded pairs of --samples (clip, reward)")
    train_samples = Samples(args.samples, "train", args.graded_squares) if args.samples else None
    eval_samples = Samples(args.samples, "eval", args.graded_squares) if args.samples else None
    if train_samples is not None:
        print(f"[{name}] samples: train {train_samples.describe()}; held out {eval_samples.describe()}")
    if args.measure is not None:
        measure(kind, Path(args.measure), eval_data, eval_samples, tok)
        return
    if not 0.0 <= args.position_scale <= 10.0:
        raise SystemExit(f"--position-scale must lie in [0, 10], got {args.position_scale}")
    if not 0.0 <= args.average_weight <= 1.0:
        raise SystemExit(f"--average-weight must lie in [0, 1], got {args.average_weight}")
    untrained = args.steps == 0 and args.epochs is None
    if untrained and args.init_from is None:
        raise SystemExit("--steps 0 exports a started model as it is (or averaged): it needs --init-from")
    if args.fine_tower and kind == "aesthetic":
        raise SystemExit("--fine-tower: clip, reward and grader only (the aesthetic verifier has no branch)")
    model = build(kind, len(tok.vocabulary), args.position_scale, args.fine_tower)
    if args.init_from is not None:
        model = start_from(kind, model, Path(args.init_from), len(tok.vocabulary))
    steps = 0 if untrained else common.total_steps(args, len(data))
    print(f"[{name}] {common.count_params(model)} parameters; {len(data)} scenes; {steps} steps of {args.batch_size}")
    if args.frozen is not None:
        if kind == "aesthetic" or args.init_from is None or (args.frozen == "base" and not args.fine_tower):
            raise SystemExit("--frozen: keeps part of an --init-from clip, reward or grader (base: all but its "
                             "--fine-tower branch)")
        for key, param in model.named_parameters():
            param.requires_grad_(not frozen_part(key, args.frozen))
    params = [param for param in model.parameters() if param.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=1e-4)
    batches = common.Batches(len(data), args.batch_size, args.seed)
    rng = np.random.RandomState(args.seed + 1)
    g = torch.Generator().manual_seed(args.seed + 2)
    budget = None if args.minutes is None else 60.0 * args.minutes
    timer = common.Timer()
    model.train()
    loss_avg, done = None, 0
    for step in range(steps):
        share = step / steps if budget is None else max(step / steps, timer.seconds() / budget)
        if share >= 1.0:
            break
        for pg in opt.param_groups:
            pg["lr"] = common.lr_at(int(share * steps), steps, args.lr, warmup=min(200, steps // 10))
        idx = batches.next().numpy()
        loss = loss_of(kind, model, make_batch(kind, data, idx, tok, rng, g, True, args.image_negatives,
                                                  args.square_negatives, args.touch_negatives,
                                                  args.ragged_squares))
        if train_samples is not None:
            loss = loss + sample_loss(kind, model, train_samples, args.sample_batch, tok, rng,
                                      args.sample_symmetries)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        done = step + 1
        loss_avg = loss.item() if loss_avg is None else 0.98 * loss_avg + 0.02 * loss.item()
        if done % args.log_every == 0:
            el = timer.seconds()
            print(f"[{name}] step {done}/{steps} loss {loss_avg:.4f} ({el:.0f} s, {1000 * el / done:.0f} ms/step)",
                  flush=True)
    t_train = timer.seconds()
    if args.average_with is not None:
        average_with(kind, model, Path(args.average_with), args.average_weight, len(tok.vocabulary))
    model.eval()
    measured = evaluate(kind, model, eval_data, tok)
    if eval_samples is not None:
        measured["heldOutSamples"] = sample_measures(kind, model, eval_samples, tok)
    print(f"[{name}] trained {done} steps in {t_train:.0f} s; evaluation: {measured}", flush=True)
    export(kind, name, model, tok, out, args, t_train, len(data), done, measured, eval_data)
    common.finish(out, name, t_train)


def export(kind, name, model, tok, out: Path, args, t_train, n, steps, measured, eval_data) -> None:
    import hashlib
    L = tok.max_tokens
    images, tokens = golden_inputs(eval_data, tok)
    text = kind != "aesthetic"
    inputs = {"image": images, "tokens": tokens} if text else {"image": images}
    output = "aspects" if kind == "grader" else "score"
    common.export_onnx(model, tuple(inputs.values()), list(inputs), [output], out / "model.onnx")
    common.write_golden(model, inputs, [output], out / "golden.json",
                        "four evaluation scenes (the last blurred) with their caption, a colour negative, the null "
                        "caption and their own" if text else "four evaluation scenes, the last blurred")
    common.save_checkpoint(out / "model.pt", model, {"kind": f"shapes-verifier-{kind}", **model.config})
    probe = (torch.zeros(2, 3, 32, 32),) + ((torch.ones(2, L, dtype=torch.int64),) if text else ())
    flops = shapes.count_flops(model, probe)
    ins = [common.tensor_spec("image", [-1, 3, 32, 32], "float32")]
    if text:
        ins.append(common.tensor_spec("tokens", [-1, L], "int64"))
    outs = [common.tensor_spec(output, [-1, len(ASPECTS)] if kind == "grader" else [-1], "float32")]
    manifest = {
        "name": name,
        "role": "verifier",
        "file": "model.onnx",
        "sha256": hashlib.sha256((out / "model.onnx").read_bytes()).hexdigest(),
        "inputs": ins,
        "outputs": outs,
        "verifier": {
            "kind": kind,
            "score": {"clip": "cosine similarity of the image and caption embeddings (CLIPScore)",
                      "aesthetic": "quality score (higher: cleaner render); prompt-agnostic",
                      "reward": "preference score of the image for the caption (Bradley-Terry logit)",
                      "grader": "aspect probabilities, combined by the request's weights"}[kind],
        },
        "sample": shapes.IMAGE,
        "flopsPerSample": flops,
        "parameters": common.count_params(model),
        "evaluation": {"data": f"{Path(args.eval_data).name} (shapes-data --split eval), held-out family included",
                       **measured},
        "provenance": common.provenance(
            args, t_train, shapes.data_desc(args.data, n), steps=steps, batchSize=args.batch_size, lr=args.lr,
            architecture={"kind": kind, **model.config}),
    }
    if args.init_from is not None:
        start = Path(args.init_from)
        manifest["provenance"]["initialisedFrom"] = {
            "folder": start.name, "onnxSha256": hashlib.sha256((start / "model.onnx").read_bytes()).hexdigest()}
    if args.average_with is not None:
        other = Path(args.average_with)
        manifest["provenance"]["averagedWith"] = {
            "folder": other.name, "onnxSha256": hashlib.sha256((other / "model.onnx").read_bytes()).hexdigest(),
            "trainedShare": args.average_weight}
    if text:
        manifest["tokenizer"] = {"vocabulary": tok.vocabulary, "maxTokens": L}
    if kind == "grader":
        manifest["verifier"]["aspects"] = ASPECTS
    common.write_manifest(out / "manifest.json", manifest)


if __name__ == "__main__":
    main()
