//! Inputs the fuzzer (`cargo xtask fuzz`) found to crash Modelport, kept after the fix.
//! Each goes through what the fuzz target does (inspect, load, run a row), which must
//! end in a result or an error, never a panic; each also has its own test of the fix.

use std::fs;
use std::path::Path;

use modelport_core::{Model, inspect};

#[test]
fn every_input_that_once_crashed_now_ends_in_a_result_or_an_error() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut seen = 0;
    for entry in fs::read_dir(&dir).expect("the fuzz regressions folder") {
        let bytes = fs::read(entry.unwrap().path()).unwrap();
        let _ = inspect(&bytes);
        if let Ok(model) = Model::load(&bytes) {
            let _ = model.warm_up();
        }
        seen += 1;
    }
    assert!(seen >= 5, "expected the regression inputs in {}", dir.display());
}

#[test]
fn a_dangling_graph_output_is_named() {
    let bytes = include_bytes!("fixtures/fuzz/dangling-output.onnx");
    let message = Model::load(bytes).expect_err("the output is defined nowhere").to_string();
    assert!(message.contains("is not produced by any node"), "{message}");
}

#[test]
fn a_dangling_output_in_a_scan_body_is_named() {
    let bytes = include_bytes!("fixtures/fuzz/dangling-output-in-scan-body.onnx");
    let message = Model::load(bytes).expect_err("the body's output is defined nowhere").to_string();
    assert!(message.contains("is not produced by any node"), "{message}");
}

#[test]
fn a_nan_reaching_top_k_is_sorted_not_a_panic() {
    // A k-nearest-neighbours regressor whose mutated weights make every distance NaN.
    let model = Model::load(include_bytes!("fixtures/fuzz/topk-nan.onnx")).expect("a well-formed model");
    model.warm_up().expect("NaN distances still give neighbours");
}

#[test]
fn a_transpose_perm_past_the_input_rank_is_named() {
    let bytes = include_bytes!("fixtures/fuzz/transpose-perm.onnx");
    let message = Model::load(bytes).expect_err("the perm is not a permutation").to_string();
    assert!(message.contains("is not a permutation of its axes"), "{message}");
}

#[test]
fn a_reduction_axis_past_the_input_rank_is_named() {
    // A ReduceMean with axes [89] on a rank-2 input.
    let bytes = include_bytes!("fixtures/fuzz/reduce-axis-past-rank.onnx");
    let message = Model::load(bytes).expect_err("axis 89 does not exist").to_string();
    assert!(message.contains("axis 89 does not exist in an input of rank 2"), "{message}");
}
