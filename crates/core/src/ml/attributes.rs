//! Reading operator attributes, in every form the `ai.onnx.ml` opsets allow.

use tract_onnx::model::ParsingContext;
use tract_onnx::pb::{NodeProto, TensorProto};
use tract_onnx::tract_hir::internal::*;

/// A float list attribute, or its `<name>_as_tensor` form (double precision, from
/// ai.onnx.ml opset 3), as `f32`; `None` when the node has neither.
pub(super) fn floats(ctx: &ParsingContext, node: &NodeProto, name: &str) -> TractResult<Option<Vec<f32>>> {
    if let Some(values) = node.get_attr_opt_vec::<f32>(name)? {
        return Ok(Some(values));
    }
    tensor(ctx, node, &format!("{name}_as_tensor"))?.map(|t| float_values(&t)).transpose()
}

/// A tensor attribute, loaded.
pub(super) fn tensor(ctx: &ParsingContext, node: &NodeProto, name: &str) -> TractResult<Option<Tensor>> {
    node.get_attr_opt::<&TensorProto>(name)?.map(|proto| ctx.load_tensor(proto)).transpose()
}

/// Any numeric tensor's values as `f32`.
pub(super) fn float_values(tensor: &Tensor) -> TractResult<Vec<f32>> {
    Ok(tensor.cast_to::<f32>()?.to_plain_array_view::<f32>()?.iter().copied().collect())
}

/// An int list attribute; empty when absent.
pub(super) fn ints(node: &NodeProto, name: &str) -> TractResult<Vec<i64>> {
    Ok(node.get_attr_opt_vec::<i64>(name)?.unwrap_or_default())
}

/// A string list attribute; empty when absent.
pub(super) fn strings(node: &NodeProto, name: &str) -> TractResult<Vec<String>> {
    Ok(node.get_attr_opt_vec::<String>(name)?.unwrap_or_default())
}

/// Checks that a per-node or per-leaf attribute has one entry per element.
pub(super) fn same_length(node: &NodeProto, name: &str, len: usize, expected: usize) -> TractResult<()> {
    node.expect_attr(name, len == expected, || format!("one value per entry ({expected}), got {len}"))
}

/// A non-negative index attribute value as `usize`.
pub(super) fn index(node: &NodeProto, name: &str, value: i64) -> TractResult<usize> {
    usize::try_from(value)
        .map_err(|_| format_err!("node `{}`: attribute {name} holds {value}, which is negative", node.name))
}
