//! One model's page: its card, and the predictor once the worker has compiled it.

use leptos::prelude::*;
use modelport_core::registry::RegisteredModel;

use crate::catalog;
use crate::components::model_card::ModelCardView;
use crate::components::predictor::Predictor;
use crate::inference::Inference;

/// The page of the version of `model` this site serves.
#[component]
pub fn ModelPage(model: RegisteredModel) -> impl IntoView {
    let Some(version) = catalog::served_version(&model).cloned() else {
        return view! {
            <p class="error" role="alert">{format!("{} has no {} version.", model.name, catalog::CHANNEL)}</p>
        }
        .into_any();
    };
    let inference = expect_context::<Inference>();
    let key = format!("{}@{}", model.name, version.version);
    let url = catalog::model_url(&version);
    let card = LocalResource::new({
        let version = version.clone();
        move || {
            let version = version.clone();
            async move { catalog::card(&version).await }
        }
    });
    // Reading `restarts` makes a restarted worker load the model again.
    let loaded = LocalResource::new({
        let (key, version) = (key.clone(), version.clone());
        move || {
            inference.restarts.track();
            inference.load(key.clone(), url.clone(), version.sha256.clone())
        }
    });

    view! {
        <article class="model-page" aria-labelledby="model-title">
            <header>
                <h1 id="model-title">{model.title.clone()}</h1>
                <p class="model-meta">
                    {format!("{} · version {} · {} channel", model.name, version.version, catalog::CHANNEL)}
                </p>
            </header>
            {move || match card.get() {
                None => view! { <p class="status" role="status">"Loading the model card…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Some(Ok(card)) => {
                    let key = key.clone();
                    view! {
                        <Predictor card=card.clone() model_key=key loaded />
                        <ModelCardView card />
                    }
                    .into_any()
                }
            }}
        </article>
    }
    .into_any()
}
