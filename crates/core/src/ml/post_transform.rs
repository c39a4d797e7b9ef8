//! The `post_transform` attribute shared by the linear, SVM and tree operators, computed
//! as onnxruntime computes it (the reference the conformance suite checks against).

use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PostTransform {
    None,
    Softmax,
    Logistic,
    SoftmaxZero,
    Probit,
}

impl PostTransform {
    pub(crate) fn parse(node: &NodeProto) -> TractResult<Self> {
        match node.get_attr_opt::<&str>("post_transform")?.unwrap_or("NONE") {
            "NONE" => Ok(Self::None),
            "SOFTMAX" => Ok(Self::Softmax),
            "LOGISTIC" => Ok(Self::Logistic),
            "SOFTMAX_ZERO" => Ok(Self::SoftmaxZero),
            "PROBIT" => Ok(Self::Probit),
            other => bail!("node `{}`: unknown post_transform {other}", node.name),
        }
    }

    /// The integer form of `TreeEnsemble` (ai.onnx.ml opset 5).
    pub(crate) fn from_code(code: i64) -> TractResult<Self> {
        Ok(match code {
            0 => Self::None,
            1 => Self::Softmax,
            2 => Self::Logistic,
            3 => Self::SoftmaxZero,
            4 => Self::Probit,
            _ => bail!("unknown post_transform {code}"),
        })
    }

    /// Transforms the scores of one row, when it has two or more.
    pub(crate) fn apply(self, scores: &mut [f32]) {
        match self {
            Self::None => {}
            Self::Logistic => scores.iter_mut().for_each(|s| *s = logistic(*s)),
            Self::Probit => scores.iter_mut().for_each(|s| *s = probit(*s)),
            Self::Softmax => softmax(scores, false),
            Self::SoftmaxZero => softmax(scores, true),
        }
    }

    /// Transforms a single score: onnxruntime applies only PROBIT there.
    pub(crate) fn apply_single(self, score: f32) -> f32 {
        if self == Self::Probit { probit(score) } else { score }
    }
}

pub(crate) fn logistic(x: f32) -> f32 {
    let v = 1.0 / (1.0 + (-x.abs()).exp());
    if x < 0.0 { 1.0 - v } else { v }
}

/// `sqrt(2) * erfinv(2x - 1)`, with onnxruntime's approximation of erfinv (Winitzki's,
/// a = 0.147) so that PROBIT outputs match it.
pub(crate) fn probit(x: f32) -> f32 {
    std::f32::consts::SQRT_2 * erf_inv(2.0 * x - 1.0)
}

fn erf_inv(x: f32) -> f32 {
    let sign = if x < 0.0 { -1.0 } else { 1.0 };
    let ln = ((1.0 - x) * (1.0 + x)).ln();
    // onnxruntime's constant, not π: the outputs must match to the last bits.
    #[allow(clippy::approx_constant)]
    let v = 2.0 / (3.14159 * 0.147) + 0.5 * ln;
    let v2 = 1.0 / 0.147 * ln;
    sign * (-v + (v * v - v2).sqrt()).sqrt()
}

/// Softmax; SOFTMAX_ZERO leaves zero scores at zero (a class no tree voted for).
fn softmax(scores: &mut [f32], keep_zeros: bool) {
    let max = scores.iter().copied().fold(-f32::MAX, f32::max);
    let mut sum = 0.0;
    for s in scores.iter_mut() {
        // A NaN score counts as zero here and stays out of the sum, as in onnxruntime,
        // instead of turning the whole row into NaN.
        if keep_zeros && (s.abs() <= 1e-7 || s.is_nan()) {
            *s *= (-max).exp();
        } else {
            *s = (*s - max).exp();
            sum += *s;
        }
    }
    scores.iter_mut().for_each(|s| *s /= sum);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_sums_to_one_and_keeps_order() {
        let mut s = [1.0, 2.0, 3.0];
        PostTransform::Softmax.apply(&mut s);
        assert!((s.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(s[0] < s[1] && s[1] < s[2]);
    }

    #[test]
    fn softmax_zero_leaves_zero_scores_at_zero() {
        let mut s = [0.0, 2.0, 3.0];
        PostTransform::SoftmaxZero.apply(&mut s);
        assert_eq!(s[0], 0.0);
        assert!((s[1] + s[2] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn probit_is_the_normal_quantile() {
        // Standard normal quantiles, to the approximation's accuracy.
        assert!(probit(0.5).abs() < 1e-6);
        assert!((probit(0.975) - 1.959_964).abs() < 5e-3);
        assert!((probit(0.1) + 1.281_552).abs() < 5e-3);
    }

    #[test]
    fn logistic_is_symmetric() {
        assert!((logistic(2.0) + logistic(-2.0) - 1.0).abs() < 1e-6);
        assert_eq!(logistic(0.0), 0.5);
    }
}
