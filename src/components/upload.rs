//! Bring your own model: drop or pick an `.onnx` file, see what it is, and use it if
//! Modelport can run it. The file never leaves the device: the page hands the worker a
//! `blob:` URL of it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use modelport_core::{Inspection, ModelCard};
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, File, HtmlInputElement, Url};

use crate::components::inspector::InspectorView;
use crate::components::predictor::Predictor;
use crate::inference::Inference;

/// The file being looked at, and how far it got.
#[derive(Clone, Debug, PartialEq)]
enum Opened {
    Reading { name: String },
    Unreadable { name: String, message: String },
    Inspected { name: String, url: String, inspection: Box<Inspection> },
}

#[component]
pub fn UploadPage() -> impl IntoView {
    let inference = expect_context::<Inference>();
    let opened = RwSignal::new(None::<Opened>);
    let dragging = RwSignal::new(false);
    // The latest file wins: an inspection that finishes after another file was opened
    // is dropped.
    let generation = StoredValue::new(0_u32);
    // The blob URL of the file open now: released when the next one is opened.
    let current_url = StoredValue::new(None::<String>);
    let open = move |file: File| {
        let name = file.name();
        if let Some(url) = current_url.try_update_value(Option::take).flatten() {
            let _ = Url::revoke_object_url(&url);
        }
        let url = match Url::create_object_url_with_blob(&file) {
            Ok(url) => url,
            Err(_) => {
                let message = "the browser would not open it".to_owned();
                return opened.set(Some(Opened::Unreadable { name, message }));
            }
        };
        current_url.set_value(Some(url.clone()));
        generation.update_value(|g| *g += 1);
        let current = generation.get_value();
        opened.set(Some(Opened::Reading { name: name.clone() }));
        spawn_local(async move {
            let result = inference.inspect(url.clone()).await;
            if generation.get_value() != current {
                return;
            }
            opened.set(Some(match result {
                Ok(inspection) => Opened::Inspected { name, url, inspection: Box::new(inspection) },
                Err(message) => Opened::Unreadable { name, message },
            }));
        });
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input = ev.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok());
        if let Some(file) = input.as_ref().and_then(|i| i.files()?.get(0)) {
            open(file);
        }
        // Picking the same file again must fire `change` again.
        if let Some(input) = input {
            input.set_value("");
        }
    };
    let on_drop = move |ev: DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(file) = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
            open(file);
        }
    };

    view! {
        <article class="upload-page" aria-labelledby="upload-title">
            <header>
                <h1 id="upload-title">"Your own model"</h1>
                <p class="model-meta">"Any ONNX file: inspect it, and run it if Modelport can."</p>
            </header>
            <div
                class="drop-zone"
                class:dragging=dragging
                on:dragover=move |ev: DragEvent| {
                    ev.prevent_default();
                    dragging.set(true);
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <p>"Drop an " <code>".onnx"</code> " file here, or"</p>
                <label class="button">
                    "Choose an ONNX model file"
                    <input type="file" accept=".onnx" class="visually-hidden" on:change=on_pick />
                </label>
                <p class="hint">"The file stays on this device: it is read and run here, never uploaded."</p>
            </div>
            {move || opened.get().map(|opened| match opened {
                Opened::Reading { name } => {
                    view! { <p class="status" role="status">{format!("Reading “{name}”…")}</p> }.into_any()
                }
                Opened::Unreadable { name, message } => view! {
                    <div class="error" role="alert">
                        <p><strong>{format!("“{name}” could not be read as an ONNX model.")}</strong></p>
                        <p>{message}</p>
                        <p>"Nothing was sent anywhere. Try another file, or pick a model from the list."</p>
                    </div>
                }
                .into_any(),
                Opened::Inspected { name, url, inspection } => {
                    view! { <Uploaded name url inspection=*inspection /> }.into_any()
                }
            })}
        </article>
    }
}

/// An inspected file: its inspector, and its form if it can run.
#[component]
fn Uploaded(name: String, url: String, inspection: Inspection) -> impl IntoView {
    let inference = expect_context::<Inference>();
    let verdict = if !inspection.unsupported.is_empty() {
        let nodes = inspection.unsupported.iter().map(|n| view! { <li>{n.to_string()}</li> }).collect_view();
        let count = inspection.unsupported.len();
        view! {
            <div class="error" role="alert">
                <p>
                    <strong>
                        {format!(
                            "Modelport cannot run “{}”: {count} node{} use{} operators it does not support.",
                            name,
                            if count == 1 { "" } else { "s" },
                            if count == 1 { "s" } else { "" },
                        )}
                    </strong>
                </p>
                <ul class="unsupported">{nodes}</ul>
                <p>"Everything else still works: try another file, or pick a model from the list."</p>
            </div>
        }
        .into_any()
    } else {
        match ModelCard::generate(&name, &inspection) {
            Err(e) => view! {
                <p class="error" role="alert">{format!("“{name}” cannot be given a form: {e}.")}</p>
            }
            .into_any(),
            Ok(card) => {
                // The hash is the key: the same file dropped twice compiles once.
                let key = format!("upload:{}", inspection.sha256);
                // Not reloaded when the worker restarts: if this file is what crashed
                // it, loading it again would crash it again.
                let loaded = LocalResource::new({
                    let (key, sha256) = (key.clone(), inspection.sha256.clone());
                    move || inference.load(key.clone(), url.clone(), sha256.clone())
                });
                view! { <Predictor card model_key=key loaded /> }.into_any()
            }
        }
    };
    view! {
        {verdict}
        <InspectorView name inspection />
    }
}
