//! The batch page's column mapping: which column of the file feeds each of the model's
//! features, matched by name or position and changeable by hand, and what is left over.

use leptos::prelude::*;
use modelport_core::ModelCard;

/// Which column feeds each feature, changeable by hand; and what is left over.
#[component]
pub(super) fn Mapping(
    /// The file's name, for the heading.
    name: String,
    /// The file's header row.
    columns: Vec<String>,
    /// The model's card: the features to feed.
    card: ModelCard,
    /// For each feature, the index of the column that feeds it, if any.
    mapping: RwSignal<Vec<Option<usize>>>,
) -> impl IntoView {
    let by_name: Vec<Option<usize>> = card.features.iter().map(|f| columns.iter().position(|c| *c == f.name)).collect();
    let rows = card
        .features
        .iter()
        .enumerate()
        .map(|(feature, f)| {
            let options = columns
                .iter()
                .enumerate()
                .map(|(i, column)| {
                    let selected = move || mapping.with(|m| m.get(feature).copied().flatten() == Some(i));
                    view! { <option value=i.to_string() prop:selected=selected>{column.clone()}</option> }
                })
                .collect_view();
            let choose = move |ev: web_sys::Event| {
                let choice = event_target_value(&ev).parse::<usize>().ok();
                mapping.update(|m| m[feature] = choice);
            };
            let matched = by_name[feature];
            let how = move || match mapping.with(|m| m.get(feature).copied().flatten()) {
                None => "missing: choose a column",
                Some(c) if Some(c) == matched => "by name",
                Some(c) if matched.is_none() && c == feature => "by position",
                Some(_) => "chosen",
            };
            let id = format!("batch-map-{feature}");
            view! {
                <tr class:missing=move || mapping.with(|m| m.get(feature).copied().flatten().is_none())>
                    <td><label for=id.clone()>{f.name.clone()}</label></td>
                    <td>
                        <select id=id on:change=choose>
                            <option value="" prop:selected=move || mapping.with(|m| m.get(feature).copied().flatten().is_none())>"—"</option>
                            {options}
                        </select>
                    </td>
                    <td class="hint">{how}</td>
                </tr>
            }
        })
        .collect_view();
    let extra = {
        let columns = columns.clone();
        move || {
            let used = mapping.get();
            let unused: Vec<String> = columns
                .iter()
                .enumerate()
                .filter(|(i, _)| !used.contains(&Some(*i)))
                .map(|(_, c)| format!("“{c}”"))
                .collect();
            (!unused.is_empty()).then(|| format!("Not used by the model, kept in the output: {}.", unused.join(", ")))
        }
    };
    let reordered = move || {
        let order: Vec<Option<usize>> = mapping.get();
        let in_order = order.iter().enumerate().all(|(i, c)| *c == Some(i));
        (!in_order && order.iter().all(Option::is_some))
            .then_some("The columns are not in the model's order: each is matched as shown.")
    };
    let missing = move || {
        let count = mapping.with(|m| m.iter().filter(|c| c.is_none()).count());
        (count > 0).then(|| {
            format!(
                "{count} feature{} without a column: choose one for each before scoring.",
                if count == 1 { "" } else { "s" }
            )
        })
    };

    view! {
        <div class="mapping">
            <h3>{format!("Columns of “{name}”")}</h3>
            <div class="table-scroll">
                <table id="batch-mapping">
                    <thead><tr><th>"Model feature"</th><th>"Column"</th><th>"Matched"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {move || missing().map(|m| view! { <p class="error" role="alert">{m}</p> })}
            {move || reordered().map(|m| view! { <p class="hint">{m}</p> })}
            {move || extra().map(|m| view! { <p class="hint">{m}</p> })}
        </div>
    }
}
