//! The site's links. Everything lives in the URL's fragment, so that every page has a
//! link that works on any static host without rewrite rules:
//!
//! - `#/` the start page, `#/upload` a model file of the user's own;
//! - `#/iris-forest` the version on the site's own channel, `#/iris-forest@staging` the
//!   one on another channel, `#/iris-forest@1.0.0` one version;
//! - `#/iris-forest/batch` and `#/iris-forest@1.0.0/stream` the model's batch and
//!   stream pages;
//! - `#/registry` every model's channels, versions and history, and
//!   `#/registry/iris-forest/1.0.0..1.1.0` with two versions' cards compared.
//!
//! Model names have no `@` ([`check_name`](crate::registry::check_name)) and semantic
//! versions never contain `..`, so the separators are unambiguous.

use std::fmt;

use thiserror::Error;

use crate::registry::{Channel, RegisteredModel, Version};

const UPLOAD: &str = "upload";
const REGISTRY: &str = "registry";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Home,
    Upload,
    Registry(Option<Comparison>),
    Model { name: String, selector: Option<Selector>, tool: Tool },
}

/// What a model's page does: one prediction from a form, a CSV file, or a live stream;
/// comparing two versions, monitoring what was predicted, or recalibrating online.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tool {
    #[default]
    Predict,
    Batch,
    Stream,
    Compare,
    Monitor,
    Recalibrate,
}

impl Tool {
    pub const ALL: [Tool; 6] =
        [Tool::Predict, Tool::Batch, Tool::Stream, Tool::Compare, Tool::Monitor, Tool::Recalibrate];

    /// The link's last segment; the form has none.
    fn segment(self) -> Option<&'static str> {
        match self {
            Self::Predict => None,
            Self::Batch => Some("batch"),
            Self::Stream => Some("stream"),
            Self::Compare => Some("compare"),
            Self::Monitor => Some("monitor"),
            Self::Recalibrate => Some("recalibrate"),
        }
    }

    /// Whether the tool is for the people who ship the model, not for its users: the
    /// production site leaves it out.
    pub fn is_for_the_team(self) -> bool {
        matches!(self, Self::Compare | Self::Monitor | Self::Recalibrate)
    }

    /// For people, as a tab's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Predict => "Predict",
            Self::Batch => "Score a CSV file",
            Self::Stream => "Score a stream",
            Self::Compare => "Compare versions",
            Self::Monitor => "Monitor",
            Self::Recalibrate => "Recalibrate",
        }
    }
}

/// Two versions of one model, compared on the registry page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    pub model: String,
    pub before: String,
    pub after: String,
}

/// What follows `@` in a model's link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    Channel(Channel),
    Version(String),
}

impl Selector {
    /// A channel's name, or else a version.
    pub fn parse(text: &str) -> Self {
        text.parse().map_or_else(|_| Self::Version(text.to_owned()), Self::Channel)
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Channel(channel) => write!(f, "{channel}"),
            Self::Version(version) => f.write_str(version),
        }
    }
}

impl Route {
    /// Reads a fragment, with or without its `#`, already percent-decoded.
    pub fn parse(fragment: &str) -> Self {
        let path = fragment.trim_start_matches('#').trim_start_matches('/');
        let mut parts = path.splitn(3, '/');
        match (parts.next().unwrap_or_default(), parts.next(), parts.next()) {
            ("", None, _) => Self::Home,
            (UPLOAD, None, _) => Self::Upload,
            (REGISTRY, model, versions) => {
                let comparison = model.zip(versions.and_then(|v| v.split_once(".."))).map(|(model, (a, b))| {
                    Comparison { model: model.to_owned(), before: a.to_owned(), after: b.to_owned() }
                });
                Self::Registry(comparison)
            }
            _ => {
                let (model, tool) = path.split_once('/').unwrap_or((path, ""));
                // An unknown tool shows the model's form rather than nothing.
                let tool = Tool::ALL.into_iter().find(|t| t.segment() == Some(tool)).unwrap_or_default();
                let (name, selector) = match model.split_once('@') {
                    Some((name, selector)) => (name, Some(Selector::parse(selector))),
                    None => (model, None),
                };
                Self::Model { name: name.to_owned(), selector, tool }
            }
        }
    }

    /// The fragment that leads here, `#` included.
    pub fn to_fragment(&self) -> String {
        match self {
            Self::Home => "#/".into(),
            Self::Upload => format!("#/{UPLOAD}"),
            Self::Registry(None) => format!("#/{REGISTRY}"),
            Self::Registry(Some(c)) => format!("#/{REGISTRY}/{}/{}..{}", c.model, c.before, c.after),
            Self::Model { name, selector, tool } => {
                let selector = selector.as_ref().map(|s| format!("@{s}")).unwrap_or_default();
                let tool = tool.segment().map(|t| format!("/{t}")).unwrap_or_default();
                format!("#/{name}{selector}{tool}")
            }
        }
    }

    /// The route without the choice made within its page (version, comparison): what
    /// decides which page to show, so that switching versions keeps the page.
    pub fn page(&self) -> Self {
        match self {
            Self::Registry(_) => Self::Registry(None),
            Self::Model { name, tool, .. } => Self::Model { name: name.clone(), selector: None, tool: *tool },
            other => other.clone(),
        }
    }
}

/// Why a model's link leads to no version this site serves.
#[derive(Debug, Error, PartialEq)]
pub enum SelectError {
    #[error("{model} has no version on the {channel} channel here: this site is {environment}")]
    NoChannel { model: String, channel: Channel, environment: Channel },
    #[error("{model} {version} is not served here: this site is {environment}")]
    NotServed { model: String, version: String, environment: Channel },
}

/// The version of `model` a link selects on a site built for `environment` (whose
/// registry lists only the versions it serves); no selector means its own channel.
pub fn select<'a>(
    model: &'a RegisteredModel,
    selector: Option<&Selector>,
    environment: Channel,
) -> Result<&'a Version, SelectError> {
    let no_channel = |channel| SelectError::NoChannel { model: model.name.clone(), channel, environment };
    match selector {
        None => model.on_channel(environment).ok_or_else(|| no_channel(environment)),
        Some(Selector::Channel(channel)) => model.on_channel(*channel).ok_or_else(|| no_channel(*channel)),
        Some(Selector::Version(version)) => model.version(version).ok_or_else(|| SelectError::NotServed {
            model: model.name.clone(),
            version: version.clone(),
            environment,
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::card::Task;

    fn model(name: &str, route_selector: Option<Selector>) -> Route {
        Route::Model { name: name.into(), selector: route_selector, tool: Tool::Predict }
    }

    #[test]
    fn fragments_parse_into_routes() {
        assert_eq!(Route::parse(""), Route::Home);
        assert_eq!(Route::parse("#/"), Route::Home);
        assert_eq!(Route::parse("#/upload"), Route::Upload);
        assert_eq!(Route::parse("#/iris-forest"), model("iris-forest", None));
        assert_eq!(
            Route::parse("#/iris-forest@staging"),
            model("iris-forest", Some(Selector::Channel(Channel::Staging)))
        );
        assert_eq!(
            Route::parse("#/iris-forest@1.1.0-rc.1"),
            model("iris-forest", Some(Selector::Version("1.1.0-rc.1".into())))
        );
        assert_eq!(Route::parse("#/registry"), Route::Registry(None));
        assert_eq!(
            Route::parse("#/registry/iris-forest/1.0.0..1.1.0"),
            Route::Registry(Some(Comparison {
                model: "iris-forest".into(),
                before: "1.0.0".into(),
                after: "1.1.0".into()
            }))
        );
        assert_eq!(
            Route::parse("#/iris-forest@staging/batch"),
            Route::Model {
                name: "iris-forest".into(),
                selector: Some(Selector::Channel(Channel::Staging)),
                tool: Tool::Batch
            }
        );
        assert_eq!(Route::parse("#/m/stream"), Route::Model { name: "m".into(), selector: None, tool: Tool::Stream });
        assert_eq!(Route::parse("#/m/unknown"), model("m", None));
        // A half-written comparison still shows the registry.
        assert_eq!(Route::parse("#/registry/iris-forest"), Route::Registry(None));
    }

    #[test]
    fn routes_write_the_fragments_they_parse_from() {
        for fragment in [
            "#/",
            "#/upload",
            "#/registry",
            "#/registry/m/1.0.0..2.0.0",
            "#/m",
            "#/m@production",
            "#/m@1.2.3",
            "#/m/batch",
            "#/m/compare",
            "#/m@1.2.3/monitor",
            "#/m/recalibrate",
            "#/m@1.2.3/stream",
        ] {
            assert_eq!(Route::parse(fragment).to_fragment(), fragment);
        }
    }

    #[test]
    fn the_page_of_a_route_forgets_the_version_not_the_tool() {
        let route = Route::parse("#/m@1.0.0");
        assert_eq!(route.page(), model("m", None));
        assert_eq!(Route::parse("#/m@1.0.0/batch").page(), Route::parse("#/m/batch"));
        assert_eq!(Route::parse("#/registry/m/1.0.0..2.0.0").page(), Route::Registry(None));
    }

    fn registered() -> RegisteredModel {
        let version = |v: &str| Version {
            version: v.into(),
            path: format!("m/{v}"),
            sha256: String::new(),
            bytes: 0,
            created: String::new(),
            metrics: BTreeMap::new(),
        };
        RegisteredModel {
            name: "m".into(),
            title: "t".into(),
            description: "d".into(),
            task: Task::Regression,
            versions: vec![version("1.0.0"), version("2.0.0")],
            channels: BTreeMap::from([(Channel::Development, "2.0.0".into()), (Channel::Staging, "1.0.0".into())]),
            history: vec![],
            canary: None,
        }
    }

    #[test]
    fn links_select_the_environments_channel_another_channel_or_a_version() {
        let model = registered();
        let pick = |selector: Option<Selector>, environment| {
            select(&model, selector.as_ref(), environment).map(|v| v.version.clone())
        };
        assert_eq!(pick(None, Channel::Development), Ok("2.0.0".into()));
        assert_eq!(pick(None, Channel::Staging), Ok("1.0.0".into()));
        assert_eq!(pick(Some(Selector::Channel(Channel::Staging)), Channel::Development), Ok("1.0.0".into()));
        assert_eq!(pick(Some(Selector::Version("2.0.0".into())), Channel::Staging), Ok("2.0.0".into()));
        assert_eq!(
            pick(Some(Selector::Version("3.0.0".into())), Channel::Development).unwrap_err().to_string(),
            "m 3.0.0 is not served here: this site is development"
        );
        assert_eq!(
            pick(None, Channel::Production),
            Err(SelectError::NoChannel {
                model: "m".into(),
                channel: Channel::Production,
                environment: Channel::Production
            })
        );
    }
}
