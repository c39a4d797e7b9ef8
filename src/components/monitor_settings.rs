//! How much of the prediction log the browser keeps, and forgetting it.

use leptos::prelude::*;
use modelport_core::record::Retention;

use crate::recorder;

/// The visitor's retention: at most so many records per model, none older than so
/// many days. Saved in this browser; the next recorded prediction prunes to it.
#[component]
pub fn RetentionSettings() -> impl IntoView {
    let saved = recorder::retention();
    let records = RwSignal::new(saved.max_records.to_string());
    let days = RwSignal::new(saved.max_days.to_string());
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let parse = |text: String, what: &str| {
            text.trim().parse::<u32>().ok().filter(|&n| n > 0).ok_or(format!("{what} must be a whole number above 0"))
        };
        let retention = parse(records.get(), "The number of records")
            .and_then(|max_records| Ok(Retention { max_records, max_days: parse(days.get(), "The number of days")? }));
        outcome.set(Some(retention.and_then(|r| {
            recorder::save_retention(r)?;
            Ok(format!("Saved: up to {} records per model, for {} days.", r.max_records, r.max_days))
        })));
    };
    view! {
        <form class="monitor-retention" on:submit=save aria-labelledby="monitor-retention-title">
            <h3 id="monitor-retention-title">"Keep"</h3>
            <div class="monitor-filters">
                <label class="field">
                    <span>"Records per model, at most"</span>
                    <input id="monitor-max-records" type="number" min="1" step="1" inputmode="numeric" prop:value=records on:input=move |ev| records.set(event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span>"Days, at most"</span>
                    <input id="monitor-max-days" type="number" min="1" step="1" inputmode="numeric" prop:value=days on:input=move |ev| days.set(event_target_value(&ev)) />
                </label>
            </div>
            <button type="submit" class="secondary">"Save"</button>
            {move || outcome.get().map(|o| match o {
                Ok(text) => view! { <p class="status" role="status">{text}</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            })}
        </form>
    }
}

/// Deletes the model's log, after asking.
#[component]
pub fn ClearRecords(
    /// The model whose records go.
    model: String,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<(), String>>);
    let model = StoredValue::new(model);
    let clear = move |_| {
        confirming.set(false);
        leptos::task::spawn_local(async move {
            outcome.set(Some(recorder::clear(&model.get_value()).await));
        });
    };
    view! {
        <div class="monitor-clear">
            <h3>"Forget"</h3>
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <button type="button" class="secondary" id="monitor-clear" on:click=move |_| { outcome.set(None); confirming.set(true) }>
                        "Clear recorded predictions"
                    </button>
                }
            >
                <p role="alert">{format!("Delete every prediction recorded for {} in this browser? This cannot be undone.", model.get_value())}</p>
                <div class="batch-actions">
                    <button type="button" class="primary" id="monitor-clear-confirm" on:click=clear>"Delete them"</button>
                    <button type="button" class="secondary" on:click=move |_| confirming.set(false)>"Keep them"</button>
                </div>
            </Show>
            {move || outcome.get().map(|o| match o {
                Ok(()) => view! { <p class="status" role="status">"The recorded predictions were deleted."</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{format!("They could not be deleted: {e}.")}</p> }.into_any(),
            })}
        </div>
    }
}
