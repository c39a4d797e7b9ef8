//! `Scaler`: `(x - offset) * scale` per column; StandardScaler, MinMaxScaler,
//! RobustScaler and MaxAbsScaler all export to it.

use tract_onnx::model::ParsingContext;
use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use super::{Kernel, Parsed, attributes, floats, op, rows_and_columns, slice, tensor};

pub(super) fn parse(ctx: &ParsingContext, node: &NodeProto) -> Parsed {
    let offset = attributes::floats(ctx, node, "offset")?.unwrap_or_else(|| vec![0.0]);
    let scale = attributes::floats(ctx, node, "scale")?.unwrap_or_else(|| vec![1.0]);
    op(Scaler { offset, scale })
}

#[derive(Debug)]
struct Scaler {
    /// One value per column, or one for all.
    offset: Vec<f32>,
    scale: Vec<f32>,
}

impl Kernel for Scaler {
    const NAME: &'static str = "Scaler";

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        Ok(tvec!(f32::fact(inputs[0].shape.clone())))
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = floats(&inputs[0])?;
        let (_, columns) = rows_and_columns(x.shape());
        let per_column = |values: &[f32], name: &str| -> TractResult<Vec<f32>> {
            match values.len() {
                1 => Ok(vec![values[0]; columns]),
                n if n == columns => Ok(values.to_vec()),
                n => bail!("{name} has {n} values, the input has {columns} columns"),
            }
        };
        let (offset, scale) = (per_column(&self.offset, "offset")?, per_column(&self.scale, "scale")?);
        let mut y = slice::<f32>(&x)?.to_vec();
        for row in y.chunks_exact_mut(columns.max(1)) {
            for ((v, o), s) in row.iter_mut().zip(&offset).zip(&scale) {
                *v = (*v - o) * s;
            }
        }
        Ok(tvec!(tensor(x.shape(), y)?))
    }
}
