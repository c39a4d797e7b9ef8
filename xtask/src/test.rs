//! `cargo xtask test`: every check, cheapest first. A failing step does not stop the
//! run (the later ones still report), but the run fails. The last line is the tally,
//! `N passed, N failed`, counting each test and each whole-tree check (fmt, clippy, the
//! site build) once.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use modelport_core::Channel;

use crate::{build_site, command, describe, setup};

#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
    failed_steps: Vec<&'static str>,
}

impl Tally {
    fn check(&mut self, step: &'static str, result: Result<(), String>) -> bool {
        banner(step);
        self.record(step, result.map(|()| (1, 0)))
    }

    fn tests(&mut self, step: &'static str, command: &mut Command) -> bool {
        banner(step);
        self.record(step, run_counting(command))
    }

    fn record(&mut self, step: &'static str, result: Result<(u64, u64), String>) -> bool {
        let (passed, failed) = result.unwrap_or_else(|e| {
            eprintln!("{e}");
            (0, 1)
        });
        self.passed += passed;
        self.failed += failed;
        if failed > 0 {
            self.failed_steps.push(step);
        }
        failed == 0
    }
}

fn banner(step: &str) {
    println!("\n==> {step}");
}

pub fn all() -> Result<(), String> {
    setup::for_tests()?;
    let mut tally = Tally::default();
    tally.check("format", crate::run(command("cargo").args(["fmt", "--all", "--check"])));
    tally.check(
        "clippy",
        crate::run(command("cargo").args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])),
    );
    tally.check("the page links no inference engine", page_links_no_engine());
    tally.tests("host tests", command("cargo").args(["test", "--workspace"]));
    tally.tests(
        "browser tests (wasm in headless Chromium)",
        command("cargo")
            .args(["test", "-p", "modelport-core", "--target", "wasm32-unknown-unknown", "--test", "browser"])
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
            .env("CHROMEDRIVER", setup::CHROMEDRIVER)
            .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", crate::root().join("crates/core/webdriver.json")),
    );
    if tally.check("site build (release, every environment)", build_site(&Channel::ALL)) {
        tally.tests(
            "end-to-end tests (the built site in Chromium)",
            command("node")
                .args(["--test", "--test-concurrency=1", "--test-reporter=tap", "tests/e2e/"])
                .env("SITE_DIR", "dist/development"),
        );
    } else {
        tally.record("end-to-end tests", Err("skipped: the site did not build".into()));
    }

    println!();
    if !tally.failed_steps.is_empty() {
        println!("failed: {}", tally.failed_steps.join(", "));
    }
    println!("{} passed, {} failed", tally.passed, tally.failed);
    if tally.failed == 0 { Ok(()) } else { Err("some checks failed".into()) }
}

/// The page's wasm must hold no tract: inference lives in the worker's wasm, and the
/// page would otherwise carry a second copy of the engine (tract's static constructors
/// keep it linked whether used or not).
fn page_links_no_engine() -> Result<(), String> {
    let mut tree = command("cargo");
    tree.args(["tree", "--package", "modelport", "--target", "wasm32-unknown-unknown"]);
    tree.args(["--edges", "normal", "--prefix", "none", "--format", "{p}"]);
    let output = tree.output().map_err(|e| format!("could not start {}: {e}", describe(&tree)))?;
    if !output.status.success() {
        return Err(format!("{} failed: {}", describe(&tree), String::from_utf8_lossy(&output.stderr)));
    }
    let engine: Vec<_> =
        String::from_utf8_lossy(&output.stdout).lines().filter(|l| l.starts_with("tract")).map(str::to_owned).collect();
    if engine.is_empty() {
        Ok(())
    } else {
        Err(format!("the page (package modelport) depends on {}", engine.join(", ")))
    }
}

/// Runs a test command, echoing its output, and adds up the counts that cargo's test
/// harness (`test result: ok. 3 passed; 0 failed; ...`) and node's TAP reporter
/// (`# pass 3`, `# fail 0`) print. A command that fails without reporting a failure
/// (a compile error, a crash) counts as one failure.
fn run_counting(command: &mut Command) -> Result<(u64, u64), String> {
    let mut child =
        command.stdout(Stdio::piped()).spawn().map_err(|e| format!("could not start {}: {e}", describe(command)))?;
    let (mut passed, mut failed) = (0, 0);
    let stdout = child.stdout.take().expect("stdout is piped");
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| e.to_string())?;
        println!("{line}");
        let (p, f) = counts(&line);
        passed += p;
        failed += f;
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if !status.success() && failed == 0 {
        failed = 1;
    }
    Ok((passed, failed))
}

fn counts(line: &str) -> (u64, u64) {
    let number_before = |word: &str| {
        line.split(';').find_map(|part| part.trim().strip_suffix(word)?.trim().rsplit(' ').next()?.parse().ok())
    };
    if line.starts_with("test result:") {
        return (number_before(" passed").unwrap_or(0), number_before(" failed").unwrap_or(0));
    }
    let tap = |prefix: &str| line.strip_prefix(prefix).and_then(|n| n.trim().parse().ok()).unwrap_or(0);
    (tap("# pass "), tap("# fail "))
}

#[cfg(test)]
mod tests {
    use super::counts;

    #[test]
    fn reads_cargo_and_tap_summaries() {
        assert_eq!(counts("test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out"), (12, 0));
        assert_eq!(counts("test result: FAILED. 3 passed; 2 failed; 0 ignored"), (3, 2));
        assert_eq!(counts("# pass 4"), (4, 0));
        assert_eq!(counts("# fail 1"), (0, 1));
        assert_eq!(counts("running 3 tests"), (0, 0));
    }
}
