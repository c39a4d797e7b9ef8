//! The offline site: after `site::assemble` has filled `dist/<environment>/`, its
//! service worker (`public/sw.js`, copied there by Trunk) learns what to keep. The
//! `const PRECACHE = …` line of the copied `sw.js` is replaced by every file of that
//! folder and a version, a sha256 over all their paths and bytes. A new deployment
//! therefore has a byte-different `sw.js`, which is how a browser notices it; the
//! cache is named `modelport-<version>`, so the new worker can delete the old one.

use std::fs;
use std::path::Path;

use sha2::{Digest, Sha256};

/// The service worker: the one file of the site that is never precached, since the
/// browser fetches it itself to look for a new deployment.
pub const SERVICE_WORKER: &str = "sw.js";
/// The line of `public/sw.js` that this step replaces.
const PLACEHOLDER: &str = "const PRECACHE = ";
/// Hex digits of the version kept: 64 bits tell deployments apart.
const VERSION_DIGITS: usize = 16;

/// Writes the precache list and version into `site`'s `sw.js`.
pub fn precache(site: &Path) -> Result<(), String> {
    let mut files = Vec::new();
    list(site, site, &mut files)?;
    files.sort();

    let worker_path = site.join(SERVICE_WORKER);
    let worker = fs::read_to_string(&worker_path).map_err(|e| format!("{}: {e}", worker_path.display()))?;
    // The worker's own code counts too: a changed worker gets a fresh cache.
    let mut hash = Sha256::new();
    hash.update(worker.as_bytes());
    for file in &files {
        let bytes = fs::read(site.join(file)).map_err(|e| format!("could not read {file}: {e}"))?;
        hash.update(file.as_bytes());
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(&bytes);
    }
    let version: String = hash.finalize().iter().map(|b| format!("{b:02x}")).take(VERSION_DIGITS / 2).collect();

    let list = serde_json::json!({ "version": version, "files": files });
    let mut replaced = false;
    let text: String = worker
        .lines()
        .map(|line| {
            if line.starts_with(PLACEHOLDER) && !replaced {
                replaced = true;
                format!("{PLACEHOLDER}{list};\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    if !replaced {
        return Err(format!(
            "{} has no line starting `{PLACEHOLDER}` to write the precache list into",
            worker_path.display()
        ));
    }
    fs::write(&worker_path, text).map_err(|e| format!("{}: {e}", worker_path.display()))?;
    println!("  offline: {} files precached, version {version}", files.len());
    Ok(())
}

/// Every file under `dir`, as a URL path relative to `site`. Dot files and `_` files
/// are the host's configuration (`_headers`, `.well-known`), not the site's, and `.gz`
/// and `.br` files its precompressed copies.
fn list(site: &Path, dir: &Path, files: &mut Vec<String>) -> Result<(), String> {
    for entry in fs::read_dir(dir).map_err(|e| format!("could not read {}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        // Precompressed copies are for the host; the cache stores what the browser decoded.
        if name.starts_with('.') || name.starts_with('_') || name.ends_with(".gz") || name.ends_with(".br") {
            continue;
        }
        if path.is_dir() {
            list(site, &path, files)?;
            continue;
        }
        let relative = path.strip_prefix(site).map_err(|e| e.to_string())?;
        let url = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        if url == SERVICE_WORKER {
            continue;
        }
        // Written into the list as they are, so they must need no percent-encoding.
        if !url.chars().all(|c| c.is_ascii_alphanumeric() || "-._~/".contains(c)) {
            return Err(format!("{url}: only letters, digits and -._~ can be precached as they are"));
        }
        files.push(url);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A site folder in the temporary directory with `files` (path, contents).
    fn site(name: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("modelport-offline-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for (path, contents) in files {
            let file = dir.join(path);
            fs::create_dir_all(file.parent().unwrap()).unwrap();
            fs::write(file, contents).unwrap();
        }
        dir
    }

    const WORKER: &str = "// sw\nconst PRECACHE = { version: \"unbuilt\", files: [] };\nrest();\n";

    fn written(dir: &Path) -> serde_json::Value {
        let text = fs::read_to_string(dir.join(SERVICE_WORKER)).unwrap();
        let line = text.lines().find(|l| l.starts_with(PLACEHOLDER)).unwrap();
        serde_json::from_str(line[PLACEHOLDER.len()..].trim_end_matches(';')).unwrap()
    }

    #[test]
    fn lists_every_file_but_the_worker_and_host_configuration() {
        let dir = site(
            "list",
            &[
                ("sw.js", WORKER),
                ("index.html", "<html>"),
                ("models/a/1.0.0/model.onnx", "onnx"),
                ("_headers", "x"),
                ("index.html.gz", "z"),
                ("models/a/1.0.0/model.onnx.br", "b"),
            ],
        );
        precache(&dir).unwrap();
        let list = written(&dir);
        assert_eq!(list["files"], serde_json::json!(["index.html", "models/a/1.0.0/model.onnx"]));
        assert_eq!(list["version"].as_str().unwrap().len(), VERSION_DIGITS);
        assert!(fs::read_to_string(dir.join(SERVICE_WORKER)).unwrap().ends_with("rest();\n"));
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_changed_file_changes_the_version() {
        let first = site("first", &[("sw.js", WORKER), ("models/registry.json", "{}")]);
        let second = site("second", &[("sw.js", WORKER), ("models/registry.json", "{ }")]);
        precache(&first).unwrap();
        precache(&second).unwrap();
        assert_ne!(written(&first)["version"], written(&second)["version"]);
        fs::remove_dir_all(first).unwrap();
        fs::remove_dir_all(second).unwrap();
    }

    #[test]
    fn a_name_that_needs_encoding_is_refused() {
        let dir = site("encoding", &[("sw.js", WORKER), ("my model.onnx", "x")]);
        assert!(precache(&dir).unwrap_err().contains("my model.onnx"));
        fs::remove_dir_all(dir).unwrap();
    }
}
