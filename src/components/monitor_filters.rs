//! The monitoring page's filters: which span of time, and which version, the report
//! looks at.

use leptos::prelude::*;
use modelport_core::monitor::Window;

/// The spans of time the page offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    Hour,
    Day,
    Week,
    All,
    /// From and to the dates given.
    Between,
}

impl Span {
    const ALL: [Span; 5] = [Span::Hour, Span::Day, Span::Week, Span::All, Span::Between];

    fn key(self) -> &'static str {
        match self {
            Span::Hour => "hour",
            Span::Day => "day",
            Span::Week => "week",
            Span::All => "all",
            Span::Between => "between",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Span::Hour => "The last hour",
            Span::Day => "The last day",
            Span::Week => "The last week",
            Span::All => "All recorded",
            Span::Between => "From and to…",
        }
    }

    /// The window at time `now`; `from` and `to` are `datetime-local` values (local
    /// time), empty for an open end.
    pub fn window(self, now: f64, from: &str, to: &str) -> Window {
        const HOUR: f64 = 3_600_000.0;
        let back = |hours: f64| Window { from: Some(now - hours * HOUR), to: None };
        match self {
            Span::Hour => back(1.0),
            Span::Day => back(24.0),
            Span::Week => back(24.0 * 7.0),
            Span::All => Window::default(),
            Span::Between => Window { from: local_time(from), to: local_time(to) },
        }
    }
}

/// Milliseconds since the epoch of a `datetime-local` value, read as local time.
fn local_time(value: &str) -> Option<f64> {
    let ms = js_sys::Date::new(&value.into()).get_time();
    (!value.is_empty() && ms.is_finite()).then_some(ms)
}

/// The span and version pickers.
#[component]
pub fn Filters(
    span: RwSignal<Span>,
    /// The `datetime-local` ends of [`Span::Between`].
    from: RwSignal<String>,
    to: RwSignal<String>,
    /// The version looked at; empty for all of them.
    version: RwSignal<String>,
    /// The versions to offer.
    versions: Vec<String>,
) -> impl IntoView {
    let spans = Span::ALL
        .map(|s| view! { <option value=s.key() selected=move || span.get() == s>{s.label()}</option> })
        .collect_view();
    let versions = versions
        .into_iter()
        .map(|v| {
            let label = format!("Version {v}");
            view! { <option value=v.clone() selected=move || version.get() == v>{label}</option> }
        })
        .collect_view();
    let on_span = move |ev| {
        let key = event_target_value(&ev);
        span.set(Span::ALL.into_iter().find(|s| s.key() == key).unwrap_or(Span::All));
    };
    view! {
        <div class="monitor-filters" role="group" aria-label="Which predictions">
            <label class="field">
                <span>"Recorded in"</span>
                <select id="monitor-span" on:change=on_span>{spans}</select>
            </label>
            <Show when=move || span.get() == Span::Between>
                <label class="field">
                    <span>"From"</span>
                    <input type="datetime-local" id="monitor-from" prop:value=from on:change=move |ev| from.set(event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span>"To"</span>
                    <input type="datetime-local" id="monitor-to" prop:value=to on:change=move |ev| to.set(event_target_value(&ev)) />
                </label>
            </Show>
            <label class="field">
                <span>"Version"</span>
                <select id="monitor-version" on:change=move |ev| version.set(event_target_value(&ev))>
                    <option value="" selected=move || version.get().is_empty()>"All versions"</option>
                    {versions}
                </select>
            </label>
        </div>
    }
}
