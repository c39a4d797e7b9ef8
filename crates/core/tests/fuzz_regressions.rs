//! Inputs the fuzzer (`cargo xtask fuzz`) found to crash Modelport, kept after the fix:
//! each must now be refused with an error, not a panic.

use std::fs;
use std::path::Path;

use modelport_core::{Model, inspect};

#[test]
fn every_input_that_once_crashed_is_now_a_clear_error() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut seen = 0;
    for entry in fs::read_dir(&dir).expect("the fuzz regressions folder") {
        let path = entry.unwrap().path();
        let bytes = fs::read(&path).unwrap();
        let _ = inspect(&bytes);
        let error = Model::load(&bytes).expect_err(&format!("{} is malformed", path.display()));
        assert!(!error.to_string().is_empty());
        seen += 1;
    }
    assert!(seen > 0, "no regression inputs in {}", dir.display());
}

#[test]
fn a_dangling_graph_output_is_named() {
    let bytes = include_bytes!("fixtures/fuzz/dangling-output.onnx");
    let message = Model::load(bytes).expect_err("the output is defined nowhere").to_string();
    assert!(message.contains("is not produced by any node"), "{message}");
}
