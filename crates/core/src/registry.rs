//! The model registry (`models/registry.json`): every model, its versions, which version
//! each channel serves, and the history of how the channels got there.
//!
//! Format `modelport-registry/2`:
//! ```json
//! {"format": "modelport-registry/2",
//!  "models": [{"name": "iris-logreg", "title": "...", "description": "...",
//!              "task": "classification",
//!              "versions": [{"version": "1.0.0", "path": "iris-logreg/1.0.0",
//!                            "sha256": "...", "bytes": 578, "created": "2026-11-24T00:00:00Z",
//!                            "metrics": {"accuracy": 0.97}}],
//!              "channels": {"development": "1.0.0", "staging": "1.0.0", "production": "1.0.0"},
//!              "history": [{"at": "...", "by": "...", "action": "promote", "channel": "staging",
//!                           "from": null, "to": "1.0.0", "reason": "...", "forced": false,
//!                           "gates": [{"gate": "runs", "passed": true, "detail": "..."}]}]}]}
//! ```
//! `path` is relative to the registry file; the folder holds the version's `model.onnx`,
//! `card.json` (its model card) and `golden.json` (held-out rows with onnxruntime's
//! outputs). `metrics` repeats the card's held-out metrics so that promotion gates and
//! the registry page can compare versions without opening every card.
//!
//! `history` is append-only: registering, promoting and rolling back each add one
//! event, and the channels are always what replaying it gives. A site built for one
//! environment serves a copy narrowed by [`Registry::for_environment`], which names the
//! environment in `environment`.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::canary::Canary;
use crate::card::Task;

pub const FORMAT: &str = "modelport-registry/2";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Registry {
    pub format: String,
    /// Set in a site's copy: the environment the site was built for. Absent in
    /// `models/registry.json` itself, which is the development view of everything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Channel>,
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
    #[serde(default)]
    pub history: Vec<Event>,
    /// A share of the environment's visitors served another version instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary: Option<Canary>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Version {
    /// A semantic version: `1.2.0`, `1.3.0-rc.1`.
    pub version: String,
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    pub created: String,
    #[serde(default)]
    pub metrics: BTreeMap<String, f64>,
}

/// Where a version is served: development, then staging, then production.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Development,
    Staging,
    Production,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Self::Development, Self::Staging, Self::Production];

    /// The channel a version must be on before it may be promoted to this one.
    pub fn previous(self) -> Option<Channel> {
        match self {
            Self::Development => None,
            Self::Staging => Some(Self::Development),
            Self::Production => Some(Self::Staging),
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, so that `{:11}` lines channels up in tables.
        f.pad(match self {
            Self::Development => "development",
            Self::Staging => "staging",
            Self::Production => "production",
        })
    }
}

impl FromStr for Channel {
    type Err = RegistryError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|c| c.to_string() == s).ok_or_else(|| RegistryError::UnknownChannel(s.to_owned()))
    }
}

/// One change to a model's channels, as recorded in its history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// RFC 3339 time.
    pub at: String,
    pub by: String,
    pub action: Action,
    pub channel: Channel,
    /// The version the channel served before, if any.
    pub from: Option<String>,
    pub to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<GateResult>,
    /// Set when a failing gate was overridden.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub forced: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Register,
    Promote,
    Rollback,
}

/// The outcome of one promotion gate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GateResult {
    pub gate: String,
    pub passed: bool,
    pub detail: String,
}

/// Who did what, when and why: what every change records besides its versions.
#[derive(Clone, Debug, PartialEq)]
pub struct Stamp {
    pub at: String,
    pub by: String,
    pub reason: Option<String>,
}

#[derive(Debug, Error, PartialEq)]
pub enum RegistryError {
    #[error("the registry's format is “{0}”; this Modelport reads {FORMAT}")]
    Format(String),
    #[error("there is no model named “{0}” in the registry")]
    UnknownModel(String),
    #[error("model “{model}” has no version {version}")]
    UnknownVersion { model: String, version: String },
    #[error("“{0}” is not a channel: use development, staging or production")]
    UnknownChannel(String),
    #[error("“{version}” is not a semantic version (like 1.2.0): {reason}")]
    BadVersion { version: String, reason: String },
    #[error("“{0}” is not a valid model name: use lowercase letters, digits and dashes")]
    BadName(String),
    #[error("model “{model}” already has a version {version}")]
    DuplicateVersion { model: String, version: String },
    #[error("the registry lists model “{0}” twice")]
    DuplicateModel(String),
    #[error("model “{model}”: channel {channel} points at version {version}, which is not registered")]
    DanglingChannel { model: String, channel: Channel, version: String },
    #[error("{model} {version} is not on {needed}: promote it there before {to}")]
    NotOnPreviousChannel { model: String, version: String, needed: Channel, to: Channel },
    #[error("{model} {version} is already on {channel}")]
    AlreadyOnChannel { model: String, version: String, channel: Channel },
    #[error("{model} has no earlier version on {channel} to roll back to")]
    NothingToRollBack { model: String, channel: Channel },
    #[error("a canary's share is above 0 and at most 1, not {0}")]
    CanaryShare(f64),
    #[error("{model} {version} failed promotion gates: {failed} (use --force to override)")]
    GatesFailed { model: String, version: String, failed: String },
}

/// Checks that `version` is a semantic version.
pub fn parse_version(version: &str) -> Result<semver::Version, RegistryError> {
    semver::Version::parse(version)
        .map_err(|e| RegistryError::BadVersion { version: version.to_owned(), reason: e.to_string() })
}

/// Model names become folder names and URL fragments: keep them plain.
pub fn check_name(name: &str) -> Result<(), RegistryError> {
    let plain = !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-');
    if plain { Ok(()) } else { Err(RegistryError::BadName(name.to_owned())) }
}

impl Default for Registry {
    fn default() -> Self {
        Self { format: FORMAT.to_owned(), environment: None, models: vec![] }
    }
}

impl Registry {
    /// Reads and checks a registry: its format, names, versions and channel pointers.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let registry: Self = serde_json::from_str(text).map_err(|e| ParseError::Json {
            line: e.line(),
            column: e.column(),
            reason: e.to_string(),
        })?;
        registry.check()?;
        Ok(registry)
    }

    /// The registry as JSON, the way it is stored: indented, ending in a newline.
    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialising cannot fail.
        let mut text = serde_json::to_string_pretty(self).expect("a registry serialises");
        text.push('\n');
        text
    }

    fn check(&self) -> Result<(), RegistryError> {
        if self.format != FORMAT {
            return Err(RegistryError::Format(self.format.clone()));
        }
        for (i, model) in self.models.iter().enumerate() {
            check_name(&model.name)?;
            if self.models[..i].iter().any(|m| m.name == model.name) {
                return Err(RegistryError::DuplicateModel(model.name.clone()));
            }
            for (j, version) in model.versions.iter().enumerate() {
                parse_version(&version.version)?;
                if model.versions[..j].iter().any(|v| v.version == version.version) {
                    return Err(RegistryError::DuplicateVersion {
                        model: model.name.clone(),
                        version: version.version.clone(),
                    });
                }
            }
            for (&channel, version) in &model.channels {
                if model.version(version).is_none() {
                    return Err(RegistryError::DanglingChannel {
                        model: model.name.clone(),
                        channel,
                        version: version.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    pub fn model(&self, name: &str) -> Option<&RegisteredModel> {
        self.models.iter().find(|m| m.name == name)
    }

    pub fn model_mut(&mut self, name: &str) -> Result<&mut RegisteredModel, RegistryError> {
        self.models.iter_mut().find(|m| m.name == name).ok_or_else(|| RegistryError::UnknownModel(name.to_owned()))
    }

    /// Adds `version` of model `name` (creating the model from `about` if it is new)
    /// and puts it on the development channel.
    pub fn register(&mut self, about: ModelAbout, version: Version, stamp: Stamp) -> Result<(), RegistryError> {
        check_name(&about.name)?;
        parse_version(&version.version)?;
        if self.model(&about.name).is_none() {
            self.models.push(RegisteredModel {
                name: about.name.clone(),
                title: about.title,
                description: about.description,
                task: about.task,
                versions: vec![],
                channels: BTreeMap::new(),
                history: vec![],
                canary: None,
            });
        }
        let model = self.model_mut(&about.name)?;
        if model.version(&version.version).is_some() {
            return Err(RegistryError::DuplicateVersion { model: model.name.clone(), version: version.version });
        }
        let to = version.version.clone();
        model.versions.push(version);
        model.set_channel(Channel::Development, to, Action::Register, stamp, vec![], false);
        Ok(())
    }

    /// Puts `version` on channel `to`, which must be the channel after one the version
    /// is on. `gates` are recorded; if any failed, only `force` lets it through.
    pub fn promote(
        &mut self,
        name: &str,
        version: &str,
        to: Channel,
        gates: Vec<GateResult>,
        force: bool,
        stamp: Stamp,
    ) -> Result<&Event, RegistryError> {
        let model = self.model_mut(name)?;
        model.require(version)?;
        if model.channels.get(&to).map(String::as_str) == Some(version) {
            return Err(RegistryError::AlreadyOnChannel {
                model: name.to_owned(),
                version: version.to_owned(),
                channel: to,
            });
        }
        if let Some(needed) = to.previous()
            && !model.has_been_on(version, needed)
        {
            return Err(RegistryError::NotOnPreviousChannel {
                model: name.to_owned(),
                version: version.to_owned(),
                needed,
                to,
            });
        }
        let failed: Vec<&str> = gates.iter().filter(|g| !g.passed).map(|g| g.gate.as_str()).collect();
        if !failed.is_empty() && !force {
            return Err(RegistryError::GatesFailed {
                model: name.to_owned(),
                version: version.to_owned(),
                failed: failed.join(", "),
            });
        }
        let forced = !failed.is_empty();
        Ok(model.set_channel(to, version.to_owned(), Action::Promote, stamp, gates, forced))
    }

    /// Serves `canary`'s version to its share of production's visitors, or, with
    /// `None`, ends the canary.
    pub fn set_canary(&mut self, name: &str, canary: Option<Canary>) -> Result<(), RegistryError> {
        let model = self.model_mut(name)?;
        if let Some(canary) = &canary {
            if model.version(&canary.version).is_none() {
                return Err(RegistryError::UnknownVersion { model: name.to_owned(), version: canary.version.clone() });
            }
            if !(canary.share > 0.0 && canary.share <= 1.0) {
                return Err(RegistryError::CanaryShare(canary.share));
            }
        }
        model.canary = canary;
        Ok(())
    }

    /// Puts `channel` back on the version it served before its current one.
    pub fn rollback(&mut self, name: &str, channel: Channel, stamp: Stamp) -> Result<&Event, RegistryError> {
        let model = self.model_mut(name)?;
        let stack = model.channel_stack(channel);
        let [.., previous, _current] = &stack[..] else {
            return Err(RegistryError::NothingToRollBack { model: name.to_owned(), channel });
        };
        let previous = previous.clone();
        Ok(model.set_channel(channel, previous, Action::Rollback, stamp, vec![], false))
    }

    /// The registry as a site built for `environment` serves it: each model with only
    /// the versions that environment shows, and no models with nothing to show.
    /// Development shows everything; staging shows its versions and production's (for
    /// the "what would change" diff); production shows its own alone.
    pub fn for_environment(&self, environment: Channel) -> Self {
        let shown: &[Channel] = match environment {
            Channel::Development => &Channel::ALL,
            Channel::Staging => &[Channel::Staging, Channel::Production],
            Channel::Production => &[Channel::Production],
        };
        let models = self
            .models
            .iter()
            .filter(|m| m.channels.contains_key(&environment))
            .map(|m| {
                // A production canary's version is served to some of production's visitors.
                let canary = m.canary.as_ref().map(|c| c.version.as_str());
                let keep = |v: &Version| {
                    environment == Channel::Development
                        || shown.iter().any(|c| m.channels.get(c) == Some(&v.version))
                        || canary == Some(v.version.as_str())
                };
                let channels = m.channels.iter().filter(|(c, _)| shown.contains(c)).map(|(c, v)| (*c, v.clone()));
                RegisteredModel {
                    versions: m.versions.iter().filter(|v| keep(v)).cloned().collect(),
                    channels: channels.collect(),
                    ..m.clone()
                }
            })
            .collect();
        Self { format: self.format.clone(), environment: Some(environment), models }
    }
}

/// A model whose channel `to` would serve another version if `from`'s were promoted.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingChange<'a> {
    pub model: &'a RegisteredModel,
    /// What `to` serves now, if anything.
    pub current: Option<&'a Version>,
    pub next: &'a Version,
}

impl Registry {
    /// What promoting every model from `from` to `to` would change, in registry order:
    /// what staging shows as "what would change in production".
    pub fn pending(&self, from: Channel, to: Channel) -> Vec<PendingChange<'_>> {
        self.models
            .iter()
            .filter_map(|model| {
                let next = model.on_channel(from)?;
                let current = model.on_channel(to);
                (current.map(|v| &v.version) != Some(&next.version)).then_some(PendingChange { model, current, next })
            })
            .collect()
    }
}

/// What describes a model rather than one of its versions.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelAbout {
    pub name: String,
    pub title: String,
    pub description: String,
    pub task: Task,
}

impl RegisteredModel {
    pub fn version(&self, version: &str) -> Option<&Version> {
        self.versions.iter().find(|v| v.version == version)
    }

    /// The version a channel serves, if the channel has one.
    pub fn on_channel(&self, channel: Channel) -> Option<&Version> {
        self.channels.get(&channel).and_then(|v| self.version(v))
    }

    /// Versions, newest (by semantic version) first.
    pub fn versions_newest_first(&self) -> Vec<&Version> {
        let mut versions: Vec<&Version> = self.versions.iter().collect();
        versions.sort_by_cached_key(|v| std::cmp::Reverse(semver::Version::parse(&v.version).ok()));
        versions
    }

    /// The channels that serve `version`, development first.
    pub fn channels_of(&self, version: &str) -> Vec<Channel> {
        self.channels.iter().filter(|(_, v)| *v == version).map(|(c, _)| *c).collect()
    }

    /// The two versions the registry page compares first: production's (else the
    /// oldest) against the newest other one. `None` with a single version.
    pub fn default_comparison(&self) -> Option<(&Version, &Version)> {
        let newest_first = self.versions_newest_first();
        let before = self.on_channel(Channel::Production).or(newest_first.last().copied())?;
        let after = newest_first.into_iter().find(|v| v.version != before.version)?;
        Some((before, after))
    }

    /// A draft has never been beyond development.
    pub fn is_draft(&self, version: &str) -> bool {
        !self.has_been_on(version, Channel::Staging) && !self.has_been_on(version, Channel::Production)
    }

    fn has_been_on(&self, version: &str, channel: Channel) -> bool {
        self.channels.get(&channel).map(String::as_str) == Some(version)
            || self.history.iter().any(|e| e.channel == channel && e.to == version)
    }

    fn require(&self, version: &str) -> Result<&Version, RegistryError> {
        self.version(version)
            .ok_or_else(|| RegistryError::UnknownVersion { model: self.name.clone(), version: version.to_owned() })
    }

    /// The versions `channel` has served, oldest first, as its history replays: a
    /// promotion pushes, a rollback pops. Rolling back twice thus goes two versions
    /// back, instead of swapping between the last two.
    fn channel_stack(&self, channel: Channel) -> Vec<String> {
        let mut stack: Vec<String> = vec![];
        for event in self.history.iter().filter(|e| e.channel == channel) {
            match event.action {
                Action::Register | Action::Promote => stack.push(event.to.clone()),
                Action::Rollback => {
                    stack.pop();
                }
            }
        }
        stack
    }

    fn set_channel(
        &mut self,
        channel: Channel,
        to: String,
        action: Action,
        stamp: Stamp,
        gates: Vec<GateResult>,
        forced: bool,
    ) -> &Event {
        let from = self.channels.insert(channel, to.clone());
        self.history.push(Event {
            at: stamp.at,
            by: stamp.by,
            action,
            channel,
            from,
            to,
            reason: stamp.reason,
            gates,
            forced,
        });
        self.history.last().expect("just pushed")
    }
}

/// Why a registry file could not be read.
#[derive(Debug, Error, PartialEq)]
pub enum ParseError {
    #[error("line {line}, column {column}: {reason}")]
    Json { line: usize, column: usize, reason: String },
    #[error(transparent)]
    Invalid(#[from] RegistryError),
}

/// Whether a larger value of a held-out metric is better, for the metrics cards use.
pub fn higher_is_better(metric: &str) -> Option<bool> {
    match metric {
        "accuracy" | "macro_f1" | "roc_auc" | "r2" => Some(true),
        "log_loss" | "rmse" | "mae" => Some(false),
        _ => None,
    }
}

/// The metric a promotion gate compares by default: accuracy for classifiers, RMSE for
/// regressors.
pub fn primary_metric(task: Task) -> &'static str {
    match task {
        Task::Classification => "accuracy",
        Task::Regression => "rmse",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(at: &str) -> Stamp {
        Stamp { at: at.into(), by: "tester".into(), reason: None }
    }

    fn version(v: &str) -> Version {
        Version {
            version: v.into(),
            path: format!("m/{v}"),
            sha256: "ab".into(),
            bytes: 1,
            created: "c".into(),
            metrics: BTreeMap::new(),
        }
    }

    fn about() -> ModelAbout {
        ModelAbout { name: "m".into(), title: "t".into(), description: "d".into(), task: Task::Regression }
    }

    fn registry_with(versions: &[&str]) -> Registry {
        let mut registry = Registry::default();
        for v in versions {
            registry.register(about(), version(v), stamp(v)).unwrap();
        }
        registry
    }

    fn channel(registry: &Registry, channel: Channel) -> Option<&str> {
        registry.model("m").unwrap().channels.get(&channel).map(String::as_str)
    }

    #[test]
    fn registering_puts_the_version_on_development() {
        let registry = registry_with(&["1.0.0", "1.1.0"]);
        assert_eq!(channel(&registry, Channel::Development), Some("1.1.0"));
        let history = &registry.model("m").unwrap().history;
        assert_eq!(history.len(), 2);
        assert_eq!(history[1].from.as_deref(), Some("1.0.0"));
        assert_eq!(history[1].action, Action::Register);
    }

    #[test]
    fn promotion_goes_through_staging_first() {
        let mut registry = registry_with(&["1.0.0"]);
        let err = registry.promote("m", "1.0.0", Channel::Production, vec![], false, stamp("t")).unwrap_err();
        assert!(matches!(err, RegistryError::NotOnPreviousChannel { needed: Channel::Staging, .. }), "{err}");
        registry.promote("m", "1.0.0", Channel::Staging, vec![], false, stamp("t")).unwrap();
        registry.promote("m", "1.0.0", Channel::Production, vec![], false, stamp("t")).unwrap();
        assert_eq!(channel(&registry, Channel::Production), Some("1.0.0"));
    }

    #[test]
    fn failing_gates_refuse_unless_forced_and_forcing_is_recorded() {
        let mut registry = registry_with(&["1.0.0"]);
        let gates = vec![
            GateResult { gate: "runs".into(), passed: true, detail: String::new() },
            GateResult { gate: "metric".into(), passed: false, detail: "worse".into() },
        ];
        let err = registry.promote("m", "1.0.0", Channel::Staging, gates.clone(), false, stamp("t")).unwrap_err();
        assert_eq!(err.to_string(), "m 1.0.0 failed promotion gates: metric (use --force to override)");
        assert_eq!(channel(&registry, Channel::Staging), None);
        let event = registry.promote("m", "1.0.0", Channel::Staging, gates, true, stamp("t")).unwrap();
        assert!(event.forced);
        assert_eq!(channel(&registry, Channel::Staging), Some("1.0.0"));
    }

    #[test]
    fn rollback_walks_back_through_the_channel_history() {
        let mut registry = registry_with(&["1.0.0", "1.1.0", "1.2.0"]);
        for v in ["1.0.0", "1.1.0", "1.2.0"] {
            registry.promote("m", v, Channel::Staging, vec![], false, stamp("t")).unwrap();
        }
        registry.rollback("m", Channel::Staging, stamp("t")).unwrap();
        assert_eq!(channel(&registry, Channel::Staging), Some("1.1.0"));
        // A second rollback goes further back rather than undoing the first.
        let event = registry.rollback("m", Channel::Staging, stamp("t")).unwrap();
        assert_eq!((event.from.as_deref(), event.to.as_str()), (Some("1.1.0"), "1.0.0"));
        let err = registry.rollback("m", Channel::Staging, stamp("t")).unwrap_err();
        assert_eq!(err, RegistryError::NothingToRollBack { model: "m".into(), channel: Channel::Staging });
    }

    #[test]
    fn bad_versions_names_and_pointers_are_refused() {
        let mut registry = Registry::default();
        let err = registry.register(about(), version("1.0"), stamp("t")).unwrap_err();
        assert!(matches!(err, RegistryError::BadVersion { .. }), "{err}");
        let bad_name = ModelAbout { name: "Iris Forest".into(), ..about() };
        assert_eq!(
            registry.register(bad_name, version("1.0.0"), stamp("t")).unwrap_err(),
            RegistryError::BadName("Iris Forest".into())
        );

        let mut registry = registry_with(&["1.0.0"]);
        registry.models[0].channels.insert(Channel::Production, "9.9.9".into());
        let err = Registry::parse(&registry.to_json()).unwrap_err();
        assert_eq!(err.to_string(), "model “m”: channel production points at version 9.9.9, which is not registered");
    }

    #[test]
    fn malformed_json_says_where() {
        let err = Registry::parse("{\"format\": \"modelport-registry/2\",\n \"models\": [}").unwrap_err();
        assert!(matches!(err, ParseError::Json { line: 2, column: 13, .. }), "{err}");
    }

    #[test]
    fn environments_see_their_own_versions() {
        let mut registry = registry_with(&["1.0.0", "1.1.0", "2.0.0"]);
        registry.promote("m", "1.0.0", Channel::Staging, vec![], false, stamp("t")).unwrap();
        registry.promote("m", "1.0.0", Channel::Production, vec![], false, stamp("t")).unwrap();
        registry.promote("m", "1.1.0", Channel::Staging, vec![], false, stamp("t")).unwrap();
        let listed = |env: Channel| -> Vec<String> {
            let view = registry.for_environment(env);
            assert_eq!(view.environment, Some(env));
            view.models[0].versions.iter().map(|v| v.version.clone()).collect()
        };
        assert_eq!(listed(Channel::Production), ["1.0.0"]);
        assert_eq!(listed(Channel::Staging), ["1.0.0", "1.1.0"]);
        assert_eq!(listed(Channel::Development), ["1.0.0", "1.1.0", "2.0.0"]);
        assert!(!registry.for_environment(Channel::Production).models[0].channels.contains_key(&Channel::Staging));
        let model = registry.model("m").unwrap();
        assert!(model.is_draft("2.0.0") && !model.is_draft("1.1.0"));
    }

    #[test]
    fn staging_lists_what_production_would_change() {
        let mut registry = registry_with(&["1.0.0", "1.1.0"]);
        registry.promote("m", "1.0.0", Channel::Staging, vec![], false, stamp("t")).unwrap();
        assert_eq!(registry.pending(Channel::Staging, Channel::Production).len(), 1, "new in production");
        registry.promote("m", "1.0.0", Channel::Production, vec![], false, stamp("t")).unwrap();
        assert_eq!(registry.pending(Channel::Staging, Channel::Production), []);
        registry.promote("m", "1.1.0", Channel::Staging, vec![], false, stamp("t")).unwrap();
        let pending = registry.pending(Channel::Staging, Channel::Production);
        let [change] = &pending[..] else { panic!("one change expected: {pending:?}") };
        assert_eq!(
            (change.current.map(|v| v.version.as_str()), change.next.version.as_str()),
            (Some("1.0.0"), "1.1.0")
        );
    }

    #[test]
    fn channels_of_a_version_and_the_comparison_the_registry_page_opens_with() {
        let mut registry = registry_with(&["1.0.0", "1.2.0", "1.1.0"]);
        let model = registry.model("m").unwrap();
        // No production yet: the oldest against the newest.
        let pair = |m: &RegisteredModel| m.default_comparison().map(|(a, b)| (a.version.clone(), b.version.clone()));
        assert_eq!(pair(model), Some(("1.0.0".into(), "1.2.0".into())));
        registry.promote("m", "1.2.0", Channel::Staging, vec![], false, stamp("t")).unwrap();
        registry.promote("m", "1.2.0", Channel::Production, vec![], false, stamp("t")).unwrap();
        let model = registry.model("m").unwrap();
        assert_eq!(model.channels_of("1.2.0"), [Channel::Staging, Channel::Production]);
        assert_eq!(model.channels_of("1.1.0"), [Channel::Development]);
        assert_eq!(model.channels_of("1.0.0"), []);
        assert_eq!(pair(model), Some(("1.2.0".into(), "1.1.0".into())));
        assert_eq!(pair(&registry_with(&["1.0.0"]).models[0]), None);
    }
}
