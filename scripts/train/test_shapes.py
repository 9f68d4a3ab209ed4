#!/usr/bin/env python3
"""Unit tests of scripts/train/shapes.py on small tensors (issue 12): tokenizer, schedules against their formulas,
the samplers against the exact flow of a point mass, masking, normalisation and FLOPs against hand counts.

    /usr/bin/python3 scripts/train/test_shapes.py
"""
from __future__ import annotations

import json
import math
import sys
import unittest
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
import shapes  # noqa: E402
import shapes_fixture  # noqa: E402

torch.set_num_threads(1)


class TokenizerTest(unittest.TestCase):
    def setUp(self):
        self.tok = shapes.Tokenizer(shapes.DEFAULT_VOCABULARY)

    def test_ids_are_vocabulary_indices_padded_with_zero(self):
        ids = self.tok.encode("a red circle left of a blue square")
        v = shapes.DEFAULT_VOCABULARY
        words = ["a", "red", "circle", "left", "of", "a", "blue", "square"]
        self.assertEqual(ids, [v.index(w) for w in words] + [0] * 4)

    def test_null_caption_is_all_pads(self):
        self.assertEqual(self.tok.encode(""), [0] * shapes.MAX_TOKENS)

    def test_unknown_word_and_long_caption_are_named(self):
        with self.assertRaisesRegex(ValueError, "unknown word 'purple'"):
            self.tok.encode("a purple circle")
        with self.assertRaisesRegex(ValueError, "more than 12"):
            self.tok.encode(" ".join(["a"] * 13))

    def test_default_vocabulary_is_the_committed_file_when_present(self):
        if shapes.VOCABULARY_FILE.exists():
            d = json.loads(shapes.VOCABULARY_FILE.read_text())
            self.assertEqual(d["vocabulary"], shapes.DEFAULT_VOCABULARY)
            self.assertEqual(d["maxTokens"], shapes.MAX_TOKENS)


class ScheduleTest(unittest.TestCase):
    def test_vp_abar_at_discrete_steps_is_the_product_of_one_minus_beta(self):
        abar, ref = 1.0, {0: 1.0}
        for i in range(1, 1001):
            abar *= 1 - (1e-4 + (0.02 - 1e-4) * (i - 1) / 999)
            ref[i] = abar
        for i in (0, 1, 10, 500, 999, 1000):
            self.assertAlmostEqual(float(shapes.vp_abar(torch.tensor([i / 1000.0], dtype=torch.float64))[0]), ref[i], delta=1e-12 + 1e-9 * ref[i])

    def test_vp_abar_interpolates_log_abar_linearly(self):
        a0, a1 = shapes.vp_abar(torch.tensor([0.25, 0.251], dtype=torch.float64))
        mid = shapes.vp_abar(torch.tensor([0.2505], dtype=torch.float64))[0]
        self.assertAlmostEqual(float(mid), math.sqrt(float(a0) * float(a1)), delta=1e-12)

    def test_rf_grid_is_the_shifted_uniform_grid(self):
        g = shapes.rf_grid(4, 3.0)
        for i, u in enumerate([1.0, 0.75, 0.5, 0.25, 0.0]):
            self.assertAlmostEqual(float(g[i]), 3 * u / (1 + 2 * u), delta=1e-12)


class PointMass(nn.Module):
    """The exact velocity / epsilon of data concentrated at c (ignores the text): the samplers must land on c."""

    def __init__(self, kind: str, c: torch.Tensor):
        super().__init__()
        self.kind, self.c = kind, c

    def forward(self, x, t, text, mask):
        tt = t[:, None, None, None].to(torch.float64)
        if self.kind == "velocity":
            return ((x - self.c) / tt).to(torch.float32)
        a = shapes.vp_abar(t)[:, None, None, None]
        return ((x - a.sqrt() * self.c) / (1 - a).sqrt()).to(torch.float32)


class FakeModel:
    def __init__(self, den):
        self.den = den
        self.text = lambda tokens: (torch.zeros(tokens.shape[0], tokens.shape[1], 8), (tokens != 0).float())

    def eval(self):
        return self


class SamplerTest(unittest.TestCase):
    def check(self, kind: str, shift: float, guidance: float):
        c = torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(1))
        noise = torch.randn(3, 4, 8, 8, generator=torch.Generator().manual_seed(2))
        tokens = torch.zeros(3, 12, dtype=torch.int64)
        out = shapes.sample(FakeModel(PointMass(kind, c)), kind, tokens, noise, 10, guidance, shift)
        self.assertLess(float((out - c).abs().max()), 2e-3)

    def test_euler_reaches_the_point_mass(self):
        self.check("velocity", 1.0, 1.0)
        self.check("velocity", 3.0, 4.0)

    def test_ddim_reaches_the_point_mass(self):
        self.check("epsilon", 1.0, 1.0)
        self.check("epsilon", 1.0, 2.5)


class ModelTest(unittest.TestCase):
    def test_attention_ignores_masked_keys(self):
        g = torch.Generator().manual_seed(0)
        q, k, v = (torch.randn(2, 2, 5, 4, generator=g) for _ in range(3))
        bias = torch.zeros(2, 1, 1, 5)
        bias[..., 3:] = -1e4
        ref = torch.softmax(q @ k[..., :3, :].transpose(-1, -2) / 2.0, -1) @ v[..., :3, :]
        self.assertLess(float((shapes.attention(q, k, v, bias) - ref).abs().max()), 1e-6)

    def test_denoiser_ignores_the_pad_positions_and_takes_the_null_caption(self):
        torch.manual_seed(0)
        m = shapes.TextToLatent(dict(vocab=19, dim=16, depth=1, heads=2), dict(text_dim=16, ch=16, heads=2, attn_dim=16))
        for p in m.parameters():  # leave no zero-initialised output layer, so the text must matter
            nn.init.normal_(p, std=0.2)
        tokens = torch.tensor([[1, 4, 8] + [0] * 9, [0] * 12])
        text, mask = m.text(tokens)
        x, t = torch.randn(2, 4, 8, 8), torch.tensor([0.5, 0.5])
        base = m.den(x, t, text, mask)
        self.assertTrue(torch.isfinite(base).all())
        other = text.clone()
        other[0, 3:] += 5.0
        other[1] += 5.0
        self.assertLess(float((m.den(x, t, other, mask) - base).abs().max()), 1e-5)
        changed = text.clone()
        changed[0, 1] += 1.0
        self.assertGreater(float((m.den(x, t, changed, mask) - base).abs().max()), 1e-3)

    def test_position_embeddings_are_added_features_and_optional(self):
        torch.manual_seed(0)
        cfg = dict(text_dim=16, ch=16, heads=2, attn_dim=16)
        plain, placed = shapes.Denoiser(**cfg), shapes.Denoiser(**cfg, pos=True)
        self.assertEqual(set(placed.state_dict()) - set(plain.state_dict()), {"pos1", "pos2"})
        for p in plain.parameters():  # no zero-initialised output layer, so every feature reaches the output
            nn.init.normal_(p, std=0.2)
        placed.load_state_dict(plain.state_dict(), strict=False)
        x, t = torch.randn(2, 4, 8, 8), torch.tensor([0.3, 0.8])
        text, mask = torch.randn(2, 12, 16), torch.ones(2, 12)
        with torch.no_grad():
            placed.pos1.zero_()
            placed.pos2.zero_()
            self.assertLess(float((placed(x, t, text, mask) - plain(x, t, text, mask)).abs().max()), 1e-6)
            placed.pos1[0, :, 2, 5] = 1.0
            self.assertGreater(float((placed(x, t, text, mask) - plain(x, t, text, mask)).abs().max()), 1e-3)
        shapes.Denoiser(**plain.config).load_state_dict(plain.state_dict())  # a config without pos loads as before

    def test_position_scale_sets_how_much_word_order_the_text_encoder_sees_at_start(self):
        # the same words in another order: a bag of words encodes both alike, positions of the words' scale do not
        tokens = torch.tensor([[1, 4, 8, 11, 12, 1, 5, 9] + [0] * 4, [1, 5, 9, 11, 12, 1, 4, 8] + [0] * 4])

        def order_gap(pos_std: float) -> float:
            torch.manual_seed(0)
            text, _ = shapes.TextEncoder(vocab=19, dim=96, pos_std=pos_std)(tokens)
            pooled = text[:, :8].mean(1)
            return float((pooled[0] - pooled[1]).norm() / pooled[0].norm())

        self.assertLess(order_gap(0.0), 1e-5)
        self.assertGreater(order_gap(1.0), 10 * order_gap(0.02))
        cfg = dict(text_dim=16, ch=16, heads=2, attn_dim=16, pos=True)
        den = shapes.Denoiser(**cfg, pos_std=1.0)
        self.assertAlmostEqual(float(den.pos1.std()), 1.0, delta=0.1)
        self.assertEqual(den.config, shapes.Denoiser(**cfg).config)  # an initial scale, not the architecture

    def test_normalisation_does_not_change_reconstructions(self):
        torch.manual_seed(0)
        ae = shapes.AutoEncoder(ch=8).eval()
        x = torch.rand(2, 3, 32, 32) * 2 - 1
        with torch.no_grad():
            before = ae.decoder(ae.encoder(x))
            raw = ae.encoder.raw(x)
            ae.set_normalisation(torch.tensor([0.1, -0.2, 0.3, 0.0]), torch.tensor([2.0, 0.5, 1.0, 4.0]))
            after = ae.decoder(ae.encoder(x))
            z = ae.encoder(x)
        self.assertLess(float((after - before).abs().max()), 1e-5)
        want = (raw - torch.tensor([0.1, -0.2, 0.3, 0.0])[None, :, None, None]) * torch.tensor([2.0, 0.5, 1.0, 4.0])[None, :, None, None]
        self.assertLess(float((z - want).abs().max()), 1e-5)

    def test_flops_count_linears_and_attention_products(self):
        mh = shapes.MultiHead(8, 6, 2)

        class Wrap(nn.Module):
            def __init__(self):
                super().__init__()
                self.mh = mh

            def forward(self, x, c):
                return self.mh(x, c, None)

        flops = shapes.count_flops(Wrap(), (torch.zeros(3, 5, 8), torch.zeros(3, 7, 6)))
        linear = 5 * 8 * 8 + 7 * 6 * 16 + 5 * 8 * 8
        products = 2 * 2 * 5 * 7 * 4
        self.assertEqual(flops, 2 * (linear + products))


class ContinueTest(unittest.TestCase):
    def test_weights_read_back_from_onnx_equal_the_exported_ones(self):
        import tempfile
        import common
        torch.manual_seed(0)
        m = shapes.TextToLatent(dict(vocab=19, dim=16, depth=1, heads=2),
                                dict(text_dim=16, ch=16, heads=2, attn_dim=16, pos=True)).eval()
        for p in m.parameters():  # distinct values everywhere (no zero-initialised layer to match by accident)
            nn.init.normal_(p, std=0.2)
        tokens = torch.ones(2, 12, dtype=torch.int64)
        den_in = (torch.zeros(2, 4, 8, 8), torch.full((2,), 0.5), torch.zeros(2, 12, 16), torch.ones(2, 12))
        with tempfile.TemporaryDirectory() as d:
            common.export_onnx(m.text, (tokens,), ["tokens"], ["text", "textMask"], Path(d) / "t.onnx")
            common.export_onnx(m.den, den_in, ["x", "t", "text", "textMask"], ["v"], Path(d) / "d.onnx")
            text_onnx = shapes._initializer_arrays((Path(d) / "t.onnx").read_bytes())
            den_onnx = shapes._initializer_arrays((Path(d) / "d.onnx").read_bytes())
        fresh = shapes.TextToLatent(m.text.config, m.den.config)
        text_state = shapes._onnx_weights(fresh.text, (tokens,), ["tokens"], ["text", "textMask"], text_onnx)
        den_state = shapes._onnx_weights(fresh.den, den_in, ["x", "t", "text", "textMask"], ["v"], den_onnx)
        for module, state in ((m.text, text_state), (m.den, den_state)):
            params = dict(module.named_parameters())
            self.assertEqual(set(state), set(params))
            for k, v in state.items():
                self.assertTrue(torch.equal(v, params[k].detach()), k)

    def test_latents_cache_is_read_only_for_the_same_data_and_autoencoder(self):
        import tempfile
        from types import SimpleNamespace
        import common
        torch.manual_seed(0)
        ae = shapes.AutoEncoder(ch=8)
        images = torch.rand(3, 3, 32, 32) * 2 - 1
        with tempfile.TemporaryDirectory() as d:
            d = Path(d)
            common.save_checkpoint(d / "model.pt", ae, {"kind": "shapes-ae", **ae.config})
            (d / "data.npz").write_bytes(b"first")
            args = SimpleNamespace(latents=str(d / "cache.npz"), data=str(d / "data.npz"), ae=str(d))
            with torch.no_grad():
                want = ae.encoder(images)
            first = shapes.cached_latents(args, images)
            self.assertLess(float((first - want).abs().max()), 1e-6)
            with np.load(d / "cache.npz") as z:
                key = str(z["key"])
            np.savez(d / "cache.npz", latents=np.zeros((3, 4, 8, 8), np.float32), key=np.array(key))
            self.assertEqual(float(shapes.cached_latents(args, images).abs().max()), 0.0)  # read, not encoded
            (d / "data.npz").write_bytes(b"other")
            self.assertLess(float((shapes.cached_latents(args, images) - want).abs().max()), 1e-6)

    def test_the_committed_autoencoder_is_rebuilt_from_its_onnx_files_and_checked(self):
        import shutil
        import tempfile
        committed = Path(__file__).resolve().parents[2] / "tensorrt-plans" / "models" / "shapes-ae"
        ae = shapes.load_autoencoder(committed)  # no model.pt there: both graphs read back, golden outputs met
        golden = json.loads((committed / "golden-encoder.json").read_text())
        images = torch.tensor(golden["inputs"]["image"]["data"]).reshape(golden["inputs"]["image"]["shape"])
        with torch.no_grad():
            latents = ae.encoder(images)
            back = ae.decoder(latents)
        self.assertLess(float((back - images).abs().mean()), 0.05)  # the scenes come back through the pair
        with tempfile.TemporaryDirectory() as d:
            copy = Path(d) / "shapes-ae"
            shutil.copytree(committed, copy)
            spec = json.loads((copy / "golden.json").read_text())
            first = next(iter(spec["outputs"].values()))
            first["data"][0] += 0.01
            (copy / "golden.json").write_text(json.dumps(spec))
            with self.assertRaises(SystemExit) as caught:
                shapes.load_autoencoder(copy)
            self.assertIn("golden.json", str(caught.exception))

    def test_mixed_batches_hold_the_share_and_walk_each_pool(self):
        caps = ["a red circle left of a blue square"] * 30 + ["two red circles"] * 50 + ["a red circle"] * 20
        b = shapes.MixedBatches(caps, 10, 0.7, 0)
        seen = []
        for _ in range(4):  # 28 of the 30 relational scenes: one pass, no repeats
            idx = b.next()
            self.assertEqual(len(idx), 10)
            rel = [int(i) for i in idx if shapes.is_relational(caps[int(i)])]
            self.assertEqual(len(rel), 7)
            seen += rel
        self.assertEqual(len(set(seen)), 28)
        self.assertTrue(all(i < 30 for i in seen))
        self.assertFalse(shapes.is_relational("three blue squares"))


class FixtureTest(unittest.TestCase):
    def test_shapes_follow_the_rasterisation(self):
        row, column = np.mgrid[0:32, 0:32]
        square = shapes_fixture.covers("square", 3, 5, 9, column, row)
        self.assertEqual(int(square.sum()), 81)
        circle = shapes_fixture.covers("circle", 0, 0, 8, column, row)
        self.assertEqual(int(circle.sum()), 52)  # pixel centres within radius 4 of (4, 4)
        tri = shapes_fixture.covers("triangle", 0, 0, 8, column, row)
        self.assertFalse(tri[0].any())  # even side: no pixel centre in the top row
        self.assertEqual(int(tri[7].sum()), 8)  # the base row is full


class VerifierSamplesTest(unittest.TestCase):
    """shapes_verifiers.py: the generator's samples labelled from the checker, clip's image-side negatives."""

    def test_sample_aspects_follow_the_grader_definitions_from_the_found_objects(self):
        import shapes_verifiers as sv
        three = sv.parse("three red circles")
        self.assertEqual(sv.truths(three, [(0, 0)] * 3, True), [1.0, 1.0, 1.0, 1.0])
        self.assertEqual(sv.truths(three, [(0, 0)] * 4, True), [1.0, 1.0, 0.0, 1.0])  # one more: count only
        self.assertEqual(sv.truths(three, [(0, 0), (0, 0), (1, 0)], True), [1.0, 1.0, 0.0, 1.0])
        rel = sv.parse("a green square left of a yellow triangle")
        self.assertEqual(sv.truths(rel, [(1, 1), (3, 2)], False), [1.0, 1.0, 1.0, 0.0])
        self.assertEqual(sv.truths(rel, [(3, 1), (1, 2)], True), [1.0, 0.0, 1.0, 1.0])  # colours swapped

    def test_an_image_negative_of_a_count_caption_breaks_only_its_count(self):
        import shapes_verifiers as sv
        p = sv.parse("two red circles")
        scene = [(0, 0, 2, 2, 10), (0, 0, 18, 18, 10)]
        rng = np.random.RandomState(0)
        sizes = set()
        for _ in range(20):
            changed = sv.image_negative(p, scene, rng)
            if changed is None:
                continue
            sizes.add(len(changed))
            self.assertEqual(sv.labels(p, changed), [1.0, 1.0, 0.0, 1.0])
            self.assertTrue(all((o[0], o[1]) == (0, 0) for o in changed))
        self.assertEqual(sizes, {1, 3})

    def test_a_cut_square_is_what_the_checker_calls_a_circle(self):
        # ShapeChecker: full bounding box, mass centre above TRIANGLE_CENTROID (0.57), fill below SQUARE_FILL (0.9)
        import shapes_verifiers as sv
        rng = np.random.RandomState(3)
        for size in range(8, 13):
            for _ in range(40):
                m = sv.cut_square(size, rng)
                self.assertIsNotNone(m)
                self.assertTrue(m[0].any() and m[-1].any() and m[:, 0].any() and m[:, -1].any())
                self.assertGreaterEqual(m.mean(), 0.8)
                self.assertLess(m.mean(), sv.SQUARE_FILL)
                self.assertLess((np.nonzero(m)[0].mean() + 0.5) / size, 0.57)

    def test_a_square_negative_cuts_one_named_square_and_leaves_the_rest(self):
        import shapes_verifiers as sv
        scene = [(0, 1, 2, 2, 10), (0, 1, 18, 2, 10), (0, 1, 2, 18, 12)]
        clean = sv.render(scene)
        rng = np.random.RandomState(4)
        cut_boxes = set()
        for _ in range(30):
            img, _ = sv.square_negative(sv.parse("three red squares"), scene, rng)
            changed = np.argwhere((img != clean).any(-1))
            boxes = {i for i, (_, _, x, y, z) in enumerate(scene)
                     for r, c in changed if x <= c < x + z and y <= r < y + z}
            self.assertEqual(len(boxes), 1)  # one square, only inside its own box, only pixels turned black
            self.assertTrue((img[tuple(changed.T)] == 0).all())
            cut_boxes |= boxes
        self.assertEqual(cut_boxes, {0, 1, 2})
        img, read = sv.square_negative(sv.parse("three red squares"), scene, rng)
        self.assertEqual(sorted(o[1] for o in read), [0, 1, 1])  # the cut square is read as a circle
        self.assertEqual(sv.labels(sv.parse("three red squares"), read), [1.0, 1.0, 0.0, 1.0])
        self.assertIsNone(sv.square_negative(sv.parse("three red circles"), scene, rng))
        self.assertIsNone(sv.square_negative(sv.parse("a green square left of a red circle"),
                                             [(0, 0, 2, 2, 10), (3, 1, 18, 2, 10)], rng))  # no green square here

    @staticmethod
    def read_shapes(img: np.ndarray, rgb, boxes: bool = False) -> list[tuple]:
        """ShapeChecker's reading of the 4-connected components of one exact colour: (shape, fill of its box), and
        with boxes the box (top, bottom, left, right), inclusive."""
        mask, seen, out = (img == rgb).all(-1), set(), []
        for start in zip(*np.nonzero(mask)):
            if start in seen:
                continue
            seen.add(start)
            stack, pts = [start], []
            while stack:
                y, x = stack.pop()
                pts.append((y, x))
                for q in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                    if 0 <= q[0] < 32 and 0 <= q[1] < 32 and mask[q] and q not in seen:
                        seen.add(q)
                        stack.append(q)
            r, c = np.array(pts).T
            h, w = r.max() - r.min() + 1, c.max() - c.min() + 1
            fill, centroid = len(pts) / (h * w), (r.mean() - r.min() + 0.5) / h
            shape = "triangle" if centroid >= 0.57 else "square" if fill >= 0.9 else "circle"
            out.append((shape, fill, (r.min(), r.max(), c.min(), c.max())) if boxes else (shape, fill))
        return out

    def test_ragged_squares_read_as_the_checker_would_and_stay_in_their_margin(self):
        import shapes_verifiers as sv
        # three red squares (one in the corner, edits there are clipped) and a blue circle 2 px from one of them
        scene = [(0, 1, 0, 0, 10), (0, 1, 18, 2, 10), (0, 1, 4, 18, 12), (2, 0, 18, 14, 8)]
        p = sv.parse("three red squares")
        clean = sv.render(scene)
        margins = [(max(y - 1, 0), y + z + 1, max(x - 1, 0), x + z + 1) for _, _, x, y, z in scene[:3]]
        rng = np.random.RandomState(6)
        below_fills, above_fills, touched = [], [], set()
        for _ in range(60):
            below = sv.ragged_below_image(p, scene, rng)
            above = sv.ragged_image(p, scene, sv.SQUARE_FILL, 1.0, True, rng)
            boxes = []
            for img in (below, above):
                self.assertIsNotNone(img)
                self.assertEqual(self.read_shapes(img, sv.RGB[2]), self.read_shapes(clean, sv.RGB[2]))
                changed = np.argwhere((img != clean).any(-1))
                inside = [[a <= r < b and c <= col < d for a, b, c, d in margins] for r, col in changed]
                self.assertTrue(all(sum(row) == 1 for row in inside))  # every change in one square's margin
                boxes.append({row.index(True) for row in inside})
            self.assertEqual([len(b) for b in boxes], [1, 3])  # below: one named square ragged; above: every one
            touched |= boxes[0]
            read = self.read_shapes(below, sv.RGB[0])
            self.assertEqual(sorted(s for s, _ in read), ["circle", "square", "square"])
            below_fills += [f for s, f in read if s == "circle"]
            read = self.read_shapes(above, sv.RGB[0])
            self.assertEqual([s for s, _ in read], ["square"] * 3)
            above_fills += [f for _, f in read]
        self.assertTrue(all(0.75 <= f < sv.SQUARE_FILL for f in below_fills))
        self.assertTrue(all(sv.SQUARE_FILL <= f < 1.0 for f in above_fills))
        self.assertEqual(touched, {0, 1, 2})
        self.assertIsNone(sv.ragged_image(sv.parse("three red circles"), scene, 0.75, sv.SQUARE_FILL, False, rng))

    @classmethod
    def verdict(cls, img: np.ndarray, caption: str) -> bool:
        """ShapeChecker's overall on a rendered image (exact colours): the found things equal the named ones as a
        multiset, and for a relation some named pair's box centres lie 2 px apart along its axis."""
        import shapes_verifiers as sv
        found = []
        for c, rgb in enumerate(sv.RGB):
            for shape, _, box in cls.read_shapes(img, rgb, boxes=True):
                found.append(((c, sv.KINDS.index(shape)), ((box[2] + box[3] + 1) / 2, (box[0] + box[1] + 1) / 2)))
        p = sv.parse(caption)
        named = p.things * p.n if p.relation is None else p.things
        if sorted(t for t, _ in found) != sorted(named):
            return False
        if p.relation is None:
            return True
        axis, sign = {"left of": (0, 1), "right of": (0, -1), "above": (1, 1), "below": (1, -1)}[p.relation]
        return any(sign * (b[axis] - a[axis]) >= 2 for ta, a in found for tb, b in found
                   if ta == p.things[0] and tb == p.things[1] and a is not b)

    def test_symmetric_moves_keep_the_checker_verdict_and_turn_only_square_captions(self):
        import shapes_verifiers as sv
        rng = np.random.RandomState(8)
        squares, circle = [(0, 1, 0, 0, 10), (0, 1, 18, 2, 10), (0, 1, 4, 18, 12)], (2, 0, 18, 16, 8)
        pair = sv.render([(1, 2, 2, 10, 10), (3, 1, 18, 10, 10)])
        p = sv.parse("three red squares")
        cases = [("three red squares", sv.ragged_image(p, squares, sv.SQUARE_FILL, 1.0, True, rng), True),
                 ("three red squares", sv.ragged_below_image(p, squares, rng), False),
                 ("three red squares", sv.render(squares + [circle]), False),
                 ("two red squares", sv.render(squares[:2] + [circle]), False),
                 ("a blue triangle", sv.render([(2, 2, 6, 6, 12)]), True),
                 ("a blue circle", sv.render([(2, 2, 6, 6, 12)]), False),
                 ("a green triangle left of a yellow square", pair, True),
                 ("a yellow square left of a green triangle", pair, False),
                 ("a green triangle above a yellow square", sv.render([(1, 2, 2, 2, 10), (3, 1, 6, 18, 10)]), True)]
        for caption, img, right in cases:
            self.assertEqual(self.verdict(img, caption), right, caption)
            moved = set()
            for _ in range(40):
                a, b, c = sv.symmetric_pair(img, np.zeros_like(img), caption, rng)
                self.assertFalse(b.any())
                self.assertEqual(self.verdict(a, c), right, (caption, c))
                mirrored = np.array_equal(a, img[:, ::-1]) and not np.array_equal(a, img)
                if mirrored and " of " in caption:
                    self.assertEqual(c, caption.replace("left", "right"))  # the relation swapped with the mirror
                else:
                    self.assertEqual(c, caption)
                moved.add(a.tobytes())
            # square captions: the eight symmetries (all distinct on these scenes); the others: mirror or nothing
            self.assertEqual(len(moved), 8 if caption.endswith("squares") else 2, caption)

    def test_a_touch_negative_merges_two_named_objects_into_one_blob(self):
        import shapes_verifiers as sv
        rng = np.random.RandomState(5)
        for caption, scene in [("three red squares", [(0, 1, 2, 2, 10), (0, 1, 18, 2, 10), (0, 1, 2, 18, 12)]),
                               ("two yellow circles", [(3, 0, 2, 2, 12), (3, 0, 18, 18, 9), (1, 2, 20, 2, 8)])]:
            p = sv.parse(caption)
            made = 0
            for _ in range(20):
                out = sv.touch_negative(p, scene, rng)
                if out is None:
                    continue
                made += 1
                self.assertEqual(sv.blobs((sv.render(out) == sv.RGB[scene[0][0]]).all(-1)), p.n - 1)
                self.assertEqual(sum(a != b for a, b in zip(out, scene)), 1)  # one named object moved, nothing else
                self.assertEqual([o[:2] for o in out], [o[:2] for o in scene])
            self.assertGreater(made, 10)
        self.assertIsNone(sv.touch_negative(sv.parse("a red square"), [(0, 1, 2, 2, 10)], rng))
        self.assertIsNone(sv.touch_negative(sv.parse("two red squares"), [(0, 1, 2, 2, 10), (1, 1, 18, 2, 10)], rng))

    @staticmethod
    def write_pool(folder: str, caption: str, rows: list[str], images: np.ndarray | None = None) -> None:
        """A pool folder of len(rows) images of one caption (blank unless given); rows are pool.csv's lines after the
        header."""
        if images is None:
            images = np.zeros((len(rows), 32, 32, 3), np.uint8)
        np.savez(Path(folder) / "images.npz", arr_0=images, prompts=np.array([caption] * len(rows)))
        (Path(folder) / "pool.csv").write_text(
            "prompt_index,prompt,category,seed,candidate,key,score:aesthetic,check:colour,check:shape,"
            "check:binding,check:count,check:numeracy,check:spatial,check:overall,found\n"
            + "".join(r + "\n" for r in rows))

    def test_samples_refuse_a_held_out_caption(self):
        import tempfile
        import shapes_verifiers as sv
        with tempfile.TemporaryDirectory() as tmp:
            caption = "a red circle left of a blue square"
            self.write_pool(tmp, caption, [f"0,{caption},relational,0,0,0,0.0,0,0,0,0,,0,0,"])
            with self.assertRaises(SystemExit):
                sv.Samples([tmp], "train")

    def test_preference_pairs_move_together_with_their_caption(self):
        import tempfile
        import shapes_verifiers as sv
        caption = "a green triangle left of a yellow square"
        right, wrong = sv.render([(1, 2, 2, 10, 10), (3, 1, 18, 10, 10)]), sv.render([(1, 2, 18, 10, 10)])
        tok = shapes.load_tokenizer(None)
        with tempfile.TemporaryDirectory() as tmp:
            rows = [f"0,{caption},relational,0,0,0,0.0,1,1,1,1,,1,1,green-triangle yellow-square",
                    f"0,{caption},relational,0,1,1,0.0,0,1,0,0,,0,0,green-triangle"]
            self.write_pool(tmp, caption, rows, np.stack([right, wrong]))
            samples = sv.Samples([tmp], "train")
        for symmetries, kinds in ((False, 1), (True, 2)):
            good, bad, tokens = samples.preference_batch(40, tok, np.random.RandomState(2), symmetries)
            seen = set()
            for g, b, t in zip(shapes.to_uint8(good), shapes.to_uint8(bad), tokens):
                mirrored = not np.array_equal(g, right)
                self.assertTrue(np.array_equal(g, right[:, ::-1] if mirrored else right))
                self.assertTrue(np.array_equal(b, wrong[:, ::-1] if mirrored else wrong))  # the same move
                text = caption.replace("left", "right") if mirrored else caption
                self.assertTrue(torch.equal(t, tok.batch([text])[0]))
                seen.add(mirrored)
            self.assertEqual(len(seen), kinds)

    def test_the_checker_reading_sees_off_colour_pixels_as_the_checker_does(self):
        import shapes_verifiers as sv
        rng = np.random.RandomState(11)
        scene = [(0, 1, 0, 0, 10), (0, 1, 18, 2, 10), (2, 2, 4, 18, 12), (3, 0, 18, 16, 9)]
        img = sv.render(scene)
        self.assertTrue(sv.ragged_square(img, scene[1], 0.8, 0.88, rng))
        exact = [(sv.RGB.tolist().index(list(rgb)), sv.KINDS.index(k), f) for rgb in sv.RGB.tolist()
                 for k, f in self.read_shapes(img, rgb)]
        reading = sv.checker_reading(img)
        self.assertEqual(sorted(reading), sorted(exact))
        self.assertEqual(sorted((c, k) for c, k, _ in reading), [(0, 0), (0, 1), (2, 2), (3, 0)])
        # colours off by up to 90 per channel still read as theirs; a dark red (nearer black than red), a purple
        # (farther than 160 from every colour) and a speck of 9 pixels are background
        noisy = np.clip(img.astype(int) + rng.randint(-90, 1, img.shape) * (img > 0), 0, 255).astype(np.uint8)
        self.assertEqual(sv.checker_reading(noisy), reading)
        marked = img.copy()
        marked[30, 0:12] = (100, 0, 0)
        marked[31, 0:12] = (130, 0, 130)
        marked[26:29, 26:29] = (0, 255, 0)
        self.assertEqual(sv.checker_reading(marked), reading)
        marked[26:29, 29] = (0, 255, 0)
        self.assertEqual(len(sv.checker_reading(marked)), 5)

    def test_graded_pairs_prefer_the_squarer_drawing_on_both_sides_of_the_line(self):
        import tempfile
        import shapes_verifiers as sv
        caption, p = "two red squares", sv.parse("two red squares")
        scene = [(0, 1, 2, 2, 10), (0, 1, 18, 16, 10)]
        rng = np.random.RandomState(9)
        images, fills = [], []
        ranges = ((0.96, 1.0), (0.9, 0.93), (0.91, 0.94), (0.86, 0.9), (0.78, 0.84))
        for low, high in ranges:
            img = sv.ragged_image(p, scene, low, high, False, rng)
            self.assertIsNotNone(img)
            images.append(img)
            fills.append(sv.squareness(p, sv.checker_reading(img)))
        images.append(sv.render(scene + [(1, 2, 2, 18, 8)]))  # a green triangle more: not graded
        fills.append(sv.squareness(p, sv.checker_reading(images[-1])))
        self.assertIsNone(fills[-1])
        self.assertEqual([f >= sv.SQUARE_FILL for f in fills[:5]], [True, True, True, False, False])
        found = ["red-square red-square"] * 3 + ["red-square red-circle"] * 2 + ["red-square red-square green-triangle"]
        rows = [f"0,{caption},count,0,{i},{i},0.0,1,1,1,{int(i < 5)},1,,{int(i < 3)},{f}" for i, f in enumerate(found)]
        tok = shapes.load_tokenizer(None)
        with tempfile.TemporaryDirectory() as tmp:
            self.write_pool(tmp, caption, rows, np.stack(images))
            self.assertEqual(len(sv.Samples([tmp], "train").graded), 0)
            samples = sv.Samples([tmp], "train", graded=True)
            want = {(i, k) for i in range(5) for k in range(5) if fills[i] - fills[k] >= sv.GRADE_MARGIN}
            self.assertEqual({tuple(g) for g in samples.graded.tolist()}, want)
            self.assertIn((3, 4), want)  # two wrong ones: the squarer is still preferred
            self.assertLess(abs(fills[1] - fills[2]), sv.GRADE_MARGIN)  # two alike: no preference either way
            self.assertNotEqual(fills[1], fills[2])
            good, bad, tokens = samples.graded_batch(30, tok, np.random.RandomState(4))
            for g, b in zip(shapes.to_uint8(good), shapes.to_uint8(bad)):
                i = next(j for j in range(5) if np.array_equal(g, images[j]))
                k = next(j for j in range(5) if np.array_equal(b, images[j]))
                self.assertGreaterEqual(fills[i] - fills[k], sv.GRADE_MARGIN)
            self.assertTrue(torch.equal(tokens, tok.batch([caption] * 30)))
            # a reading that disagrees with pool.csv's found objects stops the run
            self.write_pool(tmp, caption, [rows[0].replace("red-square red-square", "red-square red-circle")],
                            images[:1])
            with self.assertRaises(SystemExit):
                sv.Samples([tmp], "train", graded=True)

    def test_the_count_failure_fills_read_the_chosen_squares_and_move_the_line_in_analysis_only(self):
        import subprocess
        import tempfile
        import shapes_verifiers as sv
        caption, p = "two red squares", sv.parse("two red squares")
        scene = [(0, 1, 2, 2, 10), (0, 1, 18, 16, 10)]
        rng = np.random.RandomState(9)
        images, fills = [], []
        for low, high in ((0.78, 0.84), (0.95, 1.0), (0.85, 0.875)):  # no search, right, chosen (the best score)
            images.append(sv.ragged_image(p, scene, low, high, False, rng))
            fills.append(sv.squareness(p, sv.checker_reading(images[-1])))
        found = ["red-square red-circle", "red-square red-square", "red-square red-circle"]
        rows = [f"0,{caption},count,0,{i},{i},{score},1,1,1,1,1,,{int(i == 1)},{f}"
                for i, (score, f) in enumerate(zip((0.1, 0.2, 0.3), found))]
        script = Path(__file__).resolve().parents[2] / "bench" / "scripts" / "t2i_count_failures.py"
        with tempfile.TemporaryDirectory() as tmp:
            self.write_pool(tmp, caption, rows, np.stack(images))
            out = subprocess.run([sys.executable, str(script), "--fills", "--verifier", "aesthetic", tmp],
                                 capture_output=True, text=True, check=True).stdout
        # at 0.85 the chosen image (lowest fill in [0.85, 0.875)) is right and no search's is not; at 0.9 both wrong
        self.assertIn("0.85: +100.0, 0.875: +0.0, 0.9: +0.0, 0.925: +0.0, 0.95: +0.0", out)
        self.assertIn("wrong `... squares` choices: 1; drawing exactly the named squares, one under the line: 1 "
                      "(lowest fill [0.0, 0.8): 0, [0.8, 0.85): 0, [0.85, 0.875): 1, [0.875, 0.9): 0; "
                      f"median {fills[2]:.3f}); other: 0", out)

    def test_training_near_misses_never_show_red_beside_blue(self):
        import types
        import shapes_verifiers as sv
        scenes = [("a red circle left of a green square", [(0, 0, 2, 10, 10), (1, 1, 20, 10, 10)]),
                  ("a yellow triangle above a blue circle", [(3, 2, 10, 2, 10), (2, 0, 10, 20, 10)])]
        objects = np.full((2, 4, 5), -1, dtype=np.int64)
        for r, (_, objs) in enumerate(scenes):
            objects[r, :2] = objs
        data = types.SimpleNamespace(images=np.stack([sv.render(o) for _, o in scenes]), objects=objects,
                                     captions=[c for c, _ in scenes], parsed=[sv.parse(c) for c, _ in scenes])
        tok, g = shapes.load_tokenizer(None), torch.Generator().manual_seed(0)

        def red_beside_blue(image: torch.Tensor) -> bool:
            px = ((image.permute(1, 2, 0) + 1.0) * 127.5).round().reshape(-1, 3)
            has = [bool((px == torch.tensor(rgb)).all(1).any()) for rgb in ([255.0, 0, 0], [0, 0, 255.0])]
            return all(has)

        for kind in ("reward", "grader"):
            rng = np.random.RandomState(1)
            seen = {True: 0, False: 0}
            for training in (True, False):
                for _ in range(60):
                    _, neg, _, _, _ = sv.make_batch(kind, data, np.array([0, 1]), tok, rng, g, training)
                    seen[training] += sum(red_beside_blue(x) for x in neg)
            self.assertEqual(seen[True], 0, kind)
            self.assertGreater(seen[False], 0, kind)  # evaluation keeps them: the rule is what removes them

    def test_training_samples_leave_out_red_beside_blue(self):
        import tempfile
        import shapes_verifiers as sv
        caption = "a red circle left of a green square"
        with tempfile.TemporaryDirectory() as tmp:
            self.write_pool(tmp, caption, [f"{line},{caption},relational,0,{c},{c},0.0,1,1,1,1,,1,{ok},{found}"
                                           for line in (0, 9) for c, (ok, found) in enumerate(
                                               [(1, "red-circle green-square"), (0, "red-circle blue-square")])])
            self.assertEqual(len(sv.Samples([tmp], "train")), 1)
            self.assertEqual(len(sv.Samples([tmp], "eval")), 2)


if __name__ == "__main__":
    unittest.main()
