//! A learner exported as ONNX runs in tract (the engine every Modelport page and the CLI
//! use) and gives what the learner itself predicts, for each loss, with its input
//! scaling inside the file; and onnxruntime runs the exported files the same way.
//!
//! The files onnxruntime ran are in `tests/fixtures/sgd/`, with the rows it ran and its
//! outputs. To regenerate: `cargo test -p modelport-core --test sgd_export -- --ignored`
//! (writes the files and rows), then `training/.venv/bin/python
//! training/sgd_export_reference.py` (writes onnxruntime's outputs).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use modelport_core::sgd::export::{ExportSpec, LABEL, PROBABILITIES, VALUE, to_onnx};
use modelport_core::sgd::{Loss, Schedule, Settings, Sgd, Standardizer};
use modelport_core::{Model, TensorData, Tensors, Values};

const FEATURES: usize = 3;
const LOSSES: [(&str, Loss, usize); 3] =
    [("squared", Loss::Squared, 0), ("logistic", Loss::Logistic, 2), ("softmax", Loss::Softmax { classes: 3 }, 3)];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sgd")
}

/// A small seeded generator (an LCG, Knuth's constants), uniform in [0, 1).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Features on very different scales, so that the scaler matters; the target a linear
/// function of them, thresholded into classes for the classifiers.
fn rows(n: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut random = Lcg(seed);
    (0..n).map(|_| vec![random.next() * 100.0, random.next() - 0.5, 5.0 + random.next() * 0.01]).collect()
}

fn target(x: &[f64], loss: Loss) -> f64 {
    let z = 0.02 * x[0] - 3.0 * x[1] - 1.0;
    match loss {
        Loss::Squared => z,
        Loss::Logistic => f64::from(z > 0.0),
        Loss::Softmax { .. } => (((z + 1.0) / 1.5).clamp(0.0, 2.0)).floor(),
    }
}

fn learned(loss: Loss) -> (Sgd, Standardizer) {
    let mut learner = Sgd::new(FEATURES, Settings { loss, schedule: Schedule::Constant { rate: 0.05 }, l2: 1e-4 });
    let mut scaler = Standardizer::default();
    for x in rows(2000, 7) {
        scaler.learn_one(&x);
        learner.learn_one(&scaler.transform(&x), target(&x, loss));
    }
    (learner, scaler)
}

fn floats(t: &TensorData) -> Vec<f64> {
    (0..t.data.len()).map(|i| t.data.number(i).unwrap()).collect()
}

fn export(loss: Loss, classes: usize) -> Vec<u8> {
    let (learner, scaler) = learned(loss);
    let names = (0..classes).map(|c| format!("class {c}")).collect();
    to_onnx(&learner, Some(&scaler), &ExportSpec::new("learned", names)).unwrap()
}

fn input_tensors(rows: &[Vec<f64>]) -> Tensors {
    let flat: Vec<f32> = rows.iter().flatten().map(|&v| v as f32).collect();
    Tensors::from([("input".into(), TensorData::new(vec![rows.len(), FEATURES], Values::Float32(flat)))])
}

/// What onnxruntime answered, per file and output: `training/sgd_export_reference.py`.
#[derive(serde::Deserialize)]
struct Reference {
    rows: Vec<Vec<f64>>,
    outputs: BTreeMap<String, BTreeMap<String, Vec<f64>>>,
}

#[test]
#[ignore = "writes the fixtures onnxruntime runs; see the top of this file"]
fn write_export_fixtures() {
    std::fs::create_dir_all(fixtures()).unwrap();
    for (name, loss, classes) in LOSSES {
        std::fs::write(fixtures().join(format!("{name}.onnx")), export(loss, classes)).unwrap();
    }
    let rows = serde_json::json!({ "rows": rows(20, 1234) });
    std::fs::write(fixtures().join("rows.json"), serde_json::to_string_pretty(&rows).unwrap() + "\n").unwrap();
}

#[test]
fn onnxruntime_runs_the_exported_files_as_tract_does() {
    let text = std::fs::read_to_string(fixtures().join("onnxruntime.json")).unwrap();
    let reference: Reference = serde_json::from_str(&text).unwrap();
    for (name, loss, classes) in LOSSES {
        let bytes = std::fs::read(fixtures().join(format!("{name}.onnx"))).unwrap();
        let model = Model::load(&bytes).unwrap();
        let inputs = input_tensors(&reference.rows);
        let ours = model.run(&inputs).unwrap();
        // The committed file is what the exporter writes for this learner today.
        let fresh = Model::load(&export(loss, classes)).unwrap().run(&inputs).unwrap();
        let theirs = &reference.outputs[name];
        let expected_outputs = if classes == 0 { vec![VALUE] } else { vec![LABEL, PROBABILITIES] };
        assert_eq!(theirs.keys().map(String::as_str).collect::<Vec<_>>(), expected_outputs, "{name}");
        for (output, expected) in theirs {
            let got = floats(&ours[output]);
            assert_eq!(got.len(), expected.len(), "{name} {output}");
            for (i, (g, e)) in got.iter().zip(expected).enumerate() {
                assert!((g - e).abs() <= 1e-5 * e.abs().max(1.0), "{name} {output}[{i}]: tract {g}, onnxruntime {e}");
            }
            assert_eq!(floats(&fresh[output]), got, "{name} {output}: the exporter no longer writes the fixture");
        }
    }
}

#[test]
fn exported_models_predict_what_the_learner_predicts() {
    for (_, loss, classes) in LOSSES {
        let (learner, scaler) = learned(loss);
        let model =
            Model::load(&export(loss, classes)).unwrap_or_else(|e| panic!("{loss:?}: tract refused the export: {e}"));

        let test = rows(50, 99);
        let outputs = model.run(&input_tensors(&test)).unwrap();

        let expected: Vec<Vec<f64>> = test.iter().map(|x| learner.predict_one(&scaler.transform(x))).collect();
        let scores = &outputs[if classes == 0 { VALUE } else { PROBABILITIES }];
        let width = expected[0].len();
        assert_eq!(scores.shape, [test.len(), width], "{loss:?}");
        for (row, (got, want)) in floats(scores).chunks(width).zip(&expected).enumerate() {
            for (g, w) in got.iter().zip(want) {
                // float32 in the file against f64 in the learner.
                assert!((g - w).abs() <= 1e-4 * w.abs().max(1.0), "{loss:?}, row {row}: {got:?} against {want:?}");
            }
        }
        if classes > 0 {
            let labels = floats(&outputs[LABEL]);
            for (row, (label, want)) in labels.iter().zip(&expected).enumerate() {
                let best = want.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0;
                assert_eq!(*label as usize, best, "{loss:?}, row {row}");
            }
        }
    }
}

#[test]
fn the_learner_fits_the_data_it_is_exported_from() {
    // Guards the test above against agreeing on a learner that learned nothing.
    let (learner, scaler) = learned(Loss::Logistic);
    let test = rows(500, 3);
    let right = test
        .iter()
        .filter(|x| {
            let p = learner.predict_one(&scaler.transform(x));
            f64::from(p[1] > 0.5) == target(x, Loss::Logistic)
        })
        .count();
    assert!(right >= 475, "{right} of 500 right");
}
