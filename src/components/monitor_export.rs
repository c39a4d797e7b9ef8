//! The monitoring report, downloaded: JSON for programs, one self-contained HTML file
//! for people. Both are made here, from what is on the page.

use leptos::prelude::*;
use modelport_core::monitor::DriftReport;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

#[component]
pub fn Export(report: Signal<DriftReport>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let offer = move |json: bool| {
        let report = report.get();
        let stem = format!("drift-{}-{}", report.model, report.version.replace(' ', "-"));
        let made = if json {
            serde_json::to_string_pretty(&report)
                .map_err(|e| e.to_string())
                .and_then(|text| download(&text, "application/json", &format!("{stem}.json")))
        } else {
            download(&report.to_html(), "text/html", &format!("{stem}.html"))
        };
        error.set(made.err());
    };
    view! {
        <div class="monitor-export">
            <h3>"Export the report"</h3>
            <div class="batch-actions">
                <button type="button" class="secondary" id="monitor-export-json" on:click=move |_| offer(true)>"Download JSON"</button>
                <button type="button" class="secondary" id="monitor-export-html" on:click=move |_| offer(false)>"Download HTML"</button>
            </div>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{format!("The report could not be downloaded: {e}.")}</p> })}
        </div>
    }
}

/// Offers `text` as a file named `name`, through a link clicked on the visitor's behalf.
fn download(text: &str, kind: &str, name: &str) -> Result<(), String> {
    let failed = |e: wasm_bindgen::JsValue| format!("{e:?}");
    let options = BlobPropertyBag::new();
    options.set_type(kind);
    let parts = js_sys::Array::of1(&text.into());
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).map_err(failed)?;
    let url = Url::create_object_url_with_blob(&blob).map_err(failed)?;
    let link: HtmlAnchorElement =
        document().create_element("a").map_err(failed)?.dyn_into().map_err(|_| "no link element".to_owned())?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // The click has started the download; the URL is no longer needed once it has.
    let revoke = url.clone();
    set_timeout(move || drop(Url::revoke_object_url(&revoke)), std::time::Duration::from_secs(60));
    Ok(())
}
