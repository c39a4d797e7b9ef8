//! The page's side of the site's links ([`modelport_core::link`]): the route in the
//! address bar now, and going to another. The fragment is the one source of truth:
//! controls change it, and the `hashchange` listener in [`crate::app`] follows.

use leptos::prelude::window;
use modelport_core::link::Route;

/// The route the address bar shows.
pub fn current() -> Route {
    let hash = window().location().hash().unwrap_or_default();
    let decoded = js_sys::decode_uri_component(&hash).map(String::from).unwrap_or(hash);
    Route::parse(&decoded)
}

/// Goes to `route`, adding to the browser's history so that Back returns.
pub fn go(route: &Route) {
    if let Err(e) = window().location().set_hash(&route.to_fragment()) {
        leptos::logging::error!("could not go to {}: {e:?}", route.to_fragment());
    }
}
