//! The registry on disk: `registry.json` and the version folders beside it.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use modelport_core::registry::{Stamp, Version};
use modelport_core::{ModelCard, Registry};

pub struct Store {
    /// The registry file; version paths are relative to its folder.
    pub file: PathBuf,
}

impl Store {
    pub fn folder(&self) -> &Path {
        self.file.parent().unwrap_or(Path::new("."))
    }

    pub fn version_folder(&self, version: &Version) -> PathBuf {
        self.folder().join(&version.path)
    }

    /// The registry, or an empty one when the file does not exist yet.
    pub fn load_or_new(&self) -> Result<Registry, String> {
        if self.file.exists() { self.load() } else { Ok(Registry::default()) }
    }

    pub fn load(&self) -> Result<Registry, String> {
        let text = read_text(&self.file)?;
        Registry::parse(&text).map_err(|e| format!("{}: {e}", self.file.display()))
    }

    /// Writes the registry to a temporary file in the same folder, flushed to disk,
    /// then renames it over the old one: a crash leaves the old file or the new one,
    /// never half of either.
    pub fn save(&self, registry: &Registry) -> Result<(), String> {
        let failed = |e: std::io::Error| format!("could not write {}: {e}", self.file.display());
        let mut temporary = tempfile::NamedTempFile::new_in(self.folder()).map_err(failed)?;
        temporary.write_all(registry.to_json().as_bytes()).map_err(failed)?;
        temporary.as_file().sync_all().map_err(failed)?;
        temporary.persist(&self.file).map_err(|e| failed(e.error))?;
        Ok(())
    }

    pub fn card(&self, version: &Version) -> Result<ModelCard, String> {
        let path = self.version_folder(version).join("card.json");
        read_json(&path)
    }
}

pub fn read_bytes(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("could not read {}: {e}", path.display()))
}

pub fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("could not read {}: {e}", path.display()))
}

/// A JSON file parsed as `T`; a parse error names the file, line and column.
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    let text = read_text(path)?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{}: line {}, column {}: {e}", path.display(), e.line(), e.column()))
}

/// Who and when, for the history.
pub fn stamp(by: Option<String>, reason: Option<String>) -> Stamp {
    let by = by.or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "unknown".into());
    let at = jiff::Timestamp::now().round(jiff::Unit::Second).unwrap_or_else(|_| jiff::Timestamp::now());
    Stamp { at: at.to_string(), by, reason }
}
