//! Model files come from strangers: whatever the bytes, inspecting, loading and running
//! a model must return an error or a result, never panic or hang.
//!
//! `cargo +nightly fuzz run model_file fuzz/seeds` starts from the conformance models
//! (`cargo xtask fuzz` copies them into `fuzz/seeds`); inputs that crashed are kept in
//! `crates/core/tests/fixtures/fuzz/` and replayed by a regular test.
#![no_main]

use libfuzzer_sys::fuzz_target;
use modelport_core::{Model, inspect};

fuzz_target!(|bytes: &[u8]| {
    let _ = inspect(bytes);
    if let Ok(model) = Model::load(bytes) {
        let _ = model.warm_up();
    }
});
