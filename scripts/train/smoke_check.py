#!/usr/bin/env python3
"""Checks for trained model folders (used by scripts/train-smoke; also fine on the production folders).

For each folder: model.onnx passes onnx.checker, is opset 17 and under 8 MiB; its graph inputs/outputs match
manifest.json (names, dtypes, ranks, fixed dims, a symbolic batch axis); the manifest has the contract fields for
its role; golden.json matches the manifest's tensors and is reproduced by re-running the PyTorch model (model.pt)
within 1e-4 (when model.pt is there). Prints one line per check group and exits 1 if any failed.

    python3 scripts/train/smoke_check.py tensorrt-plans/models/mnist-flow-s [more folders...]
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import onnx
import torch

import registry

ONNX_TYPES = {onnx.TensorProto.FLOAT: "float32", onnx.TensorProto.INT64: "int64"}
COMMON_FIELDS = ["name", "role", "file", "inputs", "outputs", "sample", "flopsPerSample", "provenance"]
DENOISER_FIELDS = ["prediction", "schedule", "condition", "defaultSolver", "defaultGuidance"]
PROVENANCE_FIELDS = ["script", "command", "data", "seed", "trainSeconds", "torch"]
ROLES = {"denoiser", "verifier", "features", "evaluator", "decoder"}


class Checker:
    def __init__(self):
        self.passed, self.failed = 0, 0

    def check(self, label: str, fn) -> None:
        try:
            fn()
            self.passed += 1
            print(f"  ok    {label}")
        except Exception as e:  # noqa: BLE001 - report every failure and go on
            self.failed += 1
            print(f"  FAIL  {label}: {e}")


def check_manifest(m: dict) -> None:
    missing = [f for f in COMMON_FIELDS if f not in m]
    if m.get("role") == "denoiser":
        missing += [f for f in DENOISER_FIELDS if f not in m]
    if missing:
        raise AssertionError(f"missing fields {missing}")
    if m["role"] not in ROLES:
        raise AssertionError(f"role {m['role']!r} not one of {sorted(ROLES)}")
    if m["file"] != "model.onnx":
        raise AssertionError(f"file {m['file']!r}")
    if not (isinstance(m["flopsPerSample"], int) and m["flopsPerSample"] > 0):
        raise AssertionError(f"flopsPerSample {m['flopsPerSample']!r}")
    if m["name"].startswith("shapes-"):
        check_shapes_manifest(m)
        return
    if m["sample"] != {"channels": 1, "height": 28, "width": 28, "range": [-1, 1]}:
        raise AssertionError(f"sample {m['sample']}")
    miss = [f for f in PROVENANCE_FIELDS if f not in m["provenance"]]
    if miss:
        raise AssertionError(f"provenance lacks {miss}")
    for t in m["inputs"] + m["outputs"]:
        if set(["name", "shape", "dtype"]) - set(t) or t["dtype"] not in ("float32", "int64") or t["shape"][0] != -1:
            raise AssertionError(f"bad tensor spec {t}")
    if m["role"] == "denoiser":
        if m["prediction"] != "velocity" or m["schedule"].get("type") != "rectified-flow":
            raise AssertionError("denoiser: prediction/schedule")
        c = m["condition"]
        if c.get("kind") != "class-label" or c.get("classes") != 10 or c.get("nullClass") != 10:
            raise AssertionError(f"condition {c}")
        if [t["name"] for t in m["inputs"]] != ["x", "t", "label"] or [t["name"] for t in m["outputs"]] != ["v"]:
            raise AssertionError("denoiser tensors must be x, t, label -> v")


def check_shapes_manifest(m: dict) -> None:
    """The shapes models' contract (docs/t2i-models.md): a decoder with its encoder, or a text-conditioned latent
    denoiser with its text encoder and tokenizer."""
    for f in ["name", "role", "file", "inputs", "outputs", "sample", "flopsPerSample", "provenance"]:
        if f not in m:
            raise AssertionError(f"missing field {f}")
    miss = [f for f in PROVENANCE_FIELDS if f not in m["provenance"]]
    if miss:
        raise AssertionError(f"provenance lacks {miss}")
    latent = {"channels": 4, "height": 8, "width": 8}
    if m["role"] == "decoder":
        if [t["name"] for t in m["inputs"]] != ["latent"] or [t["name"] for t in m["outputs"]] != ["image"]:
            raise AssertionError("decoder tensors must be latent -> image")
        if m["sample"] != {"channels": 3, "height": 32, "width": 32, "range": [-1, 1]}:
            raise AssertionError(f"sample {m['sample']}")
        if {k: m["latent"][k] for k in latent} != latent or len(m["latent"]["scale"]) != 4:
            raise AssertionError(f"latent {m['latent']}")
        extra = m["encoder"]
    elif m["role"] == "denoiser":
        for f in DENOISER_FIELDS + ["tokenizer", "textEncoder", "decoder"]:
            if f not in m:
                raise AssertionError(f"missing field {f}")
        if [t["name"] for t in m["inputs"]] != ["x", "t", "text", "textMask"]:
            raise AssertionError("denoiser inputs must be x, t, text, textMask")
        pred = {"velocity": ("v", "rectified-flow"), "epsilon": ("eps", "vp")}.get(m["prediction"])
        if pred is None or [t["name"] for t in m["outputs"]] != [pred[0]] or m["schedule"]["type"] != pred[1]:
            raise AssertionError("denoiser: prediction / output / schedule")
        if m["condition"].get("kind") != "text" or m["tokenizer"]["vocabulary"][0] != "<pad>":
            raise AssertionError(f"condition {m['condition']} / tokenizer")
        if {k: m["sample"][k] for k in latent} != latent:
            raise AssertionError(f"sample {m['sample']}")
        extra = m["textEncoder"]
    elif m["role"] == "verifier":
        check_shapes_verifier(m)
        return
    else:
        raise AssertionError(f"role {m['role']!r}")
    for f in ("file", "golden", "inputs", "outputs", "flopsPerSample"):
        if f not in extra:
            raise AssertionError(f"second graph lacks {f}")


def check_shapes_verifier(m: dict) -> None:
    """A text-track verifier (docs/t2i-verifiers.md): image (and tokens) -> score or aspects, with its sha256."""
    kind = m["verifier"]["kind"]
    names = [t["name"] for t in m["inputs"]]
    if names != (["image"] if kind == "aesthetic" else ["image", "tokens"]):
        raise AssertionError(f"verifier inputs {names}")
    out = [t["name"] for t in m["outputs"]]
    if out != (["aspects"] if kind == "grader" else ["score"]):
        raise AssertionError(f"verifier outputs {out}")
    if m["sample"] != {"channels": 3, "height": 32, "width": 32, "range": [-1, 1]}:
        raise AssertionError(f"sample {m['sample']}")
    if kind != "aesthetic" and m["tokenizer"]["vocabulary"][0] != "<pad>":
        raise AssertionError("tokenizer")
    if not re.fullmatch(r"[0-9a-f]{64}", m.get("sha256", "")):
        raise AssertionError("sha256")


def extra_part(m: dict) -> tuple[str, dict] | None:
    """The second graph of a shapes folder: ("encoder" | "textEncoder", its spec), or None."""
    for key in ("encoder", "textEncoder"):
        if key in m:
            return key, m[key]
    return None


def check_sha256(folder: Path, m: dict) -> None:
    import hashlib
    if hashlib.sha256((folder / m["file"]).read_bytes()).hexdigest() != m["sha256"]:
        raise AssertionError("the model file's SHA-256 differs from the manifest's")


def check_onnx(folder: Path, m: dict) -> None:
    path = folder / m["file"]
    size = path.stat().st_size
    if size >= 8 * 1024 * 1024:
        raise AssertionError(f"{path}: {size} bytes >= 8 MiB")
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    opset = {o.domain: o.version for o in model.opset_import}.get("", None)
    if opset != 17:
        raise AssertionError(f"opset {opset}, expected 17")
    inits = {i.name for i in model.graph.initializer}
    for kind, graph_list, spec in (("input", [i for i in model.graph.input if i.name not in inits], m["inputs"]),
                                   ("output", list(model.graph.output), m["outputs"])):
        names = [v.name for v in graph_list]
        if names != [s["name"] for s in spec]:
            raise AssertionError(f"graph {kind}s {names} != manifest {[s['name'] for s in spec]}")
        for v, s in zip(graph_list, spec):
            tt = v.type.tensor_type
            if ONNX_TYPES.get(tt.elem_type) != s["dtype"]:
                raise AssertionError(f"{kind} {v.name}: elem_type {tt.elem_type} vs {s['dtype']}")
            dims = tt.shape.dim
            if len(dims) != len(s["shape"]):
                raise AssertionError(f"{kind} {v.name}: rank {len(dims)} vs manifest {s['shape']}")
            if not dims[0].dim_param:
                raise AssertionError(f"{kind} {v.name}: batch axis is not dynamic")
            for d, e in zip(list(dims)[1:], s["shape"][1:]):
                if d.dim_value != e:
                    raise AssertionError(f"{kind} {v.name}: dims {[x.dim_value or x.dim_param for x in dims]} vs {s['shape']}")


def check_golden(folder: Path, m: dict, golden: str = "golden.json", part: str = "model") -> None:
    g = json.loads((folder / golden).read_text())
    if [t["name"] for t in m["inputs"]] != list(g["inputs"]) or [t["name"] for t in m["outputs"]] != list(g["outputs"]):
        raise AssertionError("golden tensor names differ from the manifest")
    if len(next(iter(g["inputs"].values()))["shape"]) and next(iter(g["inputs"].values()))["shape"][0] != 4:
        raise AssertionError("golden batch is not 4")
    model = registry.load_model(folder) if part == "model" else registry.load_part(folder, part)
    dt = {"float32": torch.float32, "int64": torch.int64}
    inputs = [torch.tensor(v["data"], dtype=dt[v["dtype"]]).reshape(v["shape"]) for v in g["inputs"].values()]
    with torch.no_grad():
        outs = model(*inputs)
    if isinstance(outs, torch.Tensor):
        outs = (outs,)
    worst = 0.0
    for (name, ref), out in zip(g["outputs"].items(), outs):
        r = np.asarray(ref["data"], dtype=np.float32).reshape(ref["shape"])
        if list(out.shape) != ref["shape"]:
            raise AssertionError(f"{name}: shape {list(out.shape)} vs golden {ref['shape']}")
        if not np.all(np.isfinite(r)):
            raise AssertionError(f"{name}: non-finite golden values")
        worst = max(worst, float(np.abs(out.numpy() - r).max()))
    if worst > 1e-4:
        raise AssertionError(f"torch re-run differs from golden by {worst:.3g} > 1e-4")


def main(argv: list[str]) -> int:
    torch.set_num_threads(1)
    c = Checker()
    for d in argv:
        folder = Path(d)
        print(f"{folder}:")
        try:
            m = json.loads((folder / "manifest.json").read_text())
        except Exception as e:  # noqa: BLE001
            c.failed += 1
            print(f"  FAIL  manifest.json unreadable: {e}")
            continue
        c.check("manifest fields", lambda: check_manifest(m))
        c.check("onnx.checker, opset 17, < 8 MiB, graph tensors match the manifest", lambda: check_onnx(folder, m))
        if "sha256" in m:
            c.check("model file's SHA-256 is the manifest's", lambda: check_sha256(folder, m))
        extra = extra_part(m)
        if extra is not None:
            key, spec = extra
            c.check(f"{spec['file']}: onnx.checker, opset 17, < 8 MiB, graph tensors match the manifest",
                    lambda: check_onnx(folder, spec))
        if (folder / "model.pt").exists():
            c.check("golden fixture reproduced by PyTorch (model.pt) within 1e-4", lambda: check_golden(folder, m))
            if extra is not None:
                c.check(f"{spec['golden']} reproduced by PyTorch (model.pt) within 1e-4",
                        lambda: check_golden(folder, spec, spec["golden"], key))
        else:
            print("  skip  golden fixture vs PyTorch: no model.pt (checkpoints are not committed)")
    print(f"smoke_check: {c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
