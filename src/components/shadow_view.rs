//! Shadow mode beside the form: what the challenger says about the same input, how
//! often the two have agreed so far, and the inputs on which they differed most.

use leptos::prelude::*;
use modelport_core::Prediction;
use modelport_core::card::FeatureValue;
use modelport_core::compare::Shadow;

use crate::components::format_number;

#[component]
pub fn ShadowView(
    /// The challenger's version.
    version: String,
    /// The challenger's latest prediction, or why it failed: for the form and a stream,
    /// not for a finished batch.
    #[prop(default = None)]
    latest: Option<RwSignal<Option<Result<Prediction, String>>>>,
    tally: RwSignal<Shadow>,
    /// The card's feature names, for the disagreements table.
    features: Vec<String>,
) -> impl IntoView {
    let says = latest.map(|latest| {
        let says = move || match latest.get() {
            None => "…".to_owned(),
            Some(Ok(prediction)) => describe(&prediction),
            Some(Err(e)) => format!("failed: {e}"),
        };
        view! { <p id="shadow-says">"The challenger says " <strong>{says}</strong></p> }
    });
    let agreement = move || {
        tally.with(|t| match t.agreement() {
            None => "No predictions compared yet.".to_owned(),
            Some(rate) => {
                format!("Agreed on {} of {} inputs ({}%).", t.agreed, t.compared, format_number(rate * 100.0, 3))
            }
        })
    };
    // One cell for the features: a model may have dozens.
    let header = features.join(", ");
    let rows = move || {
        tally.with(|t| {
            t.largest
                .iter()
                .map(|d| {
                    let cells = d.features.iter().map(cell).collect::<Vec<_>>().join(", ");
                    view! {
                        <tr>
                            <td class="hint">{cells}</td>
                            <td>{describe(&d.champion)}</td>
                            <td>{describe(&d.challenger)}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let has_disagreements = move || tally.with(|t| !t.largest.is_empty());

    view! {
        <section class="shadow" aria-labelledby="shadow-heading" aria-live="polite">
            <h3 id="shadow-heading">{format!("Shadow: version {version}")}</h3>
            {says}
            <p id="shadow-agreement">{agreement}</p>
            <Show when=has_disagreements>
                <div class="table-scroll">
                    <table class="shadow-disagreements">
                        <caption>"Largest disagreements"</caption>
                        <thead><tr><th scope="col">{header.clone()}</th><th scope="col">"Shown"</th><th scope="col">"Challenger"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </Show>
        </section>
    }
}

/// A prediction in a few words: "virginica (87%)", "152.1 progression score".
pub fn describe(prediction: &Prediction) -> String {
    match prediction {
        Prediction::Class { label, probabilities } => match probabilities.iter().find(|p| &p.class == label) {
            Some(p) => format!("{label} ({}%)", format_number(p.probability * 100.0, 3)),
            None => label.clone(),
        },
        Prediction::Value { value, unit } => {
            format!("{} {}", format_number(*value, 4), unit.as_deref().unwrap_or_default()).trim_end().to_owned()
        }
    }
}

fn cell(value: &FeatureValue) -> String {
    match value {
        FeatureValue::Number(n) => format_number(*n, 4),
        FeatureValue::Text(t) => t.clone(),
    }
}
