//! A drift report: how far a set of recorded inputs has moved from the training data
//! the model card describes, feature by feature, with the [`drift`] statistics and
//! the usual PSI thresholds, exportable as JSON or as one self-contained HTML file a
//! person can open anywhere.
//!
//! Numeric features get the PSI over the training deciles and the Kolmogorov-Smirnov
//! statistic; categorical ones (a card feature with categories) the PSI, chi-squared
//! and Jensen-Shannon distance over their categories, against the training shares the
//! histogram gives. Features without training statistics are listed, unjudged.
//!
//! The predictions drift too ([`prediction_drift`]): a regressor's values against the
//! target's training statistics, a classifier's classes (cards keep no training class
//! shares) against the predictions recorded before the window looked at.

use serde::{Deserialize, Serialize};

use crate::card::{Feature, FeatureValue, ModelCard, Stats};
use crate::drift::{self, Level};
use crate::record::{Predicted, Record};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    pub model: String,
    pub version: String,
    pub rows: u64,
    /// The worst level of any feature and of the predictions.
    pub level: Level,
    pub features: Vec<FeatureDrift>,
    /// Absent from reports of inputs alone (the CLI's), and when there is nothing to
    /// compare the predictions with.
    #[serde(default)]
    pub prediction: Option<PredictionDrift>,
}

/// How far the predictions moved, and from what.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PredictionDrift {
    pub against: Baseline,
    pub drift: FeatureDrift,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum Baseline {
    /// The target's training statistics in the card.
    Training,
    /// The predictions recorded before the window: `rows` of them.
    Recorded { rows: u64 },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureDrift {
    pub name: String,
    /// Values seen (NaN, a missing value, not counted).
    pub count: u64,
    pub missing: u64,
    /// `None` when the card has no training statistics for the feature.
    pub psi: Option<f64>,
    pub level: Option<Level>,
    /// Numeric features.
    pub ks: Option<f64>,
    /// Categorical features.
    pub chi_squared: Option<f64>,
    pub jensen_shannon: Option<f64>,
    /// Bin (or category) labels, with the training and the recorded share of each: the
    /// two histograms drawn over each other.
    pub bins: Vec<String>,
    pub baseline: Vec<f64>,
    pub current: Vec<f64>,
}

/// The report for `rows` (one value per card feature, in card order) against `card`'s
/// training statistics. Text values count as missing: drift is measured on numbers.
pub fn report(card: &ModelCard, rows: &[Vec<FeatureValue>]) -> DriftReport {
    let features: Vec<FeatureDrift> = card
        .features
        .iter()
        .enumerate()
        .map(|(i, feature)| {
            let values: Vec<f64> = rows
                .iter()
                .map(|row| match row.get(i) {
                    Some(FeatureValue::Number(n)) => *n,
                    _ => f64::NAN,
                })
                .collect();
            feature_drift(feature, &values)
        })
        .collect();
    let level = features.iter().filter_map(|f| f.level).max().unwrap_or(Level::Stable);
    DriftReport {
        model: card.name.clone(),
        version: card.version.clone(),
        rows: rows.len() as u64,
        level,
        features,
        prediction: None,
    }
}

/// The span of time a report looks at, in ms since the epoch; open where `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Window {
    pub from: Option<f64>,
    /// Exclusive.
    pub to: Option<f64>,
}

impl Window {
    pub fn contains(&self, at: f64) -> bool {
        self.from.is_none_or(|from| at >= from) && self.to.is_none_or(|to| at < to)
    }
}

/// The report of the `records` of `version` (any version when `None`) inside `window`:
/// their inputs against the training data, their predictions as [`prediction_drift`]
/// says, with the records before the window as the classifier's reference.
pub fn recorded_report(card: &ModelCard, records: &[Record], window: Window, version: Option<&str>) -> DriftReport {
    let of_version: Vec<&Record> = records.iter().filter(|r| version.is_none_or(|v| r.version == v)).collect();
    let current: Vec<&Record> = of_version.iter().copied().filter(|r| window.contains(r.at)).collect();
    let before: Vec<Predicted> = of_version
        .iter()
        .filter(|r| window.from.is_some_and(|from| r.at < from))
        .map(|r| r.prediction.clone())
        .collect();
    let rows: Vec<Vec<FeatureValue>> = current.iter().map(|r| r.features.clone()).collect();
    let predicted: Vec<Predicted> = current.iter().map(|r| r.prediction.clone()).collect();
    let mut report = report(card, &rows);
    if let Some(version) = version {
        version.clone_into(&mut report.version);
    } else {
        report.version = "all versions".into();
    }
    report.prediction = prediction_drift(card, &before, &predicted);
    if let Some(level) = report.prediction.as_ref().and_then(|p| p.drift.level) {
        report.level = report.level.max(level);
    }
    report
}

/// The drift of the `current` predictions. A regressor's values are measured against
/// the target's training statistics, as a numeric feature is; a classifier's classes
/// against the `reference` predictions (cards have no training class shares), over the
/// card's classes. `None` when there is nothing to compare.
pub fn prediction_drift(card: &ModelCard, reference: &[Predicted], current: &[Predicted]) -> Option<PredictionDrift> {
    let name = format!("predicted {}", card.target.name);
    let classes = card.classes();
    if !classes.is_empty() {
        let counts = |predictions: &[Predicted]| -> Vec<u64> {
            classes
                .iter()
                .map(|class| {
                    predictions.iter().filter(|p| matches!(p, Predicted::Class(c) if c == class)).count() as u64
                })
                .collect()
        };
        let (observed, expected) = (counts(current), counts(reference));
        if observed.iter().sum::<u64>() == 0 || expected.iter().sum::<u64>() == 0 {
            return None;
        }
        let expected: Vec<f64> = expected.iter().map(|&c| c as f64).collect();
        let drift = categorical(name, classes.to_vec(), &observed, &expected, 0);
        return Some(PredictionDrift { against: Baseline::Recorded { rows: reference.len() as u64 }, drift });
    }
    let training = card.target.training.as_ref()?;
    let values: Vec<f64> = current.iter().map(|p| if let Predicted::Value(v) = p { *v } else { f64::NAN }).collect();
    let present: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    if present.is_empty() {
        return None;
    }
    let drift = numeric(name, training, &present, (values.len() - present.len()) as u64);
    Some(PredictionDrift { against: Baseline::Training, drift })
}

fn feature_drift(feature: &Feature, values: &[f64]) -> FeatureDrift {
    let present: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    let missing = (values.len() - present.len()) as u64;
    let Some(training) = &feature.training else {
        return unjudged(feature.name.clone(), present.len() as u64, missing);
    };
    let histogram = &training.histogram;
    match &feature.categories {
        Some(categories) => {
            // A category's training share is its histogram bin's.
            let bin_of = |value: f64| drift::bin_counts(&histogram.edges, &[value]).iter().position(|&c| c == 1);
            let numbers: Vec<f64> =
                categories.iter().map(|c| if let FeatureValue::Number(n) = c.value { n } else { f64::NAN }).collect();
            let expected: Vec<f64> = numbers
                .iter()
                .map(|&v| bin_of(v).and_then(|b| histogram.counts.get(b)).map_or(0.0, |&c| c as f64))
                .collect();
            let observed: Vec<u64> =
                numbers.iter().map(|&v| present.iter().filter(|&&x| x == v).count() as u64).collect();
            let labels = categories.iter().map(|c| c.label.clone()).collect();
            let mut drift = categorical(feature.name.clone(), labels, &observed, &expected, missing);
            // Values that are none of the categories still count as seen.
            drift.count = present.len() as u64;
            drift
        }
        None => numeric(feature.name.clone(), training, &present, missing),
    }
}

fn unjudged(name: String, count: u64, missing: u64) -> FeatureDrift {
    FeatureDrift {
        name,
        count,
        missing,
        psi: None,
        level: None,
        ks: None,
        chi_squared: None,
        jensen_shannon: None,
        bins: vec![],
        baseline: vec![],
        current: vec![],
    }
}

fn shares(counts: &[u64]) -> Vec<f64> {
    let total = counts.iter().sum::<u64>().max(1) as f64;
    counts.iter().map(|&c| c as f64 / total).collect()
}

/// Observed counts of each of `labels` against expected counts (or shares) of each.
fn categorical(name: String, labels: Vec<String>, observed: &[u64], expected: &[f64], missing: u64) -> FeatureDrift {
    let mut drift = unjudged(name, observed.iter().sum(), missing);
    let psi = drift::psi_of_counts(observed, expected);
    drift.psi = Some(psi);
    drift.level = Some(Level::of_psi(psi));
    drift.chi_squared = Some(drift::chi_squared(observed, expected));
    let observed_f: Vec<f64> = observed.iter().map(|&c| c as f64).collect();
    drift.jensen_shannon = Some(drift::jensen_shannon(&observed_f, expected));
    drift.bins = labels;
    let total: f64 = expected.iter().sum::<f64>().max(1e-12);
    drift.baseline = expected.iter().map(|e| e / total).collect();
    drift.current = shares(observed);
    drift
}

/// Numbers (without NaN) against the training deciles and histogram.
fn numeric(name: String, training: &Stats, present: &[f64], missing: u64) -> FeatureDrift {
    let mut drift = unjudged(name, present.len() as u64, missing);
    let histogram = &training.histogram;
    let psi = drift::psi(training, present);
    drift.psi = Some(psi);
    drift.level = Some(Level::of_psi(psi));
    drift.ks = Some(drift::ks_statistic(training, present));
    drift.bins = histogram.edges.windows(2).map(|w| format!("{} to {}", short(w[0]), short(w[1]))).collect();
    drift.baseline = shares(&histogram.counts);
    // Open-ended outer bins, as the PSI counts them: a value outside the training
    // range shows in the first or last bin.
    drift.current = shares(&drift::bin_counts(&histogram.edges, present));
    drift
}

fn short(x: f64) -> String {
    let text = format!("{x:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

impl DriftReport {
    /// One HTML file, with its styles and charts inline and no script, that reads well
    /// printed or mailed.
    pub fn to_html(&self) -> String {
        let mut html = String::new();
        html.push_str(&format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>Drift report: {model} {version}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
             <h1>Drift report: {model} {version}</h1>\n<p>{rows} recorded rows against the training data. \
             Overall: <span class=\"level {level}\">{level}</span> (PSI above 0.1 warns, above 0.2 alerts).</p>\n\
             <table>\n<thead>{HEADER}</thead>\n<tbody>\n",
            model = escape(&self.model),
            version = escape(&self.version),
            rows = self.rows,
            level = level_name(self.level),
        ));
        for f in &self.features {
            html.push_str(&row(f));
        }
        html.push_str("</tbody>\n</table>\n");
        if let Some(prediction) = &self.prediction {
            let against = match prediction.against {
                Baseline::Training => "the target's training statistics".to_owned(),
                Baseline::Recorded { rows } => format!("the {rows} predictions recorded before the window"),
            };
            html.push_str(&format!(
                "<h2>Predictions</h2>\n<p>Against {against}.</p>\n<table>\n<thead>{HEADER}</thead>\n<tbody>\n{}</tbody>\n</table>\n",
                row(&prediction.drift)
            ));
        }
        html.push_str("</body>\n</html>\n");
        html
    }
}

const HEADER: &str = "<tr><th>Feature</th><th>Values</th><th>Missing</th><th>PSI</th><th>KS</th>\
<th>Chi-squared</th><th>Jensen-Shannon</th><th>Level</th><th>Training (grey) and recorded (blue)</th></tr>";

/// One feature's line of the HTML report.
fn row(f: &FeatureDrift) -> String {
    let number = |x: Option<f64>| x.map_or("–".to_owned(), |x| format!("{x:.4}"));
    format!(
        "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
         <td>{}</td><td>{}</td></tr>\n",
        escape(&f.name),
        f.count,
        f.missing,
        number(f.psi),
        number(f.ks),
        number(f.chi_squared),
        number(f.jensen_shannon),
        f.level.map_or("not judged: no training statistics".to_owned(), |l| {
            format!("<span class=\"level {0}\">{0}</span>", level_name(l))
        }),
        bars(f),
    )
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1f23}\
table{border-collapse:collapse}th,td{padding:.35rem .6rem;border-bottom:1px solid #ddd;text-align:left;\
vertical-align:middle}td{font-variant-numeric:tabular-nums}.level{font-weight:600}.stable{color:#1a7f37}\
.warn{color:#9a6700}.alert{color:#cf222e}";

/// The level as the reports and the page write it.
pub fn level_name(level: Level) -> &'static str {
    match level {
        Level::Stable => "stable",
        Level::Warn => "warn",
        Level::Alert => "alert",
    }
}

/// The training and recorded shares of each bin, as bars drawn over each other.
fn bars(f: &FeatureDrift) -> String {
    const WIDTH: f64 = 12.0;
    const HEIGHT: f64 = 40.0;
    let top = f.baseline.iter().chain(&f.current).copied().fold(0.0, f64::max).max(1e-12);
    let mut svg = format!(
        "<svg width=\"{w}\" height=\"{HEIGHT}\" viewBox=\"0 0 {w} {HEIGHT}\" role=\"img\" aria-label=\"{} histogram\">",
        escape(&f.name),
        w = WIDTH * f.bins.len() as f64,
    );
    for (i, ((label, &base), &current)) in f.bins.iter().zip(&f.baseline).zip(&f.current).enumerate() {
        let x = i as f64 * WIDTH;
        for (share, class, inset) in [(base, "#c8ccd0", 0.0), (current, "#1f6feb", 3.0)] {
            let h = share / top * HEIGHT;
            svg.push_str(&format!(
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{class}\" \
                 fill-opacity=\"0.85\"><title>{}: training {:.1}%, recorded {:.1}%</title></rect>",
                x + inset,
                HEIGHT - h,
                WIDTH - 1.0 - 2.0 * inset,
                escape(label),
                base * 100.0,
                current * 100.0
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::{Category, FeatureKind, Histogram, Stats};

    fn feature(name: &str, categories: Option<Vec<Category>>, training: Stats) -> Feature {
        Feature {
            name: name.into(),
            input: "input".into(),
            index: 0,
            unit: None,
            description: None,
            kind: FeatureKind::Number,
            categories,
            training: Some(training),
        }
    }

    /// Training data uniform over [0, 10]: deciles at the integers, ten equal bins.
    fn uniform() -> Stats {
        Stats {
            min: 0.0,
            max: 10.0,
            mean: 5.0,
            std: 2.89,
            quantiles: (0..=10).map(f64::from).collect(),
            quantile_counts: vec![],
            histogram: Histogram { edges: (0..=10).map(f64::from).collect(), counts: vec![100; 10] },
        }
    }

    #[test]
    fn a_shifted_numeric_feature_alerts_and_an_unshifted_one_does_not() {
        let same: Vec<f64> = (0..1000).map(|i| (i as f64 + 0.5) / 100.0).collect();
        let shifted: Vec<f64> = same.iter().map(|x| x * 0.5 + 5.0).collect();
        let stable = feature_drift(&feature("a", None, uniform()), &same);
        let moved = feature_drift(&feature("b", None, uniform()), &shifted);
        assert_eq!(stable.level, Some(Level::Stable));
        assert!(stable.psi.unwrap() < 1e-3 && stable.ks.unwrap() < 0.01, "{stable:?}");
        assert_eq!(moved.level, Some(Level::Alert));
        // Half the training mass lies below 5, and none of the recorded values.
        assert!((moved.ks.unwrap() - 0.5).abs() < 0.01, "{moved:?}");
        assert_eq!(moved.current[..5], [0.0; 5]);
    }

    #[test]
    fn categories_are_compared_with_their_training_shares() {
        let categories = vec![
            Category { label: "one".into(), value: FeatureValue::Number(1.0) },
            Category { label: "two".into(), value: FeatureValue::Number(2.0) },
        ];
        // 3 to 1 in training, as the histogram over [1, 2] says with its outer bins.
        let training = Stats {
            min: 1.0,
            max: 2.0,
            mean: 1.25,
            std: 0.43,
            quantiles: vec![1.0; 11],
            quantile_counts: vec![],
            histogram: Histogram { edges: vec![1.0, 1.5, 2.0], counts: vec![300, 100] },
        };
        let same: Vec<f64> = (0..400).map(|i| if i % 4 == 0 { 2.0 } else { 1.0 }).collect();
        let flipped: Vec<f64> = same.iter().map(|&x| 3.0 - x).collect();
        let f = feature("c", Some(categories), training);
        let stable = feature_drift(&f, &same);
        assert_eq!((stable.baseline.clone(), stable.current.clone()), (vec![0.75, 0.25], vec![0.75, 0.25]));
        assert!(stable.psi.unwrap().abs() < 1e-12 && stable.chi_squared.unwrap().abs() < 1e-9);
        let moved = feature_drift(&f, &flipped);
        assert_eq!(moved.level, Some(Level::Alert));
        // (300 - 100)^2 / 300 + (100 - 300)^2 / 100, expected from the training shares.
        assert!((moved.chi_squared.unwrap() - (40000.0 / 300.0 + 40000.0 / 100.0)).abs() < 1e-6);
    }

    #[test]
    fn the_html_report_stands_alone_and_escapes_names() {
        let f = feature("<a & b>", None, uniform());
        let drift = feature_drift(&f, &[1.0, 2.0]);
        let report = DriftReport {
            model: "m".into(),
            version: "1.0.0".into(),
            rows: 2,
            level: Level::Alert,
            features: vec![drift],
            prediction: None,
        };
        let html = report.to_html();
        assert!(html.starts_with("<!DOCTYPE html>") && html.contains("&lt;a &amp; b&gt;"));
        assert!(!html.contains("<a & b>") && !html.contains("<script") && !html.contains("http"));
    }

    /// The shipped iris card: a classifier with three classes.
    fn iris() -> ModelCard {
        serde_json::from_str(include_str!("../../../models/iris-forest/1.0.0/card.json")).unwrap()
    }

    fn classes(counts: &[(&str, usize)]) -> Vec<Predicted> {
        counts.iter().flat_map(|&(class, n)| std::iter::repeat_n(Predicted::Class(class.into()), n)).collect()
    }

    fn record(at: f64, version: &str, prediction: Predicted) -> Record {
        Record {
            at,
            model: "iris-forest".into(),
            version: version.into(),
            source: crate::record::Source::Form,
            features: vec![FeatureValue::Number(5.0); 4],
            prediction,
        }
    }

    #[test]
    fn a_classifiers_predictions_are_compared_with_the_reference_window() {
        // Expected values from scipy 1.17: jensenshannon(c, r, base=2), chisquare(c, r
        // scaled to c's total), and sum((p - q) ln(p / q)) over the shares.
        let reference = classes(&[("setosa", 50), ("versicolor", 30), ("virginica", 20)]);
        let current = classes(&[("setosa", 20), ("versicolor", 30), ("virginica", 50)]);
        let p = prediction_drift(&iris(), &reference, &current).unwrap();
        assert_eq!(p.against, Baseline::Recorded { rows: 100 });
        assert!((p.drift.psi.unwrap() - 0.549774439124493).abs() < 1e-9, "{p:?}");
        assert!((p.drift.chi_squared.unwrap() - 63.0).abs() < 1e-6);
        assert!((p.drift.jensen_shannon.unwrap() - 0.3095409536771482).abs() < 1e-9);
        assert_eq!(p.drift.level, Some(Level::Alert));
        assert_eq!(p.drift.baseline, [0.5, 0.3, 0.2]);
        assert_eq!(p.drift.current, [0.2, 0.3, 0.5]);
        // Without a reference there is nothing to compare a classifier's classes with.
        assert_eq!(prediction_drift(&iris(), &[], &current), None);
    }

    #[test]
    fn a_regressors_values_are_compared_with_the_targets_training_statistics() {
        let mut card = iris();
        card.target.classes = None;
        card.target.training = Some(uniform());
        let current: Vec<Predicted> = [5.5, 6.5, 7.5, 8.5, 9.5].map(Predicted::Value).to_vec();
        let p = prediction_drift(&card, &[], &current).unwrap();
        assert_eq!(p.against, Baseline::Training);
        // scipy.stats.kstest(values, uniform(0, 10).cdf).statistic
        assert!((p.drift.ks.unwrap() - 0.55).abs() < 1e-12);
        // Five deciles hold a fifth each and five are empty (floored at 1e-4):
        // 5 (0.1 ln 2) + 5 (1e-4 - 0.1) ln(1e-3), by hand.
        assert!((p.drift.psi.unwrap() - 3.7969973521315503).abs() < 1e-9, "{p:?}");
    }

    #[test]
    fn the_window_and_version_choose_the_records_and_the_reference() {
        let mut records: Vec<Record> =
            (0..10).map(|i| record(i as f64, "1.0.0", Predicted::Class("setosa".into()))).collect();
        records.extend((10..20).map(|i| record(i as f64, "1.0.0", Predicted::Class("virginica".into()))));
        records.push(record(15.0, "1.1.0", Predicted::Class("setosa".into())));
        let window = Window { from: Some(10.0), to: None };
        let report = recorded_report(&iris(), &records, window, Some("1.0.0"));
        assert_eq!(report.rows, 10);
        let prediction = report.prediction.unwrap();
        assert_eq!(prediction.against, Baseline::Recorded { rows: 10 });
        assert_eq!(prediction.drift.current, [0.0, 0.0, 1.0]);
        assert_eq!(report.level, Level::Alert);
        // All versions, all time: 21 records and no reference to compare classes with.
        let all = recorded_report(&iris(), &records, Window::default(), None);
        assert_eq!((all.rows, all.prediction, all.version.as_str()), (21, None, "all versions"));
    }

    #[test]
    fn reports_without_predictions_still_parse() {
        let json = r#"{"model":"m","version":"1","rows":0,"level":"stable","features":[]}"#;
        let report: DriftReport = serde_json::from_str(json).unwrap();
        assert_eq!(report.prediction, None);
    }
}
