//! The inference worker's wasm after Trunk: its function names stripped.
//!
//! Trunk runs wasm-opt on the page at `-Oz` (index.html). The worker gets no
//! optimisation pass, since every level measured slowed tract's kernels, but its name
//! section (a tenth of the file, of use only to a debugger) is dead weight for every
//! visitor. wasm-opt with no level reads, validates and writes the module unchanged,
//! less its debug information and names.

use std::path::Path;

use crate::{command, root, run};

/// The worker's wasm, as `public/worker_loader.js` loads it.
const WORKER_WASM: &str = "worker_bg.wasm";

/// Strips the names from the worker's wasm in the site Trunk built at `site`.
pub fn strip_worker(site: &Path) -> Result<(), String> {
    let wasm = site.join(WORKER_WASM);
    let before = size(&wasm)?;
    run(command("wasm-opt")
        .args(features()?)
        .args(["--strip-debug", "--strip-producers"])
        .arg(&wasm)
        .arg("-o")
        .arg(&wasm))?;
    println!("wasm-opt: {WORKER_WASM} {before} -> {} bytes (names stripped)", size(&wasm)?);
    Ok(())
}

fn size(path: &Path) -> Result<u64, String> {
    std::fs::metadata(path).map(|m| m.len()).map_err(|e| format!("{}: {e}", path.display()))
}

/// The wasm features the page's wasm-opt is told about in index.html: both wasm files
/// come from the same rustc target.
fn features() -> Result<Vec<String>, String> {
    let index = std::fs::read_to_string(root().join("index.html")).map_err(|e| format!("index.html: {e}"))?;
    let params = index
        .split("data-wasm-opt-params=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or("index.html: no data-wasm-opt-params on the page's rust link")?;
    Ok(params.split_whitespace().map(str::to_owned).collect())
}
