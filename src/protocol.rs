//! Messages between the page and the inference worker. Each crosses `postMessage` as a
//! JSON string: one format, checked by serde on both sides.

use modelport_core::{Signature, Tensors};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

/// What the page asks of the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WorkerRequest {
    /// Fetch the model at `url` and compile it under `key` (once: later loads of the
    /// same key answer from the cache).
    Load { key: String, url: String },
    /// Run one batch through the model compiled under `key`.
    Run { id: u64, key: String, inputs: Tensors },
}

/// What the worker answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WorkerResponse {
    /// The worker's wasm is running and listening: messages sent before this are lost.
    Ready,
    Loaded { key: String, signature: Signature, millis: f64 },
    LoadFailed { key: String, message: String },
    /// `millis` is the time spent in inference alone, measured in the worker.
    Ran { id: u64, outputs: Tensors, millis: f64 },
    RunFailed { id: u64, message: String },
}

pub fn encode<T: Serialize>(message: &T) -> JsValue {
    // Serialising these plain types cannot fail: every map key is a string.
    JsValue::from_str(&serde_json::to_string(message).expect("protocol messages serialise"))
}

pub fn decode<T: for<'de> Deserialize<'de>>(value: &JsValue) -> Result<T, String> {
    let text = value.as_string().ok_or("a message that is not a string")?;
    serde_json::from_str(&text).map_err(|e| format!("an unreadable message ({e})"))
}
