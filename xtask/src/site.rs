//! A site per environment. Trunk builds the app once (into `target/site`); each
//! environment's folder `dist/<environment>/` gets the app and the registry as that
//! environment sees it, with only the model versions it serves. The same build is what
//! development tried, staging checked and production serves: only the data differs.

use std::fs;
use std::path::Path;

use modelport_core::{Channel, Registry};

use crate::root;

/// Where Trunk writes the app (Trunk.toml's `dist`).
pub const TRUNK_OUTPUT: &str = "target/site";

pub fn assemble(environment: Channel) -> Result<(), String> {
    let target = root().join("dist").join(environment.to_string());
    if target.exists() {
        fs::remove_dir_all(&target).map_err(|e| format!("could not clear {}: {e}", target.display()))?;
    }
    copy_dir(&root().join(TRUNK_OUTPUT), &target, &|path| path.file_name() != Some("models".as_ref()))?;

    let source = root().join("models");
    let text = fs::read_to_string(source.join("registry.json")).map_err(|e| format!("models/registry.json: {e}"))?;
    let registry = Registry::parse(&text).map_err(|e| format!("models/registry.json: {e}"))?;
    let view = registry.for_environment(environment);
    let models = target.join("models");
    for version in view.models.iter().flat_map(|m| &m.versions) {
        // The page needs the model and its card; golden rows are for the gates.
        let keep = |path: &Path| path.file_name() != Some("golden.json".as_ref());
        copy_dir(&source.join(&version.path), &models.join(&version.path), &keep)?;
    }
    fs::write(models.join("registry.json"), view.to_json()).map_err(|e| e.to_string())?;
    let versions: usize = view.models.iter().map(|m| m.versions.len()).sum();
    println!("{environment}: {} with {} models, {versions} versions", target.display(), view.models.len());
    crate::compress::precompress(&models, &[])?;
    crate::offline::precache(&target)?;
    Ok(())
}

fn copy_dir(from: &Path, to: &Path, keep: &dyn Fn(&Path) -> bool) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| format!("could not create {}: {e}", to.display()))?;
    for entry in fs::read_dir(from).map_err(|e| format!("could not read {}: {e}", from.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if !keep(&path) {
            continue;
        }
        let destination = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_dir(&path, &destination, keep)?;
        } else {
            fs::copy(&path, &destination).map_err(|e| format!("could not copy {}: {e}", path.display()))?;
        }
    }
    Ok(())
}
