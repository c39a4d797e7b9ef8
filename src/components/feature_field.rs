//! One labelled input for one feature: a number field with the training range as its
//! hint, or a select for a categorical feature.

use leptos::prelude::*;
use modelport_core::card::Feature;

use crate::components::format_number;

/// Reads what the user typed in a field.
pub fn parse_field(text: &str) -> Result<f64, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        return Err("a value is required");
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or("not a number")
}

/// The field for feature `index`; its text lives in `texts[index]`.
#[component]
pub fn FeatureField(
    /// Position of the feature in the card, and of its text in `texts`.
    index: usize,
    /// The feature, from the model card.
    feature: Feature,
    /// The texts of every field of the form.
    texts: RwSignal<Vec<String>>,
) -> impl IntoView {
    let id = format!("feature-{index}");
    let hint_id = format!("feature-{index}-hint");
    let text = move || texts.with(|t| t[index].clone());
    let set = move |value: String| texts.update(|t| t[index] = value);
    let unit = feature.unit.clone().map(|u| format!(" ({u})")).unwrap_or_default();
    let stats = &feature.training;
    let (min, max) = (stats.min, stats.max);
    // A categorical feature's choices say everything; a number field gets its range.
    let range = match feature.categories {
        Some(_) => String::new(),
        None => format!(
            "training range {} to {}{}",
            format_number(min, 6),
            format_number(max, 6),
            feature.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default()
        ),
    };
    // A value outside the training range still gets a prediction, with a warning: the
    // model has never seen such data.
    let problem = move || match parse_field(&text()) {
        Err(e) => Some(e.to_owned()),
        Ok(v) if v < min || v > max => Some("outside the training range".to_owned()),
        Ok(_) => None,
    };
    let invalid = move || parse_field(&text()).is_err();

    let control = match feature.categories.clone() {
        Some(categories) => {
            let options = categories
                .into_iter()
                .map(|c| {
                    let value = c.value.to_string();
                    let selected = {
                        let value = value.clone();
                        move || text() == value
                    };
                    view! { <option value=value selected=selected>{c.label}</option> }
                })
                .collect_view();
            view! {
                <select id=id.clone() on:change=move |ev| set(event_target_value(&ev))>{options}</select>
            }
            .into_any()
        }
        None => view! {
            <input
                id=id.clone()
                type="number"
                step="any"
                inputmode="decimal"
                prop:value=text
                aria-invalid=move || invalid().then_some("true")
                aria-describedby=hint_id.clone()
                on:input=move |ev| set(event_target_value(&ev))
            />
        }
        .into_any(),
    };

    view! {
        <div class="field" class:invalid=invalid title=feature.description.clone().unwrap_or_default()>
            <label for=id>{feature.name.clone()}{unit}</label>
            {control}
            <span class="hint" id=hint_id.clone() class:problem=move || problem().is_some()>
                {move || match problem() {
                    Some(p) if range.is_empty() => p,
                    Some(p) => format!("{p}; {range}"),
                    None => range.clone(),
                }}
            </span>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::parse_field;

    #[test]
    fn fields_accept_numbers_and_say_what_is_wrong() {
        assert_eq!(parse_field(" 5.1 "), Ok(5.1));
        assert_eq!(parse_field(""), Err("a value is required"));
        assert_eq!(parse_field("abc"), Err("not a number"));
        assert_eq!(parse_field("inf"), Err("not a number"));
    }
}
