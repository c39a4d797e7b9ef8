//! What the monitor keeps of a prediction: when, which version, from which tool, the
//! feature values and what was predicted. The page stores records in the browser's
//! IndexedDB; [`crate::monitor`] measures their drift.
//!
//! A batch can score millions of rows, more than the monitor keeps, so a batch hands
//! over a [`Sample`]: an even sample of its rows, at most [`Sample::CAPACITY`] of them,
//! taken as the rows stream past without knowing in advance how many there will be.

use serde::{Deserialize, Serialize};

use crate::card::{FeatureValue, ModelCard, Prediction};
use crate::tensor::Tensors;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Milliseconds since the Unix epoch.
    pub at: f64,
    pub model: String,
    pub version: String,
    pub source: Source,
    /// Card order.
    pub features: Vec<FeatureValue>,
    pub prediction: Predicted,
}

impl Record {
    /// The records of `rows` (feature values and what was predicted) made by `card`'s
    /// version at `at`.
    pub fn many(
        card: &ModelCard,
        source: Source,
        at: f64,
        rows: impl IntoIterator<Item = (Vec<FeatureValue>, Predicted)>,
    ) -> Vec<Self> {
        let record = |(features, prediction)| Self {
            at,
            model: card.name.clone(),
            version: card.version.clone(),
            source,
            features,
            prediction,
        };
        rows.into_iter().map(record).collect()
    }
}

/// The tool a prediction was made with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Form,
    Batch,
    Stream,
}

/// The part of a prediction drift is measured on: the class, or the value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Predicted {
    Value(f64),
    Class(String),
}

impl From<&Prediction> for Predicted {
    fn from(prediction: &Prediction) -> Self {
        match prediction {
            Prediction::Class { label, .. } => Self::Class(label.clone()),
            Prediction::Value { value, .. } => Self::Value(*value),
        }
    }
}

impl Predicted {
    /// Row `row` of a batch's outputs, read through the card's output roles: the label
    /// (an integer label names the card's class at that index), else the value.
    /// `scratch` is the caller's, so that reading does not allocate.
    pub fn read(card: &ModelCard, outputs: &Tensors, row: usize, scratch: &mut String) -> Option<Self> {
        if let Some(label) = read_label(card, outputs, row, scratch) {
            return Some(Self::Class(label.to_owned()));
        }
        let value = card.outputs.value.as_ref().and_then(|name| outputs.get(name))?;
        value.data.number(row * value.row_len()).map(Self::Value)
    }
}

/// The class row `row` of `outputs` was given, as the card names it.
pub fn read_label<'a>(card: &'a ModelCard, outputs: &Tensors, row: usize, scratch: &'a mut String) -> Option<&'a str> {
    let tensor = card.outputs.label.as_ref().and_then(|name| outputs.get(name))?;
    scratch.clear();
    if !tensor.data.write_text(row, scratch) {
        return None;
    }
    let classes = card.classes();
    Some(scratch.parse::<usize>().ok().and_then(|i| classes.get(i)).map_or(scratch.as_str(), String::as_str))
}

/// An even sample of a stream of rows: every `stride`-th row, the stride doubling
/// whenever the sample outgrows its capacity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Rows offered so far.
    pub seen: u64,
    pub stride: u64,
    pub rows: Vec<(Vec<FeatureValue>, Predicted)>,
}

impl Default for Sample {
    fn default() -> Self {
        Self { seen: 0, stride: 1, rows: vec![] }
    }
}

impl Sample {
    /// The most rows a sample keeps; at least half as many once that many were seen.
    pub const CAPACITY: usize = 5_000;

    /// Whether the next row offered will be kept: ask first, so that only kept rows
    /// are copied.
    pub fn wants_next(&self) -> bool {
        self.seen.is_multiple_of(self.stride)
    }

    /// Offers the next row; `row` is called only when it is kept.
    pub fn offer(&mut self, row: impl FnOnce() -> Option<(Vec<FeatureValue>, Predicted)>) {
        if self.wants_next()
            && let Some(row) = row()
        {
            self.rows.push(row);
            if self.rows.len() > Self::CAPACITY {
                self.thin();
            }
        }
        self.seen += 1;
    }

    /// Counts a row that has nothing to keep (one that could not be scored).
    pub fn skip(&mut self) {
        self.seen += 1;
    }

    /// Keeps every other row, doubling the stride.
    fn thin(&mut self) {
        let mut index = 0;
        self.rows.retain(|_| {
            index += 1;
            index % 2 == 1
        });
        self.stride *= 2;
    }

    /// Folds in the sample of the part of the file after this one: both are brought to
    /// the larger stride, so that every part is sampled as thinly as the other.
    pub fn merge(&mut self, next: &Sample) {
        let stride = self.stride.max(next.stride);
        let keep = |sample: &Sample| {
            let step = (stride / sample.stride).max(1) as usize;
            sample.rows.iter().step_by(step).cloned().collect::<Vec<_>>()
        };
        let mut rows = keep(self);
        rows.extend(keep(next));
        self.rows = rows;
        self.stride = stride;
        self.seen += next.seen;
        while self.rows.len() > Self::CAPACITY {
            self.thin();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(i: u64) -> Option<(Vec<FeatureValue>, Predicted)> {
        Some((vec![FeatureValue::Number(i as f64)], Predicted::Value(i as f64)))
    }

    fn kept(sample: &Sample) -> Vec<f64> {
        sample.rows.iter().map(|(_, p)| if let Predicted::Value(v) = p { *v } else { f64::NAN }).collect()
    }

    #[test]
    fn a_small_stream_is_kept_whole() {
        let mut sample = Sample::default();
        (0..10).for_each(|i| sample.offer(|| row(i)));
        assert_eq!(kept(&sample), (0..10).map(|i| i as f64).collect::<Vec<_>>());
    }

    #[test]
    fn a_long_stream_is_sampled_evenly_within_capacity() {
        let mut sample = Sample::default();
        let n = 1_000_003_u64;
        (0..n).for_each(|i| sample.offer(|| row(i)));
        let values = kept(&sample);
        assert!(values.len() <= Sample::CAPACITY && values.len() > Sample::CAPACITY / 2, "{}", values.len());
        // Every kept row is a multiple of the stride, and none is missed.
        let stride = sample.stride as f64;
        assert!(values.iter().enumerate().all(|(k, &v)| v == k as f64 * stride));
        assert!(values.last().unwrap() + stride >= n as f64);
        assert_eq!(sample.seen, n);
    }

    #[test]
    fn parts_merge_into_an_even_sample_of_the_whole() {
        let (mut first, mut second) = (Sample::default(), Sample::default());
        (0..30_000).for_each(|i| first.offer(|| row(i)));
        (30_000..31_000).for_each(|i| second.offer(|| row(i)));
        first.merge(&second);
        let values = kept(&first);
        assert!(values.len() <= Sample::CAPACITY);
        // The short second part is thinned to the first's stride: its share of the
        // sample is its share of the rows, to within a row.
        let late = values.iter().filter(|&&v| v >= 30_000.0).count() as f64;
        let expected = values.len() as f64 * 1_000.0 / 31_000.0;
        assert!((late - expected).abs() <= 1.5, "{late} against {expected}");
        assert_eq!(first.seen, 31_000);
    }

    #[test]
    fn rows_that_were_not_scored_keep_their_place() {
        let mut sample = Sample::default();
        sample.offer(|| row(0));
        sample.skip();
        sample.offer(|| row(2));
        assert_eq!(kept(&sample), [0.0, 2.0]);
        assert_eq!(sample.seen, 3);
    }
}

/// How much of the recorded history the browser keeps, per model: the newest
/// `max_records`, none older than `max_days`. The page keeps it in localStorage, so
/// each visitor sets their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    pub max_records: u32,
    pub max_days: u32,
}

impl Default for Retention {
    /// Enough for drift to be meaningful, small enough to stay well inside a
    /// browser's storage quota (a record is a few hundred bytes).
    fn default() -> Self {
        Self { max_records: 10_000, max_days: 30 }
    }
}

impl Retention {
    const DAY_MS: f64 = 86_400_000.0;

    /// Which of one model's records to delete at time `now` (ms since the epoch),
    /// given each record's time `ats` in any order: the indices into `ats` of those
    /// older than `max_days`, and of the oldest beyond the newest `max_records`.
    pub fn to_drop(&self, now: f64, ats: &[f64]) -> Vec<usize> {
        let oldest_kept = now - f64::from(self.max_days) * Self::DAY_MS;
        let mut newest_first: Vec<usize> = (0..ats.len()).collect();
        newest_first.sort_by(|&a, &b| ats[b].total_cmp(&ats[a]));
        let mut drop: Vec<usize> = newest_first
            .into_iter()
            .enumerate()
            .filter(|&(rank, i)| rank >= self.max_records as usize || ats[i] < oldest_kept)
            .map(|(_, i)| i)
            .collect();
        drop.sort_unstable();
        drop
    }
}

#[cfg(test)]
mod retention_tests {
    use super::*;

    const DAY: f64 = 86_400_000.0;

    #[test]
    fn records_older_than_the_limit_are_dropped() {
        let retention = Retention { max_records: 100, max_days: 30 };
        let now = 100.0 * DAY;
        let ats = [now - 31.0 * DAY, now - 29.0 * DAY, now, now - 30.5 * DAY];
        assert_eq!(retention.to_drop(now, &ats), [0, 3]);
    }

    #[test]
    fn only_the_newest_max_records_are_kept_whatever_the_order() {
        let retention = Retention { max_records: 2, max_days: 365 };
        let now = 10.0 * DAY;
        // Newest: index 2 (9 days), then 0 (8 days); 1 and 3 are older.
        let ats = [8.0 * DAY, 1.0 * DAY, 9.0 * DAY, 5.0 * DAY];
        assert_eq!(retention.to_drop(now, &ats), [1, 3]);
    }

    #[test]
    fn nothing_is_dropped_within_both_limits() {
        let retention = Retention::default();
        assert!(retention.to_drop(1e12, &[1e12, 1e12 - 1.0]).is_empty());
        assert!(retention.to_drop(1e12, &[]).is_empty());
    }
}
