//! Installs what the site and the tests need, skipping whatever is already there.
//! Versions: see ../shared/TOOLCHAIN.md for what installs on our machines and why.

use std::path::PathBuf;
use std::process::Command;

use crate::{command, root, run};

/// Trunk 0.22 needs a newer rustc than ours.
const TRUNK_VERSION: &str = "0.21.14";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The deployment test serves the production build through Debian's nginx.
pub const NGINX: &str = "/usr/sbin/nginx";

/// Trunk runs a `wasm-opt` from PATH only if its version is this one (Trunk.toml's
/// `[tools] wasm_opt`). Debian's binaryen is far older than the wasm rustc writes.
const BINARYEN_VERSION: &str = "132";

/// What building and serving the site needs.
pub fn for_site() -> Result<(), String> {
    wasm_target()?;
    trunk()?;
    wasm_bindgen()?;
    binaryen()
}

/// What the whole test run needs.
pub fn for_tests() -> Result<(), String> {
    for_site()?;
    debian_packages()?;
    npm_packages()
}

pub fn all() -> Result<(), String> {
    for_tests()
}

fn cargo_bin() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo"));
    home.join("bin")
}

/// npm's binaryen: binaryen compiled to wasm, run by node, installed inside target/.
fn binaryen_bin() -> PathBuf {
    root().join("target/tools/binaryen/node_modules/.bin")
}

/// PATH with cargo's bin folder first, where `cargo install` puts trunk and
/// wasm-bindgen, then binaryen's.
pub fn path_with_tools() -> std::ffi::OsString {
    let mut paths = vec![cargo_bin(), binaryen_bin()];
    paths.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(paths).unwrap_or_default()
}

/// The first line a tool prints for `--version`, or `None` if it does not run.
fn version_of(program: &str, arg: &str) -> Option<String> {
    let output = command(program).arg(arg).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).lines().next().unwrap_or("").to_owned())
}

fn wasm_target() -> Result<(), String> {
    let installed = command("rustup").args(["target", "list", "--installed"]).output().map_err(|e| e.to_string())?;
    if String::from_utf8_lossy(&installed.stdout).lines().any(|l| l.trim() == WASM_TARGET) {
        return Ok(());
    }
    println!("setup: adding the {WASM_TARGET} target");
    run(command("rustup").args(["target", "add", WASM_TARGET]))
}

fn trunk() -> Result<(), String> {
    if version_of("trunk", "--version").is_some_and(|v| v.contains(&format!(" {TRUNK_VERSION}"))) {
        return Ok(());
    }
    println!("setup: installing trunk {TRUNK_VERSION} (a few minutes, once)");
    run(command("cargo").args(["install", &format!("trunk@{TRUNK_VERSION}"), "--locked"]))
}

/// wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate in Cargo.lock,
/// or Trunk would try to download one.
fn wasm_bindgen() -> Result<(), String> {
    let version = locked_version("wasm-bindgen")?;
    if version_of("wasm-bindgen", "--version").is_some_and(|v| v.ends_with(&format!(" {version}"))) {
        return Ok(());
    }
    println!("setup: installing wasm-bindgen-cli {version} (a few minutes, once)");
    // Not --locked: its lock file pins a webpki-roots release the registry no longer serves.
    run(command("cargo").args(["install", &format!("wasm-bindgen-cli@{version}"), "--force"]))
}

fn binaryen() -> Result<(), String> {
    let wanted = format!("version {BINARYEN_VERSION} ");
    if version_of("wasm-opt", "--version").is_some_and(|v| v.contains(&wanted)) {
        return Ok(());
    }
    println!("setup: installing binaryen {BINARYEN_VERSION} (wasm-opt) from npm");
    let prefix = root().join("target/tools/binaryen");
    std::fs::create_dir_all(&prefix).map_err(|e| format!("{}: {e}", prefix.display()))?;
    run(command("npm")
        .args(["install", "--no-audit", "--no-fund", "--no-save", "--prefix"])
        .arg(&prefix)
        .arg(format!("binaryen@{BINARYEN_VERSION}.0.0")))
}

fn locked_version(package: &str) -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{package}\"") {
            let version = lines.next().and_then(|l| l.strip_prefix("version = \"")?.strip_suffix('"'));
            return version.map(str::to_owned).ok_or_else(|| format!("Cargo.lock: no version for {package}"));
        }
    }
    Err(format!("Cargo.lock has no package {package}"))
}

/// Chromium and ChromeDriver for the browser tests, nginx for the deployment test.
fn debian_packages() -> Result<(), String> {
    if [CHROMIUM, CHROMEDRIVER, NGINX].iter().all(|path| PathBuf::from(path).exists()) {
        return Ok(());
    }
    println!("setup: installing Chromium, ChromeDriver and nginx from Debian's packages");
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends", "chromium", "chromium-driver", "nginx"])
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

fn npm_packages() -> Result<(), String> {
    let e2e = root().join("tests/e2e");
    // onnxruntime-web is for the edge benchmark; a checkout from before it still
    // installs it.
    if ["playwright-core", "onnxruntime-web"].iter().all(|p| e2e.join("node_modules").join(p).exists()) {
        return Ok(());
    }
    println!("setup: installing the end-to-end tests' npm packages");
    run(command("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(e2e))
}

/// cargo-fuzz, for `cargo xtask fuzz` only (the fuzz target needs the nightly
/// toolchain, which the machine has).
pub fn cargo_fuzz() -> Result<(), String> {
    if command("cargo").args(["fuzz", "--version"]).output().is_ok_and(|o| o.status.success()) {
        return Ok(());
    }
    println!("setup: installing cargo-fuzz");
    run(command("cargo").args(["install", "cargo-fuzz", "--locked"]))
}

/// The training venv's Python, created from the pinned requirements if missing.
pub fn python() -> Result<PathBuf, String> {
    let venv = root().join("training/.venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        println!("setup: creating the training environment (training/.venv)");
        run(command("python3").args(["-m", "venv"]).arg(&venv))?;
        run(command(&python.to_string_lossy()).args(["-m", "pip", "install", "-r", "training/requirements.txt"]))?;
    }
    Ok(python)
}
