//! The live prediction: the predicted class with every class probability as a bar, or
//! the predicted value with its unit; and how long it took.

use leptos::prelude::*;
use modelport_core::Prediction;

use crate::components::format_number;
use crate::components::predictor::Outcome;
use crate::inference::Loaded;

/// What the model says about the current form.
#[component]
pub fn PredictionView(
    /// The latest prediction, or why it failed; `None` before the first one.
    outcome: RwSignal<Option<Result<Outcome, String>>>,
    /// The compiled model, or why it could not be loaded.
    loaded: LocalResource<Result<Loaded, String>>,
) -> impl IntoView {
    let body = move || match (loaded.get(), outcome.get()) {
        (None, _) => view! { <p class="status" role="status">"Compiling the model on this device…"</p> }.into_any(),
        (Some(Err(e)), _) => view! {
            <div class="error" role="alert">
                <p><strong>"This model could not be loaded."</strong></p>
                <p>{e}</p>
                <p>"The other models still work: pick one from the list."</p>
            </div>
        }
        .into_any(),
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
            let bars = probabilities
                .into_iter()
                .map(|p| {
                    let percent = 100.0 * p.probability;
                    let current = p.class == label;
                    view! {
                        <li class:current=current data-probability=p.probability.to_string()>
                            <span class="class">{p.class}</span>
                            <span class="bar" aria-hidden="true">
                                <span style=format!("width: {:.2}%", percent.clamp(0.0, 100.0))></span>
                            </span>
                            <span class="percent">{format!("{percent:.1}%")}</span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <p class="predicted">{label}</p>
                <ul class="probabilities" aria-label="Class probabilities">{bars}</ul>
            }
            .into_any()
        }
    }
}
