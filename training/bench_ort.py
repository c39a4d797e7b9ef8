"""Time onnxruntime on every model of the conformance suite, as the reference the Rust
benchmarks are compared with.

    training/.venv/bin/python training/bench_ort.py --suite conformance \\
        --rows 1 1000 [--repeat R] --out FILE

For each model in `<suite>/manifest.json` and each batch size, the batch is built from
the model's golden inputs by cycling their rows along axis 0 (row i of the batch is
golden row i % n for every input). onnxruntime runs on one thread (intra- and inter-op),
sequentially, with every graph optimisation; after a few warm-up runs, R runs are timed
with `time.perf_counter_ns` and the median is kept. Without `--repeat`, R is chosen per
case so that the timed runs take about `--budget` seconds (at least 20 runs).

Writes `{"runtime": "onnxruntime <version>", "results": {model: {"<rows>": p50_seconds}}}`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime

WARMUP = 5
MIN_REPEAT = 20
MAX_REPEAT = 100_000
ROOT = Path(__file__).resolve().parent.parent
NUMPY_TYPES = {
    "float32": np.float32,
    "float64": np.float64,
    "int32": np.int32,
    "int64": np.int64,
    "bool": np.bool_,
    "string": object,
}


def golden_inputs(folder: Path) -> dict[str, np.ndarray]:
    """The golden inputs as arrays; `null` (how golden files write NaN) becomes NaN."""
    golden = json.loads((folder / "golden.json").read_text(encoding="utf-8"))
    inputs = {}
    for name, tensor in golden["inputs"].items():
        ((kind, values),) = tensor["data"].items()
        if kind in ("float32", "float64"):
            values = [np.nan if v is None else v for v in values]
        inputs[name] = np.array(values, dtype=NUMPY_TYPES[kind]).reshape(tensor["shape"])
    return inputs


def batch(inputs: dict[str, np.ndarray], rows: int) -> dict[str, np.ndarray]:
    """`rows` rows for every input: golden row i % n at row i."""
    out = {}
    for name, array in inputs.items():
        index = np.arange(rows) % array.shape[0]
        out[name] = np.ascontiguousarray(array[index])
    return out


def session(model: Path) -> onnxruntime.InferenceSession:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    return onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])


def time_runs(run, repeat: int) -> list[int]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        run()
        times.append(time.perf_counter_ns() - start)
    return times


def bench_case(sess: onnxruntime.InferenceSession, feed: dict[str, np.ndarray], repeat: int | None,
               budget: float) -> float:
    outputs = [o.name for o in sess.get_outputs()]

    def run():
        sess.run(outputs, feed)

    warm = time_runs(run, WARMUP)
    if repeat is None:
        per_run = max(statistics.median(warm), 1) / 1e9
        repeat = int(min(MAX_REPEAT, max(MIN_REPEAT, budget / per_run)))
    return statistics.median(time_runs(run, repeat)) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", default="conformance", help="folder with manifest.json (relative to the repository)")
    parser.add_argument("--rows", type=int, nargs="+", default=[1, 1000], help="batch sizes")
    parser.add_argument("--repeat", type=int, default=None, help="timed runs per case (default: adaptive)")
    parser.add_argument("--budget", type=float, default=0.2, help="seconds of timed runs per case when adaptive")
    parser.add_argument("--only", nargs="*", default=None, help="only these models")
    parser.add_argument("--out", required=True, help="JSON file to write")
    args = parser.parse_args()

    suite = Path(args.suite)
    if not suite.is_absolute() and not suite.exists():
        suite = ROOT / suite
    manifest = json.loads((suite / "manifest.json").read_text(encoding="utf-8"))
    results: dict[str, dict[str, float]] = {}
    for entry in manifest:
        name = entry["name"]
        if args.only and name not in args.only:
            continue
        folder = suite / name
        sess = session(folder / "model.onnx")
        inputs = golden_inputs(folder)
        results[name] = {}
        for rows in args.rows:
            p50 = bench_case(sess, batch(inputs, rows), args.repeat, args.budget)
            results[name][str(rows)] = p50
        print(f"{name}: " + ", ".join(f"{r} rows {results[name][str(r)] * 1e6:.1f} us" for r in args.rows),
              file=sys.stderr)
    out = {"runtime": f"onnxruntime {onnxruntime.__version__}", "results": results}
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
