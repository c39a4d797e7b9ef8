//! `Binarizer`: 1 where a value is above the threshold, 0 elsewhere, in the input's type.

use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use super::{Kernel, Parsed, op, slice, tensor};

pub(super) fn parse(_: &tract_onnx::model::ParsingContext, node: &NodeProto) -> Parsed {
    op(Binarizer { threshold: node.get_attr_opt::<f32>("threshold")?.unwrap_or(0.0) })
}

#[derive(Debug)]
struct Binarizer {
    threshold: f32,
}

impl Kernel for Binarizer {
    const NAME: &'static str = "Binarizer";

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        Ok(tvec!(inputs[0].without_value()))
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = &inputs[0];
        let threshold = f64::from(self.threshold);
        fn binarize<T: Datum + Copy + Into<f64> + From<u8>>(x: &Tensor, threshold: f64) -> TractResult<TValue> {
            let values = slice::<T>(x)?.iter().map(|v| T::from(u8::from((*v).into() > threshold))).collect();
            tensor(x.shape(), values)
        }
        Ok(tvec!(match x.datum_type() {
            DatumType::F32 => binarize::<f32>(x, threshold)?,
            DatumType::F64 => binarize::<f64>(x, threshold)?,
            DatumType::I32 => binarize::<i32>(x, threshold)?,
            DatumType::I64 => {
                let values = slice::<i64>(x)?.iter().map(|v| i64::from(*v as f64 > threshold)).collect();
                tensor(x.shape(), values)?
            }
            other => bail!("Binarizer takes numbers, got {other:?}"),
        }))
    }
}
