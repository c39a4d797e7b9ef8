//! One feature's training and recorded histograms, drawn over each other as inline
//! SVG: the training bars grey and wide, the recorded ones blue and narrower inside
//! them, so that both stay visible where they overlap.

use leptos::prelude::*;
use modelport_core::monitor::FeatureDrift;

use crate::components::format_number;

const WIDTH: f64 = 320.0;
const HEIGHT: f64 = 120.0;
/// Room under the bars for the range's ends.
const AXIS: f64 = 16.0;

#[component]
pub fn DriftHistogram(drift: FeatureDrift) -> impl IntoView {
    let bins = drift.bins.len().max(1) as f64;
    let step = WIDTH / bins;
    let top = drift.baseline.iter().chain(&drift.current).copied().fold(0.0, f64::max).max(1e-12);
    let height = |share: f64| share / top * (HEIGHT - AXIS - 4.0);
    let bars = drift
        .bins
        .iter()
        .zip(drift.baseline.iter().zip(&drift.current))
        .enumerate()
        .map(|(i, (label, (&base, &current)))| {
            let x = i as f64 * step;
            let (hb, hc) = (height(base), height(current));
            let tip = format!("{label}: training {:.1}%, recorded {:.1}%", base * 100.0, current * 100.0);
            view! {
                <g>
                    <title>{tip}</title>
                    <rect class="monitor-baseline" x=x + 1.0 y=HEIGHT - AXIS - hb width=(step - 2.0).max(1.0) height=hb />
                    <rect class="monitor-current" x=x + step * 0.25 y=HEIGHT - AXIS - hc width=(step * 0.5).max(1.0) height=hc />
                </g>
            }
        })
        .collect_view();
    // Numeric bins are named "a to b": the axis shows the range's ends.
    let first = drift.bins.first().map_or("", |b| b.split(" to ").next().unwrap_or(b)).to_owned();
    let last = drift.bins.last().map_or("", |b| b.rsplit(" to ").next().unwrap_or(b)).to_owned();
    let title = format!(
        "{}: training and recorded distributions over {} bins{}",
        drift.name,
        drift.bins.len(),
        drift.psi.map_or(String::new(), |psi| format!(", PSI {}", format_number(psi, 3))),
    );
    let id = format!("monitor-histogram-{}", drift.name.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
    view! {
        <figure class="monitor-histogram">
            <figcaption id=id.clone()>{drift.name.clone()}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby=id.clone()>
                <title>{title}</title>
                {bars}
                <line class="monitor-axis" x1="0" x2=WIDTH y1=HEIGHT - AXIS y2=HEIGHT - AXIS />
                <text class="monitor-tick" x="0" y=HEIGHT - 3.0>{first}</text>
                <text class="monitor-tick" x=WIDTH y=HEIGHT - 3.0 text-anchor="end">{last}</text>
            </svg>
            <p class="monitor-legend">
                <span class="monitor-key monitor-baseline-key"></span>"training"
                <span class="monitor-key monitor-current-key"></span>"recorded"
            </p>
        </figure>
    }
}
