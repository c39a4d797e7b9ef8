//! `TreeEnsembleRegressor`: gradient boosting, random forests and single trees for
//! regression.

use tract_onnx::model::ParsingContext;
use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use super::post_transform::PostTransform;
use super::tree::{self, Aggregate, Forest};
use super::{Kernel, Parsed, attributes, batch_dim, floats, op, rows_and_columns, slice, tensor};

pub(super) fn parse(ctx: &ParsingContext, node: &NodeProto) -> Parsed {
    let targets = attributes::index(node, "n_targets", node.get_attr_opt::<i64>("n_targets")?.unwrap_or(1))?;
    let (nodes, leaves) = tree::parse_legacy(ctx, node, "target")?;
    op(Regressor {
        forest: Forest::build(&nodes, &leaves, targets)?,
        aggregate: Aggregate::parse(node.get_attr_opt("aggregate_function")?.unwrap_or("SUM"))?,
        base_values: attributes::floats(ctx, node, "base_values")?.unwrap_or_default(),
        post_transform: PostTransform::parse(node)?,
    })
}

/// A regression forest: shared with `TreeEnsemble`, which is the same computation.
#[derive(Debug)]
pub(crate) struct Regressor {
    pub forest: Forest,
    pub aggregate: Aggregate,
    pub base_values: Vec<f32>,
    pub post_transform: PostTransform,
}

impl Kernel for Regressor {
    const NAME: &'static str = "TreeEnsembleRegressor";

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        Ok(tvec!(f32::fact([batch_dim(inputs[0]), self.forest.targets().to_dim()])))
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = floats(&inputs[0])?;
        let (rows, columns) = rows_and_columns(x.shape());
        let (mut scores, voted) = self.forest.evaluate(slice(&x)?, rows, columns, self.aggregate)?;
        let targets = self.forest.targets();
        let trees = self.forest.trees().max(1) as f32;
        // As onnxruntime: one target adds a single base value and only takes PROBIT;
        // several add one base value each and take any post-transform.
        let bases: Vec<f32> = if targets == 1 {
            vec![if self.base_values.len() == 1 { self.base_values[0] } else { 0.0 }]
        } else if self.base_values.len() == targets {
            self.base_values.clone()
        } else {
            vec![0.0; targets]
        };
        let finish = |score: f32, voted: bool, base: f32| match self.aggregate {
            Aggregate::Sum => score + base,
            Aggregate::Average => score / trees + base,
            Aggregate::Min | Aggregate::Max if voted => score + base,
            Aggregate::Min | Aggregate::Max => base,
        };
        if targets == 1 {
            // One score a row: a plain loop over the batch, with no rows to slice.
            for (score, &voted) in scores.iter_mut().zip(&voted) {
                *score = self.post_transform.apply_single(finish(*score, voted, bases[0]));
            }
        } else {
            for (row, voted) in scores.chunks_exact_mut(targets.max(1)).zip(voted.chunks_exact(targets.max(1))) {
                for ((score, &voted), &base) in row.iter_mut().zip(voted).zip(&bases) {
                    *score = finish(*score, voted, base);
                }
                self.post_transform.apply(row);
            }
        }
        Ok(tvec!(tensor(&[rows, targets], scores)?))
    }
}
