"""Writes the small ONNX files the core's tests use for failure cases.

Run with `training/.venv/bin/python training/fixtures.py`; the output is committed under
`crates/core/tests/fixtures/`.
"""

from pathlib import Path

import onnx
from onnx import TensorProto, helper

OUT = Path(__file__).resolve().parent.parent / "crates/core/tests/fixtures"


def unknown_operator() -> onnx.ModelProto:
    """A valid ONNX file whose second node is an operator no runtime knows."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 2])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 2])
    nodes = [
        helper.make_node("Relu", ["x"], ["h"], name="first_relu"),
        helper.make_node("Frobnicate", ["h"], ["y"], name="the_unknown_node", domain="example.unknown"),
    ]
    graph = helper.make_graph(nodes, "unknown_operator", [x], [y])
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("example.unknown", 1)]
    return helper.make_model(graph, opset_imports=opsets, producer_name="modelport-fixtures")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "unknown_operator.onnx").write_bytes(unknown_operator().SerializeToString())
