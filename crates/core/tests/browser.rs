//! The golden check of every shipped model and of a representative subset of the
//! conformance suite, compiled to wasm and run in headless Chromium: the code path the
//! web worker uses.
//!
//! `cargo xtask test` runs it with wasm-bindgen-test-runner and ChromeDriver.
#![cfg(target_arch = "wasm32")]

mod shipped;

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn every_shipped_model_reproduces_its_golden_outputs_in_the_browser() {
    let failures: Vec<String> = shipped::SHIPPED.iter().filter_map(|s| s.check_golden().err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// One model per operator family, with string inputs and labels, ZipMap, NaN and
/// opset 5's TreeEnsemble among them.
macro_rules! conformance {
    ($($name:literal),* $(,)?) => {
        &[$((
            $name,
            include_bytes!(concat!("../../../conformance/", $name, "/model.onnx")) as &[u8],
            include_str!(concat!("../../../conformance/", $name, "/golden.json")),
        )),*]
    };
}

const CONFORMANCE: &[(&str, &[u8], &str)] = conformance![
    "diabetes-column-transformer-ordinal-logistic-regression",
    "diabetes-gradient-boosting-regressor",
    "diabetes-hist-gradient-boosting-regressor-nan",
    "diabetes-tree-ensemble-v5-sum-nan",
    "iris-decision-tree-classifier-string-labels",
    "iris-svc-rbf-probability",
    "label-encoder-string-to-int64",
    "wine-imputer-logistic-regression-nan",
    "wine-random-forest-classifier",
];

#[wasm_bindgen_test]
fn a_conformance_subset_reproduces_onnxruntime_in_the_browser() {
    let failures: Vec<String> = CONFORMANCE
        .iter()
        .filter_map(|(name, onnx, golden)| {
            let golden: modelport_core::Golden = serde_json::from_str(golden).expect("a golden file");
            let outputs = modelport_core::Model::load(onnx)
                .map_err(|e| e.to_string())
                .and_then(|m| m.run(&golden.inputs).map_err(|e| e.to_string()));
            let result = outputs.and_then(|o| {
                golden.check(&o, 1e-4).map_err(|m| m.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
            });
            result.err().map(|e| format!("{name}: {e}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
