//! Score a CSV file: pick or drop it, check which column feeds which feature (and
//! change it), score it on every core with progress and a way to cancel, then download
//! the output and read the summary: errors, the predictions' distribution, and the
//! file's profile beside the training data's.

use leptos::prelude::*;
use leptos::task::spawn_local;
use modelport_core::ModelCard;
use modelport_core::batch::{self, ColumnMap};
use modelport_core::card::FeatureValue;
use modelport_core::record::{Record, Source};
use modelport_core::registry::Version;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DragEvent, File, HtmlInputElement, Url};

use crate::batch_run::{self, Canceller, Job, Progress};
use crate::catalog;
use crate::components::batch_mapping::Mapping;
use crate::components::batch_progress::ProgressView;
use crate::components::batch_result::{Finished, FinishedView};
use crate::components::batch_shadow::BatchShadow;
use crate::components::now;
use crate::components::predictor::Challenger;
use crate::inference::Loaded;
use crate::recorder;

/// Enough of a file's start to hold its header row.
const HEADER_BYTES: f64 = (1 << 20) as f64;

#[derive(Clone, Debug, PartialEq)]
enum Stage {
    Idle,
    Running { progress: Progress, started: f64 },
    Done(Box<Finished>),
    Cancelled,
    Failed(String),
}

/// The batch tool for one model version.
#[component]
pub fn BatchPage(
    /// The model's card: features, target, training statistics.
    card: ModelCard,
    /// The version to score with: where its model is, and its digest.
    version: Version,
    /// The key the model is compiled under in the inference worker.
    model_key: String,
    /// The worker's compiled model, or why it could not be loaded.
    loaded: LocalResource<Result<Loaded, String>>,
    /// Shadow mode's challenger, when it is on.
    #[prop(default = None)]
    challenger: Option<Challenger>,
) -> impl IntoView {
    let shadow_rows = RwSignal::new(None::<Vec<Vec<FeatureValue>>>);
    let shadow = StoredValue::new((model_key, challenger));
    let file = StoredValue::new_local(None::<File>);
    let header = RwSignal::new(None::<Result<(String, Vec<String>), String>>);
    let mapping = RwSignal::new(Vec::<Option<usize>>::new());
    let stage = RwSignal::new(Stage::Idle);
    let canceller = StoredValue::new_local(None::<Canceller>);
    let dragging = RwSignal::new(false);
    let card = StoredValue::new(card);

    let open = move |chosen: File| {
        let name = chosen.name();
        file.set_value(Some(chosen.clone()));
        stage.set(Stage::Idle);
        spawn_local(async move {
            let read = read_header(&chosen).await;
            if let Ok(columns) = &read {
                mapping.set(card.with_value(|card| ColumnMap::suggest(columns, card)));
            }
            header.set(Some(read.map(|columns| (name, columns))));
        });
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input = ev.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok());
        if let Some(chosen) = input.as_ref().and_then(|i| i.files()?.get(0)) {
            open(chosen);
        }
    };
    let on_drop = move |ev: DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(chosen) = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
            open(chosen);
        }
    };
    let running = move || matches!(stage.get(), Stage::Running { .. });
    let complete = move || !mapping.with(Vec::is_empty) && mapping.with(|m| m.iter().all(Option::is_some));
    let signature = move || match loaded.get() {
        Some(Ok(loaded)) => Some(loaded.signature),
        _ => None,
    };
    let can_start = move || complete() && !running() && signature().is_some();

    let start = move |_| {
        let (Some(chosen), Some(Some(Ok((name, columns)))), Some(signature)) =
            (file.get_value(), Some(header.get_untracked()), signature())
        else {
            return;
        };
        let map = ColumnMap::new(columns, mapping.get_untracked().into_iter().flatten().collect());
        let job = Job {
            file: chosen,
            url: catalog::model_url(&version),
            sha256: version.sha256.clone(),
            card: card.get_value(),
            header: batch::output_header(&map, &signature),
            map,
        };
        let started = now();
        stage.set(Stage::Running { progress: Progress::default(), started });
        let (cancel, run) = batch_run::start(job, move |progress| stage.set(Stage::Running { progress, started }));
        canceller.set_value(Some(cancel));
        spawn_local(async move {
            let result = run.await;
            let millis = now() - started;
            stage.set(match result {
                Ok(mut outcome) => {
                    let sample = std::mem::take(&mut outcome.summary.sample.rows);
                    if shadow.with_value(|(_, c)| c.is_some()) {
                        shadow_rows.set(Some(sample.iter().map(|(row, _)| row.clone()).collect()));
                    }
                    recorder::record(card.with_value(|c| Record::many(c, Source::Batch, js_sys::Date::now(), sample)));
                    match Url::create_object_url_with_blob(&outcome.output) {
                        Ok(download) => Stage::Done(Box::new(Finished {
                            summary: outcome.summary,
                            profile: outcome.profile,
                            millis,
                            download,
                            file_name: scored_name(&name),
                        })),
                        Err(e) => Stage::Failed(format!("the output could not be offered for download ({e:?})")),
                    }
                }
                Err(None) => Stage::Cancelled,
                Err(Some(reason)) => Stage::Failed(reason),
            });
        });
    };
    let cancel = move |_| {
        if let Some(cancel) = canceller.get_value() {
            cancel.cancel();
        }
    };

    let shadow_view = move || {
        let rows = shadow_rows.get()?;
        let (model_key, challenger) = shadow.get_value();
        let view = view! { <BatchShadow card=card.get_value() model_key loaded challenger=challenger? rows /> };
        Some(view)
    };

    view! {
        <section class="batch" aria-labelledby="batch-title">
            <h2 id="batch-title">"Score a CSV file"</h2>
            <p class="hint">
                "Every row is scored on this device, on all its cores; the file is read in pieces, so it can be larger than memory. Nothing is uploaded."
            </p>
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
                <p>"Drop a " <code>".csv"</code> " file here, or"</p>
                <label class="button">
                    "Choose a CSV file"
                    <input id="batch-file" type="file" accept=".csv,text/csv" class="visually-hidden" on:change=on_pick />
                </label>
                <p class="hint">"The first row names the columns."</p>
            </div>
            {move || header.get().map(|read| match read {
                Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Ok((name, columns)) => view! {
                    <Mapping name columns card=card.get_value() mapping />
                }.into_any(),
            })}
            <div class="batch-actions">
                <button id="batch-start" class="primary" on:click=start disabled=move || !can_start()>"Score the file"</button>
                <button id="batch-cancel" on:click=cancel hidden=move || !running()>"Cancel"</button>
            </div>
            {move || match stage.get() {
                Stage::Idle => None,
                Stage::Running { progress, started } => Some(view! { <ProgressView progress started /> }.into_any()),
                Stage::Cancelled => Some(view! {
                    <p class="status" role="status" id="batch-cancelled">"Cancelled: nothing more is being scored."</p>
                }.into_any()),
                Stage::Failed(reason) => Some(view! {
                    <p class="error" role="alert">{format!("The file could not be scored: {reason}.")}</p>
                }.into_any()),
                Stage::Done(finished) => Some(view! {
                    <FinishedView finished=*finished card=card.get_value() />
                    {shadow_view}
                }.into_any()),
            }}
        </section>
    }
}

/// The header's columns, from the start of the file.
async fn read_header(file: &File) -> Result<Vec<String>, String> {
    let name = file.name();
    let start =
        file.slice_with_f64_and_f64(0.0, HEADER_BYTES).map_err(|e| format!("could not read “{name}”: {e:?}"))?;
    let text = JsFuture::from(start.text()).await.map_err(|e| format!("could not read “{name}”: {e:?}"))?;
    let text = text.as_string().unwrap_or_default();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    match reader.records().next() {
        Some(Ok(record)) if record.iter().any(|c| !c.trim().is_empty()) => {
            Ok(record.iter().map(|c| c.trim().to_owned()).collect())
        }
        Some(Err(e)) => Err(format!("“{name}” does not start with a CSV header row: {e}")),
        _ => Err(format!("“{name}” is empty: a CSV file with a header row is needed")),
    }
}

/// `data.csv` → `data-scored.csv`.
fn scored_name(name: &str) -> String {
    let stem = name.strip_suffix(".csv").unwrap_or(name);
    format!("{stem}-scored.csv")
}
