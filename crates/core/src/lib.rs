//! Modelport's core: everything that is not UI, tested natively with `cargo test`.
//!
//! - [`engine`] loads ONNX bytes into a compiled tract plan and runs batches. It is the
//!   only module that calls tract: tract says `tract-onnx` is not its stable API, so the
//!   rest of Modelport sees [`Model`], [`Signature`] and [`TensorData`] instead.
//! - [`signature`] describes a model's inputs and outputs as declared in the ONNX file.
//! - [`tensor`] is the serialisable tensor the worker, the golden files and the CLI share.
//! - [`card`] is the model card: what a model predicts, its features and training data,
//!   how feature values become input tensors and outputs become predictions, and
//!   [`card::diff`] what changed between two versions' cards.
//! - [`registry`] lists models, versions, channels and their history
//!   (`models/registry.json`), and promotes and rolls back.
//! - [`link`] reads and writes the site's links (`#/iris-forest@1.0.0`) and picks the
//!   version a link selects.
//! - [`batch`] maps CSV columns to a card's features and scored outputs to columns.
//! - [`picture`] turns a picture's pixels into an image model's input tensor.
//! - [`sgd`] learns a linear model online, one example at a time, and exports it as ONNX;
//!   [`recalibrate`] teaches it a card's task, from corrected predictions one at a time
//!   or from a labelled CSV file.
//! - [`stream`] parses records arriving one by one and buffers them for micro-batches.
//! - [`inspection`] describes any ONNX file for the inspector (the worker fills it in).
//! - [`canary`] routes a configured share of visitors to a challenger version.
//! - [`compare`] compares two versions of a model on the same labelled rows: their
//!   metrics, where they disagree, and whether the difference is more than chance.
//! - [`record`] is what the monitor keeps of each prediction, and an even sample of a
//!   batch's rows.
//! - [`drift`] measures how far recorded inputs have moved from the training data, and
//!   [`monitor`] reports it feature by feature, as JSON or a self-contained HTML file.
//! - [`golden`] compares a model's outputs with reference outputs from onnxruntime.
//! - [`protocol`] is what the page and the inference worker say to each other, and
//!   [`download`] how the worker reports a model download's progress in it.
//!
//! Everything but [`engine`] is plain data and logic; the `engine` feature (on by
//! default) adds tract. The page builds without it.

pub mod batch;
pub mod canary;
pub mod card;
pub mod compare;
pub mod download;
pub mod drift;
#[cfg(feature = "engine")]
pub mod engine;
pub mod golden;
pub mod inspection;
pub mod link;
#[cfg(feature = "engine")]
pub mod ml;
pub mod monitor;
pub mod picture;
pub mod protocol;
pub mod recalibrate;
pub mod record;
pub mod registry;
pub mod sgd;
pub mod signature;
pub mod stream;
pub mod tensor;

pub use card::{CardError, ModelCard, Prediction};
#[cfg(feature = "engine")]
pub use engine::{LoadError, Model, ModelCache, RunError, inspect, sha256};
pub use golden::{Golden, Mismatch};
pub use inspection::{Inspection, NodeRef};
pub use registry::{Channel, Registry};
pub use signature::{Dim, Signature, TensorSpec};
pub use tensor::{ElementType, TensorData, Tensors, Values};
