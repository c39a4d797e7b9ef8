//! Score a live stream: records arrive one per event from a Server-Sent Events or
//! WebSocket URL, or from pasted newline-delimited JSON, wait in a bounded buffer, and
//! are scored in micro-batches. Malformed records are counted and shown; when the
//! buffer is full the user's policy decides: pause the source or drop the oldest.
//!
//! Pausing a URL source closes it until the buffer has room (see `stream_source`);
//! pasted records are simply fed no faster than scored.

use std::collections::VecDeque;
use std::time::Duration;

use gloo_timers::future::sleep;
use leptos::prelude::*;
use leptos::task::spawn_local;
use modelport_core::card::FeatureValue;
use modelport_core::compare::Shadow;
use modelport_core::record::{Predicted, Record, Source};
use modelport_core::stream::{Buffer, Overflow, Pushed, Window, parse_record};
use modelport_core::{ModelCard, Prediction};

use crate::components::format_number;
use crate::components::live_chart::{CHART_WINDOWS, LiveChart, WindowTally};
use crate::components::predictor::Challenger;
use crate::components::shadow_view::ShadowView;
use crate::components::source_picker::{SourceChoice, SourcePicker};
use crate::inference::{Inference, Loaded};
use crate::recorder;
use crate::stream_source::{
    Counts, Live, SourceKind, Status, open_source, reconnect_if_room, refill, stop_run, stop_source,
};

/// Rows the live table keeps, newest first.
const TABLE_ROWS: usize = 12;
/// Malformed records listed word for word.
const MALFORMED_SHOWN: usize = 10;

/// The stream tool for one model version.
#[component]
pub fn StreamPage(
    /// The model's card: features and classes.
    card: ModelCard,
    /// The key the model is compiled under in the worker.
    model_key: String,
    /// The worker's compiled model, or why it could not be loaded.
    loaded: LocalResource<Result<Loaded, String>>,
    /// Shadow mode's challenger, when it is on.
    #[prop(default = None)]
    challenger: Option<Challenger>,
) -> impl IntoView {
    let inference = expect_context::<Inference>();
    let shadow = StoredValue::new(challenger.as_ref().map(|c| (c.key.clone(), c.load(inference))));
    let shadow_latest = RwSignal::new(None::<Result<Prediction, String>>);
    let shadow_tally = RwSignal::new(Shadow::default());
    let feature_names: Vec<String> = card.features.iter().map(|f| f.name.clone()).collect();
    let tolerance = modelport_core::compare::tolerance(&card);
    let card = StoredValue::new(card);
    let choice = SourceChoice::default();
    let window_millis = RwSignal::new(Window::default().millis);
    let window_records = RwSignal::new(Window::default().records);
    let capacity = RwSignal::new(10_000_usize);
    let policy = RwSignal::new(Overflow::Pause);
    let counts = RwSignal::new(Counts::default());
    let status = RwSignal::new(Status::Idle);
    let table = RwSignal::new(VecDeque::<(u64, String, String)>::new());
    let chart = RwSignal::new(VecDeque::<WindowTally>::new());
    let malformed = RwSignal::new(VecDeque::<String>::new());
    let live = StoredValue::new_local(Live::new());
    let model_key = StoredValue::new(model_key);

    // Scores what the buffer holds, one window at a time, and reopens a paused source
    // once there is room.
    let score_due = move || {
        let generation = live.with_value(|l| l.generation);
        let batch = live.try_update_value(|l| {
            if l.scoring || l.buffer.is_empty() {
                return None;
            }
            l.scoring = true;
            Some(l.buffer.drain(window_records.get_untracked().max(1)))
        });
        let Some(Some(batch)) = batch else { return };
        counts.update(|c| c.buffered = live.with_value(|l| l.buffer.len()));
        spawn_local(async move {
            let result = score(inference, &card.get_value(), model_key.get_value(), loaded, &batch).await;
            if live.with_value(|l| l.generation) != generation {
                return;
            }
            live.update_value(|l| l.scoring = false);
            match result {
                Ok(predictions) => {
                    let rows = batch.iter().zip(&predictions).map(|((_, x), p)| (x.clone(), Predicted::from(p)));
                    recorder::record(card.with_value(|c| Record::many(c, Source::Stream, js_sys::Date::now(), rows)));
                    let classes = card.with_value(|c| c.classes().to_vec());
                    record_window(&classes, &batch, &predictions, counts, table, chart);
                    if let Some((key, loaded)) = shadow.get_value() {
                        // The challenger scores the same window, after the champion:
                        // shadow mode never delays what the stream shows.
                        let challenger = score(inference, &card.get_value(), key, loaded, &batch).await;
                        match challenger {
                            Ok(theirs) => {
                                shadow_tally.update(|t| {
                                    for (((_, row), ours), theirs) in batch.iter().zip(&predictions).zip(&theirs) {
                                        t.add(row, ours, theirs, tolerance);
                                    }
                                });
                                shadow_latest.set(theirs.last().cloned().map(Ok));
                            }
                            Err(e) => shadow_latest.set(Some(Err(e))),
                        }
                    }
                }
                Err(e) => {
                    status.set(Status::Closed(format!("scoring failed: {e}")));
                    stop_source(live);
                }
            }
            refill(live, counts);
        });
    };

    let receive = move |text: String| {
        let parsed = card.with_value(|card| parse_record(&text, card));
        counts.update(|c| c.received += 1);
        let seq = counts.with_untracked(|c| c.received);
        match parsed {
            Err(reason) => {
                counts.update(|c| c.malformed += 1);
                malformed.update(|m| {
                    m.push_front(format!("record {seq}: {reason}"));
                    m.truncate(MALFORMED_SHOWN);
                });
            }
            Ok(values) => {
                let pushed = live.try_update_value(|l| l.buffer.push((seq, values)));
                match pushed {
                    Some(Pushed::Full(item)) => {
                        // The source outpaced the model: hold this record, close the
                        // source until the buffer has room.
                        live.update_value(|l| {
                            l.held = Some(item);
                            if let Some(source) = &l.source {
                                source.close();
                            }
                        });
                        status.set(Status::Paused);
                    }
                    Some(Pushed::DroppedOldest) => counts.update(|c| c.dropped += 1),
                    _ => {}
                }
                let due = live.with_value(|l| l.buffer.len()) >= window_records.get_untracked();
                counts.update(|c| c.buffered = live.with_value(|l| l.buffer.len()));
                if due {
                    score_due();
                }
            }
        }
    };

    // Every window's time, whatever has arrived is scored.
    let ticker = StoredValue::new_local(None::<gloo_timers::callback::Interval>);
    let start_ticker = move || {
        let millis = window_millis.get_untracked().max(10);
        ticker.set_value(Some(gloo_timers::callback::Interval::new(millis, move || {
            score_due();
            reconnect_if_room(live, status, receive, choice.kind, choice.url);
        })));
    };

    let connect = move |_| {
        stop_source(live);
        live.update_value(|l| {
            l.generation += 1;
            l.buffer = Buffer::new(capacity.get_untracked().max(1), policy.get_untracked());
            l.held = None;
            l.scoring = false;
            l.last_event_id.clear();
        });
        counts.set(Counts::default());
        table.set(VecDeque::new());
        chart.set(VecDeque::new());
        malformed.set(VecDeque::new());
        start_ticker();
        match choice.kind.get_untracked() {
            SourceKind::Pasted => {
                status.set(Status::Open);
                let lines: Vec<String> = choice.pasted.get_untracked().lines().map(str::to_owned).collect();
                let generation = live.with_value(|l| l.generation);
                spawn_local(async move {
                    for line in lines.into_iter().filter(|l| !l.trim().is_empty()) {
                        // Pausing, for pasted records, is waiting for room.
                        while live.with_value(|l| l.buffer.is_full() && l.buffer.policy() == Overflow::Pause) {
                            sleep(Duration::from_millis(5)).await;
                            if live.with_value(|l| l.generation) != generation {
                                return;
                            }
                        }
                        receive(line);
                    }
                    status.set(Status::Closed("all pasted records were read".into()));
                });
            }
            other => open_source(other, &choice.url.get_untracked(), live, status, receive),
        }
    };
    let stop = move |_| {
        stop_run(live, status);
        ticker.set_value(None);
    };
    on_cleanup(move || {
        stop_source(live);
        ticker.set_value(None);
    });

    let chart_view = move || {
        let classes = card.with_value(|c| c.classes().to_vec());
        view! { <LiveChart windows=chart.get().into_iter().collect() classes /> }
    };
    let status_text = move || match status.get() {
        Status::Idle => "Not connected.".to_owned(),
        Status::Connecting => "Connecting…".to_owned(),
        Status::Open => "Receiving.".to_owned(),
        Status::Paused => "Paused: the buffer is full; the source resumes when it has room.".to_owned(),
        Status::Closed(why) => format!("Closed: {why}."),
    };
    let running = move || status.with(Status::is_running);
    let counts_view = move || {
        let c = counts.get();
        view! {
            <dl
                class="stream-counts"
                id="stream-counts"
                data-received=c.received.to_string()
                data-scored=c.scored.to_string()
                data-malformed=c.malformed.to_string()
                data-dropped=c.dropped.to_string()
            >
                <div><dt>"Received"</dt><dd class="numbers">{c.received}</dd></div>
                <div><dt>"Scored"</dt><dd class="numbers">{c.scored}</dd></div>
                <div><dt>"Malformed"</dt><dd class="numbers">{c.malformed}</dd></div>
                <div><dt>"Dropped"</dt><dd class="numbers">{c.dropped}</dd></div>
                <div><dt>"Waiting"</dt><dd class="numbers">{c.buffered}</dd></div>
            </dl>
        }
    };

    view! {
        <section class="stream" aria-labelledby="stream-title">
            <h2 id="stream-title">"Score a stream"</h2>
            <p class="hint">
                "One record per event: a JSON object keyed by feature name, a JSON array or a CSV line in the model's feature order. Scored here, in small batches."
            </p>
            <SourcePicker choice id_prefix="stream" pasted_label="Records, one per line"
                example="{\"sepal length (cm)\": 5.1, …}" />
            <div class="stream-settings">
                <label>"Batch every "
                    <input id="stream-window-ms" type="number" min="10" step="10" prop:value=move || window_millis.get().to_string()
                        on:change=move |ev| window_millis.set(event_target_value(&ev).parse().unwrap_or(100)) />
                    " ms or "
                    <input id="stream-window-records" type="number" min="1" prop:value=move || window_records.get().to_string()
                        on:change=move |ev| window_records.set(event_target_value(&ev).parse().unwrap_or(500)) />
                    " records"
                </label>
                <label>"Buffer "
                    <input id="stream-capacity" type="number" min="1" prop:value=move || capacity.get().to_string()
                        on:change=move |ev| capacity.set(event_target_value(&ev).parse().unwrap_or(10_000)) />
                    " records; when full "
                    <select id="stream-policy" on:change=move |ev| policy.set(if event_target_value(&ev) == "drop" { Overflow::DropOldest } else { Overflow::Pause })>
                        <option value="pause">"pause the source"</option>
                        <option value="drop">"drop the oldest"</option>
                    </select>
                </label>
            </div>
            <div class="batch-actions">
                <button id="stream-connect" class="primary" on:click=connect disabled=move || running() || !matches!(loaded.get(), Some(Ok(_)))>"Start"</button>
                <button id="stream-stop" on:click=stop disabled=move || !running()>"Stop"</button>
            </div>
            <p class="status" role="status" id="stream-status">{status_text}</p>
            {counts_view}
            {chart_view}
            {challenger.map(|c| view! {
                <ShadowView version=c.version.version latest=Some(shadow_latest) tally=shadow_tally features=feature_names />
            })}
            <h3>"Latest predictions"</h3>
            <div class="table-scroll">
                <table id="stream-table">
                    <thead><tr><th>"Record"</th><th>"Features"</th><th>"Prediction"</th></tr></thead>
                    <tbody>
                        {move || table.get().into_iter().map(|(seq, features, prediction)| view! {
                            <tr><td class="numbers">{seq}</td><td class="hint">{features}</td><td>{prediction}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {move || (!malformed.with(VecDeque::is_empty)).then(|| view! {
                <h3>"Malformed records"</h3>
                <ul class="batch-errors" id="stream-malformed">
                    {malformed.get().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                </ul>
            })}
        </section>
    }
}

async fn score(
    inference: Inference,
    card: &ModelCard,
    key: String,
    loaded: LocalResource<Result<Loaded, String>>,
    batch: &[(u64, Vec<FeatureValue>)],
) -> Result<Vec<Prediction>, String> {
    let Some(Ok(model)) = loaded.get_untracked() else { return Err("the model is not loaded".into()) };
    let rows: Vec<Vec<FeatureValue>> = batch.iter().map(|(_, values)| values.clone()).collect();
    let inputs = card.assemble(&model.signature, &rows).map_err(|e| e.to_string())?;
    let ran = inference.run(key, inputs).await?;
    card.interpret(&ran.outputs).map_err(|e| e.to_string())
}

/// Adds a scored window to the counts, the table and the chart.
fn record_window(
    classes: &[String],
    batch: &[(u64, Vec<FeatureValue>)],
    predictions: &[Prediction],
    counts: RwSignal<Counts>,
    table: RwSignal<VecDeque<(u64, String, String)>>,
    chart: RwSignal<VecDeque<WindowTally>>,
) {
    let mut tally = WindowTally { classes: vec![0; classes.len()], mean: None, rows: predictions.len() };
    let mut sum = 0.0;
    for prediction in predictions {
        match prediction {
            Prediction::Class { label, .. } => {
                if let Some(i) = classes.iter().position(|c| c == label) {
                    tally.classes[i] += 1;
                }
            }
            Prediction::Value { value, .. } => sum += value,
        }
    }
    if predictions.iter().any(|p| matches!(p, Prediction::Value { .. })) {
        tally.mean = Some(sum / predictions.len() as f64);
    }
    counts.update(|c| c.scored += predictions.len() as u64);
    table.update(|t| {
        for ((seq, values), prediction) in batch.iter().zip(predictions).rev().take(TABLE_ROWS).rev() {
            t.push_front((*seq, describe_values(values), describe(prediction)));
        }
        t.truncate(TABLE_ROWS);
    });
    chart.update(|c| {
        c.push_back(tally);
        while c.len() > CHART_WINDOWS {
            c.pop_front();
        }
    });
}

fn describe(prediction: &Prediction) -> String {
    match prediction {
        Prediction::Class { label, .. } => label.clone(),
        Prediction::Value { value, unit } => format!("{} {}", format_number(*value, 4), unit.as_deref().unwrap_or("")),
    }
}

fn describe_values(values: &[FeatureValue]) -> String {
    let text: Vec<String> = values
        .iter()
        .map(|v| match v {
            FeatureValue::Number(n) => format_number(*n, 4),
            FeatureValue::Text(t) => t.clone(),
        })
        .collect();
    text.join(", ")
}
