//! Comparing two versions of a model, the champion in service and a challenger, on the
//! same labelled rows, so that a promotion rests on evidence and not on one headline
//! number: both versions' metrics, how often they agree, the rows where they disagree
//! most, and whether the difference is more than chance.
//!
//! - [`ClassifierComparison`]: accuracy, macro F1, log loss, ROC AUC (binary) and the
//!   confusion matrix of each version ([`ClassifierMetrics`]), the agreement of their
//!   labels, and [`McNemar`]'s test on the rows exactly one of them gets right.
//! - [`RegressorComparison`]: RMSE, MAE and R² of each version ([`RegressorMetrics`]),
//!   and the rows whose predictions differ by more than a tolerance. For regressors,
//!   [`paired_bootstrap`] gives an interval for the difference in RMSE or MAE.
//! - [`Shadow`]: two versions' predictions on the same inputs as they are made, without
//!   labels (shadow mode); [`labelled`] reads a CSV file to compare on.
//! - [`erfc`], [`chi_squared_sf`] and [`binomial_p_value`]: the special functions the
//!   p-values need, accurate in the far tails, where a p-value of 1e-30 and one of
//!   1e-300 both must come out right rather than as 0.
//!
//! The definitions follow scikit-learn, scipy and statsmodels (see
//! `training/compare_reference.py`), whose values the tests check these against.

use std::f64::consts::{FRAC_2_SQRT_PI, LN_2};

pub mod labelled;
mod shadow;

pub use shadow::{Disagreement, Shadow, tolerance};

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Below this many discordant rows (b + c), McNemar's p-value is the exact binomial one:
/// the chi-squared approximation is poor for small counts.
pub const EXACT_BELOW: u64 = 25;

/// How many of the largest disagreements a comparison lists.
pub const LARGEST: usize = 5;

/// Log loss clips probabilities to [ε, 1 − ε] with ε the machine epsilon of f64
/// (2.2e-16), as scikit-learn does now (`np.finfo(float64).eps`; its former default
/// of 1e-15 gives a visibly smaller loss for a model that is sometimes certain and
/// wrong). Without a clip one such row would make the loss infinite.
const CLIP: f64 = f64::EPSILON;

#[derive(Debug, Error, PartialEq)]
pub enum CompareError {
    #[error("there are no rows to compare")]
    Empty,
    #[error("{got} rows in {what} but {expected} in {reference}")]
    Length { what: &'static str, got: usize, reference: &'static str, expected: usize },
    #[error("row {row} of {what} has {got} probabilities where the model has {expected} classes")]
    Width { what: &'static str, row: usize, got: usize, expected: usize },
    #[error("row {row} of the truth is class {class}, but the model has {classes} classes")]
    Class { row: usize, class: usize, classes: usize },
    #[error("a bootstrap needs at least one resample")]
    NoResamples,
}

/// How one classifier does on labelled rows. Its label for a row is the class with the
/// largest probability, the first of them on a tie (as numpy's `argmax`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassifierMetrics {
    /// The share of rows labelled with their true class.
    pub accuracy: f64,
    /// The unweighted mean of the per-class F1 scores over the classes that are true
    /// for or predicted for some row; a class that is neither would only drag the mean
    /// towards 0 for no fault of the model. F1 is 0 for a class never predicted.
    pub macro_f1: f64,
    /// The mean negative log probability of the true class, the probability clipped to
    /// [ε, 1 − ε] with ε = `f64::EPSILON`, as scikit-learn does.
    pub log_loss: f64,
    /// The area under the ROC curve of the second class's probability, tied scores
    /// counting half; only for two classes, both present in the truth.
    pub roc_auc: Option<f64>,
    /// `confusion[true class][predicted class]`: counts of rows.
    pub confusion: Vec<Vec<u64>>,
}

impl ClassifierMetrics {
    /// The metrics of `probabilities` (one row of `classes` probabilities per row of
    /// `truth`) against the true classes `truth`.
    pub fn new(truth: &[usize], probabilities: &[Vec<f64>], classes: usize) -> Result<Self, CompareError> {
        Ok(Self::scored(truth, probabilities, classes, "the probabilities")?.0)
    }

    /// The metrics and the predicted labels; `what` names the probabilities in errors.
    fn scored(
        truth: &[usize],
        probabilities: &[Vec<f64>],
        classes: usize,
        what: &'static str,
    ) -> Result<(Self, Vec<usize>), CompareError> {
        check_length(truth.len(), probabilities.len(), what)?;
        if let Some((row, p)) = probabilities.iter().enumerate().find(|(_, p)| p.len() != classes) {
            return Err(CompareError::Width { what, row, got: p.len(), expected: classes });
        }
        if let Some((row, &class)) = truth.iter().enumerate().find(|(_, t)| **t >= classes) {
            return Err(CompareError::Class { row, class, classes });
        }
        let labels: Vec<usize> = probabilities.iter().map(|p| argmax(p)).collect();
        let n = truth.len() as f64;

        let mut confusion = vec![vec![0; classes]; classes];
        for (&t, &l) in truth.iter().zip(&labels) {
            confusion[t][l] += 1;
        }
        let correct: u64 = (0..classes).map(|k| confusion[k][k]).sum();
        // Per class, F1 = 2 tp / (2 tp + fp + fn), and 2 tp + fp + fn is the number of
        // rows that are that class plus those predicted as it: zero exactly for the
        // classes the mean leaves out.
        let f1: Vec<f64> = (0..classes)
            .filter_map(|k| {
                let actual: u64 = confusion[k].iter().sum();
                let predicted: u64 = confusion.iter().map(|row| row[k]).sum();
                (actual + predicted > 0).then(|| 2.0 * confusion[k][k] as f64 / (actual + predicted) as f64)
            })
            .collect();
        let log_loss =
            truth.iter().zip(probabilities).map(|(&t, p)| -p[t].clamp(CLIP, 1.0 - CLIP).ln()).sum::<f64>() / n;
        let roc_auc = if classes == 2 { roc_auc(truth, probabilities) } else { None };

        let metrics = Self {
            accuracy: correct as f64 / n,
            macro_f1: f1.iter().sum::<f64>() / f1.len() as f64,
            log_loss,
            roc_auc,
            confusion,
        };
        Ok((metrics, labels))
    }
}

/// The index of the largest value, the first one on a tie.
fn argmax(row: &[f64]) -> usize {
    (1..row.len()).fold(0, |best, k| if row[k] > row[best] { k } else { best })
}

/// The binary ROC AUC as the Mann-Whitney statistic: the chance that a random row of
/// class 1 scores above a random row of class 0, a tie counting half, which is what
/// averaging the ranks of tied scores gives. None if the truth has only one class.
fn roc_auc(truth: &[usize], probabilities: &[Vec<f64>]) -> Option<f64> {
    let mut order: Vec<usize> = (0..truth.len()).collect();
    order.sort_by(|&i, &j| probabilities[i][1].total_cmp(&probabilities[j][1]));
    let mut positive_ranks = 0.0;
    let mut start = 0;
    while start < order.len() {
        let score = probabilities[order[start]][1];
        // Sorted, equal scores are neighbours (-0 and 0 too); a NaN, equal to nothing,
        // is a tie of its own.
        let end = start + 1 + order[start + 1..].iter().take_while(|&&i| probabilities[i][1] == score).count();
        // Ranks start + 1 to end, averaged over the tie.
        let rank = (start + 1 + end) as f64 / 2.0;
        positive_ranks += rank * order[start..end].iter().filter(|&&i| truth[i] == 1).count() as f64;
        start = end;
    }
    let positives = truth.iter().filter(|&&t| t == 1).count() as f64;
    let negatives = truth.len() as f64 - positives;
    (positives > 0.0 && negatives > 0.0)
        .then(|| (positive_ranks - positives * (positives + 1.0) / 2.0) / (positives * negatives))
}

/// How one regressor does on rows with true values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegressorMetrics {
    /// The root mean squared error.
    pub rmse: f64,
    /// The mean absolute error.
    pub mae: f64,
    /// The coefficient of determination, 1 − SS_res / SS_tot. When the truth is
    /// constant it is 1 for perfect predictions and 0 otherwise, as scikit-learn has it,
    /// instead of a division by zero.
    pub r2: f64,
}

impl RegressorMetrics {
    /// The metrics of `predictions` against the true values `truth`.
    pub fn new(truth: &[f64], predictions: &[f64]) -> Result<Self, CompareError> {
        check_length(truth.len(), predictions.len(), "the predictions")?;
        Ok(Self::measured(truth, predictions))
    }

    /// The metrics of inputs already checked to be non-empty and of equal length.
    fn measured(truth: &[f64], predictions: &[f64]) -> Self {
        let n = truth.len() as f64;
        let mean = truth.iter().sum::<f64>() / n;
        let squared: f64 = truth.iter().zip(predictions).map(|(t, p)| (t - p).powi(2)).sum();
        let total: f64 = truth.iter().map(|t| (t - mean).powi(2)).sum();
        let r2 = if total > 0.0 {
            1.0 - squared / total
        } else if squared == 0.0 {
            1.0
        } else {
            0.0
        };
        Self {
            rmse: (squared / n).sqrt(),
            mae: truth.iter().zip(predictions).map(|(t, p)| (t - p).abs()).sum::<f64>() / n,
            r2,
        }
    }
}

/// McNemar's test of whether two classifiers are equally accurate on the same rows. Only
/// the rows exactly one of them gets right carry evidence: `b` the champion gets right
/// and the challenger wrong, `c` the other way round. Under the null hypothesis each
/// such row is a fair coin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct McNemar {
    pub b: u64,
    pub c: u64,
    /// (|b − c| − 1)² / (b + c), with the continuity correction, as statsmodels'
    /// `mcnemar(exact=False)` and R's `mcnemar.test` define it (so b = c gives
    /// 1 / (b + c), not 0); 0 when b + c = 0.
    pub statistic: f64,
    /// The exact binomial p-value when b + c < [`EXACT_BELOW`], else the chi-squared
    /// (one degree of freedom) p-value of the statistic.
    pub p_value: f64,
    /// Whether `p_value` is the exact one.
    pub exact: bool,
}

impl McNemar {
    /// The test on `b` rows only the champion gets right and `c` only the challenger.
    /// With no such rows there is no evidence either way: the p-value is 1.
    pub fn new(b: u64, c: u64) -> Self {
        let discordant = b + c;
        let exact = discordant < EXACT_BELOW;
        let statistic = if discordant == 0 { 0.0 } else { (b.abs_diff(c) as f64 - 1.0).powi(2) / discordant as f64 };
        let p_value = if exact { binomial_p_value(b, c) } else { chi_squared_sf(statistic) };
        Self { b, c, statistic, p_value, exact }
    }

    /// The test on which rows each version gets right.
    pub fn from_correct(champion_right: &[bool], challenger_right: &[bool]) -> Result<Self, CompareError> {
        if challenger_right.len() != champion_right.len() {
            return Err(CompareError::Length {
                what: "the challenger's results",
                got: challenger_right.len(),
                reference: "the champion's",
                expected: champion_right.len(),
            });
        }
        let pairs = || champion_right.iter().zip(challenger_right);
        let b = pairs().filter(|&(&a, &z)| a && !z).count() as u64;
        let c = pairs().filter(|&(&a, &z)| !a && z).count() as u64;
        Ok(Self::new(b, c))
    }
}

/// Two classifiers on the same rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassifierComparison {
    pub champion: ClassifierMetrics,
    pub challenger: ClassifierMetrics,
    /// The share of rows both label alike.
    pub agreement: f64,
    /// Up to [`LARGEST`] rows the two label differently, the largest gap between their
    /// probabilities for some class first, ties in row order.
    pub largest_disagreements: Vec<usize>,
    pub mcnemar: McNemar,
}

impl ClassifierComparison {
    /// Compares the champion's and the challenger's `classes`-wide probability rows
    /// against the true classes `truth`.
    pub fn new(
        truth: &[usize],
        champion: &[Vec<f64>],
        challenger: &[Vec<f64>],
        classes: usize,
    ) -> Result<Self, CompareError> {
        let (champion_metrics, a) =
            ClassifierMetrics::scored(truth, champion, classes, "the champion's probabilities")?;
        let (challenger_metrics, z) =
            ClassifierMetrics::scored(truth, challenger, classes, "the challenger's probabilities")?;
        let disagreements: Vec<(usize, f64)> = (0..truth.len())
            .filter(|&i| a[i] != z[i])
            .map(|i| (i, champion[i].iter().zip(&challenger[i]).map(|(p, q)| (p - q).abs()).fold(0.0, f64::max)))
            .collect();
        let champion_right: Vec<bool> = truth.iter().zip(&a).map(|(t, l)| t == l).collect();
        let challenger_right: Vec<bool> = truth.iter().zip(&z).map(|(t, l)| t == l).collect();
        Ok(Self {
            champion: champion_metrics,
            challenger: challenger_metrics,
            agreement: 1.0 - disagreements.len() as f64 / truth.len() as f64,
            largest_disagreements: largest(disagreements),
            mcnemar: McNemar::from_correct(&champion_right, &challenger_right)?,
        })
    }
}

/// Two regressors on the same rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegressorComparison {
    pub champion: RegressorMetrics,
    pub challenger: RegressorMetrics,
    /// How far apart two predictions may be and still agree.
    pub tolerance: f64,
    /// The share of rows whose predictions are within `tolerance` of each other.
    pub agreement: f64,
    /// Up to [`LARGEST`] rows whose predictions are not within `tolerance`, the largest
    /// gap first, ties in row order.
    pub largest_disagreements: Vec<usize>,
}

impl RegressorComparison {
    /// Compares the champion's and the challenger's predictions against the true
    /// values `truth`.
    pub fn new(truth: &[f64], champion: &[f64], challenger: &[f64], tolerance: f64) -> Result<Self, CompareError> {
        check_length(truth.len(), champion.len(), "the champion's predictions")?;
        check_length(truth.len(), challenger.len(), "the challenger's predictions")?;
        // A NaN prediction disagrees with anything (and, as total_cmp puts NaN above
        // infinity, is listed first).
        let disagreements: Vec<(usize, f64)> = champion
            .iter()
            .zip(challenger)
            .map(|(p, q)| (p - q).abs())
            .enumerate()
            .filter(|&(_, gap)| gap > tolerance || gap.is_nan())
            .collect();
        Ok(Self {
            champion: RegressorMetrics::measured(truth, champion),
            challenger: RegressorMetrics::measured(truth, challenger),
            tolerance,
            agreement: 1.0 - disagreements.len() as f64 / truth.len() as f64,
            largest_disagreements: largest(disagreements),
        })
    }
}

/// The rows of the [`LARGEST`] gaps in `(row, gap)`, largest first; the sort is stable,
/// so ties stay in row order.
fn largest(mut gaps: Vec<(usize, f64)>) -> Vec<usize> {
    gaps.sort_by(|a, b| b.1.total_cmp(&a.1));
    gaps.into_iter().take(LARGEST).map(|(row, _)| row).collect()
}

/// An error if `got` rows (of `what`) do not match the `expected` rows of the truth, or
/// if there are none.
fn check_length(expected: usize, got: usize, what: &'static str) -> Result<(), CompareError> {
    if got != expected {
        return Err(CompareError::Length { what, got, reference: "the truth", expected });
    }
    if expected == 0 {
        return Err(CompareError::Empty);
    }
    Ok(())
}

/// A regression metric the bootstrap can compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegressionMetric {
    Rmse,
    Mae,
}

impl RegressionMetric {
    /// The metric of the errors (prediction − truth) at `rows`.
    fn of(self, errors: &[f64], rows: &[usize]) -> f64 {
        let n = rows.len() as f64;
        match self {
            Self::Rmse => (rows.iter().map(|&i| errors[i] * errors[i]).sum::<f64>() / n).sqrt(),
            Self::Mae => rows.iter().map(|&i| errors[i].abs()).sum::<f64>() / n,
        }
    }
}

/// A confidence interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// A 95% percentile-bootstrap interval for the challenger's `metric` minus the
/// champion's (positive: the challenger errs more). Each of `resamples` resamples draws
/// rows with replacement and scores both versions on the same draw, so that what the
/// rows have in common (some are hard for any model) cancels out of the difference.
/// The same `seed` gives the same interval.
pub fn paired_bootstrap(
    truth: &[f64],
    champion: &[f64],
    challenger: &[f64],
    metric: RegressionMetric,
    resamples: usize,
    seed: u64,
) -> Result<Interval, CompareError> {
    check_length(truth.len(), champion.len(), "the champion's predictions")?;
    check_length(truth.len(), challenger.len(), "the challenger's predictions")?;
    if resamples == 0 {
        return Err(CompareError::NoResamples);
    }
    let errors = |predictions: &[f64]| -> Vec<f64> { predictions.iter().zip(truth).map(|(p, t)| p - t).collect() };
    let (a, z) = (errors(champion), errors(challenger));
    let n = truth.len();
    let mut random = SplitMix64(seed);
    let mut rows = vec![0; n];
    let mut differences: Vec<f64> = (0..resamples)
        .map(|_| {
            rows.iter_mut().for_each(|row| *row = random.below(n));
            metric.of(&z, &rows) - metric.of(&a, &rows)
        })
        .collect();
    differences.sort_by(f64::total_cmp);
    Ok(Interval { low: quantile(&differences, 0.025), high: quantile(&differences, 0.975) })
}

/// The `q` quantile of `sorted`, interpolating linearly between neighbours
/// (numpy's default).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let position = q * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    let weight = position - below as f64;
    sorted[below] + weight * (sorted[above] - sorted[below])
}

/// Sebastiano Vigna's SplitMix64: a tiny, well-mixed generator, plenty for choosing
/// bootstrap rows, and the same sequence on every platform.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A row below `n`, by Lemire's multiply-shift; its bias, at most n / 2^64, is far
    /// below anything a bootstrap could show.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }
}

/// The two-sided p-value of `b` successes in `b + c` fair coin tosses, as scipy's
/// `binomtest(b, b + c, 0.5)`: by symmetry, 2 P(X ≤ min(b, c)), at most 1. It is summed
/// relative to the largest term, in logarithms, so that it neither overflows nor
/// underflows before the result does, for any number of tosses.
pub fn binomial_p_value(b: u64, c: u64) -> f64 {
    let (n, k) = (b + c, b.min(c));
    if 2 * k == n {
        return 1.0;
    }
    // ln P(X = k) = ln C(n, k) − n ln 2, with C(n, k) = Π (n − k + i) / i for i ≤ k.
    let ln_largest = (1..=k).map(|i| ((n - k + i) as f64 / i as f64).ln()).sum::<f64>() - n as f64 * LN_2;
    // P(X = i − 1) / P(X = i) = i / (n − i + 1): the terms shrink going down from k,
    // and once one is below the rounding of the sum the rest cannot change it.
    let (mut term, mut sum) = (1.0, 1.0);
    for i in (1..=k).rev() {
        term *= i as f64 / (n - i + 1) as f64;
        sum += term;
        if term < sum * f64::EPSILON {
            break;
        }
    }
    (2.0 * (ln_largest + sum.ln()).exp()).min(1.0)
}

/// The survival function of the chi-squared distribution with one degree of freedom,
/// P(X > x) = erfc(√(x / 2)).
pub fn chi_squared_sf(x: f64) -> f64 {
    if x <= 0.0 { 1.0 } else { erfc((x / 2.0).sqrt()) }
}

/// The complementary error function, by W. J. Cody's rational approximations ("Rational
/// Chebyshev approximations for the error function", Math. Comp. 1969; the coefficients
/// of netlib's specfun `CALERF`). It keeps its relative accuracy in the upper tail, where
/// 1 − erf(x) would be all rounding, down to the smallest normal numbers (x ≈ 26.5).
pub fn erfc(x: f64) -> f64 {
    // Each set of coefficients is in Horner order, the highest power first.
    const SMALL_P: [f64; 5] =
        [0.18577770618460315, 3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694];
    const SMALL_Q: [f64; 5] = [1.0, 23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171];
    const MIDDLE_P: [f64; 9] = [
        2.1531153547440383e-8,
        0.5641884969886701,
        8.883149794388377,
        66.11919063714163,
        298.6351381974001,
        881.952221241769,
        1712.0476126340707,
        2051.0783778260716,
        1230.3393547979972,
    ];
    const MIDDLE_Q: [f64; 9] = [
        1.0,
        15.744926110709835,
        117.6939508913125,
        537.1811018620099,
        1621.3895745666903,
        3290.7992357334597,
        4362.619090143247,
        3439.3676741437216,
        1230.3393548037495,
    ];
    const LARGE_P: [f64; 6] = [
        0.016315387137302097,
        0.30532663496123236,
        0.36034489994980445,
        0.12578172611122926,
        0.016083785148742275,
        0.0006587491615298378,
    ];
    const LARGE_Q: [f64; 6] =
        [1.0, 2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132, 0.0023352049762686918];
    let rational =
        |p: &[f64], q: &[f64], t: f64| p.iter().fold(0.0, |s, c| s * t + c) / q.iter().fold(0.0, |s, c| s * t + c);

    let y = x.abs();
    if y > 27.3 {
        // erfc(27.3) is below the smallest subnormal double, and the split of y² below
        // would make ∞ − ∞ of an infinite x.
        return if x < 0.0 { 2.0 } else { 0.0 };
    }
    if y <= 0.46875 {
        // erf(x) = x R(x²) is small here, so 1 − erf(x) loses nothing.
        return 1.0 - x * rational(&SMALL_P, &SMALL_Q, y * y);
    }
    // erfc(y) = exp(−y²) R(y), with R near 1/(y√π) for large y.
    let r = if y <= 4.0 {
        rational(&MIDDLE_P, &MIDDLE_Q, y)
    } else {
        let t = 1.0 / (y * y);
        (FRAC_2_SQRT_PI / 2.0 - t * rational(&LARGE_P, &LARGE_Q, t)) / y
    };
    // y² itself would be rounded, and exp magnifies an absolute error of y² into a
    // relative one: 1e-13 at y = 26. So split y² = s² + (y − s)(y + s), with s a
    // multiple of 1/16 whose square is exact and a remainder that is small.
    let s = (y * 16.0).trunc() / 16.0;
    let tail = (-s * s).exp() * (-(y - s) * (y + s)).exp() * r;
    if x < 0.0 { 2.0 - tail } else { tail }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_largest_probability_is_the_label() {
        assert_eq!(argmax(&[0.5, 0.5]), 0);
        assert_eq!(argmax(&[0.2, 0.4, 0.4]), 1);
        assert_eq!(argmax(&[0.1, 0.2, 0.7]), 2);
    }

    #[test]
    fn no_discordant_rows_are_no_evidence() {
        let test = McNemar::new(0, 0);
        assert_eq!((test.statistic, test.p_value, test.exact), (0.0, 1.0, true));
        assert_eq!(McNemar::from_correct(&[true, false], &[true, false]).unwrap(), test);
    }

    #[test]
    fn the_exact_p_value_works_for_many_tosses() {
        // 2^-20000 underflows, so a direct sum of binomial terms would give 0 / 0 here;
        // for this many tosses the normal approximation must agree closely.
        let (b, c) = (10_000, 10_300);
        let exact = binomial_p_value(b, c);
        let approximate = McNemar::new(b, c).p_value;
        assert!((exact / approximate - 1.0).abs() < 0.02, "exact {exact}, chi-squared {approximate}");
        assert_eq!(binomial_p_value(10_000, 10_000), 1.0);
        // A p-value below the smallest double is 0, not NaN.
        assert_eq!(binomial_p_value(0, 2_000), 0.0);
    }

    #[test]
    fn erfc_is_symmetric_about_one() {
        for x in [0.1, 0.46875, 0.5, 2.0, 4.0, 4.5, 9.0] {
            assert!((erfc(-x) + erfc(x) - 2.0).abs() < 1e-15, "x = {x}");
        }
        assert_eq!(erfc(30.0), 0.0);
        assert_eq!(erfc(f64::INFINITY), 0.0);
        assert!(erfc(f64::NAN).is_nan());
    }
}
