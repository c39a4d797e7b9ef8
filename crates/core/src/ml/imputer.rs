//! `Imputer`: replaces a placeholder value (NaN, usually) by a per-column or single
//! value; SimpleImputer exports to it.

use tract_onnx::model::ParsingContext;
use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use super::{Kernel, Parsed, attributes, op, rows_and_columns, slice, tensor};

pub(super) fn parse(ctx: &ParsingContext, node: &NodeProto) -> Parsed {
    op(Imputer {
        floats: attributes::floats(ctx, node, "imputed_value_floats")?.unwrap_or_default(),
        replaced_float: node.get_attr_opt::<f32>("replaced_value_float")?.unwrap_or(0.0),
        ints: attributes::ints(node, "imputed_value_int64s")?,
        replaced_int: node.get_attr_opt::<i64>("replaced_value_int64")?.unwrap_or(0),
    })
}

#[derive(Debug)]
struct Imputer {
    floats: Vec<f32>,
    replaced_float: f32,
    ints: Vec<i64>,
    replaced_int: i64,
}

/// Replaces `is_missing` values by the column's imputed value.
fn impute<T: Datum + Copy>(x: &Tensor, imputed: &[T], is_missing: impl Fn(T) -> bool) -> TractResult<TValue> {
    let (_, columns) = rows_and_columns(x.shape());
    if imputed.len() != 1 && imputed.len() != columns {
        bail!("Imputer has {} imputed values, the input has {columns} columns", imputed.len());
    }
    let mut values = slice::<T>(x)?.to_vec();
    for row in values.chunks_exact_mut(columns.max(1)) {
        for (column, v) in row.iter_mut().enumerate() {
            if is_missing(*v) {
                *v = imputed[if imputed.len() == 1 { 0 } else { column }];
            }
        }
    }
    tensor(x.shape(), values)
}

impl Kernel for Imputer {
    const NAME: &'static str = "Imputer";

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        Ok(tvec!(inputs[0].without_value()))
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = &inputs[0];
        let replaced = self.replaced_float;
        let missing = move |v: f32| if replaced.is_nan() { v.is_nan() } else { v == replaced };
        Ok(tvec!(match x.datum_type() {
            DatumType::F32 => impute(x, &self.floats, missing)?,
            DatumType::F64 => {
                let imputed: Vec<f64> = self.floats.iter().map(|v| f64::from(*v)).collect();
                impute(x, &imputed, |v: f64| missing(v as f32))?
            }
            DatumType::I64 => impute(x, &self.ints, |v| v == self.replaced_int)?,
            DatumType::I32 => {
                let imputed: Vec<i32> = self.ints.iter().map(|v| *v as i32).collect();
                impute(x, &imputed, |v: i32| i64::from(v) == self.replaced_int)?
            }
            other => bail!("Imputer takes numbers, got {other:?}"),
        }))
    }
}
