//! The registry page, for the people who ship models: per model, its channels, its
//! versions, its recent history and two versions' cards compared.

use leptos::prelude::*;
use modelport_core::link::{Comparison, Route, Selector, Tool};
use modelport_core::registry::{RegisteredModel, Version, primary_metric};
use modelport_core::{Channel, Registry};

use crate::catalog;
use crate::components::card_diff::CardComparison;
use crate::components::model_card::metric_name;
use crate::components::model_history::ModelHistory;
use crate::components::{format_bytes, format_number};

#[component]
pub fn RegistryPage(
    /// The registry as this site serves it.
    registry: Registry,
    /// The versions a link asked to compare, if any; other models compare their default pair.
    comparison: Signal<Option<Comparison>>,
) -> impl IntoView {
    let environment = catalog::environment(&registry);
    // A link to one model's comparison (staging's banner gives them) lands on that
    // model; later choices on the page leave the scroll where the reader put it.
    Effect::new(move |_| {
        let Some(comparison) = comparison.get_untracked() else { return };
        if let Some(section) = document().get_element_by_id(&heading_id(&comparison.model)) {
            section.scroll_into_view();
        }
    });
    let models = registry
        .models
        .into_iter()
        .map(|model| view! { <RegistryModel model environment comparison /> })
        .collect_view();
    view! {
        <div class="registry-page">
            <header>
                <h1>"Registry"</h1>
                <p class="model-meta">
                    {format!("What the {environment} site serves: each model's channels, versions and recent history, and any two versions' cards side by side.")}
                </p>
            </header>
            {models}
        </div>
    }
}

#[component]
fn RegistryModel(
    model: RegisteredModel,
    environment: Channel,
    comparison: Signal<Option<Comparison>>,
) -> impl IntoView {
    let heading = heading_id(&model.name);
    let channels = model
        .channels
        .iter()
        .map(|(channel, version)| {
            let href = Route::Model { name: model.name.clone(), selector: Some(Selector::Channel(*channel)), tool: Tool::Predict };
            view! { <li><span class="channel">{channel.to_string()}</span> " " <a href=href.to_fragment()>{version.clone()}</a></li> }
        })
        .collect_view();
    let versions = model.versions_newest_first().into_iter().map(|v| version_row(&model, v)).collect_view();

    view! {
        <section class="registry-model" aria-labelledby=heading.clone()>
            <h2 id=heading.clone()>{model.title.clone()} " " <span class="model-meta">{model.name.clone()}</span></h2>
            <ul class="channels" aria-label="Channels">{channels}</ul>
            <h3>"Versions"</h3>
            <div class="table-scroll">
                <table class="versions">
                    <thead>
                        <tr>
                            <th scope="col">"Version"</th>
                            <th scope="col">"Channels"</th>
                            <th scope="col">"Headline metrics"</th>
                            <th scope="col">"Size"</th>
                            <th scope="col">"SHA-256"</th>
                            <th scope="col">"Created"</th>
                        </tr>
                    </thead>
                    <tbody>{versions}</tbody>
                </table>
            </div>
            <ModelHistory events=model.history.clone() />
            <CardComparison model environment comparison />
        </section>
    }
}

fn version_row(model: &RegisteredModel, version: &Version) -> impl IntoView + use<> {
    let draft = model.is_draft(&version.version).then(|| view! { <span class="badge draft">"draft"</span> });
    let channels: Vec<String> = model.channels_of(&version.version).iter().map(Channel::to_string).collect();
    let metrics = headline_metrics(model)
        .iter()
        .filter_map(|name| {
            version.metrics.get(*name).map(|v| format!("{} {}", metric_name(name), format_number(*v, 4)))
        })
        .collect::<Vec<_>>()
        .join(", ");
    let short_sha = version.sha256.chars().take(12).collect::<String>();
    // The date is what people compare; the full time is in the tooltip.
    let date = version.created.split('T').next().unwrap_or_default().to_owned();
    view! {
        <tr>
            <th scope="row">{version.version.clone()} " " {draft}</th>
            <td>{channels.join(", ")}</td>
            <td class="numbers">{metrics}</td>
            <td class="numbers">{format_bytes(version.bytes)}</td>
            <td class="hash" title=version.sha256.clone()>{short_sha}</td>
            <td title=version.created.clone()>{date}</td>
        </tr>
    }
}

fn heading_id(model: &str) -> String {
    format!("registry-{model}")
}

/// The gate's metric and the one most often quoted beside it.
fn headline_metrics(model: &RegisteredModel) -> [&'static str; 2] {
    let second = if primary_metric(model.task) == "accuracy" { "macro_f1" } else { "r2" };
    [primary_metric(model.task), second]
}
