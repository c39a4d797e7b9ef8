//! What a batch run tells its user: rows seen, rows that could not be scored with the
//! first reasons, and the distribution of the predictions. Workers each summarise
//! their part of a file; the parts' summaries merge, in file order.

use serde::{Deserialize, Serialize};

use super::profile::BinnedCounts;
use crate::card::ModelCard;
use crate::record::{Sample, read_label};
use crate::tensor::Tensors;

/// How many errors a summary keeps word for word.
pub const FIRST_ERRORS: usize = 10;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub rows: u64,
    pub errors: u64,
    pub first_errors: Vec<String>,
    /// Bytes of input read so far, for progress.
    pub bytes: u64,
    pub predictions: Predictions,
    /// An even sample of the scored rows, for the monitor.
    #[serde(default)]
    pub sample: Sample,
}

/// The distribution of what a model predicted, for the summary's chart.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum Predictions {
    /// Nothing to count: the card names no label, or a value without training bins.
    #[default]
    None,
    /// Rows per predicted class: the card's classes first, in its order.
    Classes(Vec<(String, u64)>),
    /// Predicted values over the training target's histogram bins.
    Values(BinnedCounts),
}

impl Summary {
    /// An empty summary whose predictions are counted the way `card` reads its outputs.
    pub fn new(card: &ModelCard) -> Self {
        let predictions = if card.outputs.label.is_some() {
            let classes = card.target.classes.iter().flatten();
            Predictions::Classes(classes.map(|class| (class.clone(), 0)).collect())
        } else if let (Some(_), Some(stats)) = (&card.outputs.value, &card.target.training) {
            Predictions::Values(BinnedCounts::new(stats.histogram.edges.clone()))
        } else {
            Predictions::None
        };
        Self { predictions, ..Self::default() }
    }

    pub fn error(&mut self, reason: String) {
        self.errors += 1;
        if self.first_errors.len() < FIRST_ERRORS {
            self.first_errors.push(reason);
        }
    }

    /// Folds in the summary of the part of the file after this one.
    pub fn merge(&mut self, next: &Summary) {
        self.rows += next.rows;
        self.errors += next.errors;
        let room = FIRST_ERRORS.saturating_sub(self.first_errors.len());
        self.first_errors.extend(next.first_errors.iter().take(room).cloned());
        self.bytes += next.bytes;
        self.predictions.merge(&next.predictions);
        self.sample.merge(&next.sample);
    }
}

impl Predictions {
    /// Counts row `row` of a batch's `outputs`, read through the card's output roles.
    /// `label` is scratch space the caller keeps, so that counting does not allocate.
    pub fn count(&mut self, card: &ModelCard, outputs: &Tensors, row: usize, label: &mut String) {
        match self {
            Self::None => {}
            Self::Classes(counts) => {
                let Some(class) = read_label(card, outputs, row, label) else { return };
                match counts.iter_mut().find(|(c, _)| c == class) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((class.to_owned(), 1)),
                }
            }
            Self::Values(bins) => {
                let value = card.outputs.value.as_ref().and_then(|name| outputs.get(name));
                if let Some(value) = value.and_then(|t| t.data.number(row * t.row_len())) {
                    bins.add(value);
                }
            }
        }
    }

    fn merge(&mut self, other: &Predictions) {
        match (self, other) {
            (Self::Classes(mine), Self::Classes(theirs)) => {
                for (class, n) in theirs {
                    match mine.iter_mut().find(|(c, _)| c == class) {
                        Some((_, count)) => *count += n,
                        None => mine.push((class.clone(), *n)),
                    }
                }
            }
            (Self::Values(mine), Self::Values(theirs)) => mine.merge(theirs),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_parts_keep_the_first_errors_in_file_order() {
        let part = |first: u64, errors: u64| {
            let mut summary = Summary { rows: 20, ..Summary::default() };
            (first..first + errors).for_each(|line| summary.error(format!("line {line}")));
            summary
        };
        let mut whole = part(2, 7);
        whole.merge(&part(30, 6));
        assert_eq!((whole.rows, whole.errors), (40, 13));
        let expected: Vec<String> = (2..9).chain(30..33).map(|line| format!("line {line}")).collect();
        assert_eq!(whole.first_errors, expected);
    }

    #[test]
    fn class_counts_merge_by_class() {
        let mut a = Predictions::Classes(vec![("x".into(), 2), ("y".into(), 0)]);
        a.merge(&Predictions::Classes(vec![("x".into(), 1), ("y".into(), 4), ("z".into(), 1)]));
        assert_eq!(a, Predictions::Classes(vec![("x".into(), 3), ("y".into(), 4), ("z".into(), 1)]));
    }
}
