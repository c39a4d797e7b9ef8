//! A small pair of histograms over the same bins: a column of a file beside the
//! training data's.

use leptos::prelude::*;

/// Two small histograms over the same bins, each scaled to its own total: the file's as
/// bars, the training data's as an outline.
#[component]
pub(super) fn Sparkline(
    /// The file's count in each bin.
    file: Vec<u64>,
    /// The training data's count in each bin.
    training: Vec<u64>,
) -> impl IntoView {
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
