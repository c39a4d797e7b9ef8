"""onnxruntime's outputs for the ONNX files Modelport's SGD exporter wrote.

`cargo test -p modelport-core --test sgd_export -- --ignored` writes one exported
learner per loss (squared, logistic, softmax) and the rows to run to
`crates/core/tests/fixtures/sgd/`; this script runs each file with onnxruntime on those
rows and writes `onnxruntime.json` beside them, which
`crates/core/tests/sgd_export.rs` checks tract's outputs against:

    training/.venv/bin/python training/sgd_export_reference.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort

FIXTURES = Path(__file__).resolve().parent.parent / "crates" / "core" / "tests" / "fixtures" / "sgd"
LOSSES = ["squared", "logistic", "softmax"]


def main() -> None:
    rows = json.loads((FIXTURES / "rows.json").read_text(encoding="utf-8"))["rows"]
    x = np.asarray(rows, dtype=np.float32)
    outputs = {}
    for name in LOSSES:
        session = ort.InferenceSession(str(FIXTURES / f"{name}.onnx"), providers=["CPUExecutionProvider"])
        names = [o.name for o in session.get_outputs()]
        values = session.run(names, {session.get_inputs()[0].name: x})
        outputs[name] = {n: np.asarray(v, dtype=np.float64).ravel().tolist() for n, v in zip(names, values)}
    reference = {"reference": f"onnxruntime {ort.__version__}", "rows": rows, "outputs": outputs}
    out = FIXTURES / "onnxruntime.json"
    out.write_text(json.dumps(reference, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
