"""The models `cargo xtask bench` runs in the browser and natively, one folder each
(model.onnx and golden.json) under `--out` (default target/bench/edge; not committed),
with `cases.json` listing them in table order:

- every shipped model at its production version, with any ZipMap taken out. ZipMap
  returns a sequence of maps, which onnxruntime-web cannot hand back to JavaScript, so
  a page built on onnxruntime-web exports its classifiers without it (skl2onnx's
  `zipmap=False`) and reads probabilities as a tensor. Both runtimes run that same
  file. The golden file keeps the shipped inputs; its outputs are onnxruntime's for the
  new file.
- the MobileNetV2-shaped CNN of `edge_cnn.py`, with its FLOP count.

    training/.venv/bin/python training/edge_cases.py [--out FOLDER]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx

import reference

ROOT = Path(__file__).resolve().parent.parent
CNN = "mobilenetv2"


def without_zipmap(proto: onnx.ModelProto) -> onnx.ModelProto:
    """`proto` answering ZipMap's input, the probabilities tensor, in place of its maps."""
    graph = proto.graph
    for node in [n for n in graph.node if n.op_type == "ZipMap"]:
        output = next(o for o in graph.output if o.name == node.output[0])
        graph.node.remove(node)
        graph.output.remove(output)
        graph.output.append(onnx.helper.make_tensor_value_info(node.input[0], onnx.TensorProto.FLOAT, None))
    return proto


def golden_inputs(folder: Path) -> dict[str, np.ndarray]:
    golden = json.loads((folder / "golden.json").read_text(encoding="utf-8"))
    inputs = {}
    for name, tensor in golden["inputs"].items():
        ((kind, values),) = tensor["data"].items()
        values = [np.nan if v is None else v for v in values]
        inputs[name] = np.array(values, dtype=kind).reshape(tensor["shape"])
    return inputs


def shipped(out: Path) -> list[dict]:
    registry = json.loads((ROOT / "models/registry.json").read_text(encoding="utf-8"))
    cases = []
    for model in registry["models"]:
        version = model["channels"]["production"]
        source = ROOT / "models" / model["name"] / version
        proto = without_zipmap(onnx.load(source / "model.onnx"))
        folder = out / model["name"]
        folder.mkdir(parents=True, exist_ok=True)
        onnx.save(proto, folder / "model.onnx")
        golden = reference.golden(proto, golden_inputs(source))
        (folder / "golden.json").write_text(json.dumps(golden) + "\n", encoding="utf-8")
        features = golden_inputs(source)["input"].shape[1]
        cases.append({
            "name": model["name"],
            "title": f"{model['title']} ({features} features)",
            "folder": str(folder),
            "kind": "tabular",
        })
    return cases


def cnn(out: Path) -> dict:
    folder = out / CNN
    subprocess.run([sys.executable, str(ROOT / "training/edge_cnn.py"), "--out", str(folder)], check=True)
    facts = json.loads((folder / "bench.json").read_text(encoding="utf-8"))
    return {"name": CNN, "title": facts["description"], "folder": str(folder), "kind": "image",
            "flops": facts["flops"], "parameters": facts["parameters"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "target/bench/edge"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    cases = shipped(out) + [cnn(out)]
    (out / "cases.json").write_text(json.dumps(cases, indent=1) + "\n", encoding="utf-8")
    for case in cases:
        print(f"{case['name']}: {case['folder']}", file=sys.stderr)


if __name__ == "__main__":
    main()
