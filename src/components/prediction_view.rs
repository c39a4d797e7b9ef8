//! The live prediction: the predicted class with every class probability as a bar, or
//! the predicted value with its unit; and how long it took.

use leptos::prelude::*;
use modelport_core::Prediction;

use crate::components::format_number;
use crate::components::model_download::ModelDownload;
use crate::components::predictor::Outcome;
use crate::inference::{Download, Loaded};

/// What the model says about the current form.
#[component]
pub fn PredictionView(
    /// The latest prediction, or why it failed; `None` before the first one.
    outcome: RwSignal<Option<Result<Outcome, String>>>,
    /// The compiled model, or why it could not be loaded.
    loaded: LocalResource<Result<Loaded, String>>,
    /// Whether the form holds something the model can take.
    #[prop(into)]
    ready: Signal<bool>,
    /// The model file's download while it runs, if the load reports one.
    #[prop(default = None)]
    download: Option<Signal<Option<Download>>>,
) -> impl IntoView {
    // Only whether a download is under way re-renders the body; the bar follows the bytes.
    // Once the last byte is in, the model compiles.
    let progress = Signal::derive(move || download.and_then(|d| d.get()));
    let downloading =
        Memo::new(move |_| progress.get().is_some_and(|d| d.total.is_none_or(|total| d.received < total)));
    let body = move || match (loaded.get(), outcome.get()) {
        (None, _) if downloading.get() => {
            view! { <ModelDownload download=Signal::derive(move || progress.get().unwrap_or_default()) /> }.into_any()
        }
        (None, _) => view! { <p class="status" role="status">"Compiling the model on this device…"</p> }.into_any(),
        (Some(Err(e)), _) => view! {
            <div class="error" role="alert">
                <p><strong>"This model could not be loaded."</strong></p>
                <p>{e}</p>
                <p>"The other models still work: pick one from the list."</p>
            </div>
        }
        .into_any(),
        (Some(Ok(_)), None) if !ready.get() => {
            view! { <p class="status" role="status">"Fill in the form to see a prediction."</p> }.into_any()
        }
        (Some(Ok(_)), None) => view! { <p class="status" role="status">"Predicting…"</p> }.into_any(),
        (Some(Ok(_)), Some(Err(e))) => {
            view! { <p class="error" role="alert">{format!("The prediction failed: {e}")}</p> }.into_any()
        }
        (Some(Ok(model)), Some(Ok(outcome))) => view! {
            {outcome.predictions.into_iter().next().map(prediction)}
            <p class="latency">
                {format!(
                    "Computed on this device in {} ms ({} ms with the trip to the worker). Model loaded in {} ms.",
                    format_number(outcome.inference_ms, 2),
                    format_number(outcome.round_trip_ms, 2),
                    format_number(model.millis, 2),
                )}
            </p>
        }
        .into_any(),
    };
    view! {
        <section class="prediction" aria-labelledby="prediction-heading" aria-live="polite">
            <h3 id="prediction-heading">"Prediction"</h3>
            {body}
        </section>
    }
}

fn prediction(prediction: Prediction) -> AnyView {
    match prediction {
        Prediction::Value { value, unit } => view! {
            <p class="predicted" data-value=value.to_string()>
                {format_number(value, 5)} " " <span class="unit">{unit.unwrap_or_default()}</span>
            </p>
        }
        .into_any(),
        Prediction::Class { label, probabilities } => {
            // A file dropped in may give raw scores (logits, means) rather than
            // probabilities: those show as numbers, their bars spanning their range.
            let sum: f64 = probabilities.iter().map(|p| p.probability).sum();
            let are_probabilities =
                (sum - 1.0).abs() < 1e-3 && probabilities.iter().all(|p| (0.0..=1.0).contains(&p.probability));
            let (low, high) = probabilities
                .iter()
                .fold((0.0_f64, 0.0_f64), |(lo, hi), p| (lo.min(p.probability), hi.max(p.probability)));
            let bars = probabilities
                .into_iter()
                .map(|p| {
                    let (width, shown) = match are_probabilities {
                        true => (100.0 * p.probability, format!("{:.1}%", 100.0 * p.probability)),
                        false => (
                            100.0 * (p.probability - low) / (high - low).max(f64::MIN_POSITIVE),
                            format_number(p.probability, 4),
                        ),
                    };
                    let current = p.class == label;
                    view! {
                        <li class:current=current data-probability=p.probability.to_string()>
                            <span class="class">{p.class}</span>
                            <span class="bar" aria-hidden="true">
                                <span style=format!("width: {:.2}%", width.clamp(0.0, 100.0))></span>
                            </span>
                            <span class="percent">{shown}</span>
                        </li>
                    }
                })
                .collect_view();
            let list_name = if are_probabilities { "Class probabilities" } else { "Scores" };
            view! {
                <p class="predicted">{label}</p>
                <ul class="probabilities" aria-label=list_name>{bars}</ul>
            }
            .into_any()
        }
    }
}
