//! Modelport natively, as the reference the same models are compared with in the browser.
//!
//! ```sh
//! cargo bench -p modelport-core --bench edge -- --out FILE NAME=FOLDER [NAME=FOLDER...]
//! ```
//!
//! Each FOLDER holds a `model.onnx` and its `golden.json`; relative paths (FOLDER and
//! FILE) are taken from the workspace root, since cargo runs benches from the crate's
//! folder. For each model: the time `Model::load` takes (the median of a few loads),
//! then the time of one row and, for tabular models (every input of rank 2), of a
//! 1000-row batch, built from the golden rows as in the conformance bench. An image
//! model gets one row only: a thousand pictures are not how a page uses it.
//!
//! A sub-millisecond run is too short for single-run percentiles to be more than timer
//! noise, so runs are timed in samples of about a millisecond (at least one run each);
//! p50 and p95 are over the samples' per-run means.
//!
//! Writes `training/bench_ort.py`'s format, so the browser, onnxruntime and this bench
//! tabulate alike: `{"runtime", "threads", "results": {name: {"<rows>": p50_seconds}},
//! "p95": {same}, "load": {name: seconds}}`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use modelport_core::{Golden, Model};
use serde::Serialize;

mod common;
use common::{Timing, format_time};

const BATCH_ROWS: usize = 1000;
const LOADS: usize = 5;
/// The length of one timed sample: well above the clock's resolution and jitter.
const SAMPLE: Duration = Duration::from_millis(1);
const MIN_SAMPLES: usize = 30;
const BUDGET: Duration = Duration::from_secs(1);
/// How long single runs are timed to choose the runs per sample.
const CALIBRATION: Duration = Duration::from_millis(20);

const USAGE: &str = "usage: edge --out FILE NAME=FOLDER [NAME=FOLDER...]";

/// Seconds: model name, then batch size; the shape `bench_ort.py` writes.
type Table = BTreeMap<String, BTreeMap<String, f64>>;

#[derive(Serialize)]
struct Report {
    runtime: String,
    /// tract runs on the calling thread; the browser's worker has one too.
    threads: u32,
    results: Table,
    p95: Table,
    load: BTreeMap<String, f64>,
}

/// One model's times.
struct Measured {
    load: f64,
    /// Batch size, p50 and p95 seconds per run.
    batches: Vec<(usize, f64, f64)>,
}

fn main() {
    if let Err(e) = run() {
        eprintln!("edge: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let (out, cases) = parse_args(std::env::args().skip(1).filter(|a| a != "--bench"))?;
    let mut report = Report {
        runtime: format!("tract {} (Modelport)", tract_version(&root)?),
        threads: 1,
        results: Table::new(),
        p95: Table::new(),
        load: BTreeMap::new(),
    };
    for (name, dir) in cases {
        let measured = measure(&root.join(dir)).map_err(|e| format!("{name}: {e}"))?;
        eprintln!("{}", summary(&name, &measured));
        for &(rows, p50, p95) in &measured.batches {
            report.results.entry(name.clone()).or_default().insert(rows.to_string(), p50);
            report.p95.entry(name.clone()).or_default().insert(rows.to_string(), p95);
        }
        report.load.insert(name, measured.load);
    }
    let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    let out = root.join(out);
    fs::write(&out, json + "\n").map_err(|e| format!("{}: {e}", out.display()))
}

/// The output file and the `(name, folder)` cases.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<(PathBuf, Vec<(String, PathBuf)>), String> {
    let mut out = None;
    let mut cases = vec![];
    while let Some(arg) = args.next() {
        if arg == "--out" {
            out = Some(PathBuf::from(args.next().ok_or(USAGE)?));
        } else {
            let (name, dir) = arg.split_once('=').ok_or_else(|| format!("`{arg}` is not NAME=FOLDER; {USAGE}"))?;
            cases.push((name.to_owned(), PathBuf::from(dir)));
        }
    }
    match out {
        Some(out) if !cases.is_empty() => Ok((out, cases)),
        _ => Err(USAGE.into()),
    }
}

/// tract-onnx's version as locked: the runtime the numbers are for.
fn tract_version(root: &Path) -> Result<String, String> {
    let lock = fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == r#"name = "tract-onnx""# {
            let version = lines.next().and_then(|l| l.strip_prefix(r#"version = ""#)?.strip_suffix('"'));
            return version.map(str::to_owned).ok_or_else(|| "Cargo.lock: no version for tract-onnx".into());
        }
    }
    Err("Cargo.lock has no tract-onnx".into())
}

fn measure(dir: &Path) -> Result<Measured, String> {
    let bytes = fs::read(dir.join("model.onnx")).map_err(|e| format!("{}/model.onnx: {e}", dir.display()))?;
    let golden = fs::read(dir.join("golden.json")).map_err(|e| format!("{}/golden.json: {e}", dir.display()))?;
    let golden: Golden = serde_json::from_slice(&golden).map_err(|e| format!("golden.json: {e}"))?;
    let (model, load) = time_load(&bytes)?;
    let tabular = golden.inputs.values().all(|t| t.shape.len() == 2);
    let sizes: &[usize] = if tabular { &[1, BATCH_ROWS] } else { &[1] };
    let batches = sizes
        .iter()
        .map(|&rows| {
            let (p50, p95) = time_batch(&model, &golden, rows).map_err(|e| format!("{rows} rows: {e}"))?;
            Ok((rows, p50, p95))
        })
        .collect::<Result<_, String>>()?;
    Ok(Measured { load, batches })
}

/// The model and the median time of [`LOADS`] loads: the first pays for cold caches.
fn time_load(bytes: &[u8]) -> Result<(Model, f64), String> {
    let mut times = vec![];
    let mut model = None;
    for _ in 0..LOADS {
        let start = Instant::now();
        let loaded = Model::load(bytes).map_err(|e| e.to_string())?;
        times.push(start.elapsed().as_secs_f64());
        // Dropped outside the timed region: freeing a large graph is not loading it.
        model = Some(loaded);
    }
    times.sort_by(f64::total_cmp);
    Ok((model.expect("LOADS > 0"), common::percentile(&times, 0.5)))
}

/// p50 and p95 seconds per run of a batch of `rows` golden rows.
fn time_batch(model: &Model, golden: &Golden, rows: usize) -> Result<(f64, f64), modelport_core::RunError> {
    let inputs = common::batch(golden, rows);
    common::warm_up(model, &inputs)?;
    let single = Timing { runs_per_sample: 1, min_samples: 3, budget: CALIBRATION };
    let one_run = common::percentile(&common::time(model, &inputs, &single)?, 0.5);
    let runs_per_sample = (SAMPLE.as_secs_f64() / one_run).ceil().max(1.0) as usize;
    let timing = Timing { runs_per_sample, min_samples: MIN_SAMPLES, budget: BUDGET };
    let samples = common::time(model, &inputs, &timing)?;
    Ok((common::percentile(&samples, 0.5), common::percentile(&samples, 0.95)))
}

/// One readable line: load time, then p50 / p95 per batch size.
fn summary(name: &str, measured: &Measured) -> String {
    let batches = measured
        .batches
        .iter()
        .map(|&(rows, p50, p95)| format!("{rows:>5} rows p50 {:>10} p95 {:>10}", format_time(p50), format_time(p95)));
    format!("{name:<24} load {:>10}  {}", format_time(measured.load), batches.collect::<Vec<_>>().join("  "))
}
