//! A model file on its way to the worker: a progress bar, and the bytes so far of the
//! registry's size ("Downloading the model: 1.2 MB of 3.4 MB").

use leptos::prelude::*;

use crate::components::format_bytes;
use crate::inference::Download;

/// How much of the model has arrived. The bar is indeterminate when the size is unknown.
#[component]
pub fn ModelDownload(
    /// The latest report, updated as the file arrives.
    #[prop(into)]
    download: Signal<Download>,
) -> impl IntoView {
    let text = move || {
        let Download { received, total } = download.get();
        match total {
            Some(total) => format!("Downloading the model: {} of {}", format_bytes(received), format_bytes(total)),
            None => format!("Downloading the model: {}", format_bytes(received)),
        }
    };
    // A registry size that is too small must not overflow the bar; the text says the truth.
    let max = move || download.get().total.map(|total| total.to_string());
    let value = move || {
        let Download { received, total } = download.get();
        total.map(|total| received.min(total).to_string())
    };
    view! {
        <div class="model-download" role="status">
            <label>
                <span class="numbers">{text}</span>
                <progress max=max value=value></progress>
            </label>
        </div>
    }
}
