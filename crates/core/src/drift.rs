//! Drift statistics: how far the inputs a model sees have moved from its training data,
//! using only what the model card keeps of that data (deciles and a histogram), so
//! that monitoring needs no training rows in the browser.
//!
//! - [`psi`]: the population stability index over the training deciles, each bin
//!   weighted by its real share of the training data. Below 0.1 the
//!   population is stable, above 0.2 it has shifted ([`Level`]).
//! - [`ks_statistic`]: the Kolmogorov-Smirnov distance between the recorded values and
//!   the training distribution, whose CDF the histogram gives piecewise linearly.
//! - [`chi_squared`] and [`jensen_shannon`]: for categorical features, observed counts
//!   against the training proportions.

use serde::{Deserialize, Serialize};

use crate::card::{Histogram, Stats};

/// Proportions this small stand in for an empty bin: the logarithm in the PSI has no
/// value at zero, and any real share is larger.
const EMPTY_BIN: f64 = 1e-4;

/// How worrying a PSI is, by the usual thresholds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Stable,
    Warn,
    Alert,
}

impl Level {
    pub fn of_psi(psi: f64) -> Self {
        if psi > 0.2 {
            Self::Alert
        } else if psi > 0.1 {
            Self::Warn
        } else {
            Self::Stable
        }
    }
}

/// How many of `values` fall in each bin between consecutive `edges`; the first and
/// last bins are open-ended, so that values outside the training range still count.
/// Bins are [a, b), and a value on an inner edge goes to the bin above it.
pub fn bin_counts(edges: &[f64], values: &[f64]) -> Vec<u64> {
    let bins = edges.len().saturating_sub(1).max(1);
    let inner = &edges[1.min(edges.len())..edges.len().saturating_sub(1)];
    let mut counts = vec![0; bins];
    for &v in values.iter().filter(|v| !v.is_nan()) {
        counts[inner.partition_point(|&edge| edge <= v)] += 1;
    }
    counts
}

/// The PSI of `values` over the training deciles, against the training data's share
/// of each decile bin (`quantile_counts`; a tenth each when the card has none).
pub fn psi(training: &Stats, values: &[f64]) -> f64 {
    let counts = bin_counts(&training.quantiles, values);
    let expected: Vec<f64> = if training.quantile_counts.len() == counts.len() {
        training.quantile_counts.iter().map(|&c| c as f64).collect()
    } else {
        vec![1.0; counts.len()]
    };
    psi_of_counts(&counts, &expected)
}

/// The PSI of observed counts against expected proportions, bin by bin (for categories,
/// the training share of each).
pub fn psi_of_counts(observed: &[u64], expected: &[f64]) -> f64 {
    let total: u64 = observed.iter().sum();
    if total == 0 {
        return 0.0;
    }
    let sum: f64 = expected.iter().sum();
    observed
        .iter()
        .zip(expected)
        .map(|(&c, &e)| {
            let actual = (c as f64 / total as f64).max(EMPTY_BIN);
            let e = (e / sum).max(EMPTY_BIN);
            (actual - e) * (actual / e).ln()
        })
        .sum()
}

/// The training CDF at `x`, from the histogram: linear within each bin.
pub fn histogram_cdf(histogram: &Histogram, x: f64) -> f64 {
    let total: u64 = histogram.counts.iter().sum();
    if total == 0 {
        return 0.0;
    }
    let mut below = 0.0;
    for (i, &count) in histogram.counts.iter().enumerate() {
        let (a, b) = (histogram.edges[i], histogram.edges[i + 1]);
        if x < a {
            break;
        }
        if x < b {
            return (below + count as f64 * (x - a) / (b - a)) / total as f64;
        }
        below += count as f64;
    }
    below / total as f64
}

/// The Kolmogorov-Smirnov statistic of `values` against the training distribution:
/// the largest gap between the two CDFs.
pub fn ks_statistic(training: &Stats, values: &[f64]) -> f64 {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    sorted
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let cdf = histogram_cdf(&training.histogram, x);
            // The empirical CDF jumps at x: compare with both sides of the step.
            (cdf - i as f64 / n).max((i + 1) as f64 / n - cdf)
        })
        .fold(0.0, f64::max)
}

/// Pearson's chi-squared statistic of observed category counts against the training
/// proportions (scaled to the observed total). A category the training data never had
/// gets a tiny expected share instead of a division by zero.
pub fn chi_squared(observed: &[u64], training_proportions: &[f64]) -> f64 {
    let total = observed.iter().sum::<u64>() as f64;
    let sum: f64 = training_proportions.iter().sum();
    let floored: Vec<f64> = training_proportions.iter().map(|p| (p / sum).max(EMPTY_BIN)).collect();
    let floored_sum: f64 = floored.iter().sum();
    observed
        .iter()
        .zip(&floored)
        .map(|(&o, &p)| {
            let expected = total * p / floored_sum;
            (o as f64 - expected).powi(2) / expected
        })
        .sum()
}

/// The Jensen-Shannon distance (base 2, so between 0 and 1) between two distributions
/// given as counts or proportions.
pub fn jensen_shannon(p: &[f64], q: &[f64]) -> f64 {
    let normalise = |v: &[f64]| -> Vec<f64> {
        let sum: f64 = v.iter().sum();
        v.iter().map(|x| if sum > 0.0 { x / sum } else { 0.0 }).collect()
    };
    let (p, q) = (normalise(p), normalise(q));
    let kl_to_mixture = |a: &[f64]| -> f64 {
        a.iter()
            .zip(p.iter().zip(&q))
            .filter(|(x, _)| **x > 0.0)
            .map(|(x, (pi, qi))| x * (x / ((pi + qi) / 2.0)).log2())
            .sum()
    };
    ((kl_to_mixture(&p) + kl_to_mixture(&q)) / 2.0).max(0.0).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_open_ended_and_half_open() {
        assert_eq!(bin_counts(&[0.0, 1.0, 2.0], &[-5.0, 0.0, 0.999, 1.0, 2.0, 9.0, f64::NAN]), [3, 3]);
    }

    #[test]
    fn levels_follow_the_thresholds() {
        assert_eq!(Level::of_psi(0.05), Level::Stable);
        assert_eq!(Level::of_psi(0.15), Level::Warn);
        assert_eq!(Level::of_psi(0.25), Level::Alert);
    }

    #[test]
    fn identical_distributions_do_not_drift() {
        assert_eq!(jensen_shannon(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]), 0.0);
        assert_eq!(chi_squared(&[10, 20, 30], &[1.0, 2.0, 3.0]), 0.0);
        // Disjoint supports are as far apart as distributions get.
        assert!((jensen_shannon(&[1.0, 0.0], &[0.0, 1.0]) - 1.0).abs() < 1e-12);
    }
}
