"""The reference outputs: onnxruntime runs a model on held-out rows, and the result is
written in the JSON form the Rust core reads (`TensorData`, `Golden`). Shared by
`train.py` (the shipped models) and `conformance.py` (the conformance suite).
"""

from __future__ import annotations

import math

import numpy as np
import onnx
import onnxruntime
from onnx import helper

REFERENCE = f"onnxruntime {onnxruntime.__version__}"


def session(model_bytes: bytes) -> onnxruntime.InferenceSession:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    return onnxruntime.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])


def json_number(v: float):
    if math.isnan(v):
        return None
    if math.isinf(v):
        raise ValueError("an infinite value cannot be written to a golden file")
    return v


def tensor(array: np.ndarray) -> dict:
    """A tensor in the JSON form the Rust core reads (`TensorData`); NaN becomes null."""
    array = np.asarray(array)
    if array.dtype.kind in "OUS":
        return {"shape": list(array.shape), "data": {"string": [str(v) for v in array.ravel()]}}
    dtype = array.dtype.name
    if dtype not in ("float32", "float64", "int32", "int64", "bool"):
        raise TypeError(f"element type {dtype} cannot be written to a golden file")
    values = array.ravel().tolist()
    if array.dtype.kind == "f":
        values = [json_number(v) for v in values]
    return {"shape": list(array.shape), "data": {dtype: values}}


def zipmaps(proto: onnx.ModelProto) -> dict[str, list]:
    """Output name -> class labels, in attribute order, for each ZipMap node."""
    found = {}
    for node in proto.graph.node:
        if node.op_type == "ZipMap":
            attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            labels = attrs.get("classlabels_int64s") or [
                s.decode("utf-8") for s in attrs.get("classlabels_strings", [])
            ]
            found[node.output[0]] = list(labels)
    return found


def as_onnxruntime_reads_it(proto: onnx.ModelProto) -> onnx.ModelProto:
    """onnxruntime 1.32 reads TreeEnsemble's (ai.onnx.ml 5) `post_transform` codes 1 and 2
    swapped: it maps them through its own enum (NONE, LOGISTIC, SOFTMAX, ...) where the
    ONNX specification says 1 is SOFTMAX and 2 LOGISTIC. The golden files follow the
    specification, so onnxruntime is given a copy with the two codes exchanged."""
    fixed = onnx.ModelProto()
    fixed.CopyFrom(proto)
    for node in fixed.graph.node:
        if node.op_type == "TreeEnsemble":
            for attribute in node.attribute:
                if attribute.name == "post_transform" and attribute.i in (1, 2):
                    attribute.i = 3 - attribute.i
    return fixed


def golden(proto: onnx.ModelProto, inputs: dict[str, np.ndarray]) -> dict:
    run = session(as_onnxruntime_reads_it(proto).SerializeToString())
    names = [o.name for o in run.get_outputs()]
    outputs = run.run(names, inputs)
    maps = zipmaps(proto)
    result = {}
    for name, value in zip(names, outputs):
        if name in maps:
            labels = maps[name]
            value = np.array([[row[label] for label in labels] for row in value], dtype=np.float32)
        result[name] = tensor(np.asarray(value))
    return {
        "reference": REFERENCE,
        "inputs": {k: tensor(v) for k, v in inputs.items()},
        "outputs": result,
    }


