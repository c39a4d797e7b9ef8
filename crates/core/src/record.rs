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
