//! The root component: the model list, and the model chosen in the URL's fragment
//! (`#/iris-logreg`), so that every model has a link that works on any static host.
//! `#/upload` is the page for a model file of the user's own.

use leptos::prelude::*;
use modelport_core::Registry;

use crate::catalog;
use crate::components::model_list::ModelList;
use crate::components::model_page::ModelPage;
use crate::components::upload::UploadPage;
use crate::inference::Inference;

/// The fragment of the page for a model file of the user's own.
const UPLOAD: &str = "upload";

#[component]
pub fn App() -> impl IntoView {
    let inference = Inference::start();
    provide_context(inference);
    let registry = LocalResource::new(catalog::registry);
    let selected = RwSignal::new(selected_from_hash());
    let _ = window_event_listener(leptos::ev::hashchange, move |_| selected.set(selected_from_hash()));

    view! {
        <header class="top">
            <a class="brand" href="#/">"Modelport"</a>
            <span class="tagline">"Machine-learning models that run on your device. Nothing you type leaves it."</span>
            <a class="upload-link" href=format!("#/{UPLOAD}")>"Open your own model"</a>
        </header>
        <WorkerBanner inference />
        {move || match registry.get() {
            None => view! { <p class="status" role="status">"Loading the model registry…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            Some(Ok(registry)) => view! { <Catalog registry selected /> }.into_any(),
        }}
    }
}

/// The list beside the chosen model's page.
#[component]
fn Catalog(registry: Registry, selected: RwSignal<Option<String>>) -> impl IntoView {
    let models = registry.models.clone();
    view! {
        <div class="layout">
            <ModelList models selected=selected.read_only() />
            <main class="content">
                {move || {
                    let name = selected.get();
                    if name.as_deref() == Some(UPLOAD) {
                        return view! { <UploadPage /> }.into_any();
                    }
                    match name.as_ref().and_then(|n| registry.model(n)) {
                        Some(model) => view! { <ModelPage model=model.clone() /> }.into_any(),
                        None if name.is_some() => view! {
                            <p class="error" role="alert">
                                {format!("There is no model named “{}”. Pick one from the list.", name.unwrap_or_default())}
                            </p>
                        }.into_any(),
                        None => view! {
                            <section class="intro">
                                <h1>"Pick a model"</h1>
                                <p>"Every model here runs in your browser, in a background worker: predictions appear as you type, and work offline once the page has loaded."</p>
                                <p>
                                    "Have a model of your own? "
                                    <a href=format!("#/{UPLOAD}")>"Open an ONNX file"</a>
                                    " to inspect it and, if Modelport can run it, try it here. It never leaves your device."
                                </p>
                            </section>
                        }.into_any(),
                    }
                }}
            </main>
        </div>
    }
}

/// Says, in words, when the inference worker died and was restarted.
#[component]
fn WorkerBanner(inference: Inference) -> impl IntoView {
    move || {
        inference.last_crash.get().map(|reason| {
            view! {
                <p class="warning" role="alert">
                    {format!("Predictions were interrupted: {reason}.")}
                </p>
            }
        })
    }
}

fn selected_from_hash() -> Option<String> {
    let hash = window().location().hash().unwrap_or_default();
    let name = hash.trim_start_matches('#').trim_start_matches('/');
    (!name.is_empty()).then(|| js_sys::decode_uri_component(name).map(String::from).unwrap_or(name.to_owned()))
}
