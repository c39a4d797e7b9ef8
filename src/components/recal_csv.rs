//! "Learn from a labelled CSV": the learner reads a file with the card's features and
//! target row by row, in chunks that yield to the browser, while the shipped version
//! predicts the same rows; bad rows are listed with line, column and reason.

use std::io::Cursor;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use modelport_core::recalibrate::{Example, LabelledRows, Skipped, Tally, default_settings, predicted};
use modelport_core::{ModelCard, Signature};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, HtmlInputElement};

use crate::components::format_number;
use crate::components::recalibrate_page::{Session, Shipped};
use crate::inference::Inference;

/// Rows learned between yields to the browser: the curve and progress redraw after each
/// chunk, and one chunk is one batch for the shipped version.
const CHUNK: usize = 50;

/// A file's pass so far.
#[derive(Clone, Debug, Default)]
struct FileRun {
    name: String,
    /// Share of the file's bytes read.
    progress: f64,
    learned: u64,
    skipped: Skipped,
    /// Prequential metrics of the learner on this file's rows, and the shipped
    /// version's metrics on the same rows.
    learner: Vec<(&'static str, f64)>,
    shipped: Vec<(&'static str, f64)>,
    shipped_error: Option<String>,
    done: bool,
}

/// The file picker and the pass over the file.
#[component]
pub(super) fn LearnCsv(
    /// The shipped version: its card names the features and the target to find in the
    /// file, and it predicts the same rows as the learner.
    shipped: Shipped,
    /// What the page has learned.
    session: Session,
) -> impl IntoView {
    let Shipped { card, model_key, loaded } = shipped;
    let inference = expect_context::<Inference>();
    let run = RwSignal::new(None::<Result<FileRun, String>>);
    let target = card.target.name.clone();
    let card = StoredValue::new(card);
    let model_key = StoredValue::new(model_key);
    let busy = move || matches!(run.get(), Some(Ok(FileRun { done: false, .. })));
    let on_pick = move |ev: leptos::ev::Event| {
        let input = ev.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok());
        let Some(file) = input.as_ref().and_then(|i| i.files()?.get(0)) else { return };
        if let Some(input) = &input {
            // Picking the same file again learns it again.
            input.set_value("");
        }
        spawn_local(async move {
            // The shipped version may still be loading: its predictions wait for it.
            let signature = loaded.await.map(|model| model.signature);
            let key = model_key.get_value();
            if let Err(e) = learn_file(file, card, key, signature, session, run, inference).await {
                run.set(Some(Err(e)));
            }
        });
    };

    view! {
        <section class="recal-part" aria-labelledby="recal-csv-title">
            <h3 id="recal-csv-title">"Learn from a labelled CSV"</h3>
            <p class="hint">
                "The first row names the columns: the features, as on the batch page, and the target, “" {target} "” (class names or class indices)."
            </p>
            <label class="button secondary recal-pick">
                "Choose a labelled CSV file"
                <input id="recal-file" type="file" accept=".csv,text/csv" class="visually-hidden" on:change=on_pick disabled=busy />
            </label>
            {move || run.get().map(|run| match run {
                Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Ok(run) => view! { <FileRunView run /> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn FileRunView(run: FileRun) -> impl IntoView {
    let FileRun { name, progress, learned, skipped, learner, shipped, shipped_error, done } = run;
    let state = if done { "learned" } else { "learning" };
    let rows = metric_rows(&learner, &shipped);
    let errors = skipped.first.into_iter().map(|e| view! { <li>{e}</li> }).collect_view();
    let more = skipped.count.saturating_sub(modelport_core::batch::FIRST_ERRORS as u64);
    view! {
        <p class="status" role="status" id="recal-csv-status">
            {format!("“{name}”: {} {state}, {} could not be", rows_word(learned), skipped.count)}
        </p>
        <progress max="1" value=progress.to_string() aria-label="Share of the file read"></progress>
        <table class="recal-metrics" id="recal-csv-metrics">
            <caption>"On this file's rows (each predicted before it was learned)"</caption>
            <thead><tr><th scope="col">"Metric"</th><th scope="col">"Recalibrated"</th><th scope="col">"Shipped"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
        {shipped_error.map(|e| view! { <p class="error" role="alert">{format!("The shipped version could not predict the rows: {e}.")}</p> })}
        {(skipped.count > 0).then(|| view! {
            <div class="error" id="recal-csv-errors">
                <p>{format!("{} could not be learned:", rows_word(skipped.count))}</p>
                <ul>{errors}</ul>
                {(more > 0).then(|| view! { <p>{format!("and {more} more")}</p> })}
            </div>
        })}
    }
}

/// `1 row`, `2 rows`.
fn rows_word(n: u64) -> String {
    format!("{n} {}", if n == 1 { "row" } else { "rows" })
}

fn metric_rows(learner: &[(&'static str, f64)], shipped: &[(&'static str, f64)]) -> AnyView {
    let shown = |v: Option<f64>| v.map_or("—".to_owned(), |v| format_number(v, 4));
    learner
        .iter()
        .map(|&(name, mine)| {
            let theirs = shipped.iter().find(|(n, _)| *n == name).map(|&(_, v)| v);
            view! { <tr><th scope="row">{name}</th><td>{shown(Some(mine))}</td><td>{shown(theirs)}</td></tr> }
        })
        .collect_view()
        .into_any()
}

/// Learns `file` row by row into the session, showing the pass in `run`.
async fn learn_file(
    file: File,
    card: StoredValue<ModelCard>,
    key: String,
    signature: Result<Signature, String>,
    session: Session,
    run: RwSignal<Option<Result<FileRun, String>>>,
    inference: Inference,
) -> Result<(), String> {
    let name = file.name();
    let buffer = JsFuture::from(file.array_buffer()).await.map_err(|e| format!("could not read “{name}”: {e:?}"))?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    let total = bytes.len().max(1) as f64;
    let base = card.get_value();
    let loss = default_settings(&base).map_err(|e| e.to_string())?.loss;
    let mut rows = LabelledRows::new(&base, Cursor::new(bytes), None).map_err(|e| format!("“{name}”: {e}"))?;
    let (mut mine, mut theirs) = (Tally::new(loss), Tally::new(loss));
    let mut state =
        FileRun { name: name.clone(), shipped_error: signature.as_ref().err().cloned(), ..FileRun::default() };
    session.files.update(|files| files.push(name));
    loop {
        let chunk: Vec<_> = rows.by_ref().take(CHUNK).collect();
        if chunk.is_empty() {
            break;
        }
        let mut examples = Vec::with_capacity(chunk.len());
        for item in chunk {
            match item {
                Ok(example) => examples.push(example),
                Err(reason) => {
                    session.skipped.update(|s| s.add(reason.clone()));
                    state.skipped.add(reason);
                }
            }
        }
        session.learner.update(|learner| {
            for e in &examples {
                mine.add(&learner.learn(&e.x, e.y), e.y);
            }
        });
        if let (Ok(signature), None, false) = (&signature, &state.shipped_error, examples.is_empty()) {
            match shipped_predictions(inference, &base, key.clone(), signature, &examples).await {
                Ok(said) => said.into_iter().zip(&examples).for_each(|(p, e)| theirs.add_predicted(p, e.y)),
                Err(e) => state.shipped_error = Some(e),
            }
        }
        state.learned = mine.count();
        state.progress = rows.bytes_read() as f64 / total;
        state.learner = mine.metrics();
        state.shipped = if theirs.count() > 0 { theirs.metrics() } else { vec![] };
        run.set(Some(Ok(state.clone())));
        // Let the browser draw and take input before the next chunk.
        TimeoutFuture::new(0).await;
    }
    state.done = true;
    state.progress = 1.0;
    run.set(Some(Ok(state)));
    Ok(())
}

/// The shipped version's predictions for `examples`, as the tally scores them.
async fn shipped_predictions(
    inference: Inference,
    card: &ModelCard,
    key: String,
    signature: &Signature,
    examples: &[Example],
) -> Result<Vec<f64>, String> {
    let rows: Vec<_> = examples.iter().map(|e| e.row.clone()).collect();
    let inputs = card.assemble(signature, &rows).map_err(|e| e.to_string())?;
    let ran = inference.run(key, inputs).await?;
    let predictions = card.interpret(&ran.outputs).map_err(|e| e.to_string())?;
    predictions
        .iter()
        .map(|p| predicted(card, p).ok_or_else(|| format!("it predicted a class the card does not list ({p:?})")))
        .collect()
}
