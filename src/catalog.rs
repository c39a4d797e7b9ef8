//! What the site serves about its models: the registry and the model cards, fetched
//! from the `models/` folder next to the page.

use modelport_core::registry::{RegisteredModel, Version};
use modelport_core::{Channel, ModelCard, Registry};
use serde::de::DeserializeOwned;

pub const REGISTRY_URL: &str = "models/registry.json";

/// The channel this build of the site serves.
pub const CHANNEL: Channel = Channel::Development;

pub async fn registry() -> Result<Registry, String> {
    fetch_json(REGISTRY_URL).await
}

pub async fn card(version: &Version) -> Result<ModelCard, String> {
    fetch_json(&format!("models/{}/card.json", version.path)).await
}

pub fn model_url(version: &Version) -> String {
    format!("models/{}/model.onnx", version.path)
}

/// The version of `model` this site shows: the one on [`CHANNEL`].
pub fn served_version(model: &RegisteredModel) -> Option<&Version> {
    model.on_channel(CHANNEL)
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
