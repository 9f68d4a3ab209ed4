"""Shared parts of the shapes text-to-image models (issue 12): data, tokenizer, the autoencoder, the text encoder,
the latent denoiser (velocity or epsilon), their schedules and samplers, FLOPs and exports.

The contract of the exported files is docs/t2i-models.md. Shapes of the tensors:
  images       [B,3,32,32] float32 in [-1,1] (the data's uint8 HWC / 127.5 - 1, channels first)
  latents      [B,4,8,8]   float32, normalised to about zero mean and unit variance per channel
  tokens       [B,L]       int64, L = MAX_TOKENS, id = index in the vocabulary, pad 0 (the null caption: all pads)
  text         [B,L,D]     float32 text embeddings; textMask [B,L] float32 (1 = word, 0 = pad)
"""
from __future__ import annotations

import copy
import hashlib
import json
import math
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import common

MAX_TOKENS = 12
VOCABULARY_FILE = common.REPO / "tensorrt-plans" / "shapes-vocabulary.json"
# The caption grammar's words (used when the repository's vocabulary file is absent); id = index, pad first.
DEFAULT_VOCABULARY = ["<pad>", "a", "two", "three", "red", "green", "blue", "yellow", "circle", "square", "triangle",
                      "circles", "squares", "triangles", "left", "right", "of", "above", "below"]
IMAGE = {"channels": 3, "height": 32, "width": 32, "range": [-1, 1]}
LATENT = {"channels": 4, "height": 8, "width": 8}
# The folders of the text track's verifiers (scripts/train/shapes_verifiers.py), named in the denoisers' manifests.
VERIFIERS = {"clip": "shapes-clip", "aesthetic": "shapes-aesthetic", "reward": "shapes-reward",
             "grader": "shapes-grader"}


# ------------------------------------------------------------------------------------------ tokenizer
class Tokenizer:
    """Words to ids: split on single spaces, id = index in the vocabulary, padded with 0 to max_tokens."""

    def __init__(self, vocabulary: list[str], max_tokens: int = MAX_TOKENS):
        if not vocabulary or vocabulary[0] != "<pad>":
            raise ValueError("the vocabulary must start with <pad>")
        self.vocabulary = list(vocabulary)
        self.max_tokens = max_tokens
        self.ids = {w: i for i, w in enumerate(self.vocabulary)}

    def encode(self, caption: str) -> list[int]:
        """The ids of a caption; the empty caption is the null caption (all pads)."""
        words = caption.split(" ") if caption else []
        if len(words) > self.max_tokens:
            raise ValueError(f"caption '{caption}' has {len(words)} words, more than {self.max_tokens}")
        ids = []
        for w in words:
            if w not in self.ids or w == "<pad>":
                raise ValueError(f"caption '{caption}': unknown word '{w}'")
            ids.append(self.ids[w])
        return ids + [0] * (self.max_tokens - len(ids))

    def batch(self, captions: list[str]) -> torch.Tensor:
        return torch.tensor([self.encode(c) for c in captions], dtype=torch.int64)

    def manifest(self) -> dict:
        return {"vocabulary": self.vocabulary, "maxTokens": self.max_tokens, "pad": 0, "split": "single spaces",
                "nullCaption": "all pads"}


def load_tokenizer(path: str | None = None) -> Tokenizer:
    """The repository's vocabulary file ({"vocabulary": [...], "maxTokens": L}), or the default word list."""
    p = Path(path) if path else VOCABULARY_FILE
    if p.exists():
        d = json.loads(p.read_text())
        return Tokenizer(d["vocabulary"], int(d.get("maxTokens", MAX_TOKENS)))
    if path:
        raise SystemExit(f"{p}: vocabulary file not found")
    return Tokenizer(DEFAULT_VOCABULARY)


# ----------------------------------------------------------------------------------------------- data
def load_npz(path: str | Path) -> tuple[torch.Tensor, list[str]]:
    """images [N,3,32,32] float32 in [-1,1] and captions from an npz of `images` uint8 [N,32,32,3] and `captions`."""
    with np.load(str(path), allow_pickle=False) as z:
        images = z["images"]
        captions = [str(c) for c in z["captions"]]
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[1:] != (32, 32, 3):
        raise SystemExit(f"{path}: images must be uint8 [N,32,32,3], got {images.dtype} {images.shape}")
    if len(captions) != len(images):
        raise SystemExit(f"{path}: {len(images)} images but {len(captions)} captions")
    return to_float(images), captions


def to_float(images_u8: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(images_u8.astype(np.float32) / 127.5 - 1.0).permute(0, 3, 1, 2).contiguous()


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """[B,3,32,32] in [-1,1] -> uint8 [B,32,32,3] (rounded, clamped), the layout of the data and samples files."""
    x = ((images.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return x.permute(0, 2, 3, 1).contiguous().numpy()


def data_desc(path: str | Path, n: int) -> str:
    """The training file's own record of how it was made (shapes-data writes none, so name the file and count)."""
    return f"the first {n} scenes of {Path(path).name} (scripts/noisesearch shapes-data; issue 12's shapes set)"


# ------------------------------------------------------------------------------------ FLOPs of matmuls
class _MatMulCount:
    """Multiply-adds of the attention products (not nn.Linear, which common.count_flops hooks), when enabled."""
    macs: int | None = None


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """softmax(q k^T / sqrt(d) + bias) v; q [B,H,Lq,d], k and v [B,H,Lk,d], bias [B,1,1,Lk] (0 or -1e4)."""
    s = torch.matmul(q * (1.0 / math.sqrt(int(q.shape[-1]))), k.transpose(-1, -2))
    if bias is not None:
        s = s + bias
    out = torch.matmul(torch.softmax(s, dim=-1), v)
    if _MatMulCount.macs is not None:
        b, h, lq, d = q.shape
        _MatMulCount.macs += 2 * b * h * lq * k.shape[2] * d
    return out


def count_flops(model: nn.Module, inputs: tuple) -> int:
    """FLOPs per sample of one forward pass: common.count_flops (conv, linear) plus the attention products."""
    _MatMulCount.macs = 0
    try:
        flops = common.count_flops(model, inputs)
        macs = _MatMulCount.macs
    finally:
        _MatMulCount.macs = None
    return flops + 2 * macs // inputs[0].shape[0]


# ---------------------------------------------------------------------------------------- autoencoder
class Res(nn.Module):
    def __init__(self, ch: int):
        super().__init__()
        self.c1 = nn.Conv2d(ch, ch, 3, padding=1)
        self.c2 = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x):
        return x + self.c2(F.silu(self.c1(F.silu(x))))


class Encoder(nn.Module):
    """[B,3,32,32] -> [B,4,8,8]; the latent normalisation (shift, scale per channel) is part of the module."""

    def __init__(self, ch: int = 32, latent: int = 4):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, ch, 3, padding=1), nn.SiLU(),
            nn.Conv2d(ch, 2 * ch, 3, stride=2, padding=1), Res(2 * ch),
            nn.Conv2d(2 * ch, 3 * ch, 3, stride=2, padding=1), Res(3 * ch),
            nn.SiLU(), nn.Conv2d(3 * ch, latent, 1))
        self.register_buffer("shift", torch.zeros(latent))
        self.register_buffer("scale", torch.ones(latent))

    def raw(self, x):
        return self.net(x)

    def forward(self, x):
        return (self.raw(x) - self.shift[None, :, None, None]) * self.scale[None, :, None, None]


class Decoder(nn.Module):
    """[B,4,8,8] normalised latents -> [B,3,32,32] in [-1,1] (tanh)."""

    def __init__(self, ch: int = 32, latent: int = 4):
        super().__init__()
        self.register_buffer("shift", torch.zeros(latent))
        self.register_buffer("scale", torch.ones(latent))
        self.net = nn.Sequential(
            nn.Conv2d(latent, 3 * ch, 3, padding=1), Res(3 * ch), Res(3 * ch),
            nn.Upsample(scale_factor=2.0, mode="nearest"), nn.Conv2d(3 * ch, 2 * ch, 3, padding=1), Res(2 * ch),
            nn.Upsample(scale_factor=2.0, mode="nearest"), nn.Conv2d(2 * ch, ch, 3, padding=1), Res(ch),
            nn.SiLU(), nn.Conv2d(ch, 3, 3, padding=1))

    def raw(self, z):
        return torch.tanh(self.net(z))

    def forward(self, z):
        return self.raw(z / self.scale[None, :, None, None] + self.shift[None, :, None, None])


class AutoEncoder(nn.Module):
    def __init__(self, ch: int = 32, latent: int = 4):
        super().__init__()
        self.config = dict(ch=ch, latent=latent)
        self.encoder = Encoder(ch, latent)
        self.decoder = Decoder(ch, latent)

    def set_normalisation(self, shift: torch.Tensor, scale: torch.Tensor) -> None:
        for m in (self.encoder, self.decoder):
            m.shift.copy_(shift)
            m.scale.copy_(scale)


# --------------------------------------------------------------------------------------- transformers
class MultiHead(nn.Module):
    """Attention of queries x [B,Lq,D] over context c [B,Lk,Dc] with an additive key bias [B,Lk]."""

    def __init__(self, dim: int, ctx_dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(dim, dim)
        self.kv = nn.Linear(ctx_dim, 2 * dim)
        self.o = nn.Linear(dim, dim)

    def forward(self, x, c, bias):
        b, lq, d = x.shape
        lk, h = c.shape[1], self.heads
        q = self.q(x).reshape(b, lq, h, d // h).transpose(1, 2)
        kv = self.kv(c).reshape(b, lk, 2, h, d // h).permute(2, 0, 3, 1, 4)
        out = attention(q, kv[0], kv[1], None if bias is None else bias[:, None, None, :])
        return self.o(out.transpose(1, 2).reshape(b, lq, d))


class Mlp(nn.Module):
    def __init__(self, dim: int, ratio: int):
        super().__init__()
        self.a = nn.Linear(dim, ratio * dim)
        self.b = nn.Linear(ratio * dim, dim)

    def forward(self, x):
        return self.b(F.gelu(self.a(x)))


class TextBlock(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.n1 = nn.LayerNorm(dim)
        self.att = MultiHead(dim, dim, heads)
        self.n2 = nn.LayerNorm(dim)
        self.mlp = Mlp(dim, 2)

    def forward(self, x, bias):
        h = self.n1(x)
        x = x + self.att(h, h, bias)
        return x + self.mlp(self.n2(x))


class TextEncoder(nn.Module):
    """tokens [B,L] int64 -> (text [B,L,D], textMask [B,L]); pads attend nowhere useful and are masked downstream."""

    def __init__(self, vocab: int, dim: int = 96, depth: int = 2, heads: int = 4, max_tokens: int = MAX_TOKENS,
                 pos_std: float = 0.02):
        super().__init__()
        self.config = dict(vocab=vocab, dim=dim, depth=depth, heads=heads, max_tokens=max_tokens)
        self.embed = nn.Embedding(vocab, dim)
        # pos_std: the positions' initial scale against the words' (std 1). Without order the blocks see a bag of
        # words: "a red circle left of a blue square" and "a blue square left of a red circle" look alike.
        self.pos = nn.Parameter(torch.randn(1, max_tokens, dim) * pos_std)
        self.blocks = nn.ModuleList([TextBlock(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)

    def forward(self, tokens):
        mask = (tokens != 0).to(torch.float32)
        bias = (mask - 1.0) * 1e4
        x = self.embed(tokens) + self.pos
        for blk in self.blocks:
            x = blk(x, bias)
        return self.norm(x), mask


def groups_for(ch: int) -> int:
    return 8 if ch % 8 == 0 else 1


class CondRes(nn.Module):
    """GroupNorm-SiLU-conv3x3 twice, FiLM (scale, shift) from the conditioning vector between, residual."""

    def __init__(self, cin: int, cout: int, emb: int):
        super().__init__()
        self.n1 = nn.GroupNorm(groups_for(cin), cin)
        self.c1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.film = nn.Linear(emb, 2 * cout)
        self.n2 = nn.GroupNorm(groups_for(cout), cout)
        self.c2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, e):
        h = self.c1(F.silu(self.n1(x)))
        scale, shift = self.film(e).chunk(2, dim=1)
        h = self.n2(h) * (1 + scale[:, :, None, None]) + shift[:, :, None, None]
        return self.skip(x) + self.c2(F.silu(h))


class Attn2d(nn.Module):
    """Attention of the cells of a feature map [B,C,H,W] over the text (cross) or over the cells themselves
    (self); projections of the map are 1x1 convolutions, the output projection starts at zero."""

    def __init__(self, ch: int, ctx_dim: int | None, heads: int, dim: int):
        super().__init__()
        self.heads, self.dim, self.cross = heads, dim, ctx_dim is not None
        self.norm = nn.GroupNorm(groups_for(ch), ch)
        self.q = nn.Conv2d(ch, dim, 1)
        self.kv = nn.Linear(ctx_dim, 2 * dim) if self.cross else nn.Conv2d(ch, 2 * dim, 1)
        self.o = nn.Conv2d(dim, ch, 1)
        nn.init.zeros_(self.o.weight)
        nn.init.zeros_(self.o.bias)

    def forward(self, x, ctx=None, bias=None):
        b, c, hh, ww = x.shape
        n, h, d = hh * ww, self.heads, self.dim // self.heads
        xn = self.norm(x)
        q = self.q(xn).reshape(b, h, d, n).transpose(2, 3)
        if self.cross:
            kv = self.kv(ctx).reshape(b, ctx.shape[1], 2, h, d).permute(2, 0, 3, 1, 4)
            out = attention(q, kv[0], kv[1], bias[:, None, None, :])
        else:
            kv = self.kv(xn).reshape(b, 2, h, d, n).transpose(3, 4)
            out = attention(q, kv[:, 0], kv[:, 1], None)
        return x + self.o(out.transpose(2, 3).reshape(b, self.dim, hh, ww))


class Denoiser(nn.Module):
    """x [B,4,8,8], t [B], text [B,L,Dt], textMask [B,L] -> prediction [B,4,8,8] (velocity or epsilon).

    A small U-Net over the latent grid (8x8 -> 4x4 -> 8x8): residual conv blocks FiLM-conditioned on the time and
    the mean of the caption's word embeddings, cross-attention to the words at both levels, self-attention at 4x4.
    A learned key always present in the cross-attention lets the null caption (all pads) attend somewhere.
    pos: learned position embeddings added to the features at 8x8 and 4x4 before their attention, so a cell's
    query knows where it is and can bind "left of / above" words to places (zero padding alone leaks little).
    """

    def __init__(self, text_dim: int = 96, ch: int = 64, heads: int = 4, attn_dim: int = 64, latent: int = 4,
                 pos: bool = False, pos_std: float = 0.02):
        super().__init__()
        self.config = dict(text_dim=text_dim, ch=ch, heads=heads, attn_dim=attn_dim, latent=latent, pos=pos)
        emb = 4 * ch
        half = ch // 2
        self.register_buffer("freqs", torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half),
                             persistent=False)
        self.temb = nn.Sequential(nn.Linear(ch, emb), nn.SiLU(), nn.Linear(emb, emb))
        self.pool = nn.Linear(text_dim, emb)
        self.null_key = nn.Parameter(torch.randn(1, 1, text_dim) * 0.02)
        c2 = 2 * ch
        self.cin = nn.Conv2d(latent, ch, 3, padding=1)
        self.pos1 = nn.Parameter(torch.randn(1, ch, 8, 8) * pos_std) if pos else None
        self.pos2 = nn.Parameter(torch.randn(1, c2, 4, 4) * pos_std) if pos else None
        self.d1 = CondRes(ch, ch, emb)
        self.dx = Attn2d(ch, text_dim, heads, attn_dim)
        self.down = nn.Conv2d(ch, c2, 3, stride=2, padding=1)
        self.m1 = CondRes(c2, c2, emb)
        self.ms = Attn2d(c2, None, heads, 2 * attn_dim)
        self.mx = Attn2d(c2, text_dim, heads, 2 * attn_dim)
        self.m2 = CondRes(c2, c2, emb)
        self.up = nn.Conv2d(c2, ch, 3, padding=1)
        self.u1 = CondRes(2 * ch, ch, emb)
        self.ux = Attn2d(ch, text_dim, heads, attn_dim)
        self.u2 = CondRes(ch, ch, emb)
        self.nout = nn.GroupNorm(groups_for(ch), ch)
        self.cout = nn.Conv2d(ch, latent, 3, padding=1)
        nn.init.zeros_(self.cout.weight)
        nn.init.zeros_(self.cout.bias)

    def forward(self, x, t, text, text_mask):
        b = x.shape[0]
        a = (t * 1000.0).unsqueeze(1) * self.freqs.unsqueeze(0)
        pooled = (text * text_mask[:, :, None]).sum(1) / text_mask.sum(1, keepdim=True).clamp(min=1.0)
        e = F.silu(self.temb(torch.cat([torch.sin(a), torch.cos(a)], dim=1)) + self.pool(pooled))
        ctx = torch.cat([self.null_key.expand(b, -1, -1), text], dim=1)
        bias = (torch.cat([torch.ones(b, 1, dtype=text_mask.dtype), text_mask], dim=1) - 1.0) * 1e4
        h = self.cin(x)
        if self.pos1 is not None:
            h = h + self.pos1
        h = self.dx(self.d1(h, e), ctx, bias)
        skip = h
        h = self.down(h)
        if self.pos2 is not None:
            h = h + self.pos2
        h = self.m1(h, e)
        h = self.mx(self.ms(h), ctx, bias)
        h = self.m2(h, e)
        h = self.up(F.interpolate(h, scale_factor=2.0, mode="nearest"))
        h = self.ux(self.u1(torch.cat([h, skip], dim=1), e), ctx, bias)
        h = self.u2(h, e)
        return self.cout(F.silu(self.nout(h)))


class TextToLatent(nn.Module):
    """Text encoder and denoiser trained together; the two are exported as separate ONNX files."""

    def __init__(self, text_cfg: dict, den_cfg: dict, pos_std: float = 0.02):
        super().__init__()
        self.text = TextEncoder(**text_cfg, pos_std=pos_std)
        self.den = Denoiser(**den_cfg, pos_std=pos_std)

    def forward(self, x, t, tokens):
        e, m = self.text(tokens)
        return self.den(x, t, e, m)


# ------------------------------------------------------------------------------------------ schedules
def rf_grid(steps: int, shift: float) -> torch.Tensor:
    """Rectified-flow times from 1 to 0, uniform in u, warped by t = s u / (1 + (s - 1) u) (the engine's grid)."""
    u = torch.linspace(1.0, 0.0, steps + 1, dtype=torch.float64)
    return shift * u / (1 + (shift - 1) * u)


def shifted_uniform(b: int, shift: float, g: torch.Generator) -> torch.Tensor:
    """Training times: u ~ U(0,1) warped by the same shift, so training sees the times the sampler visits."""
    u = torch.rand(b, generator=g)
    return shift * u / (1 + (shift - 1) * u)


VP_STEPS = 1000


def vp_log_abar() -> torch.Tensor:
    """log abar at t = i / 1000, i = 0..1000, for DDPM's linear betas 1e-4..0.02 (the engine's VP table)."""
    i = torch.arange(1, VP_STEPS + 1, dtype=torch.float64)
    beta = 1e-4 + (0.02 - 1e-4) * (i - 1) / (VP_STEPS - 1)
    return torch.cat([torch.zeros(1, dtype=torch.float64), torch.cumsum(torch.log1p(-beta), 0)])


_LOG_ABAR = vp_log_abar()


def vp_abar(t: torch.Tensor) -> torch.Tensor:
    """abar(t) with log abar linear between the discrete steps (the engine's VariancePreserving)."""
    t = t.to(torch.float64)
    pos = t * VP_STEPS
    i = torch.clamp(torch.floor(pos), max=VP_STEPS - 1).long()
    la = _LOG_ABAR[i] + (_LOG_ABAR[i + 1] - _LOG_ABAR[i]) * (pos - i)
    return torch.exp(la)


# ------------------------------------------------------------------------------------------- samplers
@torch.no_grad()
def guided(model: TextToLatent, x, t, text, mask, null_text, null_mask, guidance: float):
    """The CFG prediction p_null + w (p_text - p_null); w = 1 is the conditional model alone."""
    tt = torch.full((x.shape[0],), float(t))
    p = model.den(x, tt, text, mask)
    if guidance != 1.0:
        pu = model.den(x, tt, null_text, null_mask)
        p = pu + guidance * (p - pu)
    return p


@torch.no_grad()
def sample(model: TextToLatent, kind: str, tokens: torch.Tensor, noise: torch.Tensor, steps: int, guidance: float,
           shift: float = 1.0) -> torch.Tensor:
    """Latents from noise: Euler on the rectified-flow grid (kind "velocity") or DDIM eta 0 on the VP grid
    t = 1 .. 0 uniform (kind "epsilon"), with classifier-free guidance against the null caption."""
    model.eval()
    text, mask = model.text(tokens)
    null_text, null_mask = model.text(torch.zeros_like(tokens))
    x = noise.clone()
    if kind == "velocity":
        ts = rf_grid(steps, shift)
        for i in range(steps):
            v = guided(model, x, ts[i], text, mask, null_text, null_mask, guidance)
            x = x + float(ts[i + 1] - ts[i]) * v
        return x
    ts = torch.linspace(1.0, 0.0, steps + 1, dtype=torch.float64)
    abar = vp_abar(ts)
    for i in range(steps):
        eps = guided(model, x, ts[i], text, mask, null_text, null_mask, guidance)
        a, s = math.sqrt(float(abar[i])), math.sqrt(max(0.0, 1 - float(abar[i])))
        a2, s2 = math.sqrt(float(abar[i + 1])), math.sqrt(max(0.0, 1 - float(abar[i + 1])))
        x0 = (x - s * eps) / a
        x = a2 * x0 + s2 * eps
    return x


# ------------------------------------------------------------------------------------------- training
def load_autoencoder(folder: str | Path) -> AutoEncoder:
    """A shapes-ae folder's autoencoder: its model.pt where training left one, else rebuilt from the committed ONNX
    files (the checkpoint is not committed)."""
    if not (Path(folder) / "model.pt").is_file() and (Path(folder) / "encoder.onnx").is_file():
        return load_autoencoder_onnx(folder)
    ck = torch.load(str(Path(folder) / "model.pt"), map_location="cpu")
    cfg = dict(ck["config"])
    if cfg.pop("kind") != "shapes-ae":
        raise SystemExit(f"{folder}/model.pt is not a shapes-ae checkpoint")
    ae = AutoEncoder(**cfg)
    ae.load_state_dict(ck["state_dict"])
    return ae.eval()


def load_text_to_latent(folder: str | Path) -> tuple[TextToLatent, dict]:
    """The trained text encoder + denoiser of a shapes-flow / shapes-eps folder, and its manifest."""
    ck = torch.load(str(Path(folder) / "model.pt"), map_location="cpu")
    cfg = dict(ck["config"])
    if cfg.pop("kind") != "shapes-t2l":
        raise SystemExit(f"{folder}/model.pt is not a shapes denoiser checkpoint")
    model = TextToLatent(cfg["text"], cfg["denoiser"])
    model.load_state_dict(ck["state_dict"])
    manifest = json.loads((Path(folder) / "manifest.json").read_text())
    return model.eval(), manifest


def _initializer_arrays(onnx_bytes: bytes) -> dict:
    """name -> numpy array of every initializer of an ONNX graph."""
    import onnx  # local import: only the ONNX weight loader needs it
    from onnx import numpy_helper
    return {i.name: numpy_helper.to_array(i) for i in onnx.load_from_string(onnx_bytes).graph.initializer}


def _as_params(value: np.ndarray, shape: torch.Size) -> list[torch.Tensor]:
    """The initializer read as a parameter of this shape: the same values (reshaped, e.g. GroupNorm's [C,1,1]) or,
    for a matrix, its transpose (a Linear exported as MatMul); empty when neither fits."""
    t = torch.from_numpy(np.array(value, dtype=np.float32))
    if t.ndim != 2:
        return [t.reshape(shape)] if t.numel() == math.prod(shape) else []
    return [c for c in (t, t.T.contiguous()) if tuple(c.shape) == tuple(shape)]


@torch.no_grad()
def _onnx_weights(module: nn.Module, inputs: tuple, input_names: list[str], output_names: list[str],
                  committed: dict) -> dict:
    """The state dict of `module` read from the initializers of its committed ONNX export. The exporter renames
    folded parameters (GroupNorm affine -> onnx::Mul_N, Linear -> transposed onnx::MatMul_N), so the names are
    mapped by exporting this same architecture with distinct random weights and matching values."""
    import io
    probe = copy.deepcopy(module).eval()
    g = torch.Generator().manual_seed(12345)
    for prm in probe.parameters():
        prm.copy_(torch.randn(prm.shape, generator=g))
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore")
        torch.onnx.export(probe, inputs, buf, input_names=input_names, output_names=output_names,
                          dynamic_axes={n: {0: "batch"} for n in input_names + output_names},
                          opset_version=common.OPSET, do_constant_folding=True, export_params=True)
    fresh = _initializer_arrays(buf.getvalue())
    params = dict(probe.named_parameters())
    state = {}
    for name, value in fresh.items():
        if name in params:
            target = name
        else:
            target, form = next(((k, i) for k, prm in params.items() if k not in state
                                 for i, c in enumerate(_as_params(value, prm.shape)) if torch.equal(c, prm.data)),
                                (None, 0))
        if target is None:
            continue  # a constant of the graph, not a parameter
        if name not in committed:
            raise SystemExit(f"the committed ONNX lacks initializer {name} ({target}); not the same architecture")
        state[target] = _as_params(committed[name], params[target].shape)[form if name not in params else 0]
    missing = sorted(set(params) - set(state))
    if missing:
        raise SystemExit(f"parameters not found in the committed ONNX: {', '.join(missing)}")
    return state


def load_text_to_latent_onnx(folder: str | Path) -> TextToLatent:
    """The text encoder + denoiser of a committed shapes-flow / shapes-eps folder rebuilt from its ONNX files (the
    PyTorch checkpoint is not committed), checked against the folder's golden outputs."""
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    arch = manifest["provenance"]["architecture"]
    model = TextToLatent(arch["text"], arch["denoiser"]).eval()
    out_name = manifest["outputs"][0]["name"]
    L, dt = arch["text"]["max_tokens"], arch["text"]["dim"]
    read_back(model.text, (torch.ones(2, L, dtype=torch.int64),), ["tokens"], ["text", "textMask"],
              folder / manifest["textEncoder"]["file"], folder / manifest["textEncoder"]["golden"])
    den_inputs = (torch.zeros(2, 4, 8, 8), torch.full((2,), 0.5), torch.zeros(2, L, dt), torch.ones(2, L))
    read_back(model.den, den_inputs, ["x", "t", "text", "textMask"], [out_name], folder / manifest["file"],
              folder / "golden.json")
    return model


def load_autoencoder_onnx(folder: str | Path) -> AutoEncoder:
    """The encoder and decoder of a committed shapes-ae folder rebuilt from encoder.onnx and model.onnx, with the
    manifest's latent normalisation, checked against the folder's golden outputs."""
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    arch = manifest["provenance"]["architecture"]
    ae = AutoEncoder(ch=arch["ch"], latent=arch["latent"]).eval()
    ae.set_normalisation(torch.tensor(manifest["latent"]["shift"]), torch.tensor(manifest["latent"]["scale"]))
    read_back(ae.encoder, (torch.zeros(2, 3, 32, 32),), ["image"], ["latent"], folder / manifest["encoder"]["file"],
              folder / manifest["encoder"]["golden"])
    read_back(ae.decoder, (torch.zeros(2, arch["latent"], 8, 8),), ["latent"], ["image"], folder / manifest["file"],
              folder / "golden.json")
    return ae


def read_back(module: nn.Module, inputs: tuple, input_names: list[str], output_names: list[str], onnx_file: Path,
              golden_file: Path) -> None:
    """Loads `module`'s parameters from its committed ONNX export and exits naming the output where it then misses
    the golden file's outputs by more than its atol."""
    module.load_state_dict(_onnx_weights(module, inputs, input_names, output_names,
                                         _initializer_arrays(onnx_file.read_bytes())), strict=False)
    golden = json.loads(golden_file.read_text())
    ins = [torch.tensor(v["data"], dtype=torch.int64 if v["dtype"] == "int64" else torch.float32)
           .reshape(v["shape"]) for v in golden["inputs"].values()]
    with torch.no_grad():
        outs = module(*ins)
    outs = outs if isinstance(outs, tuple) else (outs,)
    for (k, v), o in zip(golden["outputs"].items(), outs):
        err = (o - torch.tensor(v["data"]).reshape(v["shape"])).abs().max().item()
        if err > golden["atol"]:
            raise SystemExit(f"{golden_file}: weights read from ONNX give {k} off by {err:.2e}")


def is_relational(caption: str) -> bool:
    return any(w in ("left", "right", "above", "below") for w in caption.split(" "))


class MixedBatches:
    """Minibatches of round(share x size) relational scenes and the rest from the other scenes, each pool shuffled
    and walked like common.Batches; the rows' order within a batch does not matter to the loss."""

    def __init__(self, captions: list[str], batch_size: int, share: float, seed: int):
        rel = torch.tensor([is_relational(c) for c in captions])
        k = round(share * batch_size)
        self.pools = [(torch.nonzero(rel).flatten(), common.Batches(int(rel.sum()), k, seed)),
                      (torch.nonzero(~rel).flatten(), common.Batches(int((~rel).sum()), batch_size - k, seed + 1))]

    def next(self) -> torch.Tensor:
        return torch.cat([ids[b.next()] for ids, b in self.pools])


def cached_latents(args, images: torch.Tensor) -> torch.Tensor:
    """The autoencoder's latents of the training images, from the --latents cache when its key (data file hash,
    scene count, the encoder graph's hash) matches, else encoded (and written to --latents when given)."""
    if args.latents is None:
        return encode_images(load_autoencoder(args.ae), images)
    key = json.dumps({"data": file_sha256(Path(args.data)), "count": len(images),
                      "autoencoder": encoder_sha256(args.ae)}, sort_keys=True)
    path = Path(args.latents)
    if path.exists():
        with np.load(str(path), allow_pickle=False) as z:
            if str(z["key"]) == key:
                return torch.from_numpy(z["latents"])
        print(f"{path}: made from other data or another autoencoder; encoding again", flush=True)
    z_all = encode_images(load_autoencoder(args.ae), images)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        np.savez(f, latents=z_all.numpy(), key=np.array(key))
    return z_all


@torch.no_grad()
def encode_images(ae: AutoEncoder, x: torch.Tensor, batch: int = 500) -> torch.Tensor:
    return torch.cat([ae.encoder(x[i:i + batch]) for i in range(0, len(x), batch)])


def noised(kind: str, z0: torch.Tensor, g: torch.Generator, shift: float) -> tuple:
    """(x_t, t, target) for one batch: rectified flow (target velocity eps - x0, t warped by the shift) or VP
    with DDPM's linear betas (target eps, t ~ U(0,1))."""
    b = z0.shape[0]
    eps = torch.randn(z0.shape, generator=g)
    if kind == "velocity":
        t = shifted_uniform(b, shift, g)
        tt = t[:, None, None, None]
        return (1 - tt) * z0 + tt * eps, t, eps - z0
    t = torch.rand(b, generator=g).clamp(min=1.0 / VP_STEPS)
    abar = vp_abar(t).to(torch.float32)[:, None, None, None]
    return abar.sqrt() * z0 + (1 - abar).sqrt() * eps, t, eps


TEXT_CONFIG = dict(dim=96, depth=2, heads=4)
DENOISER_CONFIG = dict(text_dim=96, ch=64, heads=4, attn_dim=64)


def train(name: str, kind: str, defaults: dict) -> None:
    """Train a text encoder + latent denoiser (kind "velocity": shapes-flow; "epsilon": shapes-eps) and export."""
    p = common.base_parser(f"Train {name}: text-conditioned latent {kind} model on the shapes set", **{
        k: defaults[k] for k in ("steps", "batch_size", "lr", "seed")})
    p.add_argument("--data", required=True, help="training scenes (.npz from scripts/noisesearch shapes-data)")
    p.add_argument("--ae", required=True, help="the trained shapes-ae folder (its model.pt)")
    p.add_argument("--vocabulary", default=None, help="vocabulary JSON (default tensorrt-plans/shapes-vocabulary.json)")
    p.add_argument("--caption-dropout", type=float, default=0.1, help="share of null captions (for CFG)")
    p.add_argument("--shift", type=float, default=defaults.get("shift", 1.0), help="rectified-flow timestep shift")
    p.add_argument("--guidance", type=float, default=defaults["guidance"], help="the manifest's default guidance")
    p.add_argument("--ema", type=float, default=0.999)
    p.add_argument("--position-embeddings", action="store_true",
                   help="learned 2-D position embeddings in the denoiser (the graph's inputs and outputs unchanged)")
    p.add_argument("--position-scale", type=float, default=0.02,
                   help="initial std of the learned position embeddings (the caption's tokens and, with "
                        "--position-embeddings, the denoiser's cells), against the word embeddings' 1")
    p.add_argument("--minutes", type=float, default=None,
                   help="wall-time budget: the LR schedule follows max(step share, time share) and training stops "
                        "when either is spent (the manifest records the steps done)")
    p.add_argument("--init", default=None,
                   help="continue from a committed model folder of the same architecture (weights read from its ONNX "
                        "files); its provenance commands come first in the new manifest's")
    p.add_argument("--relational-share", type=float, default=None,
                   help="share of relational scenes in every batch (default: as drawn, about half)")
    p.add_argument("--latents", default=None,
                   help="latents cache (.npz): read when it was made from the same data file, scene count and "
                        "autoencoder, else encoded and written there (encoding 100,000 scenes costs ~8 CPU-minutes)")
    p.add_argument("--encode-only", action="store_true", help="write the --latents cache and stop")
    args = p.parse_args()
    if args.relational_share is not None and not 0.0 < args.relational_share < 1.0:
        raise SystemExit(f"--relational-share must lie strictly between 0 and 1, got {args.relational_share}")
    if not 0.0 <= args.position_scale <= 10.0:
        raise SystemExit(f"--position-scale must lie in [0, 10], got {args.position_scale}")
    if args.encode_only and args.latents is None:
        raise SystemExit("--encode-only needs --latents FILE")
    common.setup(args)
    init_model, init_record = None, None
    if args.init is not None:
        init_model = load_text_to_latent_onnx(args.init)
        init_record = init_provenance(args.init)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tok = load_tokenizer(args.vocabulary)

    images, captions = load_npz(args.data)
    if args.subset is not None:
        images, captions = images[:args.subset], captions[:args.subset]
    timer = common.Timer()
    z_all = cached_latents(args, images)
    tokens_all = tok.batch(captions)
    del images
    n = len(z_all)
    print(f"[{name}] {n} training latents in {timer.seconds():.0f} s; latent std {z_all.std():.3f}", flush=True)
    if args.encode_only:
        return
    steps = common.total_steps(args, n)
    model = TextToLatent(dict(vocab=len(tok.vocabulary), max_tokens=tok.max_tokens, **TEXT_CONFIG),
                         dict(DENOISER_CONFIG, pos=args.position_embeddings), pos_std=args.position_scale)
    if init_model is not None:
        if init_model.text.config != model.text.config or init_model.den.config != model.den.config:
            raise SystemExit(f"--init {args.init}: architecture {init_model.text.config} {init_model.den.config} "
                             f"differs from this run's {model.text.config} {model.den.config}")
        model.load_state_dict(init_model.state_dict())
        print(f"[{name}] initialised from {args.init} (its ONNX weights, golden outputs reproduced)")
    ema = common.EMA(model, args.ema)
    print(f"[{name}] {common.count_params(model)} parameters; {steps} steps of batch {args.batch_size}, "
          f"{args.threads} threads")
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    batches = (common.Batches(n, args.batch_size, args.seed) if args.relational_share is None
               else MixedBatches(captions[:n], args.batch_size, args.relational_share, args.seed))
    g = torch.Generator().manual_seed(args.seed + 1)
    timer = common.Timer()
    model.train()
    loss_avg = None
    budget = None if args.minutes is None else 60.0 * args.minutes
    done = 0
    for step in range(steps):
        share = step / steps if budget is None else max(step / steps, timer.seconds() / budget)
        if share >= 1.0:
            break
        for pg in opt.param_groups:
            pg["lr"] = common.lr_at(int(share * steps), steps, args.lr)
        done = step + 1
        idx = batches.next()
        z0, tokens = z_all[idx], tokens_all[idx].clone()
        tokens[torch.rand(len(idx), generator=g) < args.caption_dropout] = 0
        xt, t, target = noised(kind, z0, g, args.shift)
        loss = F.mse_loss(model(xt, t, tokens), target)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        ema.update(model)
        loss_avg = loss.item() if loss_avg is None else 0.98 * loss_avg + 0.02 * loss.item()
        if (step + 1) % args.log_every == 0 or step == steps - 1:
            el = timer.seconds()
            print(f"[{name}] step {step + 1}/{steps} loss {loss_avg:.4f} lr {opt.param_groups[0]['lr']:.2e} "
                  f"({el:.0f} s, {1000 * el / (step + 1):.0f} ms/step)", flush=True)
    t_train = timer.seconds()
    print(f"[{name}] trained {done} steps in {t_train:.0f} s")
    export_text_to_latent(name, kind, ema.model.eval(), tok, out, args, t_train, n, done, z_all, init_record)
    common.finish(out, name, t_train)


def init_provenance(folder: str | Path) -> dict:
    """What a continued run started from: the folder, the hashes of its graphs and the commands that made it."""
    folder = Path(folder)
    m = json.loads((folder / "manifest.json").read_text())
    prov = m["provenance"]
    return {"folder": str(folder), "sha256": m["sha256"], "textEncoderSha256": m["textEncoder"]["sha256"],
            "steps": prov.get("totalSteps", prov["steps"]),
            "commands": prov.get("commands", [prov["command"]])}


def encoder_sha256(folder: str | Path) -> str:
    """What names a shapes-ae folder's encoder weights: its encoder.onnx's SHA-256, else its checkpoint's."""
    onnx_file = Path(folder) / "encoder.onnx"
    return file_sha256(onnx_file if onnx_file.is_file() else Path(folder) / "model.pt")


def file_sha256(path: Path) -> str:
    """The SHA-256 the engine checks a manifest's graph file against before it opens it."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export_text_to_latent(name: str, kind: str, model: TextToLatent, tok: Tokenizer, out: Path, args, t_train: float,
                          n: int, steps: int, z_all: torch.Tensor, init: dict | None = None) -> None:
    """model.onnx (denoiser), text-encoder.onnx, golden.json, golden-text-encoder.json, model.pt, manifest.json."""
    L = tok.max_tokens
    tokens = tok.batch(["a red circle", "three blue squares", "a green triangle left of a yellow square", ""])
    with torch.no_grad():
        text, mask = model.text(tokens)
    gi = torch.Generator().manual_seed(99)
    den_inputs = {"x": torch.randn(4, 4, 8, 8, generator=gi), "t": torch.tensor([1.0, 0.7, 0.33, 0.02]),
                  "text": text, "textMask": mask}
    out_name = "v" if kind == "velocity" else "eps"
    common.export_onnx(model.den, tuple(den_inputs.values()), list(den_inputs), [out_name], out / "model.onnx")
    common.export_onnx(model.text, (tokens,), ["tokens"], ["text", "textMask"], out / "text-encoder.onnx")
    common.write_golden(model.den, den_inputs, [out_name], out / "golden.json",
                        "x ~ N(0,1) (seed 99), a spread of t, the text encoder's output for a single, a count, a "
                        "relational and the null caption")
    common.write_golden(model.text, {"tokens": tokens}, ["text", "textMask"], out / "golden-text-encoder.json",
                        "a single, a count, a relational and the null caption")
    common.save_checkpoint(out / "model.pt", model, {"kind": "shapes-t2l", "text": model.text.config,
                                                     "denoiser": model.den.config})
    dt = model.text.config["dim"]
    den_flops = count_flops(model.den, (torch.zeros(2, 4, 8, 8), torch.full((2,), 0.5), torch.zeros(2, L, dt),
                                        torch.ones(2, L)))
    text_flops = count_flops(model.text, (torch.ones(2, L, dtype=torch.int64),))
    lo, hi = torch.quantile(z_all[:4096].flatten(), torch.tensor([0.001, 0.999])).tolist()
    schedule = ({"type": "rectified-flow", "shift": args.shift} if kind == "velocity"
                else {"type": "vp", "betas": "linear", "betaStart": 1e-4, "betaEnd": 0.02, "steps": VP_STEPS})
    manifest = {
        "name": name,
        "role": "denoiser",
        "file": "model.onnx",
        "sha256": file_sha256(out / "model.onnx"),
        "inputs": [
            common.tensor_spec("x", [-1, 4, 8, 8], "float32"),
            common.tensor_spec("t", [-1], "float32"),
            common.tensor_spec("text", [-1, L, dt], "float32"),
            common.tensor_spec("textMask", [-1, L], "float32"),
        ],
        "outputs": [common.tensor_spec(out_name, [-1, 4, 8, 8], "float32")],
        "prediction": kind,
        "schedule": schedule,
        "condition": {"kind": "text", "nullCaption": "all pads"},
        "tokenizer": {"vocabulary": tok.vocabulary, "maxTokens": L},
        "textEncoder": {
            "file": "text-encoder.onnx",
            "sha256": file_sha256(out / "text-encoder.onnx"),
            "golden": "golden-text-encoder.json",
            "inputs": [common.tensor_spec("tokens", [-1, L], "int64")],
            "outputs": [common.tensor_spec("text", [-1, L, dt], "float32"),
                        common.tensor_spec("textMask", [-1, L], "float32")],
            "flopsPerSample": text_flops,
            "parameters": common.count_params(model.text),
        },
        "sample": {**LATENT, "range": [round(lo, 3), round(hi, 3)]},
        "decoder": "shapes-ae",
        "verifiers": VERIFIERS,
        "image": IMAGE,
        "flopsPerSample": den_flops,
        "parameters": common.count_params(model.den),
        "defaultSolver": {"kind": "euler" if kind == "velocity" else "ddim", "steps": 20},
        "defaultGuidance": args.guidance,
        "provenance": common.provenance(
            args, t_train, data_desc(args.data, n), steps=steps, batchSize=args.batch_size, lr=args.lr,
            captionDropout=args.caption_dropout, ema=args.ema, autoencoder=args.ae,
            **({} if init is None else {
                "init": {k: v for k, v in init.items() if k != "commands"},
                "totalSteps": init["steps"] + steps,
                "commands": init["commands"] + [common.command_line()]}),
            architecture={"kind": "text-transformer + latent u-net with cross-attention",
                          "text": model.text.config, "denoiser": model.den.config}),
    }
    common.write_manifest(out / "manifest.json", manifest)
