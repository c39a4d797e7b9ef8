//! Staging's banner: this site is not production, and here is what production would
//! change to if staging were promoted, each change linked to its cards compared.

use leptos::prelude::*;
use modelport_core::link::{Comparison, Route};
use modelport_core::{Channel, Registry};

#[component]
pub fn StagingBanner(
    /// The registry as the staging site serves it (staging's and production's versions).
    registry: Registry,
) -> impl IntoView {
    let changes = registry
        .pending(Channel::Staging, Channel::Production)
        .into_iter()
        .map(|change| {
            let name = change.model.name.clone();
            let next = change.next.version.clone();
            match change.current {
                Some(current) => {
                    let compare = Route::Registry(Some(Comparison {
                        model: name.clone(),
                        before: current.version.clone(),
                        after: next.clone(),
                    }));
                    view! {
                        <li>
                            {format!("{name}: production {} → staging {next}", current.version)}
                            " "
                            <a href=compare.to_fragment()>{format!("compare {name} cards")}</a>
                        </li>
                    }
                    .into_any()
                }
                None => view! { <li>{format!("{name}: new in production, staging {next}")}</li> }.into_any(),
            }
        })
        .collect::<Vec<_>>();
    let summary = if changes.is_empty() {
        "Promoting staging would change nothing in production."
    } else {
        "What would change in production:"
    };

    view! {
        <aside class="environment-banner staging" aria-label="Staging">
            <p role="status">
                <strong>"Staging"</strong>
                " — a preview of the next release, for checking before it goes to production. "
                {summary}
            </p>
            {(!changes.is_empty()).then(|| view! { <ul class="pending">{changes}</ul> })}
        </aside>
    }
}
