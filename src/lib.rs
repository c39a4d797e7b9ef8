//! The Modelport page (`bin/app.rs`), a thin layer over `modelport-core`. Models run
//! in the inference worker (`crates/worker`); the page holds no tract.
//!
//! - [`inference`] is the page's handle on the worker: async `load` and `run`, and a
//!   restart when the worker dies.
//! - [`batch_run`] scores a CSV file in batch workers, one per core.
//! - [`catalog`] fetches the registry and model cards, and knows the environment.
//! - [`recorder`] keeps every prediction in IndexedDB for the monitor; [`settings`] what
//!   else this browser remembers (its id, shadow mode).
//! - [`recalibrated`] hands a recalibration from its tab to the Compare tab.
//! - [`route`] reads and changes the link in the address bar.
//! - `stream_source` connects the stream page to a Server-Sent Events or WebSocket URL.
//! - [`app`] and [`components`] render.

pub mod app;
pub mod batch_run;
pub mod catalog;
pub mod components;
pub mod inference;
pub mod offline;
pub mod recalibrated;
pub mod recorder;
pub mod route;
pub mod settings;
mod stream_source;
