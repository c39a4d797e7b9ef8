//! The page's components, one per file.

pub mod feature_field;
pub mod image_pad;
pub mod inspector;
pub mod model_card;
pub mod model_list;
pub mod model_page;
pub mod picture_picker;
pub mod prediction_view;
pub mod predictor;
pub mod upload;

/// Formats a number for people: at most `digits` significant digits, no trailing zeros.
pub fn format_number(value: f64, digits: usize) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    if value == 0.0 {
        return "0".into();
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (digits as i32 - 1 - magnitude).max(0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_owned() } else { text }
}
