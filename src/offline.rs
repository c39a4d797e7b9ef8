//! The site offline: registers the service worker (`public/sw.js`, which keeps the
//! whole site in the Cache API), and notices when a new deployment's worker has
//! installed while this page still runs the old one, so that the page can offer a
//! reload ([`crate::components::update_banner`]).
//!
//! Without service workers (an insecure origin, an old browser) the site still works,
//! online only.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    RegistrationOptions, ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState,
    ServiceWorkerUpdateViaCache,
};

/// The service worker, beside index.html (index.html copies it there; `cargo xtask
/// build` writes its file list).
const SCRIPT: &str = "sw.js";

/// A new version of the site, installed and waiting for this page to let it take over.
#[derive(Clone)]
pub struct Update(ServiceWorker);

impl Update {
    /// Lets the waiting worker take over, and reloads the page once it has: the page
    /// then starts again on the new version's files.
    pub fn apply(&self) {
        if let Some(container) = container() {
            let reload = Closure::once_into_js(|| {
                if let Some(Err(e)) = web_sys::window().map(|w| w.location().reload()) {
                    web_sys::console::error_1(&e);
                }
            });
            container.set_oncontrollerchange(Some(reload.unchecked_ref()));
        }
        // sw.js's message handler calls skipWaiting().
        if let Err(e) = self.0.post_message(&"skipWaiting".into()) {
            web_sys::console::error_1(&e);
        }
    }
}

/// Registers the service worker once `after` turns true; the signal holds an
/// [`Update`] once a new version is ready.
///
/// The worker's install downloads every file of the site. Registered at once, it
/// would download the inference worker's wasm, the largest file by far, while the
/// inference worker is still downloading it too: twice the bytes before the first
/// prediction. Registered after, it finds that copy in the HTTP cache.
pub fn register(after: Signal<bool>) -> ReadSignal<Option<Update>, LocalStorage> {
    let (update, set_update) = signal_local(None);
    Effect::new(move |registered: Option<bool>| {
        if registered == Some(true) || !after.get() {
            return registered.unwrap_or(false);
        }
        start(set_update);
        true
    });
    update
}

fn start(set_update: WriteSignal<Option<Update>, LocalStorage>) {
    let Some(container) = container() else {
        return;
    };
    let options = RegistrationOptions::new();
    options.set_scope("./");
    // The browser fetches sw.js itself, never from the HTTP cache: it is how a new
    // deployment is seen.
    options.set_update_via_cache(ServiceWorkerUpdateViaCache::None);
    let registering = container.register_with_options(SCRIPT, &options);
    wasm_bindgen_futures::spawn_local(async move {
        match JsFuture::from(registering).await {
            // A `register` that resolves to no registration (stubbed out, as playwright's
            // `serviceWorkers: "block"` does) registered nothing to follow.
            Ok(registration) => match registration.dyn_into() {
                Ok(registration) => watch(&registration, set_update),
                Err(_) => web_sys::console::warn_1(&"Modelport works online only: no service worker registered".into()),
            },
            Err(e) => web_sys::console::warn_2(
                &"Modelport works online only: the service worker did not register:".into(),
                &e,
            ),
        }
    });
}

/// Follows `registration` for a new worker: one that waits already (installed on an
/// earlier visit), one installing now, and any found later.
fn watch(registration: &ServiceWorkerRegistration, set_update: WriteSignal<Option<Update>, LocalStorage>) {
    if let Some(waiting) = registration.waiting() {
        ready(waiting, set_update);
    } else if let Some(installing) = registration.installing() {
        follow(installing, set_update);
    }
    let found = registration.clone();
    let on_found = Closure::<dyn FnMut()>::new(move || {
        if let Some(installing) = found.installing() {
            follow(installing, set_update);
        }
    });
    registration.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
    // The page listens for as long as it lives.
    on_found.forget();
}

/// Offers `worker` once it has installed.
fn follow(worker: ServiceWorker, set_update: WriteSignal<Option<Update>, LocalStorage>) {
    let watched = worker.clone();
    let on_state = Closure::<dyn FnMut()>::new(move || {
        if watched.state() == ServiceWorkerState::Installed {
            ready(watched.clone(), set_update);
        }
    });
    worker.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
    on_state.forget();
}

/// An installed worker is an update only when another one controls this page; the
/// first worker of a first visit simply takes over (sw.js claims its clients).
fn ready(worker: ServiceWorker, set_update: WriteSignal<Option<Update>, LocalStorage>) {
    if container().and_then(|c| c.controller()).is_some() {
        set_update.set(Some(Update(worker)));
    }
}

/// `navigator.serviceWorker`, where the browser has it (secure contexts only).
fn container() -> Option<ServiceWorkerContainer> {
    let container = web_sys::window()?.navigator().service_worker();
    (!container.is_undefined()).then_some(container)
}
