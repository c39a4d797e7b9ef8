//! The drift of each feature and of the predictions, as a table, and the overall
//! level in words (never by colour alone).

use leptos::prelude::*;
use modelport_core::drift::Level;
use modelport_core::monitor::{Baseline, DriftReport, FeatureDrift, PredictionDrift, level_name};

use crate::components::drift_histogram::DriftHistogram;
use crate::components::thousands;

/// The worst level, announced: an alert as an alert, the rest as status.
#[component]
pub fn LevelNotice(level: Level) -> impl IntoView {
    let (role, text) = match level {
        Level::Stable => ("status", "Stable: no feature's PSI is above 0.1."),
        Level::Warn => ("status", "Warning: a PSI is above 0.1, the population is moving."),
        Level::Alert => ("alert", "Alert: a PSI is above 0.2, the population has shifted from the training data."),
    };
    view! {
        <p id="monitor-level" class=format!("monitor-level monitor-{}", level_name(level)) role=role data-level=level_name(level)>
            <strong>{text}</strong>
        </p>
    }
}

/// The statistics of every feature.
#[component]
pub fn DriftTable(report: DriftReport) -> impl IntoView {
    let rows = report.features.iter().map(|f| view! { <DriftRow drift=f.clone() /> }).collect_view();
    view! {
        <div class="table-scroll">
            <table class="monitor-table numbers" id="monitor-table">
                <caption>"Drift of each feature against the training data (PSI above 0.1 warns, above 0.2 alerts)"</caption>
                <DriftHead first="Feature" />
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The columns a [`DriftRow`] fills.
#[component]
fn DriftHead(
    /// The first column's heading: what the rows are the drift of.
    first: &'static str,
) -> impl IntoView {
    view! {
        <thead>
            <tr>
                <th scope="col">{first}</th>
                <th scope="col">"Level"</th>
                <th scope="col">"Values"</th>
                <th scope="col">"PSI"</th>
                <th scope="col">"KS"</th>
                <th scope="col">"Chi-squared"</th>
                <th scope="col">"Jensen-Shannon"</th>
            </tr>
        </thead>
    }
}

#[component]
fn DriftRow(drift: FeatureDrift) -> impl IntoView {
    // Fixed decimals, so that the columns line up and a negligible PSI reads as 0.000.
    let number = |x: Option<f64>| x.map_or("–".to_owned(), |x| format!("{x:.3}"));
    let level = drift.level.map_or("not judged", level_name);
    let values = if drift.missing > 0 {
        format!("{} ({} missing)", thousands(drift.count), thousands(drift.missing))
    } else {
        thousands(drift.count)
    };
    view! {
        <tr data-feature=drift.name.clone() data-level=level>
            <th scope="row">{drift.name.clone()}</th>
            // Second, so that it shows on a phone before the table scrolls.
            <td><span class=format!("monitor-badge monitor-{}", level.replace(' ', "-"))>{level}</span></td>
            <td>{values}</td>
            <td>{number(drift.psi)}</td>
            <td>{number(drift.ks)}</td>
            <td>{number(drift.chi_squared)}</td>
            <td>{number(drift.jensen_shannon)}</td>
        </tr>
    }
}

/// The predictions' drift, and what it is measured against.
#[component]
pub fn PredictionDriftView(
    prediction: Option<PredictionDrift>,
    /// Whether the model predicts classes: their reference is the earlier records.
    classifier: bool,
) -> impl IntoView {
    let body = match prediction {
        None if classifier => view! {
            <p class="hint">"The card keeps no training shares of the classes, so the predicted classes are compared with those recorded before the chosen span. Choose a span (the last day, say) with predictions recorded before it to see their drift."</p>
        }
        .into_any(),
        None => view! { <p class="hint">"The card keeps no training statistics of the target to compare the predictions with."</p> }.into_any(),
        Some(PredictionDrift { against, drift }) => {
            let against = match against {
                Baseline::Training => "Against the target's training statistics in the model card.".to_owned(),
                Baseline::Recorded { rows } => format!(
                    "Against the {} predictions recorded before the chosen span (the card keeps no training shares of the classes).",
                    thousands(rows)
                ),
            };
            view! {
                <p class="hint">{against}</p>
                <div class="table-scroll">
                    <table class="monitor-table numbers" id="monitor-prediction">
                        <DriftHead first="Predictions" />
                        <tbody><DriftRow drift=drift.clone() /></tbody>
                    </table>
                </div>
                <div class="monitor-histograms"><DriftHistogram drift /></div>
            }
            .into_any()
        }
    };
    view! {
        <h3>"Drift of the predictions"</h3>
        {body}
    }
}
