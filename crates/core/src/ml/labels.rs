//! Class labels: a classifier's `classlabels_int64s` or `classlabels_strings`.

use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use super::{attributes, tensor};

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Labels {
    Int(Vec<i64>),
    Text(Vec<String>),
}

impl Labels {
    /// Reads the labels from `<prefix>_int64s`/`<prefix>_ints` or `<prefix>_strings`.
    pub(crate) fn parse(node: &NodeProto, ints_name: &str, strings_name: &str) -> TractResult<Self> {
        let ints = attributes::ints(node, ints_name)?;
        let strings = attributes::strings(node, strings_name)?;
        match (ints.is_empty(), strings.is_empty()) {
            (false, true) => Ok(Self::Int(ints)),
            (true, false) => Ok(Self::Text(strings)),
            (true, true) => bail!("node `{}` has neither {ints_name} nor {strings_name}", node.name),
            (false, false) => bail!("node `{}` has both {ints_name} and {strings_name}", node.name),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Self::Int(v) => v.len(),
            Self::Text(v) => v.len(),
        }
    }

    pub(crate) fn datum_type(&self) -> DatumType {
        match self {
            Self::Int(_) => DatumType::I64,
            Self::Text(_) => DatumType::String,
        }
    }

    /// The label tensor for the chosen classes. An index past the labels stands for
    /// itself: onnxruntime labels a binary score without two class labels `1` or `0`.
    pub(crate) fn pick(&self, shape: &[usize], chosen: impl Iterator<Item = usize>) -> TractResult<TValue> {
        match self {
            Self::Int(labels) => tensor(shape, chosen.map(|i| labels.get(i).copied().unwrap_or(i as i64)).collect()),
            Self::Text(labels) => {
                tensor(shape, chosen.map(|i| labels.get(i).cloned().unwrap_or_else(|| i.to_string())).collect())
            }
        }
    }
}
