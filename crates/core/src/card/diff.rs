//! What changed between two versions' cards: the registry page shows it side by side
//! before anyone promotes a version, so it covers what a reviewer weighs: held-out
//! metrics, the features and their training distributions, the training data, the
//! algorithm and the model file.

use std::fmt;

use super::{ModelCard, Stats};
use crate::registry::higher_is_better;

/// Two cards compared, `before` (usually production's) against `after`.
#[derive(Clone, Debug, PartialEq)]
pub struct CardDiff {
    /// Every metric either card reports, by name.
    pub metrics: Vec<MetricChange>,
    /// `before`'s features in its order, then the ones only `after` has.
    pub features: Vec<FeatureDiff>,
    pub training: Vec<FieldDiff>,
    pub model: Vec<FieldDiff>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MetricChange {
    pub name: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
}

impl MetricChange {
    /// `after - before`, when both cards report the metric.
    pub fn difference(&self) -> Option<f64> {
        Some(self.after? - self.before?)
    }

    /// Whether `after` is better, for metrics with a known direction; `None` when it
    /// is unknown or nothing moved.
    pub fn improved(&self) -> Option<bool> {
        let difference = self.difference().filter(|d| *d != 0.0)?;
        higher_is_better(&self.name).map(|higher| higher == (difference > 0.0))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct FeatureDiff {
    pub name: String,
    pub change: FeatureChange,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FeatureChange {
    Added,
    Removed,
    /// In both cards; the training statistics that moved (none: unchanged).
    Kept(Vec<StatChange>),
}

/// The training statistics a reviewer reads to see whether the data shifted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Statistic {
    Min,
    Mean,
    Max,
}

impl Statistic {
    const ALL: [Statistic; 3] = [Self::Min, Self::Mean, Self::Max];

    fn of(self, stats: &Stats) -> f64 {
        match self {
            Self::Min => stats.min,
            Self::Mean => stats.mean,
            Self::Max => stats.max,
        }
    }
}

impl fmt::Display for Statistic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Min => "min",
            Self::Mean => "mean",
            Self::Max => "max",
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct StatChange {
    pub statistic: Statistic,
    /// `None` when that card has no training statistics for the feature.
    pub before: Option<f64>,
    pub after: Option<f64>,
}

/// One fact of the cards, as text: shown in both columns whether or not it changed.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDiff {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

impl FieldDiff {
    pub fn changed(&self) -> bool {
        self.before != self.after
    }

    fn new(field: &'static str, before: impl ToString, after: impl ToString) -> Self {
        Self { field, before: before.to_string(), after: after.to_string() }
    }
}

impl CardDiff {
    pub fn new(before: &ModelCard, after: &ModelCard) -> Self {
        let mut names: Vec<&String> = before.metrics.keys().chain(after.metrics.keys()).collect();
        names.sort();
        names.dedup();
        let metrics = names
            .into_iter()
            .map(|name| MetricChange {
                name: name.clone(),
                before: before.metrics.get(name).copied(),
                after: after.metrics.get(name).copied(),
            })
            .collect();

        let kept_or_removed = before.features.iter().map(|old| {
            let change = match after.features.iter().find(|new| new.name == old.name) {
                None => FeatureChange::Removed,
                Some(new) => FeatureChange::Kept(stat_changes(old.training.as_ref(), new.training.as_ref())),
            };
            FeatureDiff { name: old.name.clone(), change }
        });
        let added = after
            .features
            .iter()
            .filter(|new| !before.features.iter().any(|old| old.name == new.name))
            .map(|new| FeatureDiff { name: new.name.clone(), change: FeatureChange::Added });
        let features = kept_or_removed.chain(added).collect();

        let (a, b) = (&before.training, &after.training);
        let training = vec![
            FieldDiff::new("dataset", &a.dataset, &b.dataset),
            FieldDiff::new("rows", a.rows, b.rows),
            FieldDiff::new("training rows", a.train_rows, b.train_rows),
            FieldDiff::new("held-out rows", a.test_rows, b.test_rows),
            FieldDiff::new("split", &a.split, &b.split),
            FieldDiff::new("data sha256", &a.data_sha256, &b.data_sha256),
            FieldDiff::new("training split sha256", &a.train_sha256, &b.train_sha256),
        ];
        let model = vec![
            FieldDiff::new("algorithm", &before.algorithm, &after.algorithm),
            FieldDiff::new("pipeline", before.pipeline.join(" → "), after.pipeline.join(" → ")),
            FieldDiff::new("bytes", before.model.bytes, after.model.bytes),
            FieldDiff::new("sha256", &before.model.sha256, &after.model.sha256),
            FieldDiff::new("producer", &before.model.producer, &after.model.producer),
        ];
        Self { metrics, features, training, model }
    }
}

fn stat_changes(before: Option<&Stats>, after: Option<&Stats>) -> Vec<StatChange> {
    Statistic::ALL
        .into_iter()
        .map(|statistic| StatChange {
            statistic,
            before: before.map(|s| statistic.of(s)),
            after: after.map(|s| statistic.of(s)),
        })
        .filter(|c| c.before != c.after)
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::card::{Feature, FeatureKind, Histogram, ModelFile, OutputRoles, Target, Task, Training};

    fn stats(min: f64, mean: f64, max: f64) -> Stats {
        Stats {
            min,
            max,
            mean,
            std: 1.0,
            quantiles: vec![],
            quantile_counts: vec![],
            histogram: Histogram { edges: vec![], counts: vec![] },
        }
    }

    fn feature(name: &str, training: Option<Stats>) -> Feature {
        Feature {
            name: name.into(),
            input: "x".into(),
            index: 0,
            unit: None,
            description: None,
            kind: FeatureKind::Number,
            categories: None,
            training,
        }
    }

    fn card(metrics: &[(&str, f64)], features: Vec<Feature>) -> ModelCard {
        ModelCard {
            name: "m".into(),
            version: "1.0.0".into(),
            title: "t".into(),
            description: "d".into(),
            predicts: "p".into(),
            task: Task::Classification,
            algorithm: "RandomForestClassifier".into(),
            pipeline: vec!["RandomForestClassifier".into()],
            features,
            target: Target { name: "y".into(), classes: None, unit: None, training: None },
            outputs: OutputRoles::default(),
            layout: None,
            example: vec![],
            metrics: metrics.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            training: Training {
                dataset: "iris".into(),
                rows: 150,
                train_rows: 112,
                test_rows: 38,
                split: "s".into(),
                seed: 0,
                data_sha256: "d1".into(),
                train_sha256: "t1".into(),
            },
            model: ModelFile {
                file: "model.onnx".into(),
                sha256: "aaa".into(),
                bytes: 4000,
                opset: BTreeMap::new(),
                producer: "skl2onnx".into(),
            },
            libraries: BTreeMap::new(),
        }
    }

    #[test]
    fn metrics_of_either_card_with_their_difference_and_direction() {
        let before = card(&[("accuracy", 0.75), ("log_loss", 0.5)], vec![]);
        let after = card(&[("accuracy", 0.5), ("log_loss", 0.25), ("macro_f1", 0.5)], vec![]);
        let diff = CardDiff::new(&before, &after);
        assert_eq!(
            diff.metrics,
            [
                MetricChange { name: "accuracy".into(), before: Some(0.75), after: Some(0.5) },
                MetricChange { name: "log_loss".into(), before: Some(0.5), after: Some(0.25) },
                MetricChange { name: "macro_f1".into(), before: None, after: Some(0.5) },
            ]
        );
        assert_eq!(diff.metrics[0].difference(), Some(-0.25));
        // Lower accuracy is worse; lower log loss is better.
        assert_eq!(diff.metrics[0].improved(), Some(false));
        assert_eq!(diff.metrics[1].improved(), Some(true));
        assert_eq!((diff.metrics[2].difference(), diff.metrics[2].improved()), (None, None));
    }

    #[test]
    fn features_added_removed_and_moved() {
        let before = card(
            &[],
            vec![
                feature("sepal", Some(stats(4.0, 5.5, 8.0))),
                feature("petal", Some(stats(1.0, 3.5, 7.0))),
                feature("stem", None),
            ],
        );
        let after = card(
            &[],
            vec![
                feature("leaf", None),
                feature("petal", Some(stats(1.0, 3.75, 6.5))),
                feature("sepal", Some(stats(4.0, 5.5, 8.0))),
            ],
        );
        let diff = CardDiff::new(&before, &after);
        let moved = vec![
            StatChange { statistic: Statistic::Mean, before: Some(3.5), after: Some(3.75) },
            StatChange { statistic: Statistic::Max, before: Some(7.0), after: Some(6.5) },
        ];
        assert_eq!(
            diff.features,
            [
                FeatureDiff { name: "sepal".into(), change: FeatureChange::Kept(vec![]) },
                FeatureDiff { name: "petal".into(), change: FeatureChange::Kept(moved) },
                FeatureDiff { name: "stem".into(), change: FeatureChange::Removed },
                FeatureDiff { name: "leaf".into(), change: FeatureChange::Added },
            ]
        );
    }

    #[test]
    fn training_data_and_model_file_side_by_side() {
        let before = card(&[], vec![]);
        let mut after = card(&[], vec![]);
        after.training.rows = 200;
        after.training.data_sha256 = "d2".into();
        after.model.bytes = 1000;
        after.model.sha256 = "bbb".into();
        after.pipeline = vec!["StandardScaler".into(), "LogisticRegression".into()];
        let diff = CardDiff::new(&before, &after);

        let changed = |fields: &[FieldDiff]| -> Vec<(&str, String, String)> {
            fields.iter().filter(|f| f.changed()).map(|f| (f.field, f.before.clone(), f.after.clone())).collect()
        };
        assert_eq!(
            changed(&diff.training),
            [("rows", "150".into(), "200".into()), ("data sha256", "d1".into(), "d2".into())]
        );
        assert_eq!(
            changed(&diff.model),
            [
                ("pipeline", "RandomForestClassifier".into(), "StandardScaler → LogisticRegression".into()),
                ("bytes", "4000".into(), "1000".into()),
                ("sha256", "aaa".into(), "bbb".into()),
            ]
        );
        // Unchanged facts are listed too: the page shows both columns in full.
        let dataset = diff.training.iter().find(|f| f.field == "dataset").unwrap();
        assert!(!dataset.changed() && dataset.after == "iris");
    }
}
