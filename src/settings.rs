//! What this browser remembers between visits, in `localStorage`: its stable id (for
//! canary routing) and, per model, the challenger that shadow mode runs. Nothing here
//! leaves the device.

use leptos::prelude::window;
use web_sys::Storage;

const BROWSER_ID: &str = "modelport.browser-id";

fn storage() -> Option<Storage> {
    window().local_storage().ok().flatten()
}

/// This browser's id: made up once, at random, and kept. Without storage (a private
/// window that refuses it) every visit is a new browser, which only moves the canary.
pub fn browser_id() -> String {
    let stored = storage().and_then(|s| s.get_item(BROWSER_ID).ok().flatten());
    stored.unwrap_or_else(|| {
        let id: String = (0..4).map(|_| format!("{:08x}", (js_sys::Math::random() * 4_294_967_296.0) as u32)).collect();
        if let Some(storage) = storage() {
            let _ = storage.set_item(BROWSER_ID, &id);
        }
        id
    })
}

fn shadow_key(model: &str) -> String {
    format!("modelport.shadow.{model}")
}

/// The version shadow mode runs beside every prediction of `model`, if it is on.
pub fn shadow(model: &str) -> Option<String> {
    storage()?.get_item(&shadow_key(model)).ok().flatten()
}

pub fn set_shadow(model: &str, version: Option<&str>) {
    let Some(storage) = storage() else { return };
    let _ = match version {
        Some(version) => storage.set_item(&shadow_key(model), version),
        None => storage.remove_item(&shadow_key(model)),
    };
}
