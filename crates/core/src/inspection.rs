//! What the inspector shows about any ONNX file at a glance, before or without running
//! it: who wrote it, the opsets and operators it uses, its signature, its size, and
//! the operators Modelport cannot run. Plain data: the worker computes it
//! ([`crate::engine::inspect`]), the page renders it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::signature::Signature;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inspection {
    /// File size in bytes.
    pub size: u64,
    /// The file's sha256, in hex.
    pub sha256: String,
    /// `producer_name producer_version`, e.g. "skl2onnx 1.20.0"; empty when unset.
    pub producer: String,
    pub ir_version: i64,
    pub opsets: Vec<Opset>,
    /// `None` when an input or output is not a tensor (the reason is in `problem`).
    pub signature: Option<Signature>,
    /// Node count per operator, most used first.
    pub operators: Vec<OperatorCount>,
    /// Numbers stored as weights: initializers, tensor and float-list attributes.
    pub parameters: u64,
    /// Every node whose operator Modelport cannot run.
    pub unsupported: Vec<NodeRef>,
    /// Why the signature could not be read, if it could not.
    pub problem: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opset {
    /// `ai.onnx` for the default domain.
    pub domain: String,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorCount {
    pub domain: String,
    pub op_type: String,
    pub count: usize,
}

/// A node of the graph, named the way the error messages name it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeRef {
    pub name: String,
    pub op_type: String,
    pub domain: String,
}

impl fmt::Display for NodeRef {
    /// `` `Frobnicate` (domain com.example) at node `n1` ``
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` (domain {}) at node `{}`", self.op_type, self.domain, self.name)
    }
}
