//! The batch page's profile of the file: each column's count, missing values, range,
//! mean and distribution, beside the training data's.

use leptos::prelude::*;
use modelport_core::ModelCard;
use modelport_core::batch::profile::Profile;

use crate::components::sparkline::Sparkline;
use crate::components::{format_number, thousands};

/// The file's columns beside the training data's statistics.
#[component]
pub(super) fn ProfileView(
    /// The statistics of the file's columns.
    profile: Profile,
    /// The model's card: the training data's statistics of each feature.
    card: ModelCard,
) -> impl IntoView {
    let rows = profile
        .columns
        .into_iter()
        .map(|column| {
            let training = card.features.iter().find(|f| f.name == column.name).and_then(|f| f.training.clone());
            let range = |min: f64, max: f64| format!("{} to {}", format_number(min, 4), format_number(max, 4));
            let file_range = (column.count > 0).then(|| range(column.min, column.max));
            let file_mean = (column.count > 0).then(|| format_number(column.mean, 4));
            let sparkline = column.histogram.as_ref().zip(training.as_ref()).map(|(file, training)| {
                view! { <Sparkline file=file.counts.clone() training=training.histogram.counts.clone() /> }
            });
            view! {
                <tr>
                    <th scope="row">{column.name}</th>
                    <td class="numbers">{thousands(column.count)}</td>
                    <td class="numbers">{thousands(column.missing + column.text)}</td>
                    <td class="numbers">{file_range}</td>
                    <td class="numbers">{file_mean}</td>
                    <td class="numbers">{training.as_ref().map(|t| range(t.min, t.max))}</td>
                    <td class="numbers">{training.as_ref().map(|t| format_number(t.mean, 4))}</td>
                    <td>{sparkline}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h3>"The file beside the training data"</h3>
        <div class="table-scroll">
            <table class="profile" id="batch-profile">
                <thead>
                    <tr>
                        <th>"Column"</th>
                        <th>"Numbers"</th>
                        <th>"Missing or text"</th>
                        <th>"Range"</th>
                        <th>"Mean"</th>
                        <th>"Training range"</th>
                        <th>"Training mean"</th>
                        <th>"Distribution (file, training)"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
