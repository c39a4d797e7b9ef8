//! Messages between the page and the inference worker. Each crosses `postMessage` as
//! JSON text, checked by serde on both sides; the page matches on [`WorkerResponse`] in
//! one place, the worker on [`WorkerRequest`] in one place.

use serde::{Deserialize, Serialize};

use crate::signature::Signature;
use crate::tensor::Tensors;

/// What the page asks of the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WorkerRequest {
    /// Fetch the model at `url` and compile it under `key` (once: later loads of the
    /// same key answer from the cache).
    Load { key: String, url: String },
    /// Run one batch through the model compiled under `key`.
    Run { id: u64, key: String, inputs: Tensors },
}

/// What the worker answers. Every request gets exactly one answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WorkerResponse {
    /// The worker's wasm is running and listening: messages sent before this are lost.
    Ready,
    Loaded {
        key: String,
        signature: Signature,
        millis: f64,
    },
    LoadFailed {
        key: String,
        message: String,
    },
    /// `millis` is the time spent in inference alone, measured in the worker.
    Ran {
        id: u64,
        outputs: Tensors,
        millis: f64,
    },
    RunFailed {
        id: u64,
        message: String,
    },
}

pub fn encode<T: Serialize>(message: &T) -> String {
    // These types serialise infallibly: plain data, every map key a string.
    serde_json::to_string(message).expect("protocol messages serialise")
}

pub fn decode<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| format!("an unreadable message ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::{TensorData, Values};

    #[test]
    fn requests_survive_the_trip() {
        let inputs = Tensors::from([("input".into(), TensorData::new(vec![1, 2], Values::Float32(vec![1.5, -2.0])))]);
        let request = WorkerRequest::Run { id: 7, key: "iris@1.0.0".into(), inputs };
        assert_eq!(decode::<WorkerRequest>(&encode(&request)).unwrap(), request);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let err = decode::<WorkerResponse>("{\"Ran\": 3}").unwrap_err();
        assert!(err.starts_with("an unreadable message"), "{err}");
    }
}
