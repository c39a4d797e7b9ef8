//! The batch page's progress while a file is scored: a bar, and the rows, share, rate,
//! time left and workers so far.

use leptos::prelude::*;

use crate::batch_run::Progress;
use crate::components::{format_number, now, thousands};

/// How far the run has got, and how fast.
#[component]
pub(super) fn ProgressView(
    /// What the workers have reported so far.
    progress: Progress,
    /// When the run started, on the page's clock ([`now`]), in milliseconds.
    started: f64,
) -> impl IntoView {
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
