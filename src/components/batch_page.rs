//! Score a CSV file: pick or drop it, check which column feeds which feature (and
//! change it), score it on every core with progress and a way to cancel, then download
//! the output and read the summary: errors, the predictions' distribution, and the
//! file's profile beside the training data's.

use leptos::prelude::*;
use leptos::task::spawn_local;
use modelport_core::ModelCard;
use modelport_core::batch::profile::{BinnedCounts, Profile};
use modelport_core::batch::{self, ColumnMap, Predictions, Summary};
use modelport_core::registry::Version;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DragEvent, File, HtmlInputElement, Url};

use crate::batch_run::{self, Canceller, Job, Progress};
use crate::catalog;
use crate::components::format_number;
use crate::inference::Loaded;

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

#[derive(Clone, Debug, PartialEq)]
struct Finished {
    summary: Summary,
    profile: Profile,
    millis: f64,
    /// An object URL of the output.
    download: String,
    file_name: String,
}

#[component]
pub fn BatchPage(card: ModelCard, version: Version, loaded: LocalResource<Result<Loaded, String>>) -> impl IntoView {
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
                Ok(outcome) => match Url::create_object_url_with_blob(&outcome.output) {
                    Ok(download) => Stage::Done(Box::new(Finished {
                        summary: outcome.summary,
                        profile: outcome.profile,
                        millis,
                        download,
                        file_name: scored_name(&name),
                    })),
                    Err(e) => Stage::Failed(format!("the output could not be offered for download ({e:?})")),
                },
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
                Stage::Done(finished) => Some(view! { <FinishedView finished=*finished card=card.get_value() /> }.into_any()),
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

/// Which column feeds each feature, changeable by hand; and what is left over.
#[component]
fn Mapping(
    name: String,
    columns: Vec<String>,
    card: ModelCard,
    mapping: RwSignal<Vec<Option<usize>>>,
) -> impl IntoView {
    let by_name: Vec<Option<usize>> = card.features.iter().map(|f| columns.iter().position(|c| *c == f.name)).collect();
    let rows = card
        .features
        .iter()
        .enumerate()
        .map(|(feature, f)| {
            let options = columns
                .iter()
                .enumerate()
                .map(|(i, column)| {
                    let selected = move || mapping.with(|m| m.get(feature).copied().flatten() == Some(i));
                    view! { <option value=i.to_string() prop:selected=selected>{column.clone()}</option> }
                })
                .collect_view();
            let choose = move |ev: web_sys::Event| {
                let choice = event_target_value(&ev).parse::<usize>().ok();
                mapping.update(|m| m[feature] = choice);
            };
            let matched = by_name[feature];
            let how = move || match mapping.with(|m| m.get(feature).copied().flatten()) {
                None => "missing: choose a column",
                Some(c) if Some(c) == matched => "by name",
                Some(c) if matched.is_none() && c == feature => "by position",
                Some(_) => "chosen",
            };
            let id = format!("batch-map-{feature}");
            view! {
                <tr class:missing=move || mapping.with(|m| m.get(feature).copied().flatten().is_none())>
                    <td><label for=id.clone()>{f.name.clone()}</label></td>
                    <td>
                        <select id=id on:change=choose>
                            <option value="" prop:selected=move || mapping.with(|m| m.get(feature).copied().flatten().is_none())>"—"</option>
                            {options}
                        </select>
                    </td>
                    <td class="hint">{how}</td>
                </tr>
            }
        })
        .collect_view();
    let extra = {
        let columns = columns.clone();
        move || {
            let used = mapping.get();
            let unused: Vec<String> = columns
                .iter()
                .enumerate()
                .filter(|(i, _)| !used.contains(&Some(*i)))
                .map(|(_, c)| format!("“{c}”"))
                .collect();
            (!unused.is_empty()).then(|| format!("Not used by the model, kept in the output: {}.", unused.join(", ")))
        }
    };
    let reordered = move || {
        let order: Vec<Option<usize>> = mapping.get();
        let in_order = order.iter().enumerate().all(|(i, c)| *c == Some(i));
        (!in_order && order.iter().all(Option::is_some))
            .then_some("The columns are not in the model's order: each is matched as shown.")
    };
    let missing = move || {
        let count = mapping.with(|m| m.iter().filter(|c| c.is_none()).count());
        (count > 0).then(|| {
            format!(
                "{count} feature{} without a column: choose one for each before scoring.",
                if count == 1 { "" } else { "s" }
            )
        })
    };

    view! {
        <div class="mapping">
            <h3>{format!("Columns of “{name}”")}</h3>
            <div class="table-scroll">
                <table id="batch-mapping">
                    <thead><tr><th>"Model feature"</th><th>"Column"</th><th>"Matched"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {move || missing().map(|m| view! { <p class="error" role="alert">{m}</p> })}
            {move || reordered().map(|m| view! { <p class="hint">{m}</p> })}
            {move || extra().map(|m| view! { <p class="hint">{m}</p> })}
        </div>
    }
}

#[component]
fn ProgressView(progress: Progress, started: f64) -> impl IntoView {
    let seconds = ((now() - started) / 1000.0).max(1e-3);
    let fraction = if progress.total_bytes == 0 { 0.0 } else { progress.bytes as f64 / progress.total_bytes as f64 };
    let rate = progress.rows as f64 / seconds;
    let left = if fraction > 0.0 { seconds * (1.0 - fraction) / fraction } else { f64::NAN };
    let text = format!(
        "{} rows · {}% · {} rows/s · {} · {} workers",
        thousands(progress.rows),
        format_number(100.0 * fraction, 3),
        thousands(rate as u64),
        if left.is_finite() { format!("about {} s left", format_number(left.max(0.0), 2)) } else { "starting".into() },
        progress.workers,
    );
    view! {
        <div class="batch-progress" role="status">
            <progress id="batch-progress" max="1" value=fraction.to_string()></progress>
            <p class="numbers">{text}</p>
        </div>
    }
}

#[component]
fn FinishedView(finished: Finished, card: ModelCard) -> impl IntoView {
    let Finished { summary, profile, millis, download, file_name } = finished;
    let rate = summary.rows as f64 / (millis / 1000.0).max(1e-3);
    let headline = format!(
        "{} rows in {} s ({} rows/s): {} scored, {} with errors.",
        thousands(summary.rows),
        format_number(millis / 1000.0, 3),
        thousands(rate as u64),
        thousands(summary.rows - summary.errors),
        thousands(summary.errors),
    );
    let errors = (!summary.first_errors.is_empty()).then(|| {
        let items = summary.first_errors.iter().map(|e| view! { <li>{e.clone()}</li> }).collect_view();
        let more = summary.errors.saturating_sub(summary.first_errors.len() as u64);
        view! {
            <h3>"Rows with errors"</h3>
            <ul class="batch-errors">{items}</ul>
            {(more > 0).then(|| view! { <p class="hint">{format!("…and {} more, each with its reason in the output's error column.", thousands(more))}</p> })}
        }
    });
    view! {
        <div
            id="batch-summary"
            class="batch-summary"
            data-done="true"
            data-rows=summary.rows.to_string()
            data-errors=summary.errors.to_string()
            data-millis=format!("{millis:.0}")
        >
            <progress id="batch-progress" max="1" value="1" aria-label="Done"></progress>
            <p role="status"><strong>{headline}</strong></p>
            <a id="batch-download" class="button primary" href=download download=file_name.clone()>
                {format!("Download {file_name}")}
            </a>
            {errors}
            <PredictionChart predictions=summary.predictions target=card.target.name.clone() />
            <ProfileView profile card />
        </div>
    }
}

/// Rows per class as bars, or predicted values over the training target's bins.
#[component]
fn PredictionChart(predictions: Predictions, target: String) -> impl IntoView {
    let bars = match predictions {
        Predictions::None => return None,
        Predictions::Classes(counts) => counts,
        Predictions::Values(bins) => bin_labels(&bins),
    };
    let total = bars.iter().map(|(_, n)| n).sum::<u64>().max(1);
    let rows = bars
        .into_iter()
        .map(|(label, n)| {
            let share = n as f64 / total as f64;
            view! {
                <li>
                    <span class="bar-label">{label}</span>
                    <span class="bar" style=format!("--share: {share}")></span>
                    <span class="numbers">{format!("{} ({}%)", thousands(n), format_number(100.0 * share, 3))}</span>
                </li>
            }
        })
        .collect_view();
    Some(view! {
        <h3>{format!("Predicted {target}")}</h3>
        <ul class="bars" id="batch-chart">{rows}</ul>
    })
}

/// Each bin as a labelled bar, with what fell outside the training range.
fn bin_labels(bins: &BinnedCounts) -> Vec<(String, u64)> {
    let mut bars = vec![];
    if bins.below > 0 {
        bars.push((format!("below {}", format_number(bins.edges[0], 4)), bins.below));
    }
    for (edges, &n) in bins.edges.windows(2).zip(&bins.counts) {
        bars.push((format!("{} to {}", format_number(edges[0], 4), format_number(edges[1], 4)), n));
    }
    if bins.above > 0 {
        bars.push((format!("above {}", format_number(bins.edges[bins.edges.len() - 1], 4)), bins.above));
    }
    bars
}

/// The file's columns beside the training data's statistics.
#[component]
fn ProfileView(profile: Profile, card: ModelCard) -> impl IntoView {
    let rows = profile
        .columns
        .into_iter()
        .map(|column| {
            let training = card.features.iter().find(|f| f.name == column.name).and_then(|f| f.training.clone());
            let range = |min: f64, max: f64| format!("{} to {}", format_number(min, 4), format_number(max, 4));
            let file_range = (column.count > 0).then(|| range(column.min, column.max));
            let file_mean = (column.count > 0).then(|| format_number(column.mean, 4));
            let sparkline = column.histogram.as_ref().zip(training.as_ref()).map(|(file, training)| {
                view! { <Sparkline file=file.counts.clone() training=training.histogram.counts.clone() /> }
            });
            view! {
                <tr>
                    <th scope="row">{column.name}</th>
                    <td class="numbers">{thousands(column.count)}</td>
                    <td class="numbers">{thousands(column.missing + column.text)}</td>
                    <td class="numbers">{file_range}</td>
                    <td class="numbers">{file_mean}</td>
                    <td class="numbers">{training.as_ref().map(|t| range(t.min, t.max))}</td>
                    <td class="numbers">{training.as_ref().map(|t| format_number(t.mean, 4))}</td>
                    <td>{sparkline}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h3>"The file beside the training data"</h3>
        <div class="table-scroll">
            <table class="profile" id="batch-profile">
                <thead>
                    <tr>
                        <th>"Column"</th>
                        <th>"Numbers"</th>
                        <th>"Missing or text"</th>
                        <th>"Range"</th>
                        <th>"Mean"</th>
                        <th>"Training range"</th>
                        <th>"Training mean"</th>
                        <th>"Distribution (file, training)"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// Two small histograms over the same bins, each scaled to its own total: the file's as
/// bars, the training data's as an outline.
#[component]
fn Sparkline(file: Vec<u64>, training: Vec<u64>) -> impl IntoView {
    let shares = |counts: &[u64]| {
        let total = counts.iter().sum::<u64>().max(1) as f64;
        counts.iter().map(|&n| n as f64 / total).collect::<Vec<f64>>()
    };
    let (file, training) = (shares(&file), shares(&training));
    let top = file.iter().chain(&training).copied().fold(1e-9, f64::max);
    let width = 8.0 * file.len() as f64;
    let bars = file
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let h = 24.0 * s / top;
            view! { <rect x=(8 * i + 1).to_string() y=(24.0 - h).to_string() width="6" height=h.to_string() /> }
        })
        .collect_view();
    let outline: String = training
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let y = 24.0 - 24.0 * s / top;
            format!("{},{y} {},{y}", 8 * i, 8 * (i + 1))
        })
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        <svg class="sparkline" viewBox=format!("0 0 {width} 24") width=width.to_string() height="24" role="img" aria-label="file and training histograms">
            <g class="file">{bars}</g>
            <polyline class="training" points=outline />
        </svg>
    }
}

/// `12,345,678`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// `data.csv` → `data-scored.csv`.
fn scored_name(name: &str) -> String {
    let stem = name.strip_suffix(".csv").unwrap_or(name);
    format!("{stem}-scored.csv")
}

fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}
