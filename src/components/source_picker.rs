//! The source controls both stream parts share (the stream page, and Recalibrate's
//! "Learn from a stream"): Server-Sent Events, WebSocket or pasted records, then the
//! URL field or the pasted text that goes with the choice. What is picked is read on
//! Start, from a [`SourceChoice`].

use leptos::prelude::*;

use crate::stream_source::SourceKind;

/// What the user picked: the kind of source, its URL and the pasted records.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SourceChoice {
    pub(crate) kind: RwSignal<SourceKind>,
    pub(crate) url: RwSignal<String>,
    pub(crate) pasted: RwSignal<String>,
}

impl Default for SourceChoice {
    /// Server-Sent Events, nothing typed or pasted yet.
    fn default() -> Self {
        Self {
            kind: RwSignal::new(SourceKind::Sse),
            url: RwSignal::new(String::new()),
            pasted: RwSignal::new(String::new()),
        }
    }
}

/// The Source select, and the URL input or the pasted records' text area.
#[component]
pub(super) fn SourcePicker(
    /// Where the picked source is kept.
    choice: SourceChoice,
    /// Starts the element ids: `{id_prefix}-kind`, `{id_prefix}-url`, `{id_prefix}-pasted`.
    id_prefix: &'static str,
    /// The pasted records' text area's accessible name.
    pasted_label: &'static str,
    /// The text area's placeholder: what one record looks like.
    #[prop(into)]
    example: String,
) -> impl IntoView {
    let SourceChoice { kind, url, pasted } = choice;
    let kind_id = format!("{id_prefix}-kind");
    let input = move || {
        if kind.get() == SourceKind::Pasted {
            view! {
                <textarea id=format!("{id_prefix}-pasted") rows="6" aria-label=pasted_label
                    placeholder=example.clone()
                    prop:value=move || pasted.get()
                    on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
            }
            .into_any()
        } else {
            view! {
                <input id=format!("{id_prefix}-url") type="url" aria-label="Stream URL"
                    placeholder=if kind.get() == SourceKind::Sse { "https://…/events" } else { "wss://…" }
                    prop:value=move || url.get()
                    on:input=move |ev| url.set(event_target_value(&ev)) />
            }
            .into_any()
        }
    };

    view! {
        <div class="stream-source">
            <label for=kind_id.clone()>"Source"</label>
            <select id=kind_id on:change=move |ev| kind.set(match event_target_value(&ev).as_str() {
                "websocket" => SourceKind::WebSocket,
                "pasted" => SourceKind::Pasted,
                _ => SourceKind::Sse,
            })>
                <option value="sse">"Server-Sent Events URL"</option>
                <option value="websocket">"WebSocket URL"</option>
                <option value="pasted">"Pasted records (one per line)"</option>
            </select>
            {input}
        </div>
    }
}
