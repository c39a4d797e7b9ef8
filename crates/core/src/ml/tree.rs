//! Tree ensembles stored flat for evaluation: one array of 16-byte nodes for the whole
//! forest, each tree laid out depth first with a node's true child right after it.
//! Leaves are nodes too, pointing into one array of (target, weight) pairs, and a leaf
//! never lets a row leave it, so that several rows can walk a tree in lockstep. The
//! three tree operators (classifier, regressor, and opset 5's `TreeEnsemble`) describe
//! their trees as [`RawNode`]s and share this evaluation.

use std::collections::HashMap;

use tract_onnx::model::ParsingContext;
use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use super::attributes;

/// How a branch compares the feature with its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Leq,
    Lt,
    Gte,
    Gt,
    Eq,
    Neq,
    /// The feature is one of the node's `members` (TreeEnsemble, opset 5).
    Member,
}

impl Mode {
    /// Parses `nodes_modes`; `None` for a leaf.
    pub(crate) fn parse(name: &str) -> TractResult<Option<Self>> {
        Ok(Some(match name {
            "BRANCH_LEQ" => Self::Leq,
            "BRANCH_LT" => Self::Lt,
            "BRANCH_GTE" => Self::Gte,
            "BRANCH_GT" => Self::Gt,
            "BRANCH_EQ" => Self::Eq,
            "BRANCH_NEQ" => Self::Neq,
            "LEAF" => return Ok(None),
            other => bail!("unknown node mode {other}"),
        }))
    }
}

/// How the trees' votes for one target combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Aggregate {
    Sum,
    Average,
    Min,
    Max,
}

impl Aggregate {
    pub(crate) fn parse(name: &str) -> TractResult<Self> {
        Ok(match name {
            "SUM" => Self::Sum,
            "AVERAGE" => Self::Average,
            "MIN" => Self::Min,
            "MAX" => Self::Max,
            other => bail!("unknown aggregate_function {other}"),
        })
    }
}

/// A node as the operator's attributes describe it.
#[derive(Clone, Debug)]
pub(crate) struct RawNode {
    pub tree: i64,
    pub id: i64,
    /// `None` for a leaf.
    pub mode: Option<Mode>,
    pub feature: usize,
    pub value: f32,
    pub true_id: i64,
    pub false_id: i64,
    /// A missing (NaN) feature takes the true branch.
    pub nan_true: bool,
    /// The set tested by [`Mode::Member`].
    pub members: Vec<f32>,
}

/// One weight a leaf adds to one target (or class).
#[derive(Clone, Debug)]
pub(crate) struct RawLeaf {
    pub tree: i64,
    pub id: i64,
    pub target: usize,
    pub weight: f32,
}

/// Rows walking a tree together (see [`Forest::walk`]).
const LANES: usize = 8;

/// Marks a node index as a leaf's.
const LEAF: u32 = 1 << 31;

/// Marks a node's feature as going to the true child when it is missing (NaN), in
/// forests that evaluate with [`Split::General`].
const NAN_TRUE: u32 = 1 << 31;

/// How the forest's branches test a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Split {
    /// Every branch is `x <= value`, NaN going to the false child: scikit-learn's trees.
    Leq,
    /// Every branch is `x <= value`, and some send NaN to the true child instead
    /// (scikit-learn's histogram gradient boosting). Those read a copy of their column
    /// in which NaN became -inf, placed after the row's `features` columns, so that the
    /// test stays a plain `x <= value`.
    LeqWithNanCopy,
    /// Anything else: the node's mode, and its [`NAN_TRUE`] flag.
    General,
}

impl Split {
    fn of(raw: &[RawNode]) -> Self {
        let branches = || raw.iter().filter(|n| n.mode.is_some());
        if branches().any(|n| n.mode != Some(Mode::Leq)) {
            Self::General
        } else if branches().all(|n| !n.nan_true) {
            Self::Leq
        } else if branches().all(|n| !(n.nan_true && n.value.is_nan())) {
            Self::LeqWithNanCopy
        } else {
            // `x <= NaN` is false for every x, NaN included, but -inf would be sent
            // to the true child.
            Self::General
        }
    }
}

/// A branch, or a leaf: a leaf reads column 0 and compares it with NaN, so every split
/// test (`x <= NaN` and, through the mode and NaN flag leaves get, every other) sends
/// the row to the false child, which is the leaf itself. The true child slot, never
/// taken, holds the leaf's index into the weights.
#[derive(Clone, Copy, Debug)]
struct Node {
    /// The column read, [`NAN_TRUE`]-tagged.
    feature: u32,
    value: f32,
    /// True child, then false child; [`LEAF`]-tagged when they are leaves.
    children: [u32; 2],
}

#[derive(Clone, Debug)]
pub(crate) struct Forest {
    nodes: Vec<Node>,
    /// Per node, for [`Split::General`].
    modes: Vec<Mode>,
    members: HashMap<u32, Vec<f32>>,
    split: Split,
    roots: Vec<u32>,
    /// Every leaf has exactly one weight.
    one_weight_per_leaf: bool,
    /// Leaf `l`'s weights are `leaf_weights[leaf_start[l]..leaf_start[l + 1]]`.
    leaf_start: Vec<u32>,
    leaf_targets: Vec<u32>,
    leaf_weights: Vec<f32>,
    targets: usize,
    /// The number of input columns the trees read.
    features: usize,
}

impl Forest {
    /// Builds the flat forest. Trees come in the order their ids first appear; every
    /// node that no branch points to is a root, as in onnxruntime. A node with two
    /// parents, a dangling child or an out-of-range target is an error; branches with a
    /// single parent and roots without one rule out cycles, so a forest from a
    /// stranger's file cannot make evaluation loop.
    pub(crate) fn build(raw: &[RawNode], leaves: &[RawLeaf], targets: usize) -> TractResult<Self> {
        let mut index = HashMap::with_capacity(raw.len());
        for (ix, node) in raw.iter().enumerate() {
            if index.insert((node.tree, node.id), ix).is_some() {
                bail!("tree {} has two nodes with id {}", node.tree, node.id);
            }
        }
        let mut parents = vec![0u8; raw.len()];
        for node in raw.iter().filter(|n| n.mode.is_some()) {
            for child in [node.true_id, node.false_id] {
                let &ix = index.get(&(node.tree, child)).ok_or_else(|| {
                    format_err!("node {} of tree {} points to node {child}, which does not exist", node.id, node.tree)
                })?;
                parents[ix] = parents[ix].saturating_add(1);
                // Leaves may be shared; a branch with two parents could close a cycle.
                if parents[ix] > 1 && raw[ix].mode.is_some() {
                    bail!("node {child} of tree {} has more than one parent", node.tree);
                }
            }
        }
        let mut payload: HashMap<(i64, i64), Vec<(u32, f32)>> = HashMap::new();
        for leaf in leaves {
            if leaf.target >= targets {
                bail!("a leaf of tree {} votes for target {}, but there are {targets}", leaf.tree, leaf.target);
            }
            payload.entry((leaf.tree, leaf.id)).or_default().push((leaf.target as u32, leaf.weight));
        }

        let mut forest = Self {
            nodes: Vec::with_capacity(raw.len()),
            modes: Vec::with_capacity(raw.len()),
            members: HashMap::new(),
            split: Split::of(raw),
            roots: vec![],
            one_weight_per_leaf: false,
            leaf_start: vec![0],
            leaf_targets: vec![],
            leaf_weights: vec![],
            targets,
            features: raw.iter().filter(|n| n.mode.is_some()).map(|n| n.feature + 1).max().unwrap_or(0),
        };
        let mut trees: Vec<i64> = vec![];
        for node in raw {
            if !trees.contains(&node.tree) {
                trees.push(node.tree);
            }
        }
        for tree in trees {
            let roots: Vec<usize> = (0..raw.len()).filter(|&ix| raw[ix].tree == tree && parents[ix] == 0).collect();
            if roots.is_empty() {
                bail!("tree {tree} has no root: its nodes form a cycle");
            }
            for root in roots {
                let root = forest.place_tree(raw, &index, &payload, root)?;
                forest.roots.push(root);
            }
        }
        forest.one_weight_per_leaf = forest.leaf_start.windows(2).all(|w| w[1] == w[0] + 1);
        // Checked here, after the fact: a node index at or past `LEAF` has already
        // been tagged wrongly, but the forest is not used then.
        if u32::try_from(forest.nodes.len()).map_or(true, |n| n >= LEAF) {
            bail!("the forest has too many nodes");
        }
        Ok(forest)
    }

    /// Lays one tree out depth first, true child first, and returns its root's index.
    fn place_tree(
        &mut self,
        raw: &[RawNode],
        index: &HashMap<(i64, i64), usize>,
        payload: &HashMap<(i64, i64), Vec<(u32, f32)>>,
        root: usize,
    ) -> TractResult<u32> {
        let mut root_index = 0;
        // (raw node, where to write its index: parent node and branch, or the root).
        let mut pending: Vec<(usize, Option<(usize, usize)>)> = vec![(root, None)];
        while let Some((ix, slot)) = pending.pop() {
            let node = &raw[ix];
            let placed = match node.mode {
                None => {
                    for &(target, weight) in payload.get(&(node.tree, node.id)).into_iter().flatten() {
                        self.leaf_targets.push(target);
                        self.leaf_weights.push(weight);
                    }
                    self.leaf_start.push(self.leaf_targets.len() as u32);
                    let (at, leaf) = (self.nodes.len() as u32, (self.leaf_start.len() - 2) as u32);
                    // Keeps every row that reaches it, whatever the forest's modes (see `Node`).
                    self.nodes.push(Node { feature: 0, value: f32::NAN, children: [leaf, at | LEAF] });
                    self.modes.push(Mode::Leq);
                    at | LEAF
                }
                Some(mode) => {
                    let at = self.nodes.len();
                    let feature = u32::try_from(node.feature)
                        .ok()
                        .filter(|f| f & NAN_TRUE == 0)
                        .ok_or_else(|| format_err!("feature index {} is too large", node.feature))?;
                    let feature = match (node.nan_true, self.split) {
                        (false, _) => feature,
                        (true, Split::LeqWithNanCopy) => feature + self.features as u32,
                        (true, _) => feature | NAN_TRUE,
                    };
                    self.nodes.push(Node { feature, value: node.value, children: [0, 0] });
                    self.modes.push(mode);
                    if mode == Mode::Member {
                        self.members.insert(at as u32, node.members.clone());
                    }
                    // Pushed false first so that the true child is placed right after.
                    pending.push((index[&(node.tree, node.false_id)], Some((at, 1))));
                    pending.push((index[&(node.tree, node.true_id)], Some((at, 0))));
                    at as u32
                }
            };
            match slot {
                Some((parent, branch)) => self.nodes[parent].children[branch] = placed,
                None => root_index = placed,
            }
        }
        Ok(root_index)
    }

    pub(crate) fn targets(&self) -> usize {
        self.targets
    }

    pub(crate) fn trees(&self) -> usize {
        self.roots.len()
    }

    /// Whether any leaf weight is negative (onnxruntime's binary classifiers read
    /// their scores differently then).
    pub(crate) fn has_negative_weights(&self) -> bool {
        self.leaf_weights.iter().any(|w| *w < 0.0)
    }

    /// The distinct targets the leaves vote for.
    pub(crate) fn voted_targets(&self) -> usize {
        let mut seen = vec![false; self.targets];
        self.leaf_targets.iter().for_each(|&t| seen[t as usize] = true);
        seen.iter().filter(|s| **s).count()
    }

    /// Every tree's votes for every row of `x` (`rows` x `columns`, row-major),
    /// combined by `aggregate`: per row and target, the combined score, and whether
    /// any leaf voted for it.
    pub(crate) fn evaluate(
        &self,
        x: &[f32],
        rows: usize,
        columns: usize,
        aggregate: Aggregate,
    ) -> TractResult<(Vec<f32>, Vec<bool>)> {
        if columns < self.features {
            bail!("the input has {columns} features, the trees read {}", self.features);
        }
        let mut scores = vec![0.0f32; rows * self.targets];
        let mut voted = vec![false; rows * self.targets];
        let single = self.one_weight_per_leaf && self.targets == 1;
        match aggregate {
            // Single-target regressors: every leaf votes for the one target.
            Aggregate::Sum | Aggregate::Average if single => {
                self.evaluate_with(x, columns, &mut scores, &mut voted, |leaf, scores, voted| {
                    scores[0] += self.leaf_weights[leaf];
                    voted[0] = true;
                });
            }
            Aggregate::Min if single => self.evaluate_extreme(x, columns, &mut scores, &mut voted, f32::min),
            Aggregate::Max if single => self.evaluate_extreme(x, columns, &mut scores, &mut voted, f32::max),
            // Regressors and boosted trees: leaf `l`'s only weight is entry `l`, added
            // with no range to look up and no aggregate to choose.
            Aggregate::Sum | Aggregate::Average if self.one_weight_per_leaf => {
                self.evaluate_with(x, columns, &mut scores, &mut voted, |leaf, scores, voted| {
                    let target = self.leaf_targets[leaf] as usize;
                    scores[target] += self.leaf_weights[leaf];
                    voted[target] = true;
                });
            }
            _ => self.evaluate_with(x, columns, &mut scores, &mut voted, |leaf, scores, voted| {
                self.vote(leaf, aggregate, scores, voted)
            }),
        }
        Ok((scores, voted))
    }

    /// Single-target MIN or MAX (`pick`), with the aggregate chosen once for the whole
    /// batch rather than at every leaf.
    fn evaluate_extreme(
        &self,
        x: &[f32],
        columns: usize,
        scores: &mut [f32],
        voted: &mut [bool],
        pick: impl Fn(f32, f32) -> f32,
    ) {
        self.evaluate_with(x, columns, scores, voted, |leaf, scores, voted| {
            let weight = self.leaf_weights[leaf];
            scores[0] = if voted[0] { pick(scores[0], weight) } else { weight };
            voted[0] = true;
        });
    }

    /// Picks the split test: scikit-learn's `x <= value` trees pay for nothing else.
    fn evaluate_with(
        &self,
        x: &[f32],
        columns: usize,
        scores: &mut [f32],
        voted: &mut [bool],
        vote: impl Fn(usize, &mut [f32], &mut [bool]),
    ) {
        if self.split != Split::General {
            let goes_true = |_, node: &Node, row: &[f32]| row[node.feature as usize] <= node.value;
            self.evaluate_rows(x, columns, scores, voted, goes_true, vote);
        } else {
            let goes_true = |at: usize, node: &Node, row: &[f32]| {
                self.goes_true(at, node, row[(node.feature & !NAN_TRUE) as usize])
            };
            self.evaluate_rows(x, columns, scores, voted, goes_true, vote);
        }
    }

    /// The evaluation loop, specialised on the split test and on how a leaf votes
    /// (`vote(leaf, row's scores, row's voted)`). Rows go through in blocks, tree by
    /// tree within a block, so that a tree stays in cache while it sees every row of
    /// the block; each row still adds its trees' votes in tree order.
    fn evaluate_rows(
        &self,
        x: &[f32],
        columns: usize,
        scores: &mut [f32],
        voted: &mut [bool],
        goes_true: impl Fn(usize, &Node, &[f32]) -> bool,
        vote: impl Fn(usize, &mut [f32], &mut [bool]),
    ) {
        const BLOCK: usize = 64;
        let (columns, targets) = (columns.max(1), self.targets.max(1));
        let blocks =
            x.chunks(BLOCK * columns).zip(scores.chunks_mut(BLOCK * targets).zip(voted.chunks_mut(BLOCK * targets)));
        let mut with_nan_copy = vec![];
        for (x, (scores, voted)) in blocks {
            let rows = (x.len() / columns).min(scores.len() / targets);
            let (x, columns) = if self.split == Split::LeqWithNanCopy {
                self.copy_nan_tracked(&x[..rows * columns], columns, &mut with_nan_copy);
                (&with_nan_copy[..], 2 * self.features)
            } else {
                (x, columns)
            };
            let mut vote = |row: usize, at: u32| {
                let range = row * targets..(row + 1) * targets;
                vote(self.leaf(at), &mut scores[range.clone()], &mut voted[range]);
            };
            for &root in &self.roots {
                let mut row = 0;
                while row + LANES <= rows {
                    let leaves = self.walk::<LANES>(root, &x[row * columns..], columns, &goes_true);
                    for (lane, at) in leaves.into_iter().enumerate() {
                        vote(row + lane, at);
                    }
                    row += LANES;
                }
                for row in row..rows {
                    let [at] = self.walk::<1>(root, &x[row * columns..], columns, &goes_true);
                    vote(row, at);
                }
            }
        }
    }

    /// For [`Split::LeqWithNanCopy`]: each row's `features` first columns, then the
    /// same with NaN as -inf.
    fn copy_nan_tracked(&self, x: &[f32], columns: usize, out: &mut Vec<f32>) {
        out.clear();
        for row in x.chunks_exact(columns) {
            let row = &row[..self.features];
            out.extend_from_slice(row);
            out.extend(row.iter().map(|&v| if v.is_nan() { f32::NEG_INFINITY } else { v }));
        }
    }

    /// The leaves `N` consecutive rows (of `x`, from its start) reach in the tree at
    /// `root`. The rows step together, every row a level per round, until all are at
    /// leaves, which hold them: no branch depends on the data, and the rows' chains of
    /// dependent loads overlap instead of waiting for one another.
    #[inline(always)]
    fn walk<const N: usize>(
        &self,
        root: u32,
        x: &[f32],
        columns: usize,
        goes_true: &impl Fn(usize, &Node, &[f32]) -> bool,
    ) -> [u32; N] {
        let rows: [&[f32]; N] = std::array::from_fn(|lane| &x[lane * columns..(lane + 1) * columns]);
        let mut at = [root; N];
        while at.iter().fold(LEAF, |all, at| all & at) == 0 {
            for (lane, at) in at.iter_mut().enumerate() {
                let ix = (*at & !LEAF) as usize;
                let node = &self.nodes[ix];
                let branch = !goes_true(ix, node, rows[lane]);
                *at = node.children[usize::from(branch)];
            }
        }
        at
    }

    /// The weights' index of the leaf at node `at`.
    #[inline]
    fn leaf(&self, at: u32) -> usize {
        self.nodes[(at & !LEAF) as usize].children[0] as usize
    }

    /// Adds one leaf's weights to a row's scores.
    #[inline]
    fn vote(&self, leaf: usize, aggregate: Aggregate, scores: &mut [f32], voted: &mut [bool]) {
        let add = |target: u32, weight: f32, scores: &mut [f32], voted: &mut [bool]| {
            let (score, voted) = (&mut scores[target as usize], &mut voted[target as usize]);
            *score = match aggregate {
                Aggregate::Sum | Aggregate::Average => *score + weight,
                Aggregate::Min if *voted => score.min(weight),
                Aggregate::Max if *voted => score.max(weight),
                Aggregate::Min | Aggregate::Max => weight,
            };
            *voted = true;
        };
        if self.one_weight_per_leaf {
            return add(self.leaf_targets[leaf], self.leaf_weights[leaf], scores, voted);
        }
        let (start, end) = (self.leaf_start[leaf] as usize, self.leaf_start[leaf + 1] as usize);
        for (&target, &weight) in self.leaf_targets[start..end].iter().zip(&self.leaf_weights[start..end]) {
            add(target, weight, scores, voted);
        }
    }

    fn goes_true(&self, at: usize, node: &Node, v: f32) -> bool {
        if v.is_nan() && node.feature & NAN_TRUE != 0 {
            return true;
        }
        match self.modes[at] {
            Mode::Leq => v <= node.value,
            Mode::Lt => v < node.value,
            Mode::Gte => v >= node.value,
            Mode::Gt => v > node.value,
            Mode::Eq => v == node.value,
            Mode::Neq => v != node.value,
            Mode::Member => self.members.get(&(at as u32)).is_some_and(|m| m.contains(&v)),
        }
    }
}

/// The nodes and leaves of `TreeEnsembleClassifier` (`leaf_prefix` "class") and
/// `TreeEnsembleRegressor` ("target"), from their parallel attribute lists.
pub(crate) fn parse_legacy(
    ctx: &ParsingContext,
    node: &NodeProto,
    leaf_prefix: &str,
) -> TractResult<(Vec<RawNode>, Vec<RawLeaf>)> {
    let trees = attributes::ints(node, "nodes_treeids")?;
    let n = trees.len();
    let ids = attributes::ints(node, "nodes_nodeids")?;
    let features = attributes::ints(node, "nodes_featureids")?;
    let modes = attributes::strings(node, "nodes_modes")?;
    let values = attributes::floats(ctx, node, "nodes_values")?.unwrap_or_default();
    let true_ids = attributes::ints(node, "nodes_truenodeids")?;
    let false_ids = attributes::ints(node, "nodes_falsenodeids")?;
    let mut nan_true = attributes::ints(node, "nodes_missing_value_tracks_true")?;
    if nan_true.is_empty() {
        nan_true = vec![0; n];
    }
    for (name, len) in [
        ("nodes_nodeids", ids.len()),
        ("nodes_featureids", features.len()),
        ("nodes_modes", modes.len()),
        ("nodes_values", values.len()),
        ("nodes_truenodeids", true_ids.len()),
        ("nodes_falsenodeids", false_ids.len()),
        ("nodes_missing_value_tracks_true", nan_true.len()),
    ] {
        attributes::same_length(node, name, len, n)?;
    }
    let nodes = (0..n)
        .map(|i| {
            Ok(RawNode {
                tree: trees[i],
                id: ids[i],
                mode: Mode::parse(&modes[i])?,
                feature: attributes::index(node, "nodes_featureids", features[i])?,
                value: values[i],
                true_id: true_ids[i],
                false_id: false_ids[i],
                nan_true: nan_true[i] != 0,
                members: vec![],
            })
        })
        .collect::<TractResult<Vec<_>>>()?;

    let name = |suffix: &str| format!("{leaf_prefix}_{suffix}");
    let leaf_trees = attributes::ints(node, &name("treeids"))?;
    let leaf_ids = attributes::ints(node, &name("nodeids"))?;
    let targets = attributes::ints(node, &name("ids"))?;
    let weights = attributes::floats(ctx, node, &name("weights"))?.unwrap_or_default();
    let m = leaf_trees.len();
    attributes::same_length(node, &name("nodeids"), leaf_ids.len(), m)?;
    attributes::same_length(node, &name("ids"), targets.len(), m)?;
    attributes::same_length(node, &name("weights"), weights.len(), m)?;
    let leaves = (0..m)
        .map(|i| {
            Ok(RawLeaf {
                tree: leaf_trees[i],
                id: leaf_ids[i],
                target: attributes::index(node, &name("ids"), targets[i])?,
                weight: weights[i],
            })
        })
        .collect::<TractResult<Vec<_>>>()?;
    Ok((nodes, leaves))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn branch(id: i64, feature: usize, value: f32, t: i64, f: i64) -> RawNode {
        RawNode {
            tree: 0,
            id,
            mode: Some(Mode::Leq),
            feature,
            value,
            true_id: t,
            false_id: f,
            nan_true: false,
            members: vec![],
        }
    }

    fn leaf(id: i64) -> RawNode {
        RawNode { mode: None, ..branch(id, 0, 0.0, 0, 0) }
    }

    fn vote(id: i64, weight: f32) -> RawLeaf {
        RawLeaf { tree: 0, id, target: 0, weight }
    }

    #[test]
    fn a_stump_splits_on_its_threshold() {
        let forest =
            Forest::build(&[branch(0, 1, 0.5, 1, 2), leaf(1), leaf(2)], &[vote(1, -1.0), vote(2, 1.0)], 1).unwrap();
        let (scores, voted) = forest.evaluate(&[9.0, 0.5, 9.0, 0.6, 0.0, f32::NAN], 3, 2, Aggregate::Sum).unwrap();
        assert_eq!(scores, [-1.0, 1.0, 1.0]);
        assert_eq!(voted, [true; 3]);
    }

    #[test]
    fn missing_values_follow_each_branch_s_flag() {
        // The same feature, NaN going true at the root and false below it: the copy of
        // the column with NaN as -inf must be read by the root only.
        let nodes = [
            RawNode { nan_true: true, ..branch(0, 1, 0.5, 1, 2) },
            branch(1, 1, 0.25, 3, 4),
            leaf(2),
            leaf(3),
            leaf(4),
        ];
        let votes = [vote(2, 2.0), vote(3, 3.0), vote(4, 4.0)];
        let forest = Forest::build(&nodes, &votes, 1).unwrap();
        assert_eq!(forest.split, Split::LeqWithNanCopy);
        let x = [0.0, 0.1, 0.0, 0.4, 0.0, 0.9, 0.0, f32::NAN, 0.0, f32::NEG_INFINITY];
        let (scores, _) = forest.evaluate(&x, 5, 2, Aggregate::Sum).unwrap();
        assert_eq!(scores, [3.0, 4.0, 2.0, 4.0, 3.0]);
        // The general evaluation agrees.
        let mut nodes = nodes.to_vec();
        nodes[1].mode = Some(Mode::Lt);
        nodes[1].value = f32::from_bits(0.25f32.to_bits() + 1);
        let general = Forest::build(&nodes, &votes, 1).unwrap();
        assert_eq!(general.split, Split::General);
        assert_eq!(general.evaluate(&x, 5, 2, Aggregate::Sum).unwrap().0, scores);
    }

    #[test]
    fn rows_walk_in_lockstep_and_alone_alike() {
        // More rows than lanes, of unequal depths, with a remainder walked alone.
        let nodes = [branch(0, 0, 0.5, 1, 2), leaf(1), branch(2, 0, 0.75, 3, 4), leaf(3), leaf(4)];
        let forest = Forest::build(&nodes, &[vote(1, 1.0), vote(3, 3.0), vote(4, 4.0)], 1).unwrap();
        let x: Vec<f32> = (0..2 * LANES + 3).map(|i| i as f32 / (2 * LANES + 3) as f32).collect();
        let (scores, voted) = forest.evaluate(&x, x.len(), 1, Aggregate::Sum).unwrap();
        let expected: Vec<f32> = x
            .iter()
            .map(|&v| {
                if v <= 0.5 {
                    1.0
                } else if v <= 0.75 {
                    3.0
                } else {
                    4.0
                }
            })
            .collect();
        assert_eq!(scores, expected);
        assert!(voted.iter().all(|v| *v));
    }

    #[test]
    fn min_and_max_keep_each_row_s_extreme_vote() {
        let second = |n: RawNode| RawNode { tree: 1, ..n };
        let nodes = [
            branch(0, 0, 0.5, 1, 2),
            leaf(1),
            leaf(2),
            second(branch(0, 0, 0.25, 1, 2)),
            second(leaf(1)),
            second(leaf(2)),
        ];
        let votes =
            [vote(1, -1.0), vote(2, 2.0), RawLeaf { tree: 1, ..vote(1, 1.0) }, RawLeaf { tree: 1, ..vote(2, 0.5) }];
        let forest = Forest::build(&nodes, &votes, 1).unwrap();
        let x = [0.0, 0.4, 0.9];
        assert_eq!(forest.evaluate(&x, 3, 1, Aggregate::Max).unwrap().0, [1.0, 0.5, 2.0]);
        assert_eq!(forest.evaluate(&x, 3, 1, Aggregate::Min).unwrap().0, [-1.0, -1.0, 0.5]);
    }

    #[test]
    fn cycles_and_dangling_children_are_refused() {
        let cycle = [branch(0, 0, 0.5, 1, 2), branch(1, 0, 0.5, 0, 2), leaf(2)];
        assert!(Forest::build(&cycle, &[], 1).is_err());
        let dangling = [branch(0, 0, 0.5, 1, 7), leaf(1)];
        assert!(Forest::build(&dangling, &[], 1).unwrap_err().to_string().contains("does not exist"));
    }

    #[test]
    fn too_few_columns_is_an_error_not_a_panic() {
        let forest = Forest::build(&[branch(0, 3, 0.5, 1, 2), leaf(1), leaf(2)], &[], 1).unwrap();
        assert!(forest.evaluate(&[0.0, 0.0], 1, 2, Aggregate::Sum).is_err());
    }
}
