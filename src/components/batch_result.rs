//! The batch page's result: the headline numbers, the download, the first rows with
//! errors, then the predictions' distribution and the file's profile.

use leptos::prelude::*;
use modelport_core::ModelCard;
use modelport_core::batch::Summary;
use modelport_core::batch::profile::Profile;

use crate::components::batch_chart::PredictionChart;
use crate::components::batch_profile::ProfileView;
use crate::components::{format_number, thousands};

/// A scored file, ready to show.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Finished {
    pub(super) summary: Summary,
    pub(super) profile: Profile,
    pub(super) millis: f64,
    /// An object URL of the output.
    pub(super) download: String,
    pub(super) file_name: String,
}

/// What came of scoring the file.
#[component]
pub(super) fn FinishedView(
    /// The run's summary, profile and output.
    finished: Finished,
    /// The model's card: the target's name and the training data's statistics.
    card: ModelCard,
) -> impl IntoView {
    let Finished { summary, profile, millis, download, file_name } = finished;
    let rate = summary.rows as f64 / (millis / 1000.0).max(1e-3);
    let headline = format!(
        "{} rows in {} s ({} rows/s): {} scored, {} with errors.",
        thousands(summary.rows),
        format_number(millis / 1000.0, 3),
        thousands(rate as u64),
        thousands(summary.rows - summary.errors),
        thousands(summary.errors),
    );
    let errors = (!summary.first_errors.is_empty()).then(|| {
        let items = summary.first_errors.iter().map(|e| view! { <li>{e.clone()}</li> }).collect_view();
        let more = summary.errors.saturating_sub(summary.first_errors.len() as u64);
        view! {
            <h3>"Rows with errors"</h3>
            <ul class="batch-errors">{items}</ul>
            {(more > 0).then(|| view! { <p class="hint">{format!("…and {} more, each with its reason in the output's error column.", thousands(more))}</p> })}
        }
    });
    view! {
        <div
            id="batch-summary"
            class="batch-summary"
            data-done="true"
            data-rows=summary.rows.to_string()
            data-errors=summary.errors.to_string()
            data-millis=format!("{millis:.0}")
        >
            <progress id="batch-progress" max="1" value="1" aria-label="Done"></progress>
            <p role="status"><strong>{headline}</strong></p>
            <a id="batch-download" class="button primary" href=download download=file_name.clone()>
                {format!("Download {file_name}")}
            </a>
            {errors}
            <PredictionChart predictions=summary.predictions target=card.target.name.clone() />
            <ProfileView profile card />
        </div>
    }
}
