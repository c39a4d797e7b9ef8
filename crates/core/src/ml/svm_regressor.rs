//! `SVMRegressor`: libsvm's support vector regression (scikit-learn's `SVR`, `NuSVR`)
//! and one-class SVMs, `Σ coefficient · kernel + rho`, or a plain linear function when
//! there are no support vectors.

use tract_onnx::model::ParsingContext;
use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use super::linear_regressor::dot;
use super::post_transform::PostTransform;
use super::svm::{KernelFunction, SupportVectors, at_least, check_features, floats};
use super::{Kernel, Parsed, attributes, batch_dim, op, rows_and_columns, slice, tensor};

pub(super) fn parse(ctx: &ParsingContext, node: &NodeProto) -> Parsed {
    let count = attributes::index(node, "n_supports", node.get_attr_opt::<i64>("n_supports")?.unwrap_or(0))?;
    let coefficients = floats(ctx, node, "coefficients")?;
    let rho = floats(ctx, node, "rho")?;
    node.expect_attr("coefficients", !coefficients.is_empty(), "at least one value")?;
    // onnxruntime uses the first rho only, and reads `post_transform` without applying it.
    at_least(node, "rho", &rho, 1)?;
    PostTransform::parse(node)?;
    let kernel = KernelFunction::parse(ctx, node)?;
    let function = if count > 0 {
        let vectors = SupportVectors::parse(ctx, node, count)?;
        at_least(node, "coefficients", &coefficients, count)?;
        if kernel.is_linear() {
            Function::Linear(vectors.fold(coefficients.into_iter().enumerate().take(count)))
        } else {
            Function::Kernel { kernel, vectors, coefficients: coefficients[..count].to_vec() }
        }
    } else {
        // No support vectors: the coefficients are the weights, whatever the kernel.
        Function::Linear(coefficients)
    };
    op(SvmRegressor { function, rho: rho[0], one_class: node.get_attr_opt::<i64>("one_class")?.unwrap_or(0) != 0 })
}

#[derive(Debug)]
struct SvmRegressor {
    function: Function,
    rho: f32,
    /// A one-class SVM: only the sign of the decision, as ±1.
    one_class: bool,
}

#[derive(Debug)]
enum Function {
    /// `x · w`: no support vectors, or a linear kernel folded into one weight vector.
    Linear(Vec<f32>),
    Kernel {
        kernel: KernelFunction,
        vectors: SupportVectors,
        coefficients: Vec<f32>,
    },
}

impl Kernel for SvmRegressor {
    const NAME: &'static str = "SVMRegressor";

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        Ok(tvec!(f32::fact([batch_dim(inputs[0]), 1.to_dim()])))
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = super::floats(&inputs[0])?;
        let (rows, columns) = rows_and_columns(x.shape());
        let x = slice::<f32>(&x)?;
        let rho = f64::from(self.rho);
        let mut values: Vec<f32> = match &self.function {
            Function::Linear(weights) => {
                check_features(columns, weights.len())?;
                x.chunks_exact(weights.len())
                    .take(rows)
                    .map(|row| (f64::from(dot(row, weights)) + rho) as f32)
                    .collect()
            }
            Function::Kernel { kernel, vectors, coefficients } => {
                check_features(columns, vectors.features())?;
                let mut kernels = vec![0.0; vectors.count()];
                x.chunks_exact(vectors.features())
                    .take(rows)
                    .map(|row| {
                        vectors.kernels(kernel, row, &mut kernels);
                        let sum: f64 = kernels.iter().zip(coefficients).map(|(k, c)| f64::from(k * c)).sum();
                        (sum + rho) as f32
                    })
                    .collect()
            }
        };
        if self.one_class {
            values.iter_mut().for_each(|v| *v = if *v > 0.0 { 1.0 } else { -1.0 });
        }
        Ok(tvec!(tensor(&[rows, 1], values)?))
    }
}

#[cfg(test)]
mod tests {
    use super::super::svm::testing::{Value, run};
    use super::*;

    fn rbf() -> Vec<(&'static str, Value)> {
        vec![
            ("coefficients", Value::Floats(vec![0.1, -0.2])),
            ("support_vectors", Value::Floats(vec![0.1, 0.2, 0.3, 0.5, 0.5, 0.5])),
            ("n_supports", Value::Int(2)),
            ("rho", Value::Floats(vec![0.3])),
            ("kernel_type", Value::Text("RBF")),
            ("kernel_params", Value::Floats(vec![0.5, 0.0, 3.0])),
            // Read, and ignored as onnxruntime does.
            ("post_transform", Value::Text("LOGISTIC")),
        ]
    }

    fn x() -> Tensor {
        tensor2(&[[0.1f32, 0.2, 0.3], [1.0, -1.0, 0.5]])
    }

    fn values(attributes: Vec<(&'static str, Value)>) -> Vec<f32> {
        let out = run(parse, attributes, x()).unwrap();
        assert_eq!(out[0].shape(), &[2, 1]);
        slice::<f32>(&out[0]).unwrap().to_vec()
    }

    #[test]
    fn matches_onnxruntime() {
        let got = values(rbf());
        // onnxruntime 1.32.
        assert!((got[0] - 0.226_995_56).abs() < 1e-6 && (got[1] - 0.274_521_44).abs() < 1e-6, "{got:?}");
        let mut one_class = rbf();
        one_class.push(("one_class", Value::Int(1)));
        assert_eq!(values(one_class), [1.0, 1.0]);
    }

    #[test]
    fn linear_kernel_folds_into_weights() {
        let mut linear = rbf();
        linear.retain(|(n, _)| *n != "kernel_type");
        // x·(0.1 v0 - 0.2 v1) + 0.3 with v0 = (0.1, 0.2, 0.3), v1 = (0.5, 0.5, 0.5).
        let expected = |x: [f32; 3]| 0.3 + x.iter().zip([-0.09, -0.08, -0.07]).map(|(a, w)| a * w).sum::<f32>();
        let got = values(linear);
        assert!((got[0] - expected([0.1, 0.2, 0.3])).abs() < 1e-6, "{got:?}");
        assert!((got[1] - expected([1.0, -1.0, 0.5])).abs() < 1e-6, "{got:?}");
    }

    #[test]
    fn malformed_attributes_are_errors() {
        let change = |name: &'static str, value: Value| {
            let mut attributes = rbf();
            attributes.retain(|(n, _)| *n != name);
            attributes.push((name, value));
            attributes
        };
        let cases = [
            change("coefficients", Value::Floats(vec![0.1])),
            change("coefficients", Value::Floats(vec![])),
            change("rho", Value::Floats(vec![])),
            change("n_supports", Value::Int(-2)),
            change("n_supports", Value::Int(4)),
            change("kernel_params", Value::Floats(vec![0.5, 0.0])),
        ];
        for (i, attributes) in cases.into_iter().enumerate() {
            assert!(run(parse, attributes, x()).is_err(), "case {i}");
        }
        assert!(run(parse, rbf(), tensor2(&[[1.0f32]])).is_err());
    }
}
