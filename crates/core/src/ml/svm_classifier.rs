//! Placeholder: filled in next.

use tract_onnx::model::ParsingContext;
use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use super::Parsed;

pub(super) fn parse(_: &ParsingContext, node: &NodeProto) -> Parsed {
    bail!("{} is not implemented yet", node.op_type)
}
