//! `LinearRegressor`: linear, ridge, lasso and SGD regression as one matrix product.
//! [`Linear`] is shared with `LinearClassifier`.

use tract_onnx::model::ParsingContext;
use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use super::post_transform::PostTransform;
use super::{Kernel, Parsed, attributes, batch_dim, floats, op, rows_and_columns, slice, tensor};

pub(super) fn parse(ctx: &ParsingContext, node: &NodeProto) -> Parsed {
    let targets = attributes::index(node, "targets", node.get_attr_opt::<i64>("targets")?.unwrap_or(1))?;
    let coefficients = attributes::floats(ctx, node, "coefficients")?.unwrap_or_default();
    let intercepts = attributes::floats(ctx, node, "intercepts")?.unwrap_or_default();
    op(LinearRegressor {
        linear: Linear::new(node, coefficients, intercepts, targets)?,
        post_transform: PostTransform::parse(node)?,
    })
}

/// `x · Wᵀ + b`, with `W` stored one target per row so that each score is one
/// contiguous dot product.
#[derive(Debug)]
pub(crate) struct Linear {
    pub targets: usize,
    coefficients: Vec<f32>,
    intercepts: Vec<f32>,
}

impl Linear {
    pub(crate) fn new(
        node: &NodeProto,
        coefficients: Vec<f32>,
        intercepts: Vec<f32>,
        targets: usize,
    ) -> TractResult<Self> {
        node.expect_attr("coefficients", targets > 0 && coefficients.len().is_multiple_of(targets), || {
            format!("a multiple of {targets} values, got {}", coefficients.len())
        })?;
        let intercepts = if intercepts.is_empty() { vec![0.0; targets] } else { intercepts };
        attributes::same_length(node, "intercepts", intercepts.len(), targets)?;
        Ok(Self { targets, coefficients, intercepts })
    }

    /// The scores of every row, `rows` x `targets`, row-major.
    pub(crate) fn scores(&self, x: &[f32], rows: usize, columns: usize) -> TractResult<Vec<f32>> {
        if self.coefficients.len() != self.targets * columns {
            bail!(
                "the input has {columns} features, the model has weights for {}",
                self.coefficients.len() / self.targets
            );
        }
        let mut scores = Vec::with_capacity(rows * self.targets);
        for row in x.chunks_exact(columns.max(1)).take(rows) {
            for (weights, intercept) in self.coefficients.chunks_exact(columns.max(1)).zip(&self.intercepts) {
                scores.push(dot(row, weights) + intercept);
            }
        }
        Ok(scores)
    }
}

/// A dot product in eight independent lanes, which the compiler turns into SIMD.
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a8.remainder().iter().zip(b8.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in a8.zip(b8) {
        for i in 0..8 {
            lanes[i] += x[i] * y[i];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

#[derive(Debug)]
struct LinearRegressor {
    linear: Linear,
    post_transform: PostTransform,
}

impl Kernel for LinearRegressor {
    const NAME: &'static str = "LinearRegressor";

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        Ok(tvec!(f32::fact([batch_dim(inputs[0]), self.linear.targets.to_dim()])))
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = floats(&inputs[0])?;
        let (rows, columns) = rows_and_columns(x.shape());
        let mut scores = self.linear.scores(slice(&x)?, rows, columns)?;
        let targets = self.linear.targets;
        if targets == 1 {
            scores.iter_mut().for_each(|s| *s = self.post_transform.apply_single(*s));
        } else {
            scores.chunks_exact_mut(targets).for_each(|row| self.post_transform.apply(row));
        }
        Ok(tvec!(tensor(&[rows, targets], scores)?))
    }
}
