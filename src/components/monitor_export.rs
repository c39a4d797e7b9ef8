//! The monitoring report, downloaded: JSON for programs, one self-contained HTML file
//! for people. Both are made here, from what is on the page.

use leptos::prelude::*;
use modelport_core::monitor::DriftReport;

use crate::components::download;

#[component]
pub fn Export(report: Signal<DriftReport>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let offer = move |json: bool| {
        let report = report.get();
        let stem = format!("drift-{}-{}", report.model, report.version.replace(' ', "-"));
        let made = if json {
            serde_json::to_string_pretty(&report)
                .map_err(|e| e.to_string())
                .and_then(|text| download(&text.into(), "application/json", &format!("{stem}.json")))
        } else {
            download(&report.to_html().into(), "text/html", &format!("{stem}.html"))
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
