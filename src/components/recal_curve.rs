//! The learner's prequential learning curve: the error of each window of examples,
//! each predicted before it was learned, so a falling curve means it is learning.

use leptos::prelude::*;

use crate::components::format_number;
use crate::components::recalibrate_page::Session;

/// The curve, redrawn as the learner learns.
#[component]
pub(super) fn LearningCurve(
    /// What the page has learned.
    session: Session,
    /// The error is an RMSE (unbounded) rather than a share of wrong answers.
    regression: bool,
) -> impl IntoView {
    const WIDTH: f64 = 300.0;
    const HEIGHT: f64 = 80.0;
    let what = if regression { "RMSE" } else { "error rate" };
    let chart = move || {
        let points = session.learner.with(|l| l.curve().to_vec());
        let (Some(first), Some(last)) = (points.first(), points.last()) else {
            return view! {
                <p class="hint" id="recal-curve-empty">"The curve starts once ten examples have been learned."</p>
            }
            .into_any();
        };
        let top = if regression { points.iter().map(|p| p.error).fold(1e-9, f64::max) } else { 1.0 };
        let span = (last.rows - first.rows).max(1) as f64;
        let xy = |rows: u64, error: f64| {
            let x = if points.len() == 1 { WIDTH / 2.0 } else { WIDTH * (rows - first.rows) as f64 / span };
            (x, HEIGHT - HEIGHT * error / top)
        };
        let line: Vec<String> =
            points.iter().map(|p| xy(p.rows, p.error)).map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let caption = format!(
            "Prequential {what} per window of ten examples, from 0 to {}: {} after {} examples",
            format_number(top, 3),
            format_number(last.error, 3),
            last.rows
        );
        view! {
            <figure class="recal-curve" id="recal-curve">
                <svg viewBox=format!("-4 -4 {} {}", WIDTH + 8.0, HEIGHT + 8.0) preserveAspectRatio="none" role="img" aria-label=caption.clone()>
                    <line class="recal-axis" x1="0" y1=HEIGHT.to_string() x2=WIDTH.to_string() y2=HEIGHT.to_string() />
                    <polyline points=line.join(" ") />
                </svg>
                <figcaption>{caption}</figcaption>
            </figure>
        }
        .into_any()
    };
    view! {
        <section class="recal-part" aria-labelledby="recal-curve-title">
            <h3 id="recal-curve-title">"Learning curve"</h3>
            {chart}
            <p class="hint">{move || {
                let metrics = session.learner.with(|l| (l.learned() > 0).then(|| l.metrics()));
                metrics.map(|m| {
                    let m: Vec<String> = m.iter().map(|(name, v)| format!("{name} {}", format_number(*v, 4))).collect();
                    format!("Over all {} examples learned: {}.", session.learner.with(|l| l.learned()), m.join(", "))
                })
            }}</p>
        </section>
    }
}
