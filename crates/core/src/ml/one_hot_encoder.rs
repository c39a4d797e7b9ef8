//! `OneHotEncoder`: each value becomes a row of zeros with a one at its category.

use std::collections::HashMap;

use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use super::labels::Labels;
use super::{Kernel, Parsed, op, slice, tensor};

pub(super) fn parse(_: &tract_onnx::model::ParsingContext, node: &NodeProto) -> Parsed {
    let categories = match Labels::parse(node, "cats_int64s", "cats_strings")? {
        Labels::Int(cats) => Categories::Int(cats.iter().enumerate().map(|(i, c)| (*c, i)).collect()),
        Labels::Text(cats) => Categories::Text(cats.into_iter().enumerate().map(|(i, c)| (c, i)).collect()),
    };
    op(OneHotEncoder { categories, unknown_is_zeros: node.get_attr_opt::<i64>("zeros")?.unwrap_or(1) != 0 })
}

#[derive(Debug)]
enum Categories {
    Int(HashMap<i64, usize>),
    Text(HashMap<String, usize>),
}

impl Categories {
    fn len(&self) -> usize {
        match self {
            Self::Int(c) => c.len(),
            Self::Text(c) => c.len(),
        }
    }
}

#[derive(Debug)]
struct OneHotEncoder {
    categories: Categories,
    /// An unknown value encodes as all zeros; otherwise it is an error.
    unknown_is_zeros: bool,
}

impl Kernel for OneHotEncoder {
    const NAME: &'static str = "OneHotEncoder";

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let mut shape: TVec<TDim> = inputs[0].shape.to_tvec();
        shape.push(self.categories.len().to_dim());
        Ok(tvec!(f32::fact(shape)))
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = &inputs[0];
        let indices: Vec<Option<usize>> = match (&self.categories, x.datum_type()) {
            (Categories::Text(cats), DatumType::String) => {
                slice::<String>(x)?.iter().map(|v| cats.get(v).copied()).collect()
            }
            (Categories::Int(cats), dt) if dt.is_number() => {
                // Numbers are truncated to integers, as onnxruntime does.
                let x = x.cast_to::<i64>()?;
                slice::<i64>(&x)?.iter().map(|v| cats.get(v).copied()).collect()
            }
            (_, dt) => bail!("OneHotEncoder categories do not match its {dt:?} input"),
        };
        let n = self.categories.len();
        let mut y = vec![0.0f32; indices.len() * n];
        for (at, index) in indices.iter().enumerate() {
            match index {
                Some(i) => y[at * n + i] = 1.0,
                None if self.unknown_is_zeros => {}
                None => bail!("value {at} of the input is not a known category (and zeros = 0)"),
            }
        }
        let mut shape = x.shape().to_vec();
        shape.push(n);
        Ok(tvec!(tensor(&shape, y)?))
    }
}
