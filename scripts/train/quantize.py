#!/usr/bin/env python3
"""Static int8 quantization of a trained model folder into ONNX QDQ form (model.int8.onnx beside model.onnx).

Weights of the chosen Conv (and optionally Gemm) nodes become int8, symmetric, one scale per output channel; their
biases int32 at scale = input scale x weight scale; their input and output activations uint8, asymmetric, with
ranges measured on real inputs of the model (scripts/train/Calibrate.java: x_t along Euler trajectories at the
solver's times, every class and the null class). ONNX Runtime fuses DequantizeLinear -> Conv -> QuantizeLinear into
QLinearConv (int8 GEMM, VNNI where the CPU has it); every other node stays float32.

Two steps, driven by scripts/quantize:
    quantize.py prepare  --model DIR --out AUGMENTED.onnx      the fp32 graph with every tensor to calibrate as output
    quantize.py quantize --model DIR --ranges RANGES.json      writes DIR/model.int8.onnx, records it in the manifest
Same inputs -> same bytes: no clocks, no random numbers, node and tensor names derived from the graph's.
Run with Debian's Python (/usr/bin/python3; python3-onnx, python3-numpy).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

VARIANT = "int8"
INT8_FILE = "model.int8.onnx"
QMAX_WEIGHT = 127          # symmetric int8 weights in [-127, 127]: the negated range stays representable


def dumps_manifest(manifest: dict) -> str:
    """The training scripts' manifest layout (common.dumps_manifest, which needs torch): short lists on one line."""
    text = json.dumps(manifest, indent=2)
    return re.sub(r"\[\s*([-\d.eE,\s]*?)\s*\]",
                  lambda m: "[" + ", ".join(v.strip() for v in m.group(1).split(",") if v.strip()) + "]", text)


def load(folder: Path) -> tuple[dict, onnx.ModelProto]:
    manifest = json.loads((folder / "manifest.json").read_text())
    return manifest, onnx.load(str(folder / manifest["file"]))


def chosen_nodes(model: onnx.ModelProto, ops: set[str], keep: set[str]) -> list[onnx.NodeProto]:
    """Nodes to quantize: of the given op types, with a constant weight, not named in keep, not producing a graph
    output (the prediction stays float32 end to end)."""
    inits = {i.name for i in model.graph.initializer}
    outputs = {o.name for o in model.graph.output}
    nodes = []
    for node in model.graph.node:
        if node.op_type not in ops or node.name in keep or len(node.input) < 2 or node.input[1] not in inits:
            continue
        if node.op_type == "Gemm" and not _gemm_ok(node):
            continue
        if any(o in outputs for o in node.output):
            continue
        nodes.append(node)
    return nodes


def _gemm_ok(node: onnx.NodeProto) -> bool:
    """Gemm as ONNX Runtime's QGemm fuses it: Y = A B^T + C, alpha = beta = 1, A not transposed."""
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    return attrs.get("transB", 0) == 1 and attrs.get("transA", 0) == 0 and attrs.get("alpha", 1.0) == 1.0 \
        and attrs.get("beta", 1.0) == 1.0


def calibrated_tensors(nodes: list[onnx.NodeProto]) -> list[str]:
    """The activations whose ranges calibration measures: each chosen node's data input and output, in graph order."""
    names: list[str] = []
    for node in nodes:
        for name in (node.input[0], node.output[0]):
            if name not in names:
                names.append(name)
    return names


def prepare(args) -> None:
    manifest, model = load(args.model)
    nodes = chosen_nodes(model, set(args.ops.split(",")), set(filter(None, args.keep.split(","))))
    existing = {o.name for o in model.graph.output} | {i.name for i in model.graph.input}
    for name in calibrated_tensors(nodes):
        if name not in existing:
            model.graph.output.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
    onnx.save(model, str(args.out))
    print(f"prepare: {len(nodes)} nodes to quantize -> {args.out}")


def activation_qparams(lo: float, hi: float) -> tuple[np.float32, np.uint8]:
    """uint8 affine parameters covering [lo, hi] and zero (zero must be exact: padding and ReLU-like zeros)."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    scale = np.float32((hi - lo) / 255.0) if hi > lo else np.float32(1.0)
    zero = np.uint8(np.clip(np.round(-lo / float(scale)), 0, 255))
    return scale, zero


def weight_qparams(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-output-channel (axis 0) symmetric int8: scale = max |w| / 127, q = round(w / scale)."""
    flat = w.reshape(w.shape[0], -1).astype(np.float32)
    amax = np.abs(flat).max(axis=1)
    scale = np.where(amax > 0, amax / np.float32(QMAX_WEIGHT), np.float32(1.0)).astype(np.float32)
    q = np.clip(np.round(flat / scale[:, None]), -QMAX_WEIGHT, QMAX_WEIGHT).astype(np.int8)
    return q.reshape(w.shape), scale


class Rewriter:
    """Inserts QuantizeLinear/DequantizeLinear pairs and int8 initializers into a float graph."""

    def __init__(self, model: onnx.ModelProto, ranges: dict[str, list[float]]):
        self.model = model
        self.ranges = ranges
        self.inits = {i.name: i for i in model.graph.initializer}
        self.new_inits: list[onnx.TensorProto] = []
        self.dequantized: dict[str, str] = {}       # activation -> its QDQ'd name
        self.before: dict[str, list[onnx.NodeProto]] = {}   # node name -> Q/DQ nodes to put in front of it
        self.after: dict[str, list[onnx.NodeProto]] = {}    # node name -> Q/DQ nodes to put right after it

    def activation(self, name: str, anchor: onnx.NodeProto, position: dict) -> str:
        """The QDQ'd copy of activation {name}, made once, placed next to {anchor}."""
        if name in self.dequantized:
            return self.dequantized[name]
        if name in self.dequantized.values():       # already the output of a quantized node
            return name
        if name not in self.ranges:
            sys.exit(f"quantize: no calibration range for tensor '{name}' (rerun calibration with this node set)")
        scale, zero = activation_qparams(*self.ranges[name])
        base = name.strip("/").replace("/", "_")
        s, z, q, dq = f"{base}_scale", f"{base}_zero_point", f"{base}_quantized", f"{base}_dequantized"
        self.new_inits += [numpy_helper.from_array(np.array(scale, dtype=np.float32), s),
                           numpy_helper.from_array(np.array(zero, dtype=np.uint8), z)]
        position.setdefault(anchor.name, []).extend([
            helper.make_node("QuantizeLinear", [name, s, z], [q], name=f"{base}_QuantizeLinear"),
            helper.make_node("DequantizeLinear", [q, s, z], [dq], name=f"{base}_DequantizeLinear")])
        self.dequantized[name] = dq
        return dq

    def weight(self, node: onnx.NodeProto) -> tuple[str, np.ndarray]:
        w = numpy_helper.to_array(self.inits[node.input[1]])
        q, scale = weight_qparams(w)
        base = node.input[1]
        self.new_inits += [numpy_helper.from_array(q, f"{base}_quantized"),
                           numpy_helper.from_array(scale, f"{base}_scale"),
                           numpy_helper.from_array(np.zeros(scale.shape, np.int8), f"{base}_zero_point")]
        self.before.setdefault(node.name, []).append(helper.make_node(
            "DequantizeLinear", [f"{base}_quantized", f"{base}_scale", f"{base}_zero_point"],
            [f"{base}_dequantized"], name=f"{base}_DequantizeLinear", axis=0))
        return f"{base}_dequantized", scale

    def bias(self, node: onnx.NodeProto, input_scale: np.float32, weight_scale: np.ndarray) -> str:
        """int32 bias at scale input x weight (what QLinearConv adds to its int32 accumulators)."""
        b = numpy_helper.to_array(self.inits[node.input[2]]).astype(np.float64)
        scale = (np.float32(input_scale) * weight_scale).astype(np.float32)
        q = np.clip(np.round(b / scale.astype(np.float64)), -(2 ** 31), 2 ** 31 - 1).astype(np.int32)
        base = node.input[2]
        self.new_inits += [numpy_helper.from_array(q, f"{base}_quantized"),
                           numpy_helper.from_array(scale, f"{base}_scale"),
                           numpy_helper.from_array(np.zeros(scale.shape, np.int32), f"{base}_zero_point")]
        self.before.setdefault(node.name, []).append(helper.make_node(
            "DequantizeLinear", [f"{base}_quantized", f"{base}_scale", f"{base}_zero_point"],
            [f"{base}_dequantized"], name=f"{base}_DequantizeLinear", axis=0))
        return f"{base}_dequantized"

    def source(self, name: str) -> str:
        """The float activation behind a QDQ'd name."""
        return next((a for a, dq in self.dequantized.items() if dq == name), name)

    def quantize(self, node: onnx.NodeProto) -> None:
        x_name = self.source(node.input[0])
        x = self.activation(x_name, node, self.before)
        w, w_scale = self.weight(node)
        inputs = [x, w]
        if len(node.input) > 2 and node.input[2]:
            x_scale, _ = activation_qparams(*self.ranges[x_name])
            inputs.append(self.bias(node, x_scale, w_scale))
        del node.input[:]
        node.input.extend(inputs)
        # The output: quantized right after the node, every consumer reads the dequantized copy.
        y = node.output[0]
        y_dq = self.activation(y, node, self.after)
        for other in self.model.graph.node:
            if other is not node:
                for i, name in enumerate(other.input):
                    if name == y:      # the output's QuantizeLinear is not in the graph yet: it keeps y
                        other.input[i] = y_dq

    def finish(self) -> None:
        """Puts the new nodes in place (topological order kept) and drops float weights no node reads any more."""
        nodes = []
        for node in self.model.graph.node:
            nodes += self.before.get(node.name, [])
            nodes.append(node)
            nodes += self.after.get(node.name, [])
        del self.model.graph.node[:]
        self.model.graph.node.extend(nodes)
        used = {name for node in nodes for name in node.input}
        kept = [i for i in self.model.graph.initializer if i.name in used]
        del self.model.graph.initializer[:]
        self.model.graph.initializer.extend(kept + self.new_inits)


def quantize(args) -> None:
    manifest, model = load(args.model)
    calibration = json.loads(args.ranges.read_text())
    ranges = calibration["ranges"]
    ops, keep = set(args.ops.split(",")), set(filter(None, args.keep.split(",")))
    nodes = chosen_nodes(model, ops, keep)
    rewriter = Rewriter(model, ranges)
    for node in nodes:
        rewriter.quantize(node)
    rewriter.finish()
    model.doc_string = f"int8 QDQ of {manifest['name']} ({len(nodes)} nodes quantized) by scripts/train/quantize.py"
    onnx.checker.check_model(model)
    out = args.model / INT8_FILE
    data = model.SerializeToString()
    out.write_bytes(data)
    manifest.setdefault("variants", {})[VARIANT] = {
        "file": INT8_FILE,
        "sha256": hashlib.sha256(data).hexdigest(),
        "flopsPerSample": manifest["flopsPerSample"],
        "quantized": {
            "weights": "int8, symmetric, per output channel (axis 0), scale = max|w| / 127",
            "activations": "uint8, asymmetric, calibrated min/max (zero included)",
            "bias": "int32 at input scale x weight scale",
            "ops": sorted(ops),
            "nodes": len(nodes),
            "keptFloat": sorted(keep),
        },
        "provenance": {
            "script": "scripts/train/quantize.py",
            "command": args.command,
            "source": manifest["file"],
            "sourceSha256": hashlib.sha256((args.model / manifest["file"]).read_bytes()).hexdigest(),
            "calibration": calibration["calibration"],
        },
    }
    (args.model / "manifest.json").write_text(dumps_manifest(manifest) + "\n")
    print(f"quantize: {len(nodes)} nodes int8 -> {out} ({len(data)} bytes)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="step", required=True)
    for name in ("prepare", "quantize"):
        s = sub.add_parser(name)
        s.add_argument("--model", type=Path, required=True, help="the model folder (manifest.json, model.onnx)")
        s.add_argument("--ops", default="Conv", help="op types to quantize (comma-separated; Conv, Gemm)")
        s.add_argument("--keep", default="", help="node names left in float32 (comma-separated)")
    sub.choices["prepare"].add_argument("--out", type=Path, required=True, help="the augmented graph to write")
    sub.choices["quantize"].add_argument("--ranges", type=Path, required=True, help="Calibrate.java's ranges JSON")
    sub.choices["quantize"].add_argument("--command", default="", help="the provenance command (scripts/quantize)")
    args = p.parse_args()
    prepare(args) if args.step == "prepare" else quantize(args)


if __name__ == "__main__":
    main()
