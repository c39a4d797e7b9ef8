//! One model's page: the version its link selects, with its card and the tool the link
//! names (the form, a CSV file, a stream) once the worker has compiled it; outside
//! production, a switcher to other versions.

use leptos::prelude::*;
use modelport_core::Channel;
use modelport_core::canary;
use modelport_core::link::{Route, Selector, Tool};
use modelport_core::registry::{RegisteredModel, Version};

use crate::components::batch_page::BatchPage;
use crate::components::compare_page::ComparePage;
use crate::components::model_card::ModelCardView;
use crate::components::monitor_page::MonitorPage;
use crate::components::predictor::{Challenger, Predictor};
use crate::components::recalibrate_page::RecalibratePage;
use crate::components::stream_page::StreamPage;
use crate::components::version_switcher::VersionSwitcher;
use crate::inference::Inference;
use crate::{catalog, settings};

/// The page of `model`, at the version the link selects.
#[component]
pub fn ModelPage(
    model: RegisteredModel,
    /// The environment the site was built for: its channel is the default version.
    environment: Channel,
    /// What follows `@` in the link, if anything.
    selector: Signal<Option<Selector>>,
    tool: Tool,
) -> impl IntoView {
    // On the production site a canary, if any, serves its share of browsers another
    // version; a link that names a version is always taken at its word.
    let browser = settings::browser_id();
    let version = Memo::new({
        let model = model.clone();
        move |_| {
            selector.with(|s| {
                let chosen = canary::select(&model, s.as_ref(), environment, &browser);
                chosen.map(|(version, _)| version.clone()).map_err(|e| e.to_string())
            })
        }
    });
    let shown = Signal::derive(move || version.with(|v| v.as_ref().ok().map(|v| v.version.clone())));
    let switcher =
        catalog::shows_tools(environment).then(|| view! { <VersionSwitcher model=model.clone() shown tool /> });
    let standing = {
        let model = model.clone();
        move || {
            let version = shown.get()?;
            let draft = model.is_draft(&version).then(|| view! { <span class="badge draft">"draft"</span> });
            let text = format!("{} · version {version} · {}", model.name, catalog::standing(&model, &version));
            Some(view! { <p class="model-meta">{text} " " {draft}</p> })
        }
    };
    let tabs = Tool::ALL
        .into_iter()
        .filter(|each| !each.is_for_the_team() || catalog::shows_tools(environment))
        .map(|each| {
            let name = model.name.clone();
            let href = move || Route::Model { name: name.clone(), selector: selector.get(), tool: each }.to_fragment();
            let current = (each == tool).then_some("page");
            view! { <a href=href aria-current=current>{each.label()}</a> }
        })
        .collect_view();

    view! {
        <article class="model-page" aria-labelledby="model-title">
            <header>
                <h1 id="model-title">{model.title.clone()}</h1>
                {standing}
                {switcher}
            </header>
            <nav class="tabs" aria-label="What to do with the model">{tabs}</nav>
            {move || match version.get() {
                Ok(_) if tool.is_for_the_team() && !catalog::shows_tools(environment) => view! {
                    <p class="error" role="alert">
                        {format!("“{}” is not available on the {environment} site.", tool.label())}
                    </p>
                }.into_any(),
                Ok(version) => view! { <ModelVersion model=model.clone() version tool /> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            }}
        </article>
    }
}

/// One version's tool, with its card.
#[component]
fn ModelVersion(model: RegisteredModel, version: Version, tool: Tool) -> impl IntoView {
    let inference = expect_context::<Inference>();
    let key = catalog::model_key(&model.name, &version);
    let url = catalog::model_url(&version);
    let card = LocalResource::new({
        let version = version.clone();
        move || {
            let version = version.clone();
            async move { catalog::card(&version).await }
        }
    });
    let download = RwSignal::new(None);
    // Reading `restarts` makes a restarted worker load the model again.
    let loaded = LocalResource::new({
        let (key, sha256, bytes) = (key.clone(), version.sha256.clone(), version.bytes);
        move || {
            inference.restarts.track();
            inference.load_showing(key.clone(), url.clone(), sha256.clone(), Some(bytes), Some(download.write_only()))
        }
    });

    move || match card.get() {
        None => view! { <p class="status" role="status">"Loading the model card…"</p> }.into_any(),
        Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
        Some(Ok(card)) => match tool {
            Tool::Predict => view! {
                <Predictor
                    card=card.clone()
                    model_key=key.clone()
                    loaded
                    challenger=challenger(&model, &version)
                    download=download.read_only()
                />
                <ModelCardView card />
            }
            .into_any(),
            Tool::Batch => {
                let challenger = challenger(&model, &version);
                view! { <BatchPage card version=version.clone() model_key=key.clone() loaded challenger /> }.into_any()
            }
            Tool::Stream => {
                view! { <StreamPage card model_key=key.clone() loaded challenger=challenger(&model, &version) /> }
                    .into_any()
            }
            Tool::Compare => {
                view! { <ComparePage model=model.clone() card version=version.clone() loaded /> }.into_any()
            }
            Tool::Monitor => view! { <MonitorPage card /> }.into_any(),
            Tool::Recalibrate => view! { <RecalibratePage card model_key=key.clone() loaded /> }.into_any(),
        },
    }
}

/// The challenger shadow mode runs beside `shown`, if it is on for the model and names
/// another version this site serves.
fn challenger(model: &RegisteredModel, shown: &Version) -> Option<Challenger> {
    let version = settings::shadow(&model.name).filter(|v| *v != shown.version)?;
    let version = model.version(&version)?.clone();
    Some(Challenger { key: catalog::model_key(&model.name, &version), version })
}
