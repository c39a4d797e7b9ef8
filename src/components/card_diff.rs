//! Two versions' cards side by side, as [`CardDiff`] compares them: metrics with their
//! difference, features, training data, algorithm and model file. The pair is chosen
//! with two selects, and the choice goes into the link.

use leptos::prelude::*;
use modelport_core::card::diff::{CardDiff, FeatureChange, FieldDiff, MetricChange};
use modelport_core::link::{self, Comparison, Route, Selector};
use modelport_core::registry::RegisteredModel;
use modelport_core::{Channel, ModelCard};

use crate::components::format_number;
use crate::components::model_card::metric_name;
use crate::{catalog, route};

#[component]
pub fn CardComparison(
    model: RegisteredModel,
    environment: Channel,
    /// The pair a link asked for; it applies when it names this model.
    comparison: Signal<Option<Comparison>>,
) -> impl IntoView {
    let Some((before, after)) = model.default_comparison() else {
        return view! { <p class="status">"One version only: nothing to compare yet."</p> }.into_any();
    };
    let default = (before.version.clone(), after.version.clone());
    let name = model.name.clone();
    let pair = Memo::new(move |_| {
        comparison.get().filter(|c| c.model == name).map(|c| (c.before, c.after)).unwrap_or(default.clone())
    });
    let cards = LocalResource::new({
        let model = model.clone();
        move || {
            let (before, after) = pair.get();
            let model = model.clone();
            async move { (load(&model, &before, environment).await, load(&model, &after, environment).await) }
        }
    });
    let name = model.name.clone();
    let choose = move |before: String, after: String| {
        route::go(&Route::Registry(Some(Comparison { model: name.clone(), before, after })));
    };
    let picker = |label: &'static str, before_side: bool| {
        let side = move |p: &(String, String)| if before_side { p.0.clone() } else { p.1.clone() };
        let choose = choose.clone();
        let options = model
            .versions_newest_first()
            .into_iter()
            .map(|v| {
                let version = v.version.clone();
                let chosen = move || pair.with(|p| side(p) == version);
                let text = format!("{} — {}", v.version, catalog::standing(&model, &v.version));
                view! { <option value=v.version.clone() prop:selected=chosen>{text}</option> }
            })
            .collect_view();
        let id = format!("compare-{}-{}", model.name, label.to_lowercase());
        let on_change = move |ev: web_sys::Event| {
            let picked = event_target_value(&ev);
            let (before, after) = pair.get_untracked();
            if before_side { choose(picked, after) } else { choose(before, picked) }
        };
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <select id=id on:change=on_change>{options}</select>
            </div>
        }
    };

    view! {
        <section class="card-diff" aria-label=format!("Compare {} cards", model.name)>
            <h3>"Compare two versions' cards"</h3>
            <div class="diff-pickers">{picker("Before", true)} {picker("After", false)}</div>
            {move || match cards.get() {
                None => view! { <p class="status" role="status">"Loading both cards…"</p> }.into_any(),
                Some((Ok(before), Ok(after))) => view! { <DiffTables before after /> }.into_any(),
                Some((Err(e), _) | (_, Err(e))) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            }}
        </section>
    }
    .into_any()
}

async fn load(model: &RegisteredModel, version: &str, environment: Channel) -> Result<ModelCard, String> {
    let selector = Selector::Version(version.to_owned());
    let version = link::select(model, Some(&selector), environment).map_err(|e| e.to_string())?;
    catalog::card(version).await
}

#[component]
fn DiffTables(before: ModelCard, after: ModelCard) -> impl IntoView {
    let diff = CardDiff::new(&before, &after);
    let head = move |first: &'static str| {
        view! {
            <thead>
                <tr>
                    <th scope="col">{first}</th>
                    <th scope="col">{before.version.clone()}</th>
                    <th scope="col">{after.version.clone()}</th>
                </tr>
            </thead>
        }
    };
    let metrics = diff.metrics.iter().map(metric_row).collect_view();
    let features = diff
        .features
        .into_iter()
        .map(|f| {
            let (class, text) = match f.change {
                FeatureChange::Added => ("changed", "added".to_owned()),
                FeatureChange::Removed => ("changed", "removed".to_owned()),
                FeatureChange::Kept(moved) if moved.is_empty() => ("", "same training range".to_owned()),
                FeatureChange::Kept(moved) => {
                    let number = |v: Option<f64>| v.map_or("—".to_owned(), |v| format_number(v, 4));
                    let moves =
                        moved.iter().map(|m| format!("{} {} → {}", m.statistic, number(m.before), number(m.after)));
                    ("changed", moves.collect::<Vec<_>>().join(", "))
                }
            };
            view! { <tr class=class><th scope="row">{f.name}</th><td>{text}</td></tr> }
        })
        .collect_view();

    view! {
        <div class="diff-tables">
            <table class="diff metrics-diff">
                <caption>"Held-out metrics"</caption>
                {head("Metric")}
                <tbody>{metrics}</tbody>
            </table>
            <table class="diff">
                <caption>"Features"</caption>
                <thead><tr><th scope="col">"Feature"</th><th scope="col">"Change"</th></tr></thead>
                <tbody>{features}</tbody>
            </table>
            <table class="diff">
                <caption>"Training data"</caption>
                {head("")}
                <tbody>{diff.training.into_iter().map(field_row).collect_view()}</tbody>
            </table>
            <table class="diff">
                <caption>"Algorithm and model file"</caption>
                {head("")}
                <tbody>{diff.model.into_iter().map(field_row).collect_view()}</tbody>
            </table>
        </div>
    }
}

fn metric_row(metric: &MetricChange) -> impl IntoView + use<> {
    let number = |v: Option<f64>| v.map_or("—".to_owned(), |v| format_number(v, 4));
    let (class, verdict) = match metric.improved() {
        Some(true) => ("better", " better"),
        Some(false) => ("worse", " worse"),
        None => ("", ""),
    };
    let difference =
        metric.difference().map(|d| format!("{}{}{verdict}", if d >= 0.0 { "+" } else { "" }, format_number(d, 3)));
    view! {
        <tr>
            <th scope="row">{metric_name(&metric.name)}</th>
            <td class="numbers">{number(metric.before)}</td>
            <td class="numbers">
                {number(metric.after)}
                {difference.map(|d| view! { " " <span class=format!("difference {class}")>{format!("({d})")}</span> })}
            </td>
        </tr>
    }
}

fn field_row(field: FieldDiff) -> impl IntoView {
    let class = if field.changed() { "changed" } else { "" };
    let hash = field.field.contains("sha256");
    view! {
        <tr class=class>
            <th scope="row">{field.field}</th>
            <td class:hash=hash>{field.before}</td>
            <td class:hash=hash>{field.after}</td>
        </tr>
    }
}
