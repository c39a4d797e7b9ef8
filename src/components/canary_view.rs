//! The canary, as the registry configures it (`modelport canary`): which version a
//! share of production's visitors gets, which arm this browser is in, and what each
//! arm predicted on this device, from the monitor's records.

use std::collections::BTreeMap;

use leptos::prelude::*;
use modelport_core::canary::Arm;
use modelport_core::record::Predicted;
use modelport_core::registry::RegisteredModel;
use modelport_core::{Channel, ModelCard};

use crate::components::format_number;
use crate::{recorder, settings};

#[component]
pub fn CanaryView(model: RegisteredModel, card: ModelCard) -> impl IntoView {
    let Some(canary) = model.canary.clone() else {
        return view! {
            <section class="canary" aria-labelledby="canary-heading">
                <h3 id="canary-heading">"Canary"</h3>
                <p>
                    "No canary runs. "
                    <code>{format!("modelport canary {} VERSION --share 0.1", model.name)}</code>
                    " serves a version to a tenth of production's visitors, each browser always in the same arm."
                </p>
            </section>
        }
        .into_any();
    };
    let champion = model.on_channel(Channel::Production).map(|v| v.version.clone()).unwrap_or_default();
    let arm = match canary.arm(&model.name, &settings::browser_id()) {
        Arm::Challenger => format!("This browser is in the canary: production would show it {}.", canary.version),
        Arm::Champion => format!("This browser is not in the canary: production shows it {champion}."),
    };
    let name = model.name.clone();
    let records = LocalResource::new(move || {
        let name = name.clone();
        async move { recorder::load(&name).await }
    });
    let arms = [
        (format!("Production, {champion}"), champion.clone()),
        (format!("Canary, {}", canary.version), canary.version.clone()),
    ];
    let is_value = card.classes().is_empty();
    let table = move || {
        let records = match records.get() {
            None => return view! { <p class="status">"Reading the recorded predictions…"</p> }.into_any(),
            Some(Err(e)) => return view! { <p class="error">{e}</p> }.into_any(),
            Some(Ok(records)) => records,
        };
        let rows = arms
            .iter()
            .map(|(title, version)| {
                let predicted: Vec<&Predicted> =
                    records.iter().filter(|r| &r.version == version).map(|r| &r.prediction).collect();
                view! { <tr><th scope="row">{title.clone()}</th><td>{predicted.len()}</td><td>{distribution(&predicted, is_value)}</td></tr> }
            })
            .collect_view();
        view! {
            <table class="canary-arms" id="canary-arms">
                <thead><tr><th scope="col">"Arm"</th><th scope="col">"Predictions recorded"</th><th scope="col">"What they predicted"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <section class="canary" aria-labelledby="canary-heading">
            <h3 id="canary-heading">"Canary"</h3>
            <p>{format!("{}% of production's visitors are served {} instead of {champion}.", format_number(canary.share * 100.0, 3), canary.version)}</p>
            <p>{arm}</p>
            {table}
        </section>
    }
    .into_any()
}

/// Class shares ("setosa 40%, virginica 60%"), or the mean value.
fn distribution(predicted: &[&Predicted], is_value: bool) -> String {
    if predicted.is_empty() {
        return "nothing yet".into();
    }
    if is_value {
        let values: Vec<f64> =
            predicted.iter().filter_map(|p| if let Predicted::Value(v) = p { Some(*v) } else { None }).collect();
        return format!("mean {}", format_number(values.iter().sum::<f64>() / values.len().max(1) as f64, 4));
    }
    let mut counts = BTreeMap::<&str, usize>::new();
    for p in predicted {
        if let Predicted::Class(c) = p {
            *counts.entry(c).or_default() += 1;
        }
    }
    let n = predicted.len() as f64;
    counts
        .iter()
        .map(|(c, k)| format!("{c} {}%", format_number(*k as f64 * 100.0 / n, 3)))
        .collect::<Vec<_>>()
        .join(", ")
}
