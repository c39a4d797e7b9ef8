//! The conformance suite: every model under `conformance/` (scikit-learn pipelines
//! exported by skl2onnx, and hand-built graphs for what skl2onnx does not emit), run
//! through tract with Modelport's operators, must give onnxruntime's outputs for its
//! held-out rows. `training/conformance.py` writes the models and golden files.
//!
//! Each model is its own test, so a failure names the model and every mismatch. A
//! second test per model goes through the form a dropped-in file gets: the card
//! generated from its inspection must turn the first golden row, typed as feature
//! values, into the same input tensors and so the same outputs.

use std::fs;
use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use modelport_core::card::{FeatureValue, GenerateError, Layout};
use modelport_core::{Golden, Model, ModelCard, Tensors, Values, inspect};

/// Labels must be equal, values within 1e-4, relative or absolute.
const TOLERANCE: f64 = 1e-4;

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance")
}

fn read(dir: &Path) -> Result<(Vec<u8>, Golden), Failed> {
    let bytes = fs::read(dir.join("model.onnx")).map_err(|e| format!("model.onnx: {e}"))?;
    let golden = serde_json::from_slice(&fs::read(dir.join("golden.json")).map_err(|e| e.to_string())?)
        .map_err(|e| format!("golden.json: {e}"))?;
    Ok((bytes, golden))
}

fn check(dir: &Path) -> Result<(), Failed> {
    let (bytes, golden) = read(dir)?;
    let model = Model::load(&bytes).map_err(|e| format!("load: {e}"))?;
    let outputs = model.run(&golden.inputs).map_err(|e| format!("run: {e}"))?;
    compare(&golden, &outputs)
}

fn compare(golden: &Golden, outputs: &Tensors) -> Result<(), Failed> {
    golden.check(outputs, TOLERANCE).map_err(|mismatches| {
        let lines: Vec<String> = mismatches.iter().map(ToString::to_string).collect();
        Failed::from(lines.join("\n"))
    })
}

fn check_form(dir: &Path) -> Result<(), Failed> {
    let (bytes, golden) = read(dir)?;
    let name = dir.file_name().unwrap_or_default().to_string_lossy();
    let card = match ModelCard::generate(&name, &inspect(&bytes).map_err(|e| format!("inspect: {e}"))?) {
        Ok(card) => card,
        // A transform whose output is neither a label, scores nor a value has no
        // prediction to show; every predictor must get a form.
        Err(GenerateError::NoReadableOutput) if is_transform(dir) => return Ok(()),
        Err(e) => return Err(format!("no form: {e}").into()),
    };
    let first_row =
        |tensors: &Tensors| -> Tensors { tensors.iter().map(|(k, t)| (k.clone(), t.cycle_rows(1))).collect() };
    let expected_inputs = first_row(&golden.inputs);
    if let Some(Layout::Picture(picture)) = &card.layout {
        // The picture path starts from RGBA bytes, which golden files do not hold.
        return match expected_inputs.contains_key(&picture.input) {
            true => Ok(()),
            false => Err(format!("picture input `{}` is not a model input", picture.input).into()),
        };
    }
    // The row as a person would type it: numbers, and text for string inputs.
    let row: Vec<FeatureValue> = card
        .features
        .iter()
        .map(|f| {
            let data = &expected_inputs[&f.input].data;
            match data {
                Values::String(v) => FeatureValue::Text(v[f.index].clone()),
                _ => FeatureValue::Number(data.number(f.index).unwrap_or(f64::NAN)),
            }
        })
        .collect();
    let model = Model::load(&bytes).map_err(|e| format!("load: {e}"))?;
    let inputs = card.assemble(model.signature(), &[row]).map_err(|e| format!("assemble: {e}"))?;
    for (input, expected) in &expected_inputs {
        let got = inputs.get(input).ok_or_else(|| format!("the form fills no `{input}`"))?;
        // NaN (a missing value) is not equal to itself: compare the JSON forms.
        let same = serde_json::to_string(got).ok() == serde_json::to_string(expected).ok();
        if !same {
            return Err(format!("the form makes `{input}` {got:?}, expected {expected:?}").into());
        }
    }
    let outputs = model.run(&inputs).map_err(|e| format!("run: {e}"))?;
    let golden = Golden { outputs: first_row(&golden.outputs), ..golden };
    compare(&golden, &outputs)?;
    card.interpret(&outputs).map(drop).map_err(|e| format!("interpret: {e}").into())
}

fn is_transform(dir: &Path) -> bool {
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(suite().join("manifest.json")).unwrap_or_default()).unwrap_or_default();
    let name = dir.file_name().unwrap_or_default().to_string_lossy();
    manifest.as_array().into_iter().flatten().any(|m| m["name"] == *name && m["task"] == "transform")
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
        .flat_map(|dir| {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let form_dir = dir.clone();
            [
                Trial::test(name.clone(), move || check(&dir)),
                Trial::test(format!("form/{name}"), move || check_form(&form_dir)),
            ]
        })
        .collect();
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}
