//! The Modelport web app: a page (`bin/app.rs`) and an inference worker
//! (`bin/worker.rs`), both thin layers over `modelport-core`.
//!
//! - [`protocol`] is the only language the page and the worker share.
//! - [`worker`] runs inside the Web Worker: it fetches and compiles models and runs
//!   batches. Only the worker binary links it, so the page's wasm holds no tract.
//! - [`inference`] is the page's handle on the worker: async `load` and `run`, and a
//!   restart when the worker dies.
//! - [`catalog`] fetches the registry and model cards.
//! - [`app`] and [`components`] render.

pub mod app;
pub mod catalog;
pub mod components;
pub mod inference;
pub mod protocol;
pub mod worker;
