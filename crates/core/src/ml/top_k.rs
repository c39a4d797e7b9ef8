//! `TopK` (default domain), replacing tract's: tract sorts with a comparison that
//! panics when it meets a NaN, and a k-nearest-neighbours model fed a NaN (a bad row,
//! or a stranger's weights) would take the worker down with it. Here NaN sorts as the
//! largest value, and equal values keep their order, as onnxruntime's do.

use std::cmp::Ordering;

use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;
use tract_onnx::tract_hir::tract_ndarray::{ArrayD, Axis};

use super::{Kernel, Parsed, op};

pub(super) fn parse(_: &tract_onnx::model::ParsingContext, node: &NodeProto) -> Parsed {
    op(TopK {
        axis: node.get_attr_opt::<i64>("axis")?.unwrap_or(-1),
        largest: node.get_attr_opt::<i64>("largest")?.unwrap_or(1) != 0,
        // Opset 1 has `k` as an attribute; later opsets take it as the second input.
        k: node.get_attr_opt::<i64>("k")?,
    })
}

#[derive(Debug)]
struct TopK {
    axis: i64,
    largest: bool,
    k: Option<i64>,
}

/// A total order on the element types TopK sorts.
trait Ordered: Datum + Copy + Default {
    fn order(&self, other: &Self) -> Ordering;
}

impl Ordered for f32 {
    fn order(&self, other: &Self) -> Ordering {
        self.total_cmp(other)
    }
}

impl Ordered for f64 {
    fn order(&self, other: &Self) -> Ordering {
        self.total_cmp(other)
    }
}

impl Ordered for i64 {
    fn order(&self, other: &Self) -> Ordering {
        self.cmp(other)
    }
}

impl Ordered for i32 {
    fn order(&self, other: &Self) -> Ordering {
        self.cmp(other)
    }
}

impl TopK {
    fn axis(&self, rank: usize) -> TractResult<usize> {
        let axis = if self.axis < 0 { self.axis + rank as i64 } else { self.axis };
        usize::try_from(axis)
            .ok()
            .filter(|&a| a < rank)
            .ok_or_else(|| format_err!("TopK axis {} for rank {rank}", self.axis))
    }

    fn k(&self, k_input: Option<&Tensor>) -> TractResult<usize> {
        let k = match (self.k, k_input) {
            (Some(k), _) => k,
            (None, Some(t)) => {
                *t.cast_to::<i64>()?.to_plain_array_view::<i64>()?.iter().next().context("K is empty")?
            }
            (None, None) => bail!("TopK needs a constant K"),
        };
        usize::try_from(k).map_err(|_| format_err!("TopK with negative K {k}"))
    }

    fn top<T: Ordered>(&self, x: &Tensor, axis: usize, k: usize) -> TractResult<(TValue, TValue)> {
        let x = x.to_plain_array_view::<T>()?;
        if k > x.shape()[axis] {
            bail!("TopK K = {k} is larger than axis {axis} ({})", x.shape()[axis]);
        }
        let mut shape = x.shape().to_vec();
        shape[axis] = k;
        let mut values = ArrayD::<T>::from_elem(shape.clone(), T::default());
        let mut indices = ArrayD::<i64>::zeros(shape);
        let lanes =
            x.lanes(Axis(axis)).into_iter().zip(values.lanes_mut(Axis(axis))).zip(indices.lanes_mut(Axis(axis)));
        for ((lane, mut values), mut indices) in lanes {
            let mut pairs: Vec<(usize, T)> = lane.iter().copied().enumerate().collect();
            pairs.sort_by(|a, b| {
                let by_value = if self.largest { b.1.order(&a.1) } else { a.1.order(&b.1) };
                by_value.then(a.0.cmp(&b.0))
            });
            for (j, (i, v)) in pairs.into_iter().take(k).enumerate() {
                values[j] = v;
                indices[j] = i as i64;
            }
        }
        Ok((values.into_tvalue(), indices.into_tvalue()))
    }
}

impl Kernel for TopK {
    const NAME: &'static str = "TopK";

    fn outputs(&self) -> usize {
        2
    }

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let axis = self.axis(inputs[0].rank())?;
        let k = self.k(inputs.get(1).and_then(|f| f.konst.as_deref()))?;
        let mut shape = inputs[0].shape.to_tvec();
        shape[axis] = k.to_dim();
        Ok(tvec!(inputs[0].datum_type.fact(shape.clone()), i64::fact(shape)))
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = &inputs[0];
        let (axis, k) = (self.axis(x.rank())?, self.k(inputs.get(1).map(|t| &**t))?);
        let (values, indices) = match x.datum_type() {
            DatumType::F32 => self.top::<f32>(x, axis, k)?,
            DatumType::F64 => self.top::<f64>(x, axis, k)?,
            DatumType::I64 => self.top::<i64>(x, axis, k)?,
            DatumType::I32 => self.top::<i32>(x, axis, k)?,
            other => bail!("TopK of {other:?} values"),
        };
        Ok(tvec!(values, indices))
    }
}
