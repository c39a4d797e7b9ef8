//! The model registry (`models/registry.json`): every model, its versions, and which
//! version each channel serves.
//!
//! Format `modelport-registry/1`:
//! ```json
//! {"format": "modelport-registry/1",
//!  "models": [{"name": "iris-logreg", "title": "...", "description": "...",
//!              "task": "classification",
//!              "versions": [{"version": "1.0.0", "path": "iris-logreg/1.0.0",
//!                            "sha256": "...", "bytes": 578, "created": "2026-11-24T00:00:00Z"}],
//!              "channels": {"development": "1.0.0"}}]}
//! ```
//! `path` is relative to the registry file and holds `model.onnx`, `card.json` and
//! `golden.json`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::card::Task;

pub const FORMAT: &str = "modelport-registry/1";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Registry {
    pub format: String,
    pub models: Vec<RegisteredModel>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegisteredModel {
    pub name: String,
    pub title: String,
    pub description: String,
    pub task: Task,
    pub versions: Vec<Version>,
    #[serde(default)]
    pub channels: BTreeMap<Channel, String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Version {
    pub version: String,
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    pub created: String,
}

/// Where a version is served: development, then staging, then production.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Development,
    Staging,
    Production,
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Development => "development",
            Self::Staging => "staging",
            Self::Production => "production",
        })
    }
}

impl Registry {
    pub fn model(&self, name: &str) -> Option<&RegisteredModel> {
        self.models.iter().find(|m| m.name == name)
    }
}

impl RegisteredModel {
    pub fn version(&self, version: &str) -> Option<&Version> {
        self.versions.iter().find(|v| v.version == version)
    }

    /// The version a channel serves, if the channel has one.
    pub fn on_channel(&self, channel: Channel) -> Option<&Version> {
        self.channels.get(&channel).and_then(|v| self.version(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_point_at_versions() {
        let registry: Registry = serde_json::from_str(
            r#"{"format":"modelport-registry/1","models":[{"name":"m","title":"t","description":"d",
            "task":"regression","versions":[{"version":"1.0.0","path":"m/1.0.0","sha256":"ab",
            "bytes":1,"created":"c"}],"channels":{"development":"1.0.0"}}]}"#,
        )
        .unwrap();
        let model = registry.model("m").unwrap();
        assert_eq!(model.on_channel(Channel::Development).unwrap().path, "m/1.0.0");
        assert!(model.on_channel(Channel::Production).is_none());
    }
}
