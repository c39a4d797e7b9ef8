//! The model card as a person reads it: what the model predicts, from which features,
//! trained on what, and how well it did on data it had not seen.

use leptos::prelude::*;
use modelport_core::ModelCard;
use modelport_core::card::FeatureKind;

use crate::components::format_number;

/// The card of one model version.
#[component]
pub fn ModelCardView(card: ModelCard) -> impl IntoView {
    let metrics = card
        .metrics
        .iter()
        .map(|(name, value)| view! { <tr><th scope="row">{metric_name(name)}</th><td>{format_number(*value, 4)}</td></tr> })
        .collect_view();
    let features = card
        .features
        .iter()
        .map(|f| {
            let kind = match (&f.categories, f.kind) {
                (Some(c), _) => c.iter().map(|c| c.label.as_str()).collect::<Vec<_>>().join(", "),
                (None, FeatureKind::Number) => "numeric".to_owned(),
                (None, FeatureKind::Text) => "text".to_owned(),
            };
            let range =
                f.training.as_ref().map(|s| format!("{} to {}", format_number(s.min, 5), format_number(s.max, 5)));
            let mean = f.training.as_ref().map(|s| format_number(s.mean, 4));
            view! {
                <tr>
                    <th scope="row">{f.name.clone()}</th>
                    <td>{f.unit.clone().unwrap_or_default()}</td>
                    <td>{kind}</td>
                    <td>{range}</td>
                    <td>{mean}</td>
                    <td>{f.description.clone().unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    let classes = card.classes().join(", ");
    let training = &card.training;
    let libraries = card.libraries.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
    let feature_count = card.features.len();

    view! {
        <section class="card" aria-labelledby="card-heading">
            <h2 id="card-heading">"Model card"</h2>
            <p>{card.description.clone()}</p>
            <dl class="facts">
                <dt>"Predicts"</dt>
                <dd>{card.predicts.clone()}</dd>
                {(!classes.is_empty()).then(|| view! { <dt>"Classes"</dt><dd>{classes}</dd> })}
                {card.target.unit.clone().map(|u| view! { <dt>"Unit"</dt><dd>{u}</dd> })}
                <dt>"Algorithm"</dt>
                <dd>{card.pipeline.join(" → ")}</dd>
                <dt>"Training data"</dt>
                <dd>
                    {format!(
                        "{}: {} rows, {} for training and {} held out ({}).",
                        training.dataset, training.rows, training.train_rows, training.test_rows, training.split
                    )}
                </dd>
                <dt>"Data SHA-256"</dt>
                <dd class="hash">{training.data_sha256.clone()}</dd>
                <dt>"Model file"</dt>
                <dd>{format!("{} bytes, {}", card.model.bytes, card.model.producer)}</dd>
                <dt>"Model SHA-256"</dt>
                <dd class="hash">{card.model.sha256.clone()}</dd>
                <dt>"Libraries"</dt>
                <dd>{libraries}</dd>
            </dl>
            <h3>"Held-out metrics"</h3>
            <table class="metrics">
                <tbody>{metrics}</tbody>
            </table>
            <details open=feature_count <= 16>
                <summary>{format!("Features ({feature_count})")}</summary>
                <div class="table-scroll">
                    <table class="features-table">
                        <thead>
                            <tr>
                                <th scope="col">"Feature"</th>
                                <th scope="col">"Unit"</th>
                                <th scope="col">"Kind"</th>
                                <th scope="col">"Training range"</th>
                                <th scope="col">"Mean"</th>
                                <th scope="col">"Meaning"</th>
                            </tr>
                        </thead>
                        <tbody>{features}</tbody>
                    </table>
                </div>
            </details>
        </section>
    }
}

/// A metric's name as people write it.
pub fn metric_name(name: &str) -> String {
    match name {
        "accuracy" => "Accuracy".into(),
        "macro_f1" => "Macro F1".into(),
        "log_loss" => "Log loss".into(),
        "roc_auc" => "ROC AUC".into(),
        "rmse" => "RMSE".into(),
        "mae" => "MAE".into(),
        "r2" => "R²".into(),
        other => other.replace('_', " "),
    }
}
