//! `ArrayFeatureExtractor`: picks columns of the last axis by index. skl2onnx uses it to
//! turn a class index into its label and to pick one score column. tract treats it as
//! a `Gather`, which drops the axis for a scalar index; onnxruntime, the reference,
//! keeps it (`[N, 1]`), and the graphs skl2onnx writes rely on that.

use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use super::{Kernel, Parsed, op, slice};

pub(super) fn parse(_: &tract_onnx::model::ParsingContext, _: &NodeProto) -> Parsed {
    op(ArrayFeatureExtractor)
}

#[derive(Debug)]
struct ArrayFeatureExtractor;

impl ArrayFeatureExtractor {
    /// The output shape: the input's, with the last axis as long as the indices (a
    /// vector input gives one row).
    fn shape<D: Clone + From<usize>>(input: &[D], indices: D) -> TVec<D> {
        let mut shape: TVec<D> = if input.len() <= 1 { tvec!(D::from(1)) } else { input[..input.len() - 1].into() };
        shape.push(indices);
        shape
    }
}

impl Kernel for ArrayFeatureExtractor {
    const NAME: &'static str = "ArrayFeatureExtractor";

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let shape = Self::shape(&inputs[0].shape.to_tvec(), inputs[1].shape.volume());
        Ok(tvec!(inputs[0].datum_type.fact(shape)))
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let (x, indices) = (&inputs[0], inputs[1].cast_to::<i64>()?);
        let indices = slice::<i64>(&indices)?;
        let columns = x.shape().last().copied().unwrap_or(1);
        let picks: Vec<usize> = indices
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .filter(|&i| i < columns)
                    .ok_or_else(|| format_err!("index {i} is out of range for {columns} columns"))
            })
            .collect::<TractResult<_>>()?;
        let shape = Self::shape(x.shape(), picks.len());
        fn gather<T: Datum + Clone>(
            x: &Tensor,
            columns: usize,
            picks: &[usize],
            shape: &[usize],
        ) -> TractResult<TValue> {
            let values = slice::<T>(x)?;
            let y: Vec<T> =
                values.chunks_exact(columns.max(1)).flat_map(|row| picks.iter().map(|&i| row[i].clone())).collect();
            Ok(tract_ndarray::ArrayD::from_shape_vec(shape, y)?.into_tvalue())
        }
        Ok(tvec!(dispatch_datum!(gather(x.datum_type())(x, columns, &picks, &shape))?))
    }
}
