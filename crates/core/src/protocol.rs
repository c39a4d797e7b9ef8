//! Messages between the page and its workers. Each crosses `postMessage` as JSON text,
//! checked by serde on both sides; the page matches on [`WorkerResponse`] in one place,
//! the worker on [`WorkerRequest`] in one place.
//!
//! Batch scoring has its own pair, [`BatchRequest`] and [`BatchResponse`], sent to
//! workers of its own: a request travels as `[json, file]`, so that the file (a `Blob`,
//! which only the browser can pass) goes along without being copied.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::batch::profile::Profile;
use crate::batch::split::{Part, Scan};
use crate::batch::{ColumnMap, Summary};
use crate::card::ModelCard;
use crate::inspection::Inspection;
use crate::sgd::{Sgd, Standardizer};
use crate::signature::Signature;
use crate::tensor::Tensors;

/// What the page asks of the worker. `id` pairs each request with its answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WorkerRequest {
    /// Fetch the file at `url` and describe it, whether or not it can run.
    Inspect { id: u64, url: String },
    /// Fetch the model at `url` and compile it under `key` (once: later loads of the
    /// same key answer from the cache). A file whose sha256 is not `sha256` (the
    /// registry's) is refused, not run. `bytes` is its size by the registry, if known:
    /// the download's [`WorkerResponse::Progress`] counts toward it.
    Load { id: u64, key: String, url: String, sha256: String, bytes: Option<u64> },
    /// Run one batch through the model compiled under `key`.
    Run { id: u64, key: String, inputs: Tensors },
    /// Write a recalibrated `learner`, applying `scaler` first, as an ONNX file taking
    /// `card`'s features (the page has no engine to write one).
    Export { id: u64, learner: Sgd, scaler: Standardizer, card: Box<ModelCard> },
    /// Compile `onnx`, a model made on this device (an exported recalibration), under
    /// `key`, a key never used before: no registry vouches for it, so there is no hash
    /// to check, and a cached model is never replaced.
    Compile { id: u64, key: String, onnx: Vec<u8> },
    /// Run `inputs` through the model under `key` `runs` times and say how long that
    /// took, outputs discarded: how `cargo xtask bench` times inference in the browser
    /// with neither `postMessage` nor JSON in the measurement, and with enough runs per
    /// sample that a coarse browser clock still resolves microseconds.
    Time { id: u64, key: String, inputs: Tensors, runs: u32 },
}

impl WorkerRequest {
    pub fn id(&self) -> u64 {
        match self {
            Self::Inspect { id, .. }
            | Self::Load { id, .. }
            | Self::Run { id, .. }
            | Self::Export { id, .. }
            | Self::Compile { id, .. }
            | Self::Time { id, .. } => *id,
        }
    }
}

/// What the worker says. Every request gets exactly one [`WorkerResponse::Done`]; a
/// `Load` that downloads hears `Progress` before it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WorkerResponse {
    /// The worker's wasm is running and listening: messages sent before this are lost.
    Ready,
    /// Request `id`'s model file so far: `received` bytes of `total` (the registry's
    /// size, else the response's uncompressed length; `None` when neither is known,
    /// until the last report). Sent when the response starts, after a chunk at most
    /// every [`crate::download::REPORT_EVERY_MS`], and when the last byte is in.
    Progress { id: u64, received: u64, total: Option<u64> },
    /// The answer to request `id`, or why there is none.
    Done { id: u64, result: Result<Reply, String> },
}

/// A successful answer, by request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    // Boxed: an inspection is far larger than the other replies.
    Inspected(Box<Inspection>),
    Loaded {
        signature: Signature,
        millis: f64,
    },
    /// `millis` is the time spent in inference alone, measured in the worker.
    Ran {
        outputs: Tensors,
        millis: f64,
    },
    /// The bytes of the ONNX file an `Export` asked for.
    Exported {
        onnx: Vec<u8>,
    },
    /// How long a `Time` request's runs took, all together.
    Timed {
        millis: f64,
    },
}

/// What the batch page asks of one of its workers, about the file sent along.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum BatchRequest {
    /// Count the line breaks and quotes in `range`, for [`crate::batch::split::parts`].
    Scan { range: Range<u64> },
    /// Score `part` with the model at `url` (checked against `sha256`), writing the
    /// output rows to `output`, a file of the origin's private file system.
    Score { url: String, sha256: String, card: Box<ModelCard>, map: ColumnMap, part: Part, output: String },
}

/// What a batch worker says. A `Score` request hears `Progress` after every chunk and
/// then `Finished`, or `Failed` at any point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum BatchResponse {
    Scanned(Scan),
    /// The part so far: rows, errors, bytes of the part read.
    Progress {
        rows: u64,
        errors: u64,
        bytes: u64,
    },
    Finished {
        summary: Summary,
        profile: Profile,
    },
    Failed(String),
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
        let request = WorkerRequest::Compile { id: 8, key: "iris@recalibrated-1".into(), onnx: vec![8, 7, 0, 255] };
        let back = decode::<WorkerRequest>(&encode(&request)).unwrap();
        assert_eq!((back.id(), &back), (8, &request));
        let request = WorkerRequest::Time { id: 9, key: "iris@1.0.0".into(), inputs: Tensors::new(), runs: 100 };
        let back = decode::<WorkerRequest>(&encode(&request)).unwrap();
        assert_eq!((back.id(), &back), (9, &request));
    }

    fn card_again() -> ModelCard {
        serde_json::from_str(include_str!("../../../models/iris-forest/1.0.0/card.json")).unwrap()
    }

    #[test]
    fn export_requests_survive_the_trip() {
        let card = card_again();
        let mut learner =
            crate::recalibrate::Learner::new(&card, crate::recalibrate::default_settings(&card).unwrap()).unwrap();
        learner.learn(&[5.1, 3.5, 1.4, 0.2], 0.0);
        learner.learn(&[6.3, 3.3, 6.0, 2.5], 2.0);
        let request = WorkerRequest::Export {
            id: 9,
            learner: learner.sgd().clone(),
            scaler: learner.scaler().clone(),
            card: Box::new(card),
        };
        let back = decode::<WorkerRequest>(&encode(&request)).unwrap();
        assert_eq!(back.id(), 9);
        // The learner arrives bit for bit (serde_json's `float_roundtrip`), so the
        // exported model is the one that was trained.
        let WorkerRequest::Export { learner: sgd, scaler, card: back_card, .. } = back else { panic!("{back:?}") };
        assert_eq!(back_card.as_ref(), &card_again());
        assert_eq!((&sgd, &scaler), (learner.sgd(), learner.scaler()));
        let x = [5.8, 2.7, 5.1, 1.9];
        assert_eq!(learner.predict(&x), sgd.predict_one(&scaler.transform(&x)));
        let reply = WorkerResponse::Done { id: 9, result: Ok(Reply::Exported { onnx: vec![8, 7, 0, 255] }) };
        assert_eq!(decode::<WorkerResponse>(&encode(&reply)).unwrap(), reply);
    }

    #[test]
    fn loads_and_their_progress_survive_the_trip() {
        let url = "models/wine-boosting/1.0.0/model.onnx";
        let request = WorkerRequest::Load {
            id: 10,
            key: "wine@1.0.0".into(),
            url: url.into(),
            sha256: "ab".repeat(32),
            bytes: Some(78_374),
        };
        let back = decode::<WorkerRequest>(&encode(&request)).unwrap();
        assert_eq!((back.id(), &back), (10, &request));
        for total in [Some(78_374), None] {
            let progress = WorkerResponse::Progress { id: 10, received: 40_960, total };
            assert_eq!(decode::<WorkerResponse>(&encode(&progress)).unwrap(), progress);
        }
        // Sizes past 2^53 stay exact: serde_json writes integers, not JavaScript numbers.
        let progress = WorkerResponse::Progress { id: u64::MAX, received: u64::MAX - 1, total: Some(u64::MAX) };
        assert_eq!(decode::<WorkerResponse>(&encode(&progress)).unwrap(), progress);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let err = decode::<WorkerResponse>("{\"Done\": 3}").unwrap_err();
        assert!(err.starts_with("an unreadable message"), "{err}");
    }
}
