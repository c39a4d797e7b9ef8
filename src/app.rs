//! The root component: the header, the model list, and the page the URL's fragment
//! names (see [`modelport_core::link`]), so that every page has a link that works on any
//! static host. What the site shows depends on the environment its registry names.

use leptos::prelude::*;
use modelport_core::link::{Comparison, Route};
use modelport_core::{Channel, Registry};

use crate::components::model_list::ModelList;
use crate::components::model_page::ModelPage;
use crate::components::registry_page::RegistryPage;
use crate::components::site_header::SiteHeader;
use crate::components::staging_banner::StagingBanner;
use crate::components::upload::UploadPage;
use crate::inference::Inference;
use crate::recalibrated::Recalibrations;
use crate::{catalog, route};

#[component]
pub fn App() -> impl IntoView {
    let inference = Inference::start();
    let update = crate::offline::register(inference.started.into());
    provide_context(inference);
    Recalibrations::provide();
    let registry = LocalResource::new(catalog::registry);
    let current = RwSignal::new(route::current());
    let _ = window_event_listener(leptos::ev::hashchange, move |_| current.set(route::current()));
    let environment = Signal::derive(move || match registry.get() {
        Some(Ok(registry)) => Some(catalog::environment(&registry)),
        _ => None,
    });

    view! {
        <SiteHeader environment />
        <crate::components::update_banner::UpdateBanner update />
        <WorkerBanner inference />
        {move || match registry.get() {
            None => view! { <p class="status" role="status">"Loading the model registry…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            Some(Ok(registry)) => view! { <Catalog registry current /> }.into_any(),
        }}
    }
}

/// The list beside the page the route names.
#[component]
fn Catalog(registry: Registry, current: RwSignal<Route>) -> impl IntoView {
    let environment = catalog::environment(&registry);
    // Re-rendered only when the page changes; a version or comparison chosen within a
    // page is followed by the page itself.
    let page = Memo::new(move |_| current.with(Route::page));
    let selected = Memo::new(move |_| match page.get() {
        Route::Model { name, .. } => Some(name),
        _ => None,
    });
    let selector = Signal::derive(move || match current.get() {
        Route::Model { selector, .. } => selector,
        _ => None,
    });
    let comparison = Signal::derive(move || match current.get() {
        Route::Registry(comparison) => comparison,
        _ => None::<Comparison>,
    });
    let banner = (environment == Channel::Staging).then(|| view! { <StagingBanner registry=registry.clone() /> });
    let models = registry.models.clone();

    view! {
        {banner}
        <div class="layout">
            <ModelList models environment selected />
            <main class="content">
                {move || match page.get() {
                    Route::Upload => view! { <UploadPage /> }.into_any(),
                    Route::Registry(_) if !catalog::shows_tools(environment) => view! {
                        <p class="error" role="alert">
                            {format!("The registry is not available on the {environment} site.")}
                        </p>
                    }.into_any(),
                    Route::Registry(_) => view! { <RegistryPage registry=registry.clone() comparison /> }.into_any(),
                    Route::Model { name, tool, .. } => match registry.model(&name) {
                        Some(model) => view! { <ModelPage model=model.clone() environment selector tool /> }.into_any(),
                        None => view! {
                            <p class="error" role="alert">
                                {format!("There is no model named “{name}”. Pick one from the list.")}
                            </p>
                        }.into_any(),
                    },
                    Route::Home => view! { <Intro /> }.into_any(),
                }}
            </main>
        </div>
    }
}

#[component]
fn Intro() -> impl IntoView {
    view! {
        <section class="intro">
            <h1>"Pick a model"</h1>
            <p>"Every model here runs in your browser, in a background worker: predictions appear as you type, and work offline once the page has loaded."</p>
            <p>
                "Have a model of your own? "
                <a href=Route::Upload.to_fragment()>"Open an ONNX file"</a>
                " to inspect it and, if Modelport can run it, try it here. It never leaves your device."
            </p>
        </section>
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
