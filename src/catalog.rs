//! What the site serves about its models: the registry and the model cards, fetched
//! from the `models/` folder next to the page. The served registry names the
//! environment the site was built for; everything else follows from it.

use modelport_core::registry::{RegisteredModel, Version};
use modelport_core::{Channel, ModelCard, Registry};
use serde::de::DeserializeOwned;

pub const REGISTRY_URL: &str = "models/registry.json";

pub async fn registry() -> Result<Registry, String> {
    fetch_json(REGISTRY_URL).await
}

/// The environment this site was built for. `models/registry.json` itself names none:
/// it is what `cargo xtask serve` serves, every version, for development.
pub fn environment(registry: &Registry) -> Channel {
    registry.environment.unwrap_or(Channel::Development)
}

/// Whether the site shows the tools for people who ship models (version switcher,
/// registry page): everywhere but where the public is.
pub fn shows_tools(environment: Channel) -> bool {
    environment != Channel::Production
}

pub async fn card(version: &Version) -> Result<ModelCard, String> {
    fetch_json(&format!("models/{}/card.json", version.path)).await
}

/// The key a version is compiled under in the worker.
pub fn model_key(model: &str, version: &Version) -> String {
    format!("{model}@{}", version.version)
}

pub fn model_url(version: &Version) -> String {
    format!("models/{}/model.onnx", version.path)
}

/// The version of `model` on the environment's own channel.
pub fn served_version(model: &RegisteredModel, environment: Channel) -> Option<&Version> {
    model.on_channel(environment)
}

/// Where a version stands, for people: "development, draft", "staging, production", or
/// "no channel" for one that only the history remembers.
pub fn standing(model: &RegisteredModel, version: &str) -> String {
    let mut tags: Vec<String> = model.channels_of(version).iter().map(Channel::to_string).collect();
    if model.is_draft(version) {
        tags.push("draft".into());
    }
    if tags.is_empty() { "no channel".into() } else { tags.join(", ") }
}

async fn fetch_json<T: DeserializeOwned>(url: &str) -> Result<T, String> {
    let response =
        gloo_net::http::Request::get(url).send().await.map_err(|e| format!("could not download {url}: {e}"))?;
    if !response.ok() {
        return Err(format!("could not download {url}: HTTP {}", response.status()));
    }
    let text = response.text().await.map_err(|e| format!("could not read {url}: {e}"))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{url} is not valid: {e} (line {}, column {})", e.line(), e.column()))
}
