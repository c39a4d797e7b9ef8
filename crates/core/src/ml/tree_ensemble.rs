//! `TreeEnsemble` (ai.onnx.ml opset 5): the regressor's computation with tensor
//! attributes, explicit roots, leaf flags and set-membership splits.

use std::collections::HashSet;

use tract_onnx::model::ParsingContext;
use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use super::post_transform::PostTransform;
use super::tree::{Aggregate, Forest, Mode, RawLeaf, RawNode};
use super::tree_ensemble_regressor::Regressor;
use super::{Kernel, Parsed, attributes, op};

pub(super) fn parse(ctx: &ParsingContext, node: &NodeProto) -> Parsed {
    let targets = attributes::index(node, "n_targets", node.get_attr::<i64>("n_targets")?)?;
    let aggregate = match node.get_attr_opt::<i64>("aggregate_function")?.unwrap_or(1) {
        0 => Aggregate::Average,
        1 => Aggregate::Sum,
        2 => Aggregate::Min,
        3 => Aggregate::Max,
        other => bail!("node `{}`: unknown aggregate_function {other}", node.name),
    };
    let post_transform = PostTransform::from_code(node.get_attr_opt::<i64>("post_transform")?.unwrap_or(0))?;
    let (nodes, leaves) = Layout::parse(ctx, node)?.trees(node)?;
    op(TreeEnsemble(Regressor {
        forest: Forest::build(&nodes, &leaves, targets)?,
        aggregate,
        base_values: vec![],
        post_transform,
    }))
}

#[derive(Debug)]
struct TreeEnsemble(Regressor);

impl Kernel for TreeEnsemble {
    const NAME: &'static str = "TreeEnsemble";

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        self.0.output_facts(inputs)
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        self.0.eval(inputs)
    }
}

/// The opset 5 attributes: nodes indexed by position, children flagged as leaves.
struct Layout {
    roots: Vec<i64>,
    features: Vec<i64>,
    modes: Vec<Mode>,
    splits: Vec<f32>,
    children: [Vec<i64>; 2],
    child_is_leaf: [Vec<i64>; 2],
    nan_true: Vec<i64>,
    members: Vec<Vec<f32>>,
    leaf_targets: Vec<i64>,
    leaf_weights: Vec<f32>,
}

impl Layout {
    fn parse(ctx: &ParsingContext, node: &NodeProto) -> TractResult<Self> {
        let tensor = |name: &str| {
            attributes::tensor(ctx, node, name)?.ok_or_else(|| format_err!("node `{}` has no {name}", node.name))
        };
        let modes = tensor("nodes_modes")?
            .cast_to::<i64>()?
            .to_plain_array_view::<i64>()?
            .iter()
            .map(|m| {
                Ok(match m {
                    0 => Mode::Leq,
                    1 => Mode::Lt,
                    2 => Mode::Gte,
                    3 => Mode::Gt,
                    4 => Mode::Eq,
                    5 => Mode::Neq,
                    6 => Mode::Member,
                    other => bail!("unknown node mode {other}"),
                })
            })
            .collect::<TractResult<Vec<_>>>()?;
        let n = modes.len();
        // Membership sets, one per MEMBER node in order, separated by NaN.
        let values = attributes::tensor(ctx, node, "membership_values")?
            .map(|t| attributes::float_values(&t))
            .transpose()?
            .unwrap_or_default();
        let mut sets = values.split(|v| v.is_nan()).map(<[f32]>::to_vec);
        let members = modes.iter().map(|m| if *m == Mode::Member { sets.next().unwrap_or_default() } else { vec![] });
        let layout = Self {
            roots: attributes::ints(node, "tree_roots")?,
            features: attributes::ints(node, "nodes_featureids")?,
            splits: attributes::float_values(&tensor("nodes_splits")?)?,
            children: [attributes::ints(node, "nodes_truenodeids")?, attributes::ints(node, "nodes_falsenodeids")?],
            child_is_leaf: [attributes::ints(node, "nodes_trueleafs")?, attributes::ints(node, "nodes_falseleafs")?],
            nan_true: match attributes::ints(node, "nodes_missing_value_tracks_true")? {
                v if v.is_empty() => vec![0; n],
                v => v,
            },
            members: members.collect(),
            leaf_targets: attributes::ints(node, "leaf_targetids")?,
            leaf_weights: attributes::float_values(&tensor("leaf_weights")?)?,
            modes,
        };
        for (name, len) in [
            ("nodes_featureids", layout.features.len()),
            ("nodes_splits", layout.splits.len()),
            ("nodes_truenodeids", layout.children[0].len()),
            ("nodes_falsenodeids", layout.children[1].len()),
            ("nodes_trueleafs", layout.child_is_leaf[0].len()),
            ("nodes_falseleafs", layout.child_is_leaf[1].len()),
            ("nodes_missing_value_tracks_true", layout.nan_true.len()),
        ] {
            attributes::same_length(node, name, len, n)?;
        }
        attributes::same_length(node, "leaf_weights", layout.leaf_weights.len(), layout.leaf_targets.len())?;
        Ok(layout)
    }

    /// The trees in the regressor's form: tree `t` is everything reachable from root
    /// `t`, branch `i` keeps id `i`, leaf `j` gets id `nodes + j`.
    fn trees(&self, node: &NodeProto) -> TractResult<(Vec<RawNode>, Vec<RawLeaf>)> {
        let n = self.modes.len();
        let (mut raw, mut leaves) = (vec![], vec![]);
        for (tree, &root) in self.roots.iter().enumerate() {
            let tree = tree as i64;
            let mut seen = HashSet::new();
            let mut pending = vec![(root, false)];
            while let Some((id, is_leaf)) = pending.pop() {
                let ix = attributes::index(node, if is_leaf { "leaf index" } else { "node index" }, id)?;
                let key = if is_leaf { n + ix } else { ix };
                if !seen.insert(key) {
                    if is_leaf {
                        continue;
                    }
                    bail!("node {id} is reached twice in tree {tree}");
                }
                if is_leaf {
                    let target = *self.leaf_targets.get(ix).ok_or_else(|| format_err!("leaf {id} does not exist"))?;
                    raw.push(RawNode { tree, id: key as i64, mode: None, ..leaf_template() });
                    leaves.push(RawLeaf {
                        tree,
                        id: key as i64,
                        target: attributes::index(node, "leaf_targetids", target)?,
                        weight: self.leaf_weights[ix],
                    });
                    continue;
                }
                if ix >= n {
                    bail!("node {id} does not exist");
                }
                let child = |branch: usize| {
                    let leaf = self.child_is_leaf[branch][ix] != 0;
                    let id = self.children[branch][ix];
                    (if leaf { n as i64 + id } else { id }, (id, leaf))
                };
                let ((true_id, true_child), (false_id, false_child)) = (child(0), child(1));
                raw.push(RawNode {
                    tree,
                    id: ix as i64,
                    mode: Some(self.modes[ix]),
                    feature: attributes::index(node, "nodes_featureids", self.features[ix])?,
                    value: self.splits[ix],
                    true_id,
                    false_id,
                    nan_true: self.nan_true[ix] != 0,
                    members: self.members[ix].clone(),
                });
                pending.push(false_child);
                pending.push(true_child);
            }
        }
        Ok((raw, leaves))
    }
}

fn leaf_template() -> RawNode {
    RawNode {
        tree: 0,
        id: 0,
        mode: None,
        feature: 0,
        value: 0.0,
        true_id: 0,
        false_id: 0,
        nan_true: false,
        members: vec![],
    }
}
