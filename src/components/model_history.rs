//! A model's recent channel changes: who moved which channel to which version, when,
//! why, and whether a failing gate was overridden.

use leptos::prelude::*;
use modelport_core::registry::{Action, Event};

/// How many events the registry page shows per model: the recent ones matter.
const RECENT: usize = 6;

#[component]
pub fn ModelHistory(
    /// The model's history, oldest first, as the registry keeps it.
    events: Vec<Event>,
) -> impl IntoView {
    let total = events.len();
    let rows = events.into_iter().rev().take(RECENT).map(event_row).collect_view();
    let heading = if total > RECENT { format!("Recent history ({RECENT} of {total})") } else { "History".to_owned() };
    view! {
        <h3>{heading}</h3>
        <div class="table-scroll">
            <table class="history">
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Change"</th>
                        <th scope="col">"By"</th>
                        <th scope="col">"Why"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

fn event_row(event: Event) -> impl IntoView {
    let from = event.from.as_deref().map(|v| format!(" (was {v})")).unwrap_or_default();
    let change = match event.action {
        Action::Register => format!("registered {} on {}", event.to, event.channel),
        Action::Promote => format!("promoted {} to {}{from}", event.to, event.channel),
        Action::Rollback => format!("rolled {} back to {}{from}", event.channel, event.to),
    };
    let failed: Vec<&str> = event.gates.iter().filter(|g| !g.passed).map(|g| g.gate.as_str()).collect();
    let forced = event.forced.then(|| {
        view! { <span class="badge forced" title=format!("failed: {}", failed.join(", "))>"forced"</span> }
    });
    view! {
        <tr>
            <td>{event.at.replace('T', " ").trim_end_matches('Z').to_owned()}</td>
            <td>{change} " " {forced}</td>
            <td>{event.by}</td>
            <td>{event.reason.unwrap_or_default()}</td>
        </tr>
    }
}
