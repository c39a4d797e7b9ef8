"""Build the image model of the browser-against-native benchmark (`cargo xtask bench`): a
CNN with MobileNetV2's layout and random weights.

    training/.venv/bin/python training/edge_cnn.py [--out FOLDER]

The benchmark needs a model with the compute shape of a real edge vision network
(strided 3x3 convolutions, 1x1 expand and project convolutions, grouped depthwise
convolutions, ReLU6, residual adds, global pooling, a classifier), not one that
recognises anything: timings depend on the operators and their shapes, not on the
values of the weights. So the graph is written with `onnx.helper` alone and filled with
seeded random weights; nothing is downloaded and every run writes the same files.

The layout is MobileNetV2 1.0 at 224x224 (Sandler et al. 2018, table 2): a 3x3
convolution to 32 channels with stride 2; inverted residual blocks (t, c, n, s) =
(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
(6, 160, 3, 2), (6, 320, 1, 1), each a 1x1 expansion to t times the channels (left out
when t = 1), a 3x3 depthwise convolution (`group` = channels; stride s in the first
block of a stage) and a linear 1x1 projection, with a residual Add when the stride is 1
and the channels do not change; a 1x1 convolution to 1280 channels, GlobalAveragePool,
Flatten and a Gemm to 1000 logits. Batch normalisation is folded into the convolutions'
weights and biases, as inference exports do, and ReLU6 is `Clip(x, 0, 6)` (opset 13
takes the bounds as inputs).

Weights are He-scaled (standard deviation sqrt(2 / fan_in) before a ReLU6,
sqrt(1 / fan_in) for the linear projections and the classifier, fan_in = input channels
/ group x kernel height x kernel width), and the projections of residual blocks are
halved so that the residual sums do not grow stage by stage; biases are small. The
script checks that the logits come out finite, distinct and of a moderate spread.

Writes into `--out` (default `target/bench/edge/mobilenetv2` under the repository):

- `model.onnx`: opset 13, input `image` float32 [1, 3, 224, 224], output `logits`
  float32 [1, 1000];
- `golden.json`: a seeded random image in [0, 1) with the logits onnxruntime
  (CPUExecutionProvider, one thread) gives for it, in Modelport's golden format
  (`{"reference", "inputs", "outputs"}`); floats are written in their shortest float32
  form to keep the file small;
- `bench.json`: `{"description", "flops", "parameters"}`, where `flops` counts the
  floating-point operations of one image (a multiply-add is 2) over the Conv nodes
  (2 x Cout x Hout x Wout x Cin / group x kH x kW) and the Gemm (2 x M x N x K), read
  from the graph as built; bias adds, activations, pooling and residual adds are left
  out, as FLOP counts of CNNs usually do.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "bench" / "edge" / "mobilenetv2"
SEED = 0
OPSET = 13
SIZE = 224
CLASSES = 1000
STEM = 32
HEAD = 1280
# (expansion t, output channels c, blocks n, first stride s), MobileNetV2 table 2.
BLOCKS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
BIAS_STD = 0.05
RESIDUAL_SCALE = 0.5
DESCRIPTION = "MobileNetV2-shaped CNN, random weights, 224×224"


class Builder:
    """Appends nodes and initializers, tracking each tensor's shape for the FLOP count."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self.shapes: dict[str, tuple[int, ...]] = {}
        self.count = 0

    def name(self, kind: str) -> str:
        self.count += 1
        return f"{kind}_{self.count}"

    def constant(self, name: str, array: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(array.astype(np.float32), name))
        return name

    def conv(self, x: str, channels: int, kernel: int, stride: int, group: int = 1, relu6: bool = True,
             scale: float = 1.0) -> str:
        """Conv (batch norm folded in: weight and bias), then ReLU6 unless `relu6` is off."""
        _, cin, h, w = self.shapes[x]
        fan_in = cin // group * kernel * kernel
        std = scale * np.sqrt((2.0 if relu6 else 1.0) / fan_in)
        name = self.name("conv")
        weight = self.constant(f"{name}.weight", self.rng.normal(0.0, std, (channels, cin // group, kernel, kernel)))
        bias = self.constant(f"{name}.bias", self.rng.normal(0.0, BIAS_STD, channels))
        pad = kernel // 2
        self.nodes.append(helper.make_node(
            "Conv", [x, weight, bias], [name], name=name, kernel_shape=[kernel, kernel],
            strides=[stride, stride], pads=[pad] * 4, group=group,
        ))
        out = (h + 2 * pad - kernel) // stride + 1, (w + 2 * pad - kernel) // stride + 1
        self.shapes[name] = (1, channels, *out)
        if not relu6:
            return name
        clipped = self.name("relu6")
        self.nodes.append(helper.make_node("Clip", [name, "zero", "six"], [clipped], name=clipped))
        self.shapes[clipped] = self.shapes[name]
        return clipped

    def block(self, x: str, expansion: int, channels: int, stride: int) -> str:
        cin = self.shapes[x][1]
        hidden = cin * expansion
        y = self.conv(x, hidden, 1, 1) if expansion != 1 else x
        y = self.conv(y, hidden, 3, stride, group=hidden)
        residual = stride == 1 and cin == channels
        y = self.conv(y, channels, 1, 1, relu6=False, scale=RESIDUAL_SCALE if residual else 1.0)
        if not residual:
            return y
        name = self.name("add")
        self.nodes.append(helper.make_node("Add", [x, y], [name], name=name))
        self.shapes[name] = self.shapes[y]
        return name


def build(seed: int = SEED) -> onnx.ModelProto:
    b = Builder(np.random.default_rng(seed))
    b.constant("zero", np.array(0.0))
    b.constant("six", np.array(6.0))
    b.shapes["image"] = (1, 3, SIZE, SIZE)
    x = b.conv("image", STEM, 3, 2)
    for expansion, channels, repeats, stride in BLOCKS:
        for i in range(repeats):
            x = b.block(x, expansion, channels, stride if i == 0 else 1)
    x = b.conv(x, HEAD, 1, 1)
    b.nodes.append(helper.make_node("GlobalAveragePool", [x], ["pooled"], name="pool"))
    b.nodes.append(helper.make_node("Flatten", ["pooled"], ["features"], name="flatten", axis=1))
    weight = b.constant("classifier.weight", b.rng.normal(0.0, np.sqrt(1.0 / HEAD), (CLASSES, HEAD)))
    bias = b.constant("classifier.bias", b.rng.normal(0.0, BIAS_STD, CLASSES))
    b.nodes.append(helper.make_node("Gemm", ["features", weight, bias], ["logits"], name="classifier", transB=1))
    graph = helper.make_graph(
        b.nodes, "mobilenetv2_random",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, SIZE, SIZE])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, CLASSES])],
        b.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="modelport training/edge_cnn.py")
    model.ir_version = 7  # the IR version that came with opset 13 (onnx 1.8), not onnx 1.23's own
    onnx.checker.check_model(model, full_check=True)
    return model


def flops(model: onnx.ModelProto) -> int:
    """Floating-point operations of one run (multiply-add = 2) over Conv and Gemm nodes,
    from the weights' shapes and the output shapes that shape inference gives."""
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in [*inferred.graph.value_info, *inferred.graph.output]}
    weights = {t.name: list(t.dims) for t in model.graph.initializer}
    total = 0
    for node in model.graph.node:
        if node.op_type == "Conv":
            _, cin_per_group, kh, kw = weights[node.input[1]]
            _, cout, hout, wout = shapes[node.output[0]]
            total += 2 * cout * hout * wout * cin_per_group * kh * kw
        elif node.op_type == "Gemm":
            n, k = weights[node.input[1]]  # transB = 1: B is [N, K]
            m = shapes[node.output[0]][0]
            total += 2 * m * n * k
    return total


def short(array: np.ndarray) -> list[float]:
    """float32 values as the shortest decimals that read back to the same float32 (numpy's
    `str` of a float32), rather than the 17 digits of their float64 value."""
    flat = np.asarray(array, dtype=np.float32).ravel()
    values = [float(str(v)) for v in flat]
    assert np.array_equal(np.array(values).astype(np.float32), flat)
    return values


def tensor(array: np.ndarray) -> dict:
    return {"shape": list(array.shape), "data": {"float32": short(array)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(OUT), help="folder to write (default: %(default)s)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    model = build()
    model_bytes = model.SerializeToString()
    (out / "model.onnx").write_bytes(model_bytes)

    image = np.random.default_rng(SEED + 1).random((1, 3, SIZE, SIZE), dtype=np.float32)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
    (logits,) = session.run(["logits"], {"image": image})
    spread = float(logits.std())
    if not (np.isfinite(logits).all() and 0.1 < spread < 100.0):
        raise SystemExit(f"logits out of range: std {spread}, min {logits.min()}, max {logits.max()}")
    golden = {
        "reference": f"onnxruntime {onnxruntime.__version__}",
        "inputs": {"image": tensor(image)},
        "outputs": {"logits": tensor(logits)},
    }
    (out / "golden.json").write_text(json.dumps(golden, separators=(",", ":")) + "\n", encoding="utf-8")

    count = flops(model)
    parameters = sum(int(np.prod(t.dims)) for t in model.graph.initializer if t.name not in ("zero", "six"))
    bench = {"description": DESCRIPTION, "flops": count, "parameters": parameters}
    (out / "bench.json").write_text(json.dumps(bench, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{out}: {count / 1e9:.3f} GFLOP ({count // 2 / 1e6:.1f} M multiply-adds), "
          f"{parameters / 1e6:.3f} M parameters, {len(model_bytes) / 1e6:.1f} MB; "
          f"logits mean {float(logits.mean()):.3f} std {spread:.3f} "
          f"[{float(logits.min()):.3f}, {float(logits.max()):.3f}]")


if __name__ == "__main__":
    main()
