//! The golden check of every shipped model, compiled to wasm and run in headless
//! Chromium: the code path the web worker uses.
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
