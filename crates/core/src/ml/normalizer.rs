//! `Normalizer`: scales each row to unit max, L1 or L2 norm (scikit-learn's
//! Normalizer). tract has one, built from generic reductions; this one is a single pass
//! per row, and matches onnxruntime's arithmetic.

use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use super::{Kernel, Parsed, floats, op, rows_and_columns, slice, tensor};

pub(super) fn parse(_: &tract_onnx::model::ParsingContext, node: &NodeProto) -> Parsed {
    let norm = match node.get_attr_opt::<&str>("norm")?.unwrap_or("MAX") {
        "MAX" => Norm::Max,
        "L1" => Norm::L1,
        "L2" => Norm::L2,
        other => bail!("node `{}`: unknown norm {other}", node.name),
    };
    op(Normalizer { norm })
}

#[derive(Clone, Copy, Debug)]
enum Norm {
    Max,
    L1,
    L2,
}

#[derive(Debug)]
struct Normalizer {
    norm: Norm,
}

impl Kernel for Normalizer {
    const NAME: &'static str = "Normalizer";

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        Ok(tvec!(f32::fact(inputs[0].shape.clone())))
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = floats(&inputs[0])?;
        if x.rank() > 2 {
            bail!("Normalizer takes rows: rank 1 or 2, got {}", x.rank());
        }
        let (_, columns) = rows_and_columns(x.shape());
        let mut y = slice::<f32>(&x)?.to_vec();
        for row in y.chunks_exact_mut(columns.max(1)) {
            // A zero norm leaves the row as it is.
            match self.norm {
                Norm::Max => {
                    let max = row.iter().copied().fold(f32::MIN, f32::max);
                    if max != 0.0 {
                        row.iter_mut().for_each(|v| *v /= max);
                    }
                }
                Norm::L1 => {
                    let sum: f32 = row.iter().map(|v| v.abs()).sum();
                    if sum != 0.0 {
                        row.iter_mut().for_each(|v| *v /= sum);
                    }
                }
                Norm::L2 => {
                    let sum: f32 = row.iter().map(|v| v * v).sum();
                    if sum != 0.0 {
                        row.iter_mut().for_each(|v| *v = (*v * *v / sum).sqrt().copysign(*v));
                    }
                }
            }
        }
        Ok(tvec!(tensor(x.shape(), y)?))
    }
}
