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
//! - `cargo xtask bench [batch]`: time every conformance model against onnxruntime and
//!   write `docs/BENCHMARKS.md`, then time batch scoring of generated CSV files natively
//!   and in Chromium and write `docs/BENCHMARKS-batch.md` (`batch`: only the latter);
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
            None => bench().and_then(|()| bench_batch()),
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

const USAGE: &str = "usage: cargo xtask <serve | test | build [environment] | setup | train | conformance | bench [batch] | fuzz [seconds]>";

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
    command.env("PATH", setup::path_with_cargo_bin());
    command
}

fn trunk() -> Command {
    command("trunk")
}

/// onnxruntime first (its timings are the reference), then Modelport, which writes
/// the table with both and their ratio.
fn bench() -> Result<(), String> {
    let python = setup::python()?;
    let reference = root().join("target/bench/onnxruntime.json");
    std::fs::create_dir_all(root().join("target/bench")).map_err(|e| e.to_string())?;
    run(Command::new(python).current_dir(root()).arg("training/bench_ort.py").arg("--out").arg(&reference))?;
    run(command("cargo")
        .args(["bench", "--package", "modelport-core", "--bench", "conformance", "--"])
        .arg(&reference)
        .arg(root().join("docs/BENCHMARKS.md")))
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
