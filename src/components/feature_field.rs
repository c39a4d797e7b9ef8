//! One labelled input for one feature: a number field with the training range as its
//! hint, a text field for a string input, or a select for a categorical feature.

use leptos::prelude::*;
use modelport_core::card::{Feature, FeatureKind, FeatureValue};

use crate::components::format_number;

/// Reads what the user typed in the field of a feature of `kind`. Text is taken as it
/// is: an empty string is a category too.
pub fn parse_field(kind: FeatureKind, text: &str) -> Result<FeatureValue, &'static str> {
    if kind == FeatureKind::Text {
        return Ok(FeatureValue::Text(text.to_owned()));
    }
    let text = text.trim();
    if text.is_empty() {
        return Err("a value is required");
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite()).map(FeatureValue::Number).ok_or("not a number")
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
    let kind = feature.kind;
    let bounds = feature.training.as_ref().map(|s| (s.min, s.max));
    // A categorical feature's choices say everything; a number field gets its range.
    let range = match (&feature.categories, bounds, kind) {
        (None, Some((min, max)), FeatureKind::Number) => format!(
            "training range {} to {}{}",
            format_number(min, 6),
            format_number(max, 6),
            feature.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default()
        ),
        (None, _, FeatureKind::Text) => "text".to_owned(),
        _ => String::new(),
    };
    // A value outside the training range still gets a prediction, with a warning: the
    // model has never seen such data.
    let problem = move || match (parse_field(kind, &text()), bounds) {
        (Err(e), _) => Some(e.to_owned()),
        (Ok(FeatureValue::Number(v)), Some((min, max))) if v < min || v > max => {
            Some("outside the training range".to_owned())
        }
        _ => None,
    };
    let invalid = move || parse_field(kind, &text()).is_err();

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
        None if kind == FeatureKind::Text => view! {
            <input
                id=id.clone()
                type="text"
                autocomplete="off"
                prop:value=text
                aria-describedby=hint_id.clone()
                on:input=move |ev| set(event_target_value(&ev))
            />
        }
        .into_any(),
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
    use super::*;

    #[test]
    fn fields_accept_numbers_and_say_what_is_wrong() {
        assert_eq!(parse_field(FeatureKind::Number, " 5.1 "), Ok(FeatureValue::Number(5.1)));
        assert_eq!(parse_field(FeatureKind::Number, ""), Err("a value is required"));
        assert_eq!(parse_field(FeatureKind::Number, "abc"), Err("not a number"));
        assert_eq!(parse_field(FeatureKind::Number, "inf"), Err("not a number"));
    }

    #[test]
    fn text_fields_take_any_text() {
        assert_eq!(parse_field(FeatureKind::Text, " male"), Ok(FeatureValue::Text(" male".into())));
        assert_eq!(parse_field(FeatureKind::Text, ""), Ok(FeatureValue::Text(String::new())));
    }
}
