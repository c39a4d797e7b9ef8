//! `LinearClassifier`: logistic regression, linear SVMs and SGD classifiers, as one
//! matrix product, post-transform and label lookup.

use tract_onnx::model::ParsingContext;
use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use super::labels::Labels;
use super::linear_regressor::Linear;
use super::post_transform::PostTransform;
use super::{Kernel, Parsed, attributes, batch_dim, floats, op, rows_and_columns, slice, tensor};

pub(super) fn parse(ctx: &ParsingContext, node: &NodeProto) -> Parsed {
    let labels = Labels::parse(node, "classlabels_ints", "classlabels_strings")?;
    let intercepts = attributes::floats(ctx, node, "intercepts")?.unwrap_or_default();
    // onnxruntime counts the score columns by the intercepts; without any, one per class.
    let targets = if intercepts.is_empty() { labels.len() } else { intercepts.len() };
    op(LinearClassifier {
        linear: Linear::new(
            node,
            attributes::floats(ctx, node, "coefficients")?.unwrap_or_default(),
            intercepts,
            targets,
        )?,
        labels,
        post_transform: PostTransform::parse(node)?,
    })
}

#[derive(Debug)]
struct LinearClassifier {
    linear: Linear,
    labels: Labels,
    post_transform: PostTransform,
}

impl LinearClassifier {
    /// One score for two classes: onnxruntime reports it with its complement.
    fn second_class(&self) -> bool {
        self.linear.targets == 1 && self.labels.len() == 2
    }
}

impl Kernel for LinearClassifier {
    const NAME: &'static str = "LinearClassifier";

    fn outputs(&self) -> usize {
        2
    }

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let n = batch_dim(inputs[0]);
        let columns = if self.second_class() { 2 } else { self.linear.targets };
        Ok(tvec!(self.labels.datum_type().fact([n.clone()]), f32::fact([n, columns.to_dim()])))
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = floats(&inputs[0])?;
        let (rows, columns) = rows_and_columns(x.shape());
        let scores = self.linear.scores(slice(&x)?, rows, columns)?;
        let targets = self.linear.targets;
        let (chosen, scores, width): (Vec<usize>, Vec<f32>, usize) = if targets == 1 {
            let chosen = scores.iter().map(|s| usize::from(*s > 0.0)).collect();
            if self.second_class() {
                let p = |s: f32| self.post_transform.apply_single(s);
                (chosen, scores.iter().flat_map(|&s| [1.0 - p(s), p(s)]).collect(), 2)
            } else {
                (chosen, scores.iter().map(|&s| self.post_transform.apply_single(s)).collect(), 1)
            }
        } else {
            let mut scores = scores;
            let chosen = scores
                .chunks_exact_mut(targets)
                .map(|row| {
                    let best = argmax(row);
                    self.post_transform.apply(row);
                    best
                })
                .collect();
            (chosen, scores, targets)
        };
        Ok(tvec!(self.labels.pick(&[rows], chosen.into_iter())?, tensor(&[rows, width], scores)?))
    }
}

/// The first index of the highest value.
fn argmax(row: &[f32]) -> usize {
    row.iter().enumerate().fold(0, |best, (i, v)| if *v > row[best] { i } else { best })
}
