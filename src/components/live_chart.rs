//! The stream page's chart: the latest windows' predictions, one column a window.

use leptos::prelude::*;

use crate::components::format_number;

/// Windows the live chart keeps.
pub(super) const CHART_WINDOWS: usize = 40;

/// One window's predictions, for the chart.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct WindowTally {
    /// Rows per class (classifiers), in the card's class order.
    pub(super) classes: Vec<u64>,
    /// Mean predicted value (regressors).
    pub(super) mean: Option<f64>,
    pub(super) rows: usize,
}

/// Each window as a column: stacked class counts, or the mean predicted value.
#[component]
pub(super) fn LiveChart(
    /// The windows to show, oldest first.
    windows: Vec<WindowTally>,
    /// The card's classes, for the legend; empty for a regressor.
    classes: Vec<String>,
) -> impl IntoView {
    const HEIGHT: f64 = 80.0;
    const STEP: f64 = 10.0;
    let top = windows.iter().filter_map(|w| w.mean).fold(f64::NEG_INFINITY, f64::max);
    let bottom = windows.iter().filter_map(|w| w.mean).fold(f64::INFINITY, f64::min);
    let columns = windows
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let x = i as f64 * STEP;
            if let Some(mean) = w.mean {
                let span = (top - bottom).max(1e-9);
                let h = 8.0 + (HEIGHT - 8.0) * (mean - bottom) / span;
                return view! { <rect class="value" x=x.to_string() y=(HEIGHT - h).to_string() width="8" height=h.to_string() /> }.into_any();
            }
            let total = w.rows.max(1) as f64;
            let mut y = HEIGHT;
            w.classes
                .iter()
                .enumerate()
                .map(|(c, &n)| {
                    let h = HEIGHT * n as f64 / total;
                    y -= h;
                    view! { <rect class=format!("class-{}", c % 6) x=x.to_string() y=y.to_string() width="8" height=h.to_string() /> }
                })
                .collect_view()
                .into_any()
        })
        .collect_view();
    let legend = classes
        .iter()
        .enumerate()
        .map(|(c, class)| view! { <li><span class=format!("swatch class-{}", c % 6)></span>{class.clone()}</li> })
        .collect_view();
    let caption = if windows.iter().any(|w| w.mean.is_some()) {
        format!("Mean prediction per batch, {} to {}", format_number(bottom, 4), format_number(top, 4))
    } else {
        "Predicted classes per batch, oldest on the left".to_owned()
    };
    view! {
        <figure class="live-chart" id="stream-chart">
            <svg viewBox=format!("0 0 {} {HEIGHT}", CHART_WINDOWS as f64 * STEP) preserveAspectRatio="none" role="img" aria-label=caption.clone()>
                {columns}
            </svg>
            <figcaption>{caption}<ul class="legend">{legend}</ul></figcaption>
        </figure>
    }
}
