//! What `SVMClassifier` and `SVMRegressor` share: the kernel function, the support
//! vectors it compares a row with, and the checks on their attributes. The arithmetic
//! follows onnxruntime's (`svmclassifier.h`), which the conformance suite checks against.

use tract_onnx::model::ParsingContext;
use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use super::attributes;

/// `kernel_type`, with `kernel_params` `[gamma, coef0, degree]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct KernelFunction {
    kind: KernelKind,
    gamma: f32,
    coef0: f32,
    degree: f32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KernelKind {
    Linear,
    Poly,
    Rbf,
    Sigmoid,
}

impl KernelFunction {
    pub(super) fn parse(ctx: &ParsingContext, node: &NodeProto) -> TractResult<Self> {
        let kind = match node.get_attr_opt::<&str>("kernel_type")?.unwrap_or("LINEAR") {
            "LINEAR" => KernelKind::Linear,
            "POLY" => KernelKind::Poly,
            "RBF" => KernelKind::Rbf,
            "SIGMOID" => KernelKind::Sigmoid,
            other => bail!("node `{}`: unknown kernel_type {other}", node.name),
        };
        // The specification makes the parameters optional; onnxruntime wants none or
        // exactly three.
        let params = attributes::floats(ctx, node, "kernel_params")?.unwrap_or_default();
        let (gamma, coef0, degree) = match params[..] {
            [] => (0.0, 0.0, 0.0),
            [gamma, coef0, degree] => (gamma, coef0, degree),
            _ => {
                bail!("node `{}`: kernel_params needs 3 values (gamma, coef0, degree), got {}", node.name, params.len())
            }
        };
        Ok(Self { kind, gamma, coef0, degree })
    }

    /// A linear kernel makes a decision function linear in the row, so its support
    /// vectors can be folded into one weight vector.
    pub(super) fn is_linear(&self) -> bool {
        self.kind == KernelKind::Linear
    }

    /// The kernel from its inner sum, computed as onnxruntime does: `<x, v>` or, for RBF,
    /// `|x - v|²` becomes `gamma · <x, v> + coef0` (raised to `degree`, or through tanh)
    /// for POLY and SIGMOID, `exp(-gamma · |x - v|²)` for RBF.
    #[inline]
    fn finish(&self, sum: f32) -> f32 {
        match self.kind {
            KernelKind::Linear => sum,
            KernelKind::Poly => {
                let base = self.gamma * sum + self.coef0;
                // onnxruntime squares and cubes exactly, and uses pow for other degrees.
                if self.degree == 2.0 {
                    base * base
                } else if self.degree == 3.0 {
                    base * base * base
                } else {
                    base.powf(self.degree)
                }
            }
            KernelKind::Rbf => (-self.gamma * sum).exp(),
            KernelKind::Sigmoid => (self.gamma * sum + self.coef0).tanh(),
        }
    }

    /// The kernel between a row and one support vector.
    #[cfg(test)]
    fn apply(&self, x: &[f32], v: &[f32]) -> f32 {
        let mut out = [0.0];
        SupportVectors::new(v.to_vec(), v.len()).kernels(self, x, &mut out);
        out[0]
    }
}

/// The support vectors, one row of `features` values each, contiguous; and again
/// feature by feature, so that a row's kernels against every vector are computed one
/// feature at a time across all vectors, a loop the compiler vectorises.
#[derive(Debug)]
pub(super) struct SupportVectors {
    values: Vec<f32>,
    by_feature: Vec<f32>,
    features: usize,
}

impl SupportVectors {
    /// Reads `support_vectors` as `count` (at least one) vectors of equal length.
    pub(super) fn parse(ctx: &ParsingContext, node: &NodeProto, count: usize) -> TractResult<Self> {
        let values = attributes::floats(ctx, node, "support_vectors")?.unwrap_or_default();
        node.expect_attr(
            "support_vectors",
            count > 0 && !values.is_empty() && values.len().is_multiple_of(count),
            || format!("{count} vectors of equal, non-zero length; got {} values", values.len()),
        )?;
        Ok(Self::new(values, count))
    }

    fn new(values: Vec<f32>, count: usize) -> Self {
        let features = values.len() / count;
        let by_feature = (0..features).flat_map(|f| values.iter().skip(f).step_by(features).copied()).collect();
        Self { values, by_feature, features }
    }

    pub(super) fn features(&self) -> usize {
        self.features
    }

    pub(super) fn count(&self) -> usize {
        self.values.len() / self.features
    }

    /// The kernel between `x` and each support vector, into `out` (one slot per vector).
    pub(super) fn kernels(&self, kernel: &KernelFunction, x: &[f32], out: &mut [f32]) {
        let count = out.len();
        out.fill(0.0);
        for (&xf, column) in x.iter().zip(self.by_feature.chunks_exact(count)) {
            if kernel.kind == KernelKind::Rbf {
                out.iter_mut().zip(column).for_each(|(o, v)| *o += (xf - v) * (xf - v));
            } else {
                out.iter_mut().zip(column).for_each(|(o, v)| *o += xf * v);
            }
        }
        out.iter_mut().for_each(|o| *o = kernel.finish(*o));
    }

    /// `Σ c·v` over `(vector index, coefficient)` terms, accumulated in double precision:
    /// a linear-kernel decision function folded into one weight vector, so that a row
    /// costs one dot product instead of one per support vector. Indices are the caller's
    /// validated ones; any other is skipped.
    pub(super) fn fold(&self, terms: impl IntoIterator<Item = (usize, f32)>) -> Vec<f32> {
        let mut sum = vec![0f64; self.features];
        for (index, coefficient) in terms {
            let Some(vector) = self.values.chunks_exact(self.features).nth(index) else { continue };
            for (s, v) in sum.iter_mut().zip(vector) {
                *s += f64::from(coefficient) * f64::from(*v);
            }
        }
        sum.into_iter().map(|s| s as f32).collect()
    }
}

/// The input must have as many features as the model's vectors.
pub(super) fn check_features(columns: usize, features: usize) -> TractResult<()> {
    if columns != features {
        bail!("the input has {columns} features, the model expects {features}");
    }
    Ok(())
}

/// A float list attribute, empty when absent.
pub(super) fn floats(ctx: &ParsingContext, node: &NodeProto, name: &str) -> TractResult<Vec<f32>> {
    Ok(attributes::floats(ctx, node, name)?.unwrap_or_default())
}

/// Checks that an attribute has at least `expected` values (onnxruntime ignores extras).
pub(super) fn at_least<T>(node: &NodeProto, name: &str, values: &[T], expected: usize) -> TractResult<()> {
    node.expect_attr(name, values.len() >= expected, || format!("at least {expected} values, got {}", values.len()))
}

/// Builds SVM nodes from attributes and runs them, for the operators' tests.
#[cfg(test)]
pub(super) mod testing {
    use tract_onnx::model::ParsingContext;
    use tract_onnx::pb::attribute_proto::AttributeType;
    use tract_onnx::pb::{AttributeProto, ModelProto, NodeProto};
    use tract_onnx::tract_hir::internal::*;

    use super::super::Parsed;

    pub(in super::super) enum Value {
        Int(i64),
        Ints(Vec<i64>),
        Floats(Vec<f32>),
        Text(&'static str),
        Texts(Vec<&'static str>),
    }

    fn attribute(name: &str, value: Value) -> AttributeProto {
        let mut a = AttributeProto { name: name.into(), ..Default::default() };
        let kind = match value {
            Value::Int(i) => (a.i = i, AttributeType::Int).1,
            Value::Ints(v) => (a.ints = v, AttributeType::Ints).1,
            Value::Floats(v) => (a.floats = v, AttributeType::Floats).1,
            Value::Text(s) => (a.s = s.as_bytes().to_vec(), AttributeType::String).1,
            Value::Texts(v) => {
                (a.strings = v.iter().map(|s| s.as_bytes().to_vec()).collect(), AttributeType::Strings).1
            }
        };
        a.r#type = kind as i32;
        a
    }

    /// Parses a node with these attributes, and runs it on `x` when that succeeds.
    pub(in super::super) fn run(
        parse: fn(&ParsingContext, &NodeProto) -> Parsed,
        attributes: Vec<(&str, Value)>,
        x: Tensor,
    ) -> TractResult<TVec<TValue>> {
        let node = NodeProto {
            name: "svm".into(),
            attribute: attributes.into_iter().map(|(name, value)| attribute(name, value)).collect(),
            ..Default::default()
        };
        let (framework, model) = (tract_onnx::onnx(), ModelProto::default());
        let ctx = ParsingContext {
            onnx_operator_set_version: 17,
            framework: &framework,
            model: &model,
            parent_graphs: vec![],
            model_dir: None,
            template: InferenceModel::default(),
        };
        let (op, _) = parse(&ctx, &node)?;
        let op = op.as_typed().context("a typed op")?;
        op.eval_out_of_plan(tvec!(x.into_tvalue()))?.context("evaluated out of plan")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kernel(kind: KernelKind, gamma: f32, coef0: f32, degree: f32) -> KernelFunction {
        KernelFunction { kind, gamma, coef0, degree }
    }

    #[test]
    fn kernels_follow_their_formulas() {
        let (x, v) = ([1.0, 2.0, 3.0], [0.5, -1.0, 2.0]);
        // <x, v> = 4.5, |x - v|² = 0.25 + 9 + 1 = 10.25
        assert_eq!(kernel(KernelKind::Linear, 0.0, 0.0, 0.0).apply(&x, &v), 4.5);
        assert_eq!(kernel(KernelKind::Poly, 0.5, 1.0, 2.0).apply(&x, &v), 3.25 * 3.25);
        assert_eq!(kernel(KernelKind::Poly, 0.5, 1.0, 3.0).apply(&x, &v), 3.25 * 3.25 * 3.25);
        assert!((kernel(KernelKind::Poly, 0.5, 1.0, 1.5).apply(&x, &v) - 3.25f32.powf(1.5)).abs() < 1e-6);
        assert!((kernel(KernelKind::Rbf, 0.1, 0.0, 0.0).apply(&x, &v) - (-1.025f32).exp()).abs() < 1e-7);
        assert!((kernel(KernelKind::Sigmoid, 0.1, -1.0, 0.0).apply(&x, &v) - (-0.55f32).tanh()).abs() < 1e-7);
    }

    #[test]
    fn kernels_against_many_vectors_match_one_at_a_time() {
        // Three vectors of 19 features, feature-major inside: every vector must get its
        // own squared distance.
        let values: Vec<f32> = (0..57).map(|i| (i % 7) as f32).collect();
        let x: Vec<f32> = (0..19).map(|i| i as f32 / 3.0).collect();
        let vectors = SupportVectors::new(values.clone(), 3);
        let mut out = [0.0; 3];
        vectors.kernels(&kernel(KernelKind::Rbf, 0.01, 0.0, 0.0), &x, &mut out);
        for (k, v) in out.iter().zip(values.chunks_exact(19)) {
            let d: f32 = x.iter().zip(v).map(|(a, b)| (a - b) * (a - b)).sum();
            assert!((k - (-0.01 * d).exp()).abs() < 1e-6);
        }
    }

    #[test]
    fn folding_combines_vectors() {
        let vectors = SupportVectors::new(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 3);
        assert_eq!(vectors.count(), 3);
        assert_eq!(vectors.fold([(0, 1.0), (2, -0.5), (7, 100.0)]), vec![-1.5, -1.0]);
    }
}
