//! "Learn from a stream": labelled records arrive one per event, from a Server-Sent
//! Events or WebSocket URL (connected as the stream page connects, see `stream_source`)
//! or from pasted newline-delimited JSON. The page's learner predicts each record, then
//! learns it (prequential), so the shared learning curve moves as records arrive; a
//! malformed record is counted and listed with its reason, never dropped in silence.

use std::collections::VecDeque;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use modelport_core::ModelCard;
use modelport_core::recalibrate::{Tally, numbers};
use modelport_core::stream::parse_labelled;

use crate::components::format_number;
use crate::components::recalibrate_page::Session;
use crate::components::source_picker::{SourceChoice, SourcePicker};
use crate::stream_source::{Live, SourceKind, Status, open_source, stop_run, stop_source};

/// Malformed records listed word for word, newest first.
const MALFORMED_SHOWN: usize = 10;
/// Pasted records learned between yields to the browser, as the CSV part's chunks.
const PASTED_CHUNK: usize = 50;

/// One run of the source, from Start.
#[derive(Clone, Debug)]
struct StreamRun {
    received: u64,
    learned: u64,
    malformed: u64,
    /// The newest malformed records with their reasons, newest first.
    reasons: VecDeque<String>,
    /// The learner's prequential score on this run's records.
    tally: Tally,
}

/// The source picker, Start and Stop, and the run's counts.
#[component]
pub(super) fn LearnStream(
    /// The shipped version's card: the features and the target a record names.
    card: ModelCard,
    /// What the page has learned; each record is learned into its learner.
    session: Session,
) -> impl IntoView {
    let target = card.target.name.clone();
    let answers = if card.classes().is_empty() { "a number" } else { "a class name or index" };
    let example = card.features.first().map_or(String::new(), |f| format!("{{\"{}\": …, \"{target}\": …}}", f.name));
    let card = StoredValue::new(card);
    let loss = session.learner.with_untracked(|l| l.sgd().settings().loss);
    let fresh =
        move || StreamRun { received: 0, learned: 0, malformed: 0, reasons: VecDeque::new(), tally: Tally::new(loss) };
    let run = RwSignal::new(None::<StreamRun>);
    let choice = SourceChoice::default();
    let status = RwSignal::new(Status::Idle);
    // `open_source` keeps the connection and the SSE resume id here. Records are learned
    // as they arrive, faster than any source sends them, so the buffer stays empty and
    // the source never pauses.
    let live = StoredValue::new_local(Live::new());

    let receive = move |text: String| {
        let parsed = card.with_value(|c| parse_labelled(&text, c));
        let seq = run.with_untracked(|r| r.as_ref().map_or(0, |r| r.received)) + 1;
        let learned = parsed.as_ref().ok().and_then(|(row, y)| {
            let before = session.learner.try_update(|l| l.learn(&numbers(row), *y))?;
            Some((before, *y))
        });
        match &parsed {
            Ok(_) => session.streamed.update(|n| *n += 1),
            Err(reason) => session.skipped.update(|s| s.add(format!("streamed record {seq}: {reason}"))),
        }
        run.update(|r| {
            let Some(r) = r else { return };
            r.received = seq;
            match (parsed, learned) {
                (Err(reason), _) => {
                    r.malformed += 1;
                    r.reasons.push_front(format!("record {seq}: {reason}"));
                    r.reasons.truncate(MALFORMED_SHOWN);
                }
                (Ok(_), Some((before, y))) => {
                    r.learned += 1;
                    r.tally.add(&before, y);
                }
                (Ok(_), None) => {}
            }
        });
    };

    let start = move |_| {
        stop_source(live);
        live.update_value(|l| {
            l.generation += 1;
            l.last_event_id.clear();
        });
        run.set(Some(fresh()));
        match choice.kind.get_untracked() {
            SourceKind::Pasted => {
                status.set(Status::Open);
                let lines: Vec<String> = choice.pasted.get_untracked().lines().map(str::to_owned).collect();
                let generation = live.with_value(|l| l.generation);
                spawn_local(async move {
                    let records = lines.into_iter().filter(|l| !l.trim().is_empty()).collect::<Vec<_>>();
                    for chunk in records.chunks(PASTED_CHUNK) {
                        if live.with_value(|l| l.generation) != generation {
                            return;
                        }
                        chunk.iter().cloned().for_each(receive);
                        // Let the curve redraw and Stop be clicked before the next chunk.
                        TimeoutFuture::new(0).await;
                    }
                    if live.with_value(|l| l.generation) == generation {
                        status.set(Status::Closed("all pasted records were read".into()));
                    }
                });
            }
            other => open_source(other, &choice.url.get_untracked(), live, status, receive),
        }
    };
    let stop = move |_| stop_run(live, status);
    on_cleanup(move || stop_source(live));

    let running = move || status.with(Status::is_running);
    let status_text = move || match status.get() {
        Status::Idle => "Not connected.".to_owned(),
        Status::Connecting => "Connecting…".to_owned(),
        Status::Open => "Learning.".to_owned(),
        Status::Paused => "Paused.".to_owned(),
        Status::Closed(why) => format!("Closed: {why}."),
    };
    view! {
        <section class="recal-part" aria-labelledby="recal-stream-title">
            <h3 id="recal-stream-title">"Learn from a stream"</h3>
            <p class="hint">
                "One record per event or line: a JSON object keyed by feature name, with the target “" {target} "” (" {answers} "). Each record is predicted, then learned."
            </p>
            <SourcePicker choice id_prefix="recal-stream" pasted_label="Labelled records, one per line" example />
            <div class="recal-actions">
                <button type="button" id="recal-stream-start" class="primary" on:click=start disabled=running>"Start learning"</button>
                <button type="button" id="recal-stream-stop" class="secondary" on:click=stop disabled=move || !running()>"Stop"</button>
            </div>
            <p class="status" role="status" id="recal-stream-status">{status_text}</p>
            {move || run.get().map(|run| view! { <StreamRunView run /> })}
        </section>
    }
}

/// A run's counts, its score and its malformed records.
#[component]
fn StreamRunView(run: StreamRun) -> impl IntoView {
    let StreamRun { received, learned, malformed, reasons, tally } = run;
    let score = (learned > 0).then(|| {
        let metrics: Vec<String> =
            tally.metrics().iter().map(|(name, v)| format!("{name} {}", format_number(*v, 4))).collect();
        view! { <p class="hint" id="recal-stream-score">{format!("On these records, each predicted before it was learned: {}.", metrics.join(", "))}</p> }
    });
    let earlier = malformed.saturating_sub(reasons.len() as u64);
    view! {
        <dl class="stream-counts" id="recal-stream-counts" data-received=received.to_string()
            data-learned=learned.to_string() data-malformed=malformed.to_string()>
            <div><dt>"Received"</dt><dd class="numbers">{received}</dd></div>
            <div><dt>"Learned"</dt><dd class="numbers">{learned}</dd></div>
            <div><dt>"Malformed"</dt><dd class="numbers">{malformed}</dd></div>
        </dl>
        {score}
        {(malformed > 0).then(|| view! {
            <div class="error" id="recal-stream-malformed">
                <p>{format!("{malformed} malformed, not learned (newest first):")}</p>
                <ul>{reasons.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                {(earlier > 0).then(|| view! { <p>{format!("and {earlier} earlier")}</p> })}
            </div>
        })}
    }
}
