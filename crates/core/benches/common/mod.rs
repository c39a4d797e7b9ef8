//! What the benchmarks share: how a batch is built from a model's golden rows, and how
//! a batch is warmed up and timed. `training/bench_ort.py` builds its batches the same
//! way, so Modelport and onnxruntime are timed on the same rows.
//!
//! A folder's `mod.rs` is not a bench target of its own: each bench includes it with
//! `mod common;`.

use std::time::{Duration, Instant};

use modelport_core::{Golden, Model, RunError, Tensors};

/// Runs before timing: the first runs pay for allocation and cold caches.
pub const WARM_UP: usize = 5;

/// `rows` rows for every input: golden row `i % n` at row `i`.
pub fn batch(golden: &Golden, rows: usize) -> Tensors {
    golden.inputs.iter().map(|(name, tensor)| (name.clone(), tensor.cycle_rows(rows))).collect()
}

/// Runs the batch [`WARM_UP`] times, untimed.
pub fn warm_up(model: &Model, inputs: &Tensors) -> Result<(), RunError> {
    for _ in 0..WARM_UP {
        model.run(inputs)?;
    }
    Ok(())
}

/// How long and how finely to time one batch.
pub struct Timing {
    /// Runs per timed sample. Above 1 when one run is too short for the clock to
    /// measure on its own; each sample then reports the mean of its runs.
    pub runs_per_sample: usize,
    /// Timing goes on until there are at least this many samples...
    pub min_samples: usize,
    /// ...and at least this much time has passed.
    pub budget: Duration,
}

/// Seconds per run, one value per sample, sorted ascending.
pub fn time(model: &Model, inputs: &Tensors, timing: &Timing) -> Result<Vec<f64>, RunError> {
    let runs = timing.runs_per_sample.max(1);
    let mut samples = vec![];
    let start = Instant::now();
    while samples.len() < timing.min_samples || start.elapsed() < timing.budget {
        let sample = Instant::now();
        for _ in 0..runs {
            std::hint::black_box(model.run(inputs)?);
        }
        samples.push(sample.elapsed().as_secs_f64() / runs as f64);
    }
    samples.sort_by(f64::total_cmp);
    Ok(samples)
}

/// The `p`-quantile (0 to 1) of sorted values: the nearest rank on the `0..n-1` scale,
/// so that `p = 0.5` is `sorted[n / 2]`, the median the conformance table has always
/// reported.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[rank]
}

pub fn format_time(seconds: f64) -> String {
    match seconds {
        s if s < 1e-3 => format!("{:.1} µs", s * 1e6),
        s => format!("{:.2} ms", s * 1e3),
    }
}
