#!/usr/bin/env python3
"""Writes the practical-peak graph of PeakBenchmark: C = A @ B of two float32 inputs of any shape, no weights.

Run once with Debian's python3-onnx (/usr/bin/python3); the output is committed (a few hundred bytes):
    /usr/bin/python3 bench/scripts/make_matmul_onnx.py bench/src/main/resources/io/noisesearch/bench/matmul.onnx
"""
import sys

import onnx
from onnx import TensorProto, helper

a = helper.make_tensor_value_info("a", TensorProto.FLOAT, ["m", "k"])
b = helper.make_tensor_value_info("b", TensorProto.FLOAT, ["k", "n"])
c = helper.make_tensor_value_info("c", TensorProto.FLOAT, ["m", "n"])
graph = helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["c"])], "matmul", [a, b], [c])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="noisesearch-bench")
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, sys.argv[1])
