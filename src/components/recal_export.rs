//! "Export": the learner as `model.onnx` (written by the worker, which has the engine)
//! and its `card.json`, for `modelport register` as a development version.

use leptos::prelude::*;
use leptos::task::spawn_local;
use modelport_core::ModelCard;
use modelport_core::link::{Route, Tool};

use crate::components::download;
use crate::components::recalibrate_page::Session;
use crate::inference::Inference;
use crate::recalibrated::{Recalibrated, Recalibrations};
use crate::route;

/// The two download buttons and how to register what they give.
#[component]
pub(super) fn RecalExport(
    /// The shipped version's card, the base of the new one.
    card: ModelCard,
    /// What the page has learned.
    session: Session,
) -> impl IntoView {
    let inference = expect_context::<Inference>();
    let problem = RwSignal::new(None::<String>);
    let command =
        format!("modelport register model.onnx --card card.json --name {} --version <a new version>", card.name);
    let card = StoredValue::new(card);
    let empty = move || session.learner.with(|l| l.learned() == 0);
    let onnx = move |_| {
        let (sgd, scaler) = session.learner.with_untracked(|l| (l.sgd().clone(), l.scaler().clone()));
        spawn_local(async move {
            let result = inference.export(sgd, scaler, card.get_value()).await.and_then(|bytes| {
                download(&js_sys::Uint8Array::from(&bytes[..]).into(), "application/octet-stream", "model.onnx")
            });
            problem.set(result.err().map(|e| format!("model.onnx could not be written: {e}")));
        });
    };
    let written = move || {
        card.with_value(|base| {
            let learned = session.learner.with_untracked(|l| l.recalibration(session.skipped.get_untracked()));
            learned.card(base, &sources(session), "")
        })
    };
    let compare = move |_| {
        let (sgd, scaler) = session.learner.with_untracked(|l| (l.sgd().clone(), l.scaler().clone()));
        let examples = session.learner.with_untracked(|l| l.learned());
        let recalibrations = Recalibrations::get();
        let name = card.with_value(|c| c.name.clone());
        let key = recalibrations.next_key(&name);
        let learned = written();
        spawn_local(async move {
            let compiled = async {
                let onnx = inference.export(sgd, scaler, card.get_value()).await?;
                inference.compile(key.clone(), onnx).await
            };
            match compiled.await {
                Ok(loaded) => {
                    let signature = loaded.signature;
                    recalibrations.set(&name, Recalibrated { key, card: learned, signature, examples });
                    route::go(&Route::Model { name, selector: None, tool: Tool::Compare });
                }
                Err(e) => problem.set(Some(format!("The recalibration could not be compiled for comparison: {e}"))),
            }
        });
    };
    let card_json = move |_| {
        let written = written();
        let result = serde_json::to_string_pretty(&written)
            .map_err(|e| e.to_string())
            .and_then(|text| download(&text.into(), "application/json", "card.json"));
        problem.set(result.err().map(|e| format!("card.json could not be written: {e}")));
    };
    view! {
        <section class="recal-part" aria-labelledby="recal-export-title">
            <h3 id="recal-export-title">"Export"</h3>
            <div class="recal-actions">
                <button type="button" class="primary" id="recal-export-onnx" on:click=onnx disabled=empty>"Download model.onnx"</button>
                <button type="button" class="secondary" id="recal-export-card" on:click=card_json disabled=empty>"Download card.json"</button>
                <button type="button" class="secondary" id="recal-compare" on:click=compare disabled=empty>"Compare with the registered versions"</button>
            </div>
            <p class="hint">
                "The file takes the raw feature values, with the learner's scaling inside; the card keeps this model's features and records the prequential metrics. Register both as a development version with "
                <code>{command}</code> "."
            </p>
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
        </section>
    }
}

/// What the learner learned from, for the card's training dataset.
fn sources(session: Session) -> String {
    let corrections = session.corrections.get_untracked();
    let mut parts = vec![];
    if corrections > 0 {
        parts.push(format!("{corrections} corrected {}", if corrections == 1 { "prediction" } else { "predictions" }));
    }
    parts.extend(session.files.get_untracked().into_iter().map(|f| format!("“{f}”")));
    let streamed = session.streamed.get_untracked();
    if streamed > 0 {
        parts.push(format!("{streamed} streamed {}", if streamed == 1 { "record" } else { "records" }));
    }
    format!("{} in the browser", parts.join(" and "))
}
