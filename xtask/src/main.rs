//! Project automation, with nothing to install first but Rust:
//!
//! - `cargo xtask serve`: set up what is missing, build the site and serve it on
//!   http://127.0.0.1:8080 (the development environment, with the shipped models);
//! - `cargo xtask test`: set up what is missing and run every check, cheapest first,
//!   ending with a line `N passed, N failed`;
//! - `cargo xtask build [development|staging|production]`: the release site for one
//!   environment in `dist/<environment>/`, or for all three;
//! - `cargo xtask setup`: only install what is missing;
//! - `cargo xtask train`: retrain and re-export the shipped models (Python, pinned);
//! - `cargo xtask conformance`: regenerate the conformance suite (`conformance/`);
//! - `cargo xtask bench [edge | conformance | batch]`: all three benchmarks, or one:
//!   `edge` times the shipped models, the digits MLP and a MobileNetV2-shaped CNN in
//!   Chromium against onnxruntime-web and natively, with cold start and bytes, and
//!   writes `docs/BENCHMARKS.md`; `conformance` times every conformance model against
//!   onnxruntime natively (`docs/BENCHMARKS-conformance.md`); `batch` times scoring
//!   generated CSV files natively and in Chromium (`docs/BENCHMARKS-batch.md`);
//! - `cargo xtask fuzz [seconds]`: fuzz model loading with cargo-fuzz (nightly),
//!   seeded with the conformance models.
//!
//! Every install step checks first and skips what is there, so running any of these
//! twice costs nothing the second time.

mod boot;
mod compress;
mod offline;
mod setup;
mod site;
mod test;
mod wasm;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use modelport_core::Channel;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::all(),
        Some("serve") => setup::for_site().and_then(|()| run(trunk().args(["serve", "--release"]))),
        Some("build") => environments(args.get(1)).and_then(|envs| {
            setup::for_site()?;
            build_site(&envs)
        }),
        Some("test") => test::all(),
        Some("train") => setup::python().and_then(|python| run(Command::new(python).arg("training/train.py"))),
        Some("conformance") => {
            setup::python().and_then(|python| run(Command::new(python).arg("training/conformance.py")))
        }
        Some("bench") => match args.get(1).map(String::as_str) {
            None => bench_edge().and_then(|()| bench_conformance()).and_then(|()| bench_batch()),
            Some("edge") => bench_edge(),
            Some("conformance") => bench_conformance(),
            Some("batch") => bench_batch(),
            Some(_) => Err(USAGE.into()),
        },
        Some("fuzz") => fuzz(args.get(1).map_or("600", String::as_str)),
        _ => Err(USAGE.into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: cargo xtask <serve | test | build [environment] | setup | train | conformance | bench [edge | conformance | batch] | fuzz [seconds]>";

/// The environment named on the command line, or all three.
fn environments(name: Option<&String>) -> Result<Vec<Channel>, String> {
    match name {
        Some(name) => Ok(vec![name.parse().map_err(|e: modelport_core::registry::RegistryError| e.to_string())?]),
        None => Ok(Channel::ALL.to_vec()),
    }
}

/// The workspace root: xtask lives one folder below it.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits in the workspace").to_path_buf()
}

/// A command run from the workspace root, with cargo's installed binaries on PATH.
pub fn command(program: &str) -> Command {
    let mut command = Command::new(program);
    command.current_dir(root());
    command.env("PATH", setup::path_with_tools());
    command
}

fn trunk() -> Command {
    command("trunk")
}

/// The models (training/edge_cases.py), timed natively by onnxruntime and by tract,
/// then in Chromium by `tests/e2e/bench/edge.mjs` against the production site and
/// onnxruntime-web, which writes `docs/BENCHMARKS.md` with every number.
fn bench_edge() -> Result<(), String> {
    setup::for_tests()?;
    let python = setup::python()?;
    let out = root().join("target/bench/edge");
    run(Command::new(&python).current_dir(root()).arg("training/edge_cases.py").arg("--out").arg(&out))?;
    let cases: Vec<serde_json::Value> = std::fs::read_to_string(out.join("cases.json"))
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))?;
    let pairs: Vec<String> = cases
        .iter()
        .map(|c| format!("{}={}", c["name"].as_str().unwrap_or_default(), c["folder"].as_str().unwrap_or_default()))
        .collect();
    let mut ort = Command::new(&python);
    ort.current_dir(root())
        .args(["training/bench_ort.py", "--rows", "1", "1000", "--out"])
        .arg(out.join("onnxruntime.json"));
    pairs.iter().for_each(|pair| {
        ort.args(["--case", pair]);
    });
    run(&mut ort)?;
    run(command("cargo")
        .args(["bench", "--package", "modelport-core", "--bench", "edge", "--", "--out"])
        .arg(out.join("tract.json"))
        .args(&pairs))?;
    run(command("cargo").args(["build", "--release", "--package", "simd-peak", "--target", "wasm32-unknown-unknown"]))?;
    build_site(&[Channel::Production])?;
    run(command("node").arg("tests/e2e/bench/edge.mjs").env("SITE_DIR", "dist/production"))
}

/// onnxruntime first (its timings are the reference), then Modelport, which writes
/// the table with both and their ratio.
fn bench_conformance() -> Result<(), String> {
    let python = setup::python()?;
    let reference = root().join("target/bench/onnxruntime.json");
    std::fs::create_dir_all(root().join("target/bench")).map_err(|e| e.to_string())?;
    run(Command::new(python).current_dir(root()).arg("training/bench_ort.py").arg("--out").arg(&reference))?;
    run(command("cargo")
        .args(["bench", "--package", "modelport-core", "--bench", "conformance", "--"])
        .arg(&reference)
        .arg(root().join("docs/BENCHMARKS-conformance.md")))
}

/// Batch scoring, natively and on the batch page in Chromium: the release CLI and the
/// development site first, then `tests/e2e/bench/batch.mjs`, which writes
/// `docs/BENCHMARKS-batch.md`.
fn bench_batch() -> Result<(), String> {
    setup::for_tests()?;
    run(command("cargo").args(["build", "--release", "--package", "modelport-cli"]))?;
    build_site(&[Channel::Development])?;
    run(command("node").arg("tests/e2e/bench/batch.mjs").env("SITE_DIR", "dist/development"))
}

/// Mutates the conformance models for `seconds`; crashing inputs land in
/// `fuzz/artifacts/model_file/`.
fn fuzz(seconds: &str) -> Result<(), String> {
    let seeds = root().join("fuzz/seeds");
    std::fs::create_dir_all(&seeds).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(root().join("fuzz/corpus")).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(root().join("conformance")).map_err(|e| e.to_string())? {
        let dir = entry.map_err(|e| e.to_string())?.path();
        if dir.join("model.onnx").exists() {
            let name = dir.file_name().unwrap_or_default().to_string_lossy().into_owned();
            std::fs::copy(dir.join("model.onnx"), seeds.join(format!("{name}.onnx"))).map_err(|e| e.to_string())?;
        }
    }
    setup::cargo_fuzz()?;
    run(command("cargo")
        .current_dir(root().join("fuzz"))
        .args(["+nightly", "fuzz", "run", "model_file", "corpus", "seeds", "--"])
        .arg(format!("-max_total_time={seconds}")))
}

/// Builds the release app once, then each environment's site in `dist/<environment>/`.
pub fn build_site(environments: &[Channel]) -> Result<(), String> {
    run(trunk().args(["build", "--release"]))?;
    let app = root().join(site::TRUNK_OUTPUT);
    wasm::strip_worker(&app)?;
    boot::externalise(&app)?;
    // Each environment compresses its own models; the service worker is written later.
    report_sizes(&compress::precompress(&app, &["models", offline::SERVICE_WORKER])?);
    environments.iter().try_for_each(|&environment| site::assemble(environment))
}

/// The app's files as a visitor downloads them, raw and compressed.
fn report_sizes(sizes: &[compress::Sizes]) {
    println!("{:<36} {:>11} {:>11} {:>11}", "app file", "raw", "gzip", "brotli");
    for s in sizes {
        println!("{:<36} {:>11} {:>11} {:>11}", s.path, s.raw, s.gzip, s.brotli);
    }
    let total = |f: fn(&compress::Sizes) -> u64| sizes.iter().map(f).sum::<u64>();
    println!("{:<36} {:>11} {:>11} {:>11}", "total", total(|s| s.raw), total(|s| s.gzip), total(|s| s.brotli));
}

/// Runs a command to completion, failing with its name if it fails.
pub fn run(command: &mut Command) -> Result<(), String> {
    let status = command.status().map_err(|e| format!("could not start {}: {e}", describe(command)))?;
    if status.success() { Ok(()) } else { Err(format!("{} failed ({status})", describe(command))) }
}

pub fn describe(command: &Command) -> String {
    let mut words = vec![command.get_program().to_string_lossy().into_owned()];
    words.extend(command.get_args().map(|a| a.to_string_lossy().into_owned()));
    words.join(" ")
}
