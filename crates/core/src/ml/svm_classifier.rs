//! `SVMClassifier`: libsvm's support vector classifiers (scikit-learn's `SVC`, `NuSVC`),
//! one-vs-one with voting and optional Platt probabilities, and the liblinear form
//! without support vectors. The outputs follow onnxruntime's, quirks included: the
//! number of score columns, the two columns of a binary model, the labels it picks.

use std::ops::Range;

use tract_onnx::model::ParsingContext;
use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use super::labels::Labels;
use super::linear_regressor::dot;
use super::post_transform::{PostTransform, logistic, probit};
use super::svm::{KernelFunction, SupportVectors, at_least, check_features, floats};
use super::{Kernel, Parsed, attributes, batch_dim, op, rows_and_columns, slice, tensor};

pub(super) fn parse(ctx: &ParsingContext, node: &NodeProto) -> Parsed {
    let labels = Labels::parse(node, "classlabels_ints", "classlabels_strings")?;
    let classes = labels.len();
    let coefficients = floats(ctx, node, "coefficients")?;
    let rho = floats(ctx, node, "rho")?;
    let (prob_a, prob_b) = (floats(ctx, node, "prob_a")?, floats(ctx, node, "prob_b")?);
    node.expect_attr("prob_b", prob_a.len() == prob_b.len(), "as many values as prob_a")?;
    node.expect_attr("coefficients", !coefficients.is_empty(), "at least one value")?;
    let vectors_per_class = attributes::ints(node, "vectors_per_class")?
        .into_iter()
        .map(|n| attributes::index(node, "vectors_per_class", n))
        .collect::<TractResult<Vec<usize>>>()?;
    let vectors = vectors_per_class.iter().try_fold(0usize, |total, n| total.checked_add(*n));
    let vectors = vectors.ok_or_else(|| format_err!("node `{}`: too many support vectors", node.name))?;
    let mode = if vectors > 0 {
        attributes::same_length(node, "vectors_per_class", vectors_per_class.len(), classes)?;
        let kernel = KernelFunction::parse(ctx, node)?;
        let vectors = SupportVectors::parse(ctx, node, vectors)?;
        Mode::OneVsOne(OneVsOne::new(node, kernel, vectors, &vectors_per_class, &coefficients, &rho, &prob_a, &prob_b)?)
    } else {
        // onnxruntime's liblinear mode: one row of weights per class and the first rho,
        // the kernel ignored (but still checked).
        KernelFunction::parse(ctx, node)?;
        node.expect_attr("coefficients", coefficients.len().is_multiple_of(classes), || {
            format!("one row of weights per class ({classes}), got {} values", coefficients.len())
        })?;
        at_least(node, "rho", &rho, 1)?;
        Mode::Linear(PerClass {
            features: coefficients.len() / classes,
            all_positive: coefficients.iter().all(|c| *c >= 0.0),
            weights: coefficients,
            rho: rho[0],
            probabilities: !prob_a.is_empty(),
        })
    };
    op(SvmClassifier { mode, labels, post_transform: PostTransform::parse(node)? })
}

#[derive(Debug)]
struct SvmClassifier {
    mode: Mode,
    labels: Labels,
    post_transform: PostTransform,
}

#[derive(Debug)]
enum Mode {
    Linear(PerClass),
    OneVsOne(OneVsOne),
}

/// No support vectors: `x · w_c + rho[0]` for each class (onnxruntime uses only the
/// first rho).
#[derive(Debug)]
struct PerClass {
    features: usize,
    weights: Vec<f32>,
    rho: f32,
    all_positive: bool,
    probabilities: bool,
}

/// One decision function per pair of classes, `(0,1), (0,2), …, (1,2), …`, each
/// `Σ coefficient · kernel + rho`.
#[derive(Debug)]
struct OneVsOne {
    classes: usize,
    features: usize,
    decisions: Decisions,
    rho: Vec<f32>,
    /// Platt scaling (`prob_a`, `prob_b`, one per pair), for probabilities.
    platt: Option<(Vec<f32>, Vec<f32>)>,
}

#[derive(Debug)]
enum Decisions {
    /// The kernel between the row and every support vector, then per pair the two
    /// classes' vectors weighted by their coefficients (laid out pair by pair).
    Kernel { kernel: KernelFunction, vectors: SupportVectors, pairs: Vec<[Range<usize>; 2]>, coefficients: Vec<f32> },
    /// A linear kernel: each pair's function folded into one weight vector.
    Folded { weights: Vec<f32> },
}

impl OneVsOne {
    #[allow(clippy::too_many_arguments)]
    fn new(
        node: &NodeProto,
        kernel: KernelFunction,
        vectors: SupportVectors,
        vectors_per_class: &[usize],
        coefficients: &[f32],
        rho: &[f32],
        prob_a: &[f32],
        prob_b: &[f32],
    ) -> TractResult<Self> {
        let classes = vectors_per_class.len();
        let (count, features) = (vectors.count(), vectors.features());
        let pair_count = classes.checked_mul(classes.saturating_sub(1)).map(|n| n / 2);
        let rows = classes.saturating_sub(1).checked_mul(count);
        let (Some(pair_count), Some(rows)) = (pair_count, rows) else {
            bail!("node `{}`: too many classes ({classes})", node.name)
        };
        // The coefficients are `[classes - 1, vectors]`: in the pair (i, j), class i's
        // vectors are weighted by row j - 1 and class j's by row i.
        at_least(node, "coefficients", coefficients, rows)?;
        at_least(node, "rho", rho, pair_count)?;
        if !prob_a.is_empty() {
            at_least(node, "prob_a", prob_a, pair_count)?;
        }
        let mut start = 0;
        let ranges: Vec<Range<usize>> = vectors_per_class
            .iter()
            .map(|n| {
                start += n;
                start - n..start
            })
            .collect();
        // Validated above: every range ends within `count`, every row within `rows`.
        let mut pairs = Vec::with_capacity(pair_count);
        let mut laid_out = Vec::with_capacity(rows);
        for (i, of_i) in ranges.iter().enumerate() {
            for (j, of_j) in ranges.iter().enumerate().skip(i + 1) {
                let row =
                    |r: usize, range: &Range<usize>| &coefficients[r * count + range.start..r * count + range.end];
                laid_out.extend_from_slice(row(j - 1, of_i));
                laid_out.extend_from_slice(row(i, of_j));
                pairs.push([of_i.clone(), of_j.clone()]);
            }
        }
        let decisions = if kernel.is_linear() && pair_count <= count {
            let mut coefficients = laid_out.iter().copied();
            let weights = pairs
                .iter()
                .flat_map(|pair| vectors.fold(pair.iter().flat_map(|range| range.clone()).zip(coefficients.by_ref())))
                .collect();
            Decisions::Folded { weights }
        } else {
            Decisions::Kernel { kernel, vectors, pairs, coefficients: laid_out }
        };
        let platt = (!prob_a.is_empty()).then(|| (prob_a[..pair_count].to_vec(), prob_b[..pair_count].to_vec()));
        Ok(Self { classes, features, decisions, rho: rho[..pair_count].to_vec(), platt })
    }

    fn pairs(&self) -> usize {
        self.rho.len()
    }

    /// Score columns: a probability per class, or onnxruntime's raw decisions — one per
    /// pair, but two (a decision and its complement) for two classes.
    fn width(&self) -> usize {
        if self.platt.is_some() {
            self.classes
        } else if self.classes > 2 {
            self.pairs()
        } else {
            2
        }
    }

    /// Every pair's decision for one row, and the votes they give: class i wins a pair
    /// when its decision, summed in double precision, is positive.
    fn decide(&self, x: &[f32], scratch: &mut Scratch) {
        scratch.votes.fill(0);
        let decisions = scratch.decisions.iter_mut().zip(&self.rho);
        let mut sums = decisions.map(|(d, rho)| (d, f64::from(*rho)));
        let mut record = |decision: &mut f32, sum: f64, i: usize, j: usize| {
            *decision = sum as f32;
            let winner = if sum > 0.0 { i } else { j };
            if let Some(votes) = scratch.votes.get_mut(winner) {
                *votes += 1;
            }
        };
        let classes = self.classes;
        let pair_classes = (0..classes).flat_map(|i| (i + 1..classes).map(move |j| (i, j)));
        match &self.decisions {
            Decisions::Folded { weights } => {
                for (((decision, sum), w), (i, j)) in sums.zip(weights.chunks_exact(self.features)).zip(pair_classes) {
                    record(decision, sum + f64::from(dot(x, w)), i, j);
                }
            }
            Decisions::Kernel { kernel, vectors, pairs, coefficients } => {
                vectors.kernels(kernel, x, &mut scratch.kernels);
                let mut coefficients = coefficients.as_slice();
                for ((pair, (i, j)), (decision, mut sum)) in pairs.iter().zip(pair_classes).zip(&mut sums) {
                    for range in pair {
                        let kernels = &scratch.kernels[range.clone()];
                        let (mine, rest) = coefficients.split_at(kernels.len());
                        coefficients = rest;
                        // onnxruntime multiplies in single precision and sums in double.
                        sum += kernels.iter().zip(mine).map(|(k, c)| f64::from(k * c)).sum::<f64>();
                    }
                    record(decision, sum, i, j);
                }
            }
        }
    }
}

/// Per-batch buffers, so that rows allocate nothing.
struct Scratch {
    kernels: Vec<f32>,
    decisions: Vec<f32>,
    votes: Vec<u32>,
    coupling: Coupling,
}

impl Kernel for SvmClassifier {
    const NAME: &'static str = "SVMClassifier";

    fn outputs(&self) -> usize {
        2
    }

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let n = batch_dim(inputs[0]);
        let width = match &self.mode {
            Mode::Linear(_) => self.labels.len(),
            Mode::OneVsOne(ovo) => ovo.width(),
        };
        Ok(tvec!(self.labels.datum_type().fact([n.clone()]), f32::fact([n, width.to_dim()])))
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = super::floats(&inputs[0])?;
        let (rows, columns) = rows_and_columns(x.shape());
        let x = slice::<f32>(&x)?;
        let (chosen, scores, width) = match &self.mode {
            Mode::Linear(linear) => self.eval_linear(linear, x, rows, columns)?,
            Mode::OneVsOne(ovo) => self.eval_one_vs_one(ovo, x, rows, columns)?,
        };
        Ok(tvec!(self.labels.pick(&[rows], chosen.into_iter())?, tensor(&[rows, width], scores)?))
    }
}

type Outputs = (Vec<usize>, Vec<f32>, usize);

impl SvmClassifier {
    fn eval_linear(&self, linear: &PerClass, x: &[f32], rows: usize, columns: usize) -> TractResult<Outputs> {
        check_features(columns, linear.features)?;
        let classes = self.labels.len();
        let mut scores = Vec::with_capacity(rows * classes);
        let mut chosen = Vec::with_capacity(rows);
        for row in x.chunks_exact(linear.features).take(rows) {
            let start = scores.len();
            scores.extend(linear.weights.chunks_exact(linear.features).map(|w| dot(row, w) + linear.rho));
            let row_scores = &mut scores[start..];
            let best = argmax(row_scores);
            chosen.push(if classes == 2 && !linear.probabilities {
                // onnxruntime's reading of two classes: the second one wins when the
                // best score passes 0.5 (all weights positive) or 0 (mixed weights).
                let top = row_scores[best];
                if (linear.all_positive && top >= 0.5) || (!linear.all_positive && top > 0.0) { 1 } else { best }
            } else {
                best
            });
            transform(self.post_transform, row_scores);
        }
        Ok((chosen, scores, classes))
    }

    fn eval_one_vs_one(&self, ovo: &OneVsOne, x: &[f32], rows: usize, columns: usize) -> TractResult<Outputs> {
        check_features(columns, ovo.features)?;
        let width = ovo.width();
        let classes = ovo.classes;
        let kernels = if let Decisions::Kernel { vectors, .. } = &ovo.decisions { vectors.count() } else { 0 };
        let mut scratch = Scratch {
            kernels: vec![0.0; kernels],
            decisions: vec![0.0; ovo.pairs()],
            votes: vec![0; classes],
            coupling: Coupling::new(if ovo.platt.is_some() { classes } else { 0 }),
        };
        let mut scores = Vec::with_capacity(rows * width);
        let mut chosen = Vec::with_capacity(rows);
        for row in x.chunks_exact(ovo.features).take(rows) {
            ovo.decide(row, &mut scratch);
            // The class with the most votes, the first on a tie, even when there are
            // probabilities: onnxruntime does not label by them.
            chosen.push(first_max(&scratch.votes));
            let start = scores.len();
            if let Some((a, b)) = &ovo.platt {
                scores.resize(start + classes, 0.0);
                scratch.coupling.probabilities(&scratch.decisions, a, b, &mut scores[start..]);
                transform(self.post_transform, &mut scores[start..]);
            } else if classes > 2 {
                scores.extend_from_slice(&scratch.decisions);
                transform(self.post_transform, &mut scores[start..]);
            } else if let [decision] = scratch.decisions[..] {
                scores.extend(two_columns(self.post_transform, decision));
            } else {
                // A single class has no pair to decide: onnxruntime leaves both columns
                // unwritten (whatever the buffer held, NaN or 0); NaN says so here.
                scores.extend([f32::NAN; 2]);
            }
        }
        Ok((chosen, scores, width))
    }
}

/// The one decision of two classes as onnxruntime writes it in two columns: the
/// decision is in the second, and the first depends on the post-transform.
fn two_columns(post_transform: PostTransform, decision: f32) -> [f32; 2] {
    match post_transform {
        PostTransform::None => [-decision, decision],
        PostTransform::Logistic => [logistic(-decision), logistic(decision)],
        PostTransform::Softmax | PostTransform::SoftmaxZero => [1.0 - decision, decision],
        // onnxruntime leaves the second column unwritten (whatever the buffer held,
        // NaN or 0 in practice); NaN says so here.
        PostTransform::Probit => [probit(decision), f32::NAN],
    }
}

/// The post-transform of a row of scores; a single score only goes through PROBIT.
fn transform(post_transform: PostTransform, scores: &mut [f32]) {
    match scores {
        [] => {}
        [single] => *single = post_transform.apply_single(*single),
        _ => post_transform.apply(scores),
    }
}

/// The first index of the highest value, compared as `std::max_element` does (with `<`,
/// so a NaN in the first place wins and any later NaN loses).
fn argmax(row: &[f32]) -> usize {
    row.iter().enumerate().fold(0, |best, (i, v)| if row.get(best).is_some_and(|b| b < v) { i } else { best })
}

fn first_max(votes: &[u32]) -> usize {
    votes.iter().enumerate().fold(0, |best, (i, v)| if votes.get(best).is_some_and(|b| b < v) { i } else { best })
}

/// Pairwise coupling of Platt probabilities into one probability per class (Wu, Lin and
/// Weng's second method, as libsvm and onnxruntime compute it, in single precision).
struct Coupling {
    classes: usize,
    /// `r[i][j]`: the probability that i beats j.
    r: Vec<f32>,
    q: Vec<f32>,
    qp: Vec<f32>,
}

impl Coupling {
    fn new(classes: usize) -> Self {
        Self { classes, r: vec![0.0; classes * classes], q: vec![0.0; classes * classes], qp: vec![0.0; classes] }
    }

    /// Writes the class probabilities of one row's pair decisions into `p`.
    fn probabilities(&mut self, decisions: &[f32], a: &[f32], b: &[f32], p: &mut [f32]) {
        let k = self.classes;
        let pairs = (0..k).flat_map(|i| (i + 1..k).map(move |j| (i, j)));
        for ((((i, j), decision), a), b) in pairs.zip(decisions).zip(a).zip(b) {
            // 1 - logistic(d·A + B), kept away from 0 and 1 (NaN passes through, as with
            // onnxruntime's std::max and std::min).
            let v = (1.0 - logistic(decision * a + b)).clamp(1.0e-7, 1.0 - 1.0e-7);
            self.r[i * k + j] = v;
            self.r[j * k + i] = 1.0 - v;
        }
        multiclass_probability(k, &self.r, &mut self.q, &mut self.qp, p);
    }
}

/// onnxruntime's `multiclass_probability` (from libsvm), step for step so that the
/// probabilities match it to the last iterations. All slices are `k` or `k * k` long,
/// sized by [`Coupling::new`].
#[allow(clippy::needless_range_loop)]
fn multiclass_probability(k: usize, r: &[f32], q: &mut [f32], qp: &mut [f32], p: &mut [f32]) {
    q.fill(0.0);
    let eps = 0.005 / k as f32;
    for i in 0..k {
        p[i] = 1.0 / k as f32;
        for j in 0..i {
            q[i * k + i] += r[j * k + i] * r[j * k + i];
            q[i * k + j] = q[j * k + i];
        }
        for j in i + 1..k {
            q[i * k + i] += r[j * k + i] * r[j * k + i];
            q[i * k + j] = -r[j * k + i] * r[i * k + j];
        }
    }
    for _ in 0..100 {
        let mut pqp = 0.0;
        for i in 0..k {
            qp[i] = 0.0;
            for j in 0..k {
                qp[i] += q[i * k + j] * p[j];
            }
            pqp += p[i] * qp[i];
        }
        let mut max_error = 0.0f32;
        for i in 0..k {
            let error = (qp[i] - pqp).abs();
            if error > max_error {
                max_error = error;
            }
        }
        if max_error < eps {
            break;
        }
        for i in 0..k {
            let diff = (-qp[i] + pqp) / q[i * k + i];
            p[i] += diff;
            pqp = (pqp + diff * (diff * q[i * k + i] + 2.0 * qp[i])) / (1.0 + diff) / (1.0 + diff);
            for j in 0..k {
                qp[j] = (qp[j] + diff * q[i * k + j]) / (1.0 + diff);
                p[j] /= 1.0 + diff;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::svm::testing::{Value, run};
    use super::*;

    /// A binary RBF SVC, one support vector per class.
    fn binary() -> Vec<(&'static str, Value)> {
        vec![
            ("classlabels_ints", Value::Ints(vec![5, 6])),
            ("coefficients", Value::Floats(vec![0.5, -0.5])),
            ("support_vectors", Value::Floats(vec![0.1, 0.2, 0.3, 0.5, 0.5, 0.5])),
            ("vectors_per_class", Value::Ints(vec![1, 1])),
            ("rho", Value::Floats(vec![0.1])),
            ("kernel_type", Value::Text("RBF")),
            ("kernel_params", Value::Floats(vec![0.5, 0.0, 3.0])),
        ]
    }

    fn x() -> Tensor {
        tensor2(&[[0.1f32, 0.2, 0.3], [1.0, -1.0, 0.5]])
    }

    fn with(
        mut attributes: Vec<(&'static str, Value)>,
        name: &'static str,
        value: Value,
    ) -> Vec<(&'static str, Value)> {
        attributes.retain(|(n, _)| *n != name);
        attributes.push((name, value));
        attributes
    }

    fn close(actual: &TValue, expected: &[f32]) {
        let actual = slice::<f32>(actual).unwrap();
        assert_eq!(actual.len(), expected.len(), "{actual:?}");
        assert!(actual.iter().zip(expected).all(|(a, e)| (a - e).abs() <= 1e-5), "{actual:?} != {expected:?}");
    }

    #[test]
    fn binary_svc_matches_onnxruntime() {
        // onnxruntime 1.32: labels [5, 5], scores [[-d, d]] with d the decision.
        let out = run(parse, binary(), x()).unwrap();
        assert_eq!(slice::<i64>(&out[0]).unwrap(), &[5, 5]);
        close(&out[1], &[-0.167_488_84, 0.167_488_84, -0.115_859_56, 0.115_859_56]);
    }

    #[test]
    fn linear_mode_matches_onnxruntime() {
        // No support vectors, all weights positive: the second class needs 0.5 to win.
        let attributes = vec![
            ("classlabels_strings", Value::Texts(vec!["a", "b"])),
            ("coefficients", Value::Floats(vec![0.1, 0.2, 0.3, 0.1, 0.1, 0.1])),
            ("rho", Value::Floats(vec![0.1])),
        ];
        let out = run(parse, attributes, x()).unwrap();
        assert_eq!(slice::<String>(&out[0]).unwrap(), &["a", "a"]);
        close(&out[1], &[0.24, 0.16, 0.15, 0.15]);
    }

    #[test]
    fn malformed_attributes_are_errors() {
        let cases = [
            with(binary(), "coefficients", Value::Floats(vec![0.5])),
            with(binary(), "rho", Value::Floats(vec![])),
            with(binary(), "vectors_per_class", Value::Ints(vec![1, 1, 1])),
            with(binary(), "vectors_per_class", Value::Ints(vec![-1, 3])),
            with(binary(), "support_vectors", Value::Floats(vec![0.1, 0.2, 0.3])),
            with(binary(), "kernel_params", Value::Floats(vec![0.5])),
            with(binary(), "kernel_type", Value::Text("CUBIC")),
            with(binary(), "prob_a", Value::Floats(vec![1.0])),
            with(binary(), "classlabels_ints", Value::Ints(vec![])),
            with(binary(), "post_transform", Value::Text("SQUASH")),
            with(with(binary(), "vectors_per_class", Value::Ints(vec![])), "coefficients", Value::Floats(vec![1.0; 5])),
        ];
        for (i, attributes) in cases.into_iter().enumerate() {
            assert!(run(parse, attributes, x()).is_err(), "case {i}");
        }
    }

    #[test]
    fn wrong_feature_count_is_an_error() {
        assert!(run(parse, binary(), tensor2(&[[1.0f32, 2.0]])).is_err());
    }

    #[test]
    fn two_classes_write_onnxruntime_columns() {
        // Values from onnxruntime 1.32 for a binary SVC whose decision is -0.6574960.
        let d = -0.657_496;
        assert_eq!(two_columns(PostTransform::None, d), [0.657_496, -0.657_496]);
        let [a, b] = two_columns(PostTransform::Logistic, d);
        assert!((a - 0.658_697_66).abs() < 1e-6 && (b - 0.341_302_34).abs() < 1e-6);
        assert_eq!(two_columns(PostTransform::Softmax, d), [1.657_496, -0.657_496]);
        let [a, b] = two_columns(PostTransform::Probit, 0.061_803_01);
        assert!((a + 1.539_778_5).abs() < 1e-4 && b.is_nan());
    }

    #[test]
    fn coupling_of_two_classes_is_platt() {
        // With two classes the coupled probabilities are the Platt ones.
        let mut coupling = Coupling::new(2);
        let mut p = [0.0; 2];
        coupling.probabilities(&[0.8], &[-2.0], &[0.1], &mut p);
        let platt = 1.0 - logistic(0.8 * -2.0 + 0.1);
        assert!((p[0] - platt).abs() < 1e-3 && (p[1] - (1.0 - platt)).abs() < 1e-3, "{p:?}");
    }

    #[test]
    fn coupled_probabilities_sum_to_one() {
        let mut coupling = Coupling::new(4);
        let mut p = [0.0; 4];
        coupling.probabilities(&[0.3, -1.2, 2.0, 0.5, -0.1, 1.5], &[-1.5; 6], &[0.2; 6], &mut p);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5, "{p:?}");
        assert!(p.iter().all(|v| (0.0..=1.0).contains(v)));
    }

    #[test]
    fn argmax_is_max_element() {
        assert_eq!(argmax(&[1.0, 3.0, f32::NAN, 3.0]), 1);
        assert_eq!(argmax(&[f32::NAN, 2.0]), 0);
        assert_eq!(first_max(&[1, 3, 3]), 1);
    }
}
