//! `TreeEnsembleClassifier`: random forests, extra trees, gradient boosting and single
//! trees for classification, with every post-transform.

use tract_onnx::model::ParsingContext;
use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use super::labels::Labels;
use super::post_transform::{PostTransform, logistic};
use super::tree::{self, Aggregate, Forest};
use super::{Kernel, Parsed, attributes, batch_dim, floats, op, rows_and_columns, slice, tensor};

pub(super) fn parse(ctx: &ParsingContext, node: &NodeProto) -> Parsed {
    let labels = Labels::parse(node, "classlabels_int64s", "classlabels_strings")?;
    let (nodes, leaves) = tree::parse_legacy(ctx, node, "class")?;
    let forest = Forest::build(&nodes, &leaves, labels.len())?;
    // onnxruntime's reading of two classes: when every leaf votes for the same class,
    // that one score decides, and how depends on the weights' signs.
    let binary = labels.len() == 2 && forest.voted_targets() == 1;
    let positive_weights = !forest.has_negative_weights();
    op(Classifier {
        forest,
        labels,
        base_values: attributes::floats(ctx, node, "base_values")?.unwrap_or_default(),
        post_transform: PostTransform::parse(node)?,
        binary,
        positive_weights,
    })
}

#[derive(Debug)]
struct Classifier {
    forest: Forest,
    labels: Labels,
    base_values: Vec<f32>,
    post_transform: PostTransform,
    binary: bool,
    positive_weights: bool,
}

/// How a single binary score becomes two columns (onnxruntime's `add_second_class`).
#[derive(Clone, Copy, PartialEq)]
enum SecondClass {
    None,
    /// All weights positive: the score is a probability, the other class gets 1 - p.
    Complement,
    /// Mixed weights: the score is a margin, the other class gets its opposite.
    Opposite,
}

impl Kernel for Classifier {
    const NAME: &'static str = "TreeEnsembleClassifier";

    fn outputs(&self) -> usize {
        2
    }

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let n = batch_dim(inputs[0]);
        Ok(tvec!(self.labels.datum_type().fact([n.clone()]), f32::fact([n, self.labels.len().to_dim()])))
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = floats(&inputs[0])?;
        let (rows, columns) = rows_and_columns(x.shape());
        let (mut scores, voted) = self.forest.evaluate(slice(&x)?, rows, columns, Aggregate::Sum)?;
        let classes = self.labels.len();
        let mut chosen = Vec::with_capacity(rows);
        for (row, voted) in scores.chunks_exact_mut(classes).zip(voted.chunks_exact(classes)) {
            chosen.push(if classes > 2 { self.finish_multiclass(row, voted) } else { self.finish_binary(row, voted) });
        }
        Ok(tvec!(self.labels.pick(&[rows], chosen.into_iter())?, tensor(&[rows, classes], scores)?))
    }
}

impl Classifier {
    fn finish_multiclass(&self, row: &mut [f32], voted: &[bool]) -> usize {
        let mut voted = voted.to_vec();
        for ((score, voted), base) in row.iter_mut().zip(&mut voted).zip(&self.base_values) {
            *score += base;
            *voted = true;
        }
        // The first class with the highest score among those voted for.
        let mut best: Option<usize> = None;
        for (class, score) in row.iter().enumerate() {
            if voted[class] && best.is_none_or(|b| *score > row[b]) {
                best = Some(class);
            }
        }
        self.post_transform.apply(row);
        best.unwrap_or(0)
    }

    /// Two classes, mirroring onnxruntime's `TreeAggregatorClassifier` so that the
    /// scores match it in each of its cases.
    fn finish_binary(&self, row: &mut [f32], voted: &[bool]) -> usize {
        let mut second = SecondClass::None;
        let mut single = !voted.get(1).copied().unwrap_or(false);
        match self.base_values.as_slice() {
            [_, b1] if !single => {
                row[1] = b1 + row[0];
                row[0] = -row[1];
            }
            [b0, b1] => {
                row[1] += b1;
                row[0] += b0;
                single = false;
            }
            [b0] => row[0] += b0,
            [] => second = SecondClass::Opposite,
            _ => single = false,
        }
        let positive = if voted[1] {
            row[1]
        } else if voted[0] {
            row[0]
        } else {
            0.0
        };
        let chosen = if self.binary {
            let (threshold, kind) =
                if self.positive_weights { (0.5, SecondClass::Complement) } else { (0.0, SecondClass::Opposite) };
            second = kind;
            usize::from(positive > threshold)
        } else {
            usize::from(positive > 0.0)
        };
        if !single {
            self.post_transform.apply(row);
        } else if self.post_transform == PostTransform::Probit {
            row[0] = self.post_transform.apply_single(row[0]);
            row[1] = 0.0;
        } else {
            let score = row[0];
            match (second, self.post_transform) {
                (SecondClass::Complement, _) => (row[0], row[1]) = (1.0 - score, score),
                (SecondClass::Opposite, PostTransform::Logistic) => {
                    (row[0], row[1]) = (logistic(-score), logistic(score))
                }
                (SecondClass::Opposite, _) => (row[0], row[1]) = (-score, score),
                (SecondClass::None, _) => row[1] = 0.0,
            }
        }
        chosen
    }
}
