//! The offer of a new deployment: shown when a new version of the site has installed
//! while this page still runs the old one ([`crate::offline`]).

use leptos::prelude::*;

use crate::offline::Update;

#[component]
pub fn UpdateBanner(
    /// The new version waiting to take over, once there is one.
    update: ReadSignal<Option<Update>, LocalStorage>,
) -> impl IntoView {
    let reloading = RwSignal::new(false);
    move || {
        update.get().map(|next| {
            let reload = move |_| {
                reloading.set(true);
                next.apply();
            };
            view! {
                <aside class="update-banner" aria-label="Update">
                    <p role="status">"A new version of Modelport is ready."</p>
                    <button class="primary" on:click=reload disabled=reloading>
                        {move || if reloading.get() { "Reloading…" } else { "Reload" }}
                    </button>
                </aside>
            }
        })
    }
}
