//! The batch page's chart of predictions: rows per class, or predicted values over the
//! bins of the training data's target.

use leptos::prelude::*;
use modelport_core::batch::Predictions;
use modelport_core::batch::profile::BinnedCounts;

use crate::components::{format_number, thousands};

/// Rows per class as bars, or predicted values over the training target's bins.
#[component]
pub(super) fn PredictionChart(
    /// What the file's rows were predicted to be.
    predictions: Predictions,
    /// The name of what the model predicts, for the heading.
    target: String,
) -> impl IntoView {
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
