//! `ZipMap`: onnxruntime turns class probabilities into one map per row (class label to
//! probability), a type tract does not have. Modelport keeps the probabilities as a
//! `[N, classes]` tensor whose columns are labelled by the node's classes: the same
//! information, and what the page and golden files work with.

use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use super::labels::Labels;
use super::{Kernel, Parsed, op};

pub(super) fn parse(_: &tract_onnx::model::ParsingContext, node: &NodeProto) -> Parsed {
    Labels::parse(node, "classlabels_int64s", "classlabels_strings")?;
    op(ZipMap)
}

/// The class labels of a ZipMap node, as text: what labels the columns of its output.
pub fn zip_map_labels(node: &NodeProto) -> Option<Vec<String>> {
    match Labels::parse(node, "classlabels_int64s", "classlabels_strings").ok()? {
        Labels::Int(v) => Some(v.iter().map(ToString::to_string).collect()),
        Labels::Text(v) => Some(v),
    }
}

#[derive(Debug)]
struct ZipMap;

impl Kernel for ZipMap {
    const NAME: &'static str = "ZipMap";

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        Ok(tvec!(f32::fact(inputs[0].shape.clone())))
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let scores = inputs.into_iter().next().context("ZipMap takes one input")?;
        if scores.datum_type() == DatumType::F32 {
            return Ok(tvec!(scores));
        }
        Ok(tvec!(scores.cast_to::<f32>()?.into_owned().into_tvalue()))
    }
}
