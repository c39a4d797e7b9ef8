"""Time onnxruntime on every model of the conformance suite, or on named model folders,
as the reference the Rust benchmarks are compared with.

    training/.venv/bin/python training/bench_ort.py --suite conformance \\
        --rows 1 1000 [--repeat S] [--only NAME...] --out FILE
    training/.venv/bin/python training/bench_ort.py --case NAME=FOLDER [--case ...] \\
        --rows 1 1000 [--repeat S] --out FILE

With `--suite`, every model of `<suite>/manifest.json` is timed; with `--case` (repeatable,
instead of `--suite`), each FOLDER holding `model.onnx` and `golden.json` is timed under
NAME. Folders are relative to the working directory, else to the repository. For each
model and batch size, the batch is built from the model's golden inputs by cycling their
rows along axis 0 (row i of the batch is golden row i % n for every input). In `--case`
mode a batch of more than one row is only timed when every input of the model has rank
2 (tabular models); an image model such as the benchmark CNN is timed at batch 1 only.

onnxruntime runs on one thread (intra- and inter-op), sequentially, with every graph
optimisation, and each batch is run a few times untimed first. Then, as the Rust benches
time Modelport (`crates/core/benches/common/mod.rs`):

- `--suite` (`benches/conformance.rs`): single runs, each timed with
  `time.perf_counter_ns`, until there are at least 20 and `--budget` (default 0.2) s
  have passed;
- `--case` (`benches/edge.rs`): a run of a few microseconds is not much longer than the
  timer's own resolution and jitter, so percentiles of single runs would mostly measure
  those. Runs are timed in samples of k back-to-back runs, k chosen so that one sample
  takes about 1 ms (from the median of single runs timed for 20 ms; k = 1 for a model
  of a millisecond or more), and each sample gives its per-run mean; sampling goes on
  until there are at least 30 samples and `--budget` (default 1) s have passed.

`--repeat N` instead times exactly N runs (`--suite`) or samples (`--case`). p50 and p95
are taken over the single runs or the samples' per-run means, as the nearest rank on the
0..n-1 scale (`sorted[round((n - 1) * p)]`, the Rust benches' `percentile`).

Writes `{"runtime": "onnxruntime <version>", "threads": 1, "results": {model: {"<rows>":
p50_seconds}}, "p95": {model: {"<rows>": p95_seconds}}}` (seconds per batch).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime

WARMUP = 5
THREADS = 1
# --suite: single runs, as benches/conformance.rs.
SUITE_MIN_RUNS = 20
SUITE_BUDGET = 0.2
# --case: samples of about a millisecond, as benches/edge.rs.
SAMPLE_SECONDS = 1e-3
CALIBRATION_SECONDS = 0.02
CASE_MIN_SAMPLES = 30
CASE_BUDGET = 1.0
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
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = THREADS
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    return onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])


def time_samples(run, k: int, min_samples: int, budget: float, exactly: int | None = None) -> list[float]:
    """Seconds per run, one value per sample of `k` back-to-back runs, sorted: at least
    `min_samples` samples and `budget` seconds, or `exactly` samples."""
    times = []
    start = time.perf_counter_ns()
    while (len(times) < exactly if exactly is not None
           else len(times) < min_samples or time.perf_counter_ns() - start < budget * 1e9):
        sample = time.perf_counter_ns()
        for _ in range(k):
            run()
        times.append((time.perf_counter_ns() - sample) / k / 1e9)
    return sorted(times)


def percentile(ordered: list[float], p: float) -> float:
    """The nearest rank on the 0..n-1 scale (Rust's `round`: halves away from zero)."""
    return ordered[math.floor((len(ordered) - 1) * p + 0.5)]


def bench_case(sess: onnxruntime.InferenceSession, feed: dict[str, np.ndarray], sampled: bool,
               repeat: int | None, budget: float | None) -> tuple[float, float]:
    """(p50, p95) seconds per run: single runs, or (`sampled`) samples of about 1 ms."""
    outputs = [o.name for o in sess.get_outputs()]

    def run():
        sess.run(outputs, feed)

    for _ in range(WARMUP):
        run()
    if sampled:
        one_run = percentile(time_samples(run, 1, 3, CALIBRATION_SECONDS), 0.5)
        k = max(1, math.ceil(SAMPLE_SECONDS / one_run))
        times = time_samples(run, k, CASE_MIN_SAMPLES, CASE_BUDGET if budget is None else budget, repeat)
    else:
        times = time_samples(run, 1, SUITE_MIN_RUNS, SUITE_BUDGET if budget is None else budget, repeat)
    return percentile(times, 0.5), percentile(times, 0.95)


def tabular(sess: onnxruntime.InferenceSession) -> bool:
    return all(len(i.shape) == 2 for i in sess.get_inputs())


def resolve(folder: str) -> Path:
    path = Path(folder)
    return path if path.is_absolute() or path.exists() else ROOT / path


def suite_cases(suite: Path, only: list[str] | None) -> list[tuple[str, Path]]:
    manifest = json.loads((suite / "manifest.json").read_text(encoding="utf-8"))
    return [(e["name"], suite / e["name"]) for e in manifest if not only or e["name"] in only]


def named_cases(cases: list[str], only: list[str] | None) -> list[tuple[str, Path]]:
    found = []
    for case in cases:
        name, sep, folder = case.partition("=")
        if not sep or not name or not folder:
            raise SystemExit(f"--case {case!r}: expected NAME=FOLDER")
        if not only or name in only:
            found.append((name, resolve(folder)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--suite", default=None,
                        help="folder with manifest.json (relative to the repository; default: conformance)")
    source.add_argument("--case", action="append", default=None, metavar="NAME=FOLDER",
                        help="a folder with model.onnx and golden.json, timed as NAME (repeatable)")
    parser.add_argument("--rows", type=int, nargs="+", default=[1, 1000], help="batch sizes")
    parser.add_argument("--repeat", type=int, default=None,
                        help="timed runs (--suite) or samples of about 1 ms (--case) per case (default: by --budget)")
    parser.add_argument("--budget", type=float, default=None,
                        help=f"least seconds of timing per case (default: {SUITE_BUDGET} --suite, {CASE_BUDGET} --case)")
    parser.add_argument("--only", nargs="*", default=None, help="only these models")
    parser.add_argument("--out", required=True, help="JSON file to write")
    args = parser.parse_args()

    if args.case:
        cases = named_cases(args.case, args.only)
    else:
        cases = suite_cases(resolve(args.suite or "conformance"), args.only)
    results: dict[str, dict[str, float]] = {}
    p95s: dict[str, dict[str, float]] = {}
    for name, folder in cases:
        sess = session(folder / "model.onnx")
        inputs = golden_inputs(folder)
        rows = args.rows if not args.case or tabular(sess) else [r for r in args.rows if r == 1]
        results[name] = {}
        p95s[name] = {}
        for r in rows:
            results[name][str(r)], p95s[name][str(r)] = bench_case(
                sess, batch(inputs, r), bool(args.case), args.repeat, args.budget
            )
        print(f"{name}: " + ", ".join(
            f"{r} rows p50 {format_time(results[name][str(r)])} p95 {format_time(p95s[name][str(r)])}" for r in rows
        ), file=sys.stderr)
    out = {"runtime": f"onnxruntime {onnxruntime.__version__}", "threads": THREADS, "results": results, "p95": p95s}
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


def format_time(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} us" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


if __name__ == "__main__":
    main()
