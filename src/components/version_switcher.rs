//! Picks another version of a model, newest first, each with where it stands. Choosing
//! one changes the link, so the choice can be shared and Back undoes it.

use leptos::prelude::*;
use modelport_core::link::{Route, Selector, Tool};
use modelport_core::registry::RegisteredModel;

use crate::{catalog, route};

#[component]
pub fn VersionSwitcher(
    model: RegisteredModel,
    /// The version the page shows, if the link selects one.
    shown: Signal<Option<String>>,
    /// The page's tool, kept when the version changes.
    tool: Tool,
) -> impl IntoView {
    let options = model
        .versions_newest_first()
        .into_iter()
        .map(|v| {
            let label = format!("{} — {}", v.version, catalog::standing(&model, &v.version));
            let version = v.version.clone();
            // Each option says whether it is chosen: a `value` on the select would be
            // set before its options exist.
            let chosen = move || shown.with(|s| s.as_deref() == Some(version.as_str()));
            view! { <option value=v.version.clone() prop:selected=chosen>{label}</option> }
        })
        .collect_view();
    let name = model.name.clone();
    let choose = move |ev: web_sys::Event| {
        let version = event_target_value(&ev);
        route::go(&Route::Model { name: name.clone(), selector: Some(Selector::Version(version)), tool });
    };

    view! {
        <div class="version-switcher">
            <label for="version-switcher">"Version"</label>
            <select id="version-switcher" on:change=choose>
                {options}
            </select>
        </div>
    }
}
