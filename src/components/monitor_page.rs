//! The monitoring page: the predictions this browser recorded for a model, their
//! inputs' drift from the training data and their predictions' drift, over a chosen
//! span of time and version; the retention of the log, and the report's export.
//! Everything is read from and computed on this device ([`crate::recorder`]).

use leptos::prelude::*;
use modelport_core::ModelCard;
use modelport_core::monitor::{self, Window};
use modelport_core::record::{Record, Source};

use crate::components::drift_histogram::DriftHistogram;
use crate::components::drift_table::{DriftTable, LevelNotice, PredictionDriftView};
use crate::components::monitor_export::Export;
use crate::components::monitor_filters::{Filters, Span};
use crate::components::monitor_settings::{ClearRecords, RetentionSettings};
use crate::components::thousands;
use crate::recorder;

#[component]
pub fn MonitorPage(
    /// The model's card: its features' and target's training statistics are the baseline.
    card: ModelCard,
) -> impl IntoView {
    let model = card.name.clone();
    let records = LocalResource::new({
        let model = model.clone();
        move || {
            // A prediction made elsewhere on the page (or a clear) reloads the log.
            recorder::track_changes();
            let model = model.clone();
            async move { recorder::load(&model).await }
        }
    });
    let span = RwSignal::new(Span::All);
    let (from, to) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    // Empty: every version.
    let version = RwSignal::new(String::new());
    let card = StoredValue::new(card);

    let body = move || {
        let loaded = records.get()?;
        Some(match loaded {
            Err(e) => view! { <p class="error" role="alert">{format!("The recorded predictions could not be read: {e}.")}</p> }.into_any(),
            Ok(all) if all.is_empty() => view! { <EmptyLog /> }.into_any(),
            Ok(all) => {
                let versions = versions(&all, &card.read_value().version);
                let window = Signal::derive(move || span.get().window(js_sys::Date::now(), &from.get(), &to.get()));
                let all = StoredValue::new(all);
                let report = Memo::new(move |_| {
                    let version = version.get();
                    let version = (!version.is_empty()).then_some(version.as_str());
                    all.with_value(|all| monitor::recorded_report(&card.read_value(), all, window.get(), version))
                });
                let counts = move || {
                    let version = version.get();
                    let window = window.get();
                    all.with_value(|all| by_source(all, window, &version))
                };
                view! {
                    <Filters span from to version versions />
                    <p class="monitor-counts" id="monitor-counts" role="status">{counts}</p>
                    {move || {
                        let report = report.get();
                        (report.rows > 0).then(|| view! {
                            <LevelNotice level=report.level />
                            <DriftTable report=report.clone() />
                            <h3>"Training and recorded distributions"</h3>
                            <p class="hint">"Grey: the training data, from the model card. Blue: the recorded inputs in the chosen span."</p>
                            <div class="monitor-histograms">
                                {report.features.iter().filter(|f| !f.bins.is_empty()).map(|f| view! { <DriftHistogram drift=f.clone() /> }).collect_view()}
                            </div>
                            <PredictionDriftView prediction=report.prediction.clone() classifier=!card.read_value().classes().is_empty() />
                        })
                    }}
                    <Export report=report.into() />
                }
                .into_any()
            }
        })
    };

    view! {
        <section class="monitor" aria-labelledby="monitor-title">
            <h2 id="monitor-title">"Monitor drift"</h2>
            <p class="hint">
                "The predictions made with this model in this browser (the form, a CSV file or a stream) are kept on this device only, and compared here with the training data the model card describes. Nothing is sent anywhere."
            </p>
            <Suspense fallback=|| view! { <p class="status" role="status">"Reading the recorded predictions…"</p> }>
                {body}
            </Suspense>
            <div class="monitor-settings">
                <RetentionSettings />
                <ClearRecords model />
            </div>
        </section>
    }
}

/// What to do when nothing was recorded yet.
#[component]
fn EmptyLog() -> impl IntoView {
    view! {
        <p class="status monitor-empty" role="status" id="monitor-empty">
            "Nothing was recorded yet for this model. Make a prediction with the form (the Predict tab), score a CSV file (Batch) or connect a stream (Stream): every prediction is recorded here, in this browser, and its drift shown on this page."
        </p>
    }
}

/// The recorded versions, newest first as text sorts, with the card's among them.
fn versions(records: &[Record], card_version: &str) -> Vec<String> {
    let mut versions: Vec<String> = records.iter().map(|r| r.version.clone()).collect();
    versions.push(card_version.to_owned());
    versions.sort();
    versions.dedup();
    versions.reverse();
    versions
}

/// “N predictions: a from the form, b from CSV files, c from streams.”
fn by_source(records: &[Record], window: Window, version: &str) -> String {
    let chosen: Vec<&Record> =
        records.iter().filter(|r| window.contains(r.at) && (version.is_empty() || r.version == version)).collect();
    let count = |source: Source| chosen.iter().filter(|r| r.source == source).count() as u64;
    format!(
        "{} recorded predictions in the chosen span: {} from the form, {} from CSV files, {} from streams.",
        thousands(chosen.len() as u64),
        thousands(count(Source::Form)),
        thousands(count(Source::Batch)),
        thousands(count(Source::Stream)),
    )
}
