//! The page's components, one per file.

mod batch_chart;
mod batch_mapping;
pub mod batch_page;
mod batch_profile;
mod batch_progress;
mod batch_result;
mod batch_shadow;
mod canary_view;
pub mod card_diff;
pub mod compare_page;
mod compare_result;
mod drift_histogram;
mod drift_table;
pub mod feature_field;
pub mod image_pad;
pub mod inspector;
mod live_chart;
pub mod model_card;
mod model_download;
pub mod model_history;
pub mod model_list;
pub mod model_page;
mod monitor_export;
mod monitor_filters;
pub mod monitor_page;
mod monitor_settings;
pub mod picture_picker;
pub mod prediction_view;
pub mod predictor;
mod recal_csv;
mod recal_curve;
mod recal_export;
mod recal_feedback;
mod recal_stream;
pub mod recalibrate_page;
pub mod registry_page;
pub mod shadow_view;
pub mod site_header;
mod source_picker;
mod sparkline;
pub mod staging_banner;
pub mod stream_page;
pub mod update_banner;
pub mod upload;
pub mod version_switcher;

use leptos::prelude::{document, set_timeout};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

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

/// Formats a file size for people: 422 B, 36.8 kB, 1.2 MB.
pub fn format_bytes(bytes: u64) -> String {
    match bytes {
        0..1000 => format!("{bytes} B"),
        1000..1_000_000 => format!("{} kB", format_number(bytes as f64 / 1e3, 3)),
        _ => format!("{} MB", format_number(bytes as f64 / 1e6, 3)),
    }
}

/// `12,345,678`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// Milliseconds on the page's clock (`performance.now()`); 0 where there is none.
fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Offers `data` (a string or bytes) as a file named `name`, through a link clicked on
/// the visitor's behalf.
pub fn download(data: &JsValue, kind: &str, name: &str) -> Result<(), String> {
    let failed = |e: JsValue| format!("{e:?}");
    let options = BlobPropertyBag::new();
    options.set_type(kind);
    let blob = Blob::new_with_blob_sequence_and_options(&js_sys::Array::of1(data), &options).map_err(failed)?;
    let url = Url::create_object_url_with_blob(&blob).map_err(failed)?;
    let link: HtmlAnchorElement =
        document().create_element("a").map_err(failed)?.dyn_into().map_err(|_| "no link element".to_owned())?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // The click has started the download; the URL is no longer needed once it has.
    set_timeout(move || drop(Url::revoke_object_url(&url)), std::time::Duration::from_secs(60));
    Ok(())
}
