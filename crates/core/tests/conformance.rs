//! The conformance suite: every model under `conformance/` (scikit-learn pipelines
//! exported by skl2onnx, and hand-built graphs for what skl2onnx does not emit), run
//! through tract with Modelport's operators, must give onnxruntime's outputs for its
//! held-out rows. `training/conformance.py` writes the models and golden files.
//!
//! Each model is its own test, so a failure names the model and every mismatch.

use std::fs;
use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use modelport_core::{Golden, Model};

/// Labels must be equal, values within 1e-4, relative or absolute.
const TOLERANCE: f64 = 1e-4;

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance")
}

fn check(dir: &Path) -> Result<(), Failed> {
    let bytes = fs::read(dir.join("model.onnx")).map_err(|e| format!("model.onnx: {e}"))?;
    let golden: Golden = serde_json::from_slice(&fs::read(dir.join("golden.json")).map_err(|e| e.to_string())?)
        .map_err(|e| format!("golden.json: {e}"))?;
    let model = Model::load(&bytes).map_err(|e| format!("load: {e}"))?;
    let outputs = model.run(&golden.inputs).map_err(|e| format!("run: {e}"))?;
    golden.check(&outputs, TOLERANCE).map_err(|mismatches| {
        let lines: Vec<String> = mismatches.iter().map(ToString::to_string).collect();
        Failed::from(lines.join("\n"))
    })
}

fn main() {
    let mut dirs: Vec<PathBuf> = fs::read_dir(suite())
        .expect("the conformance suite (run `cargo xtask conformance`)")
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.join("model.onnx").exists())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 30, "the suite has {} models, expected at least 30", dirs.len());
    let trials = dirs
        .into_iter()
        .map(|dir| {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            Trial::test(name, move || check(&dir))
        })
        .collect();
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}
