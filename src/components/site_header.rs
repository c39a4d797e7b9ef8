//! The site's header: the name, the environment (except in production, where the
//! public should not have to think about it), and the links to the other pages.

use leptos::prelude::*;
use modelport_core::Channel;
use modelport_core::link::Route;

use crate::catalog;

#[component]
pub fn SiteHeader(
    /// The environment the site was built for; `None` until the registry has arrived.
    environment: Signal<Option<Channel>>,
) -> impl IntoView {
    let tools = move || environment.get().is_some_and(catalog::shows_tools);
    view! {
        <header class="top">
            <a class="brand" href=Route::Home.to_fragment()>"Modelport"</a>
            {move || {
                environment.get().filter(|e| catalog::shows_tools(*e)).map(|e| {
                    view! {
                        <span class=format!("badge environment {e}") title="The environment this site was built for">
                            {e.to_string()}
                        </span>
                    }
                })
            }}
            <span class="tagline">"Machine-learning models that run on your device. Nothing you type leaves it."</span>
            <nav class="site-links" aria-label="Site">
                {move || tools().then(|| view! { <a href=Route::Registry(None).to_fragment()>"Registry"</a> })}
                <a class="upload-link" href=Route::Upload.to_fragment()>"Open your own model"</a>
            </nav>
        </header>
    }
}
