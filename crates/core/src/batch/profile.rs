//! A data profile of a CSV file, built one record at a time so that it costs no memory
//! per row: per column, how many values, how many missing or not numbers, minimum,
//! maximum, mean, and a histogram over the training data's bins when the column feeds
//! a feature the card has training statistics for. Profiles of a file's parts merge,
//! so parallel workers each profile their share.

use serde::{Deserialize, Serialize};

use super::{Cell, ColumnMap};
use crate::card::ModelCard;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub columns: Vec<ColumnProfile>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnProfile {
    pub name: String,
    /// Cells that hold a number.
    pub count: u64,
    /// Empty cells.
    pub missing: u64,
    /// Cells that hold text that is not a number.
    pub text: u64,
    /// Infinite while no number has been seen (JSON carries that as `null`).
    #[serde(deserialize_with = "null_as_infinity")]
    pub min: f64,
    #[serde(deserialize_with = "null_as_minus_infinity")]
    pub max: f64,
    pub mean: f64,
    /// Counts over the training histogram's bins, when the card has one for the
    /// feature this column feeds: the file's distribution beside the training data's.
    pub histogram: Option<BinnedCounts>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BinnedCounts {
    pub edges: Vec<f64>,
    pub counts: Vec<u64>,
    /// Values below the first edge and above the last: outside the training range.
    pub below: u64,
    pub above: u64,
}

impl Profile {
    pub fn new(map: &ColumnMap, card: &ModelCard) -> Self {
        let columns = map
            .header()
            .iter()
            .enumerate()
            .map(|(column, name)| {
                let training = map
                    .columns()
                    .iter()
                    .position(|&c| c == column)
                    .and_then(|feature| card.features[feature].training.as_ref());
                ColumnProfile::empty(name.clone(), training.map(|stats| stats.histogram.edges.clone()))
            })
            .collect();
        Self { columns }
    }

    /// Counts a record's cells, as [`super::read_cells`] read them.
    pub fn add(&mut self, cells: &[Cell]) {
        for (column, &cell) in self.columns.iter_mut().zip(cells) {
            column.add(cell);
        }
    }

    /// Folds in the profile of another part of the same file.
    pub fn merge(&mut self, other: &Profile) {
        for (column, other) in self.columns.iter_mut().zip(&other.columns) {
            column.merge(other);
        }
    }
}

impl ColumnProfile {
    /// A column with nothing seen yet, binned over `edges` if given.
    fn empty(name: String, edges: Option<Vec<f64>>) -> Self {
        Self {
            name,
            count: 0,
            missing: 0,
            text: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            mean: 0.0,
            histogram: edges.map(BinnedCounts::new),
        }
    }

    fn add(&mut self, cell: Cell) {
        let value = match cell {
            Cell::Number(value) if !value.is_nan() => value,
            Cell::Empty | Cell::Number(_) => {
                self.missing += 1;
                return;
            }
            Cell::Text => {
                self.text += 1;
                return;
            }
        };
        self.count += 1;
        self.min = self.min.min(value);
        self.max = self.max.max(value);
        // A running mean stays accurate over millions of rows, where a sum would not.
        self.mean += (value - self.mean) / self.count as f64;
        if let Some(histogram) = &mut self.histogram {
            histogram.add(value);
        }
    }

    fn merge(&mut self, other: &ColumnProfile) {
        let count = self.count + other.count;
        if count > 0 {
            self.mean = (self.mean * self.count as f64 + other.mean * other.count as f64) / count as f64;
        }
        self.count = count;
        self.missing += other.missing;
        self.text += other.text;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        if let (Some(mine), Some(theirs)) = (&mut self.histogram, &other.histogram) {
            mine.merge(theirs);
        }
    }
}

impl BinnedCounts {
    /// Nothing counted yet over the bins between `edges`.
    pub fn new(edges: Vec<f64>) -> Self {
        Self { counts: vec![0; edges.len().saturating_sub(1)], edges, below: 0, above: 0 }
    }

    pub fn merge(&mut self, other: &BinnedCounts) {
        self.counts.iter_mut().zip(&other.counts).for_each(|(a, b)| *a += b);
        self.below += other.below;
        self.above += other.above;
    }

    pub fn add(&mut self, value: f64) {
        let (Some(&first), Some(&last)) = (self.edges.first(), self.edges.last()) else { return };
        if value < first {
            self.below += 1;
        } else if value > last {
            self.above += 1;
        } else {
            // Bins are half-open, [a, b), except the last, which holds its upper edge
            // (numpy's convention, which the training histograms use).
            let last_bin = self.counts.len() - 1;
            let bin = self.edges.partition_point(|&edge| edge <= value).saturating_sub(1);
            self.counts[bin.min(last_bin)] += 1;
        }
    }
}

fn null_as_infinity<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(deserializer)?.unwrap_or(f64::INFINITY))
}

fn null_as_minus_infinity<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(deserializer)?.unwrap_or(f64::NEG_INFINITY))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(edges: Option<Vec<f64>>) -> ColumnProfile {
        ColumnProfile::empty("x".into(), edges)
    }

    #[test]
    fn counts_numbers_gaps_and_text_and_bins_like_numpy() {
        let mut c = column(Some(vec![0.0, 1.0, 2.0]));
        for cell in ["0.5", "", "abc", "1", "2", "-1", "3", "NaN"] {
            c.add(Cell::read(cell));
        }
        assert_eq!((c.count, c.missing, c.text), (5, 2, 1));
        assert_eq!((c.min, c.max), (-1.0, 3.0));
        assert_eq!(c.mean, (0.5 + 1.0 + 2.0 - 1.0 + 3.0) / 5.0);
        let h = c.histogram.unwrap();
        // numpy.histogram([0.5, 1, 2], bins=[0, 1, 2]) gives [1, 2].
        assert_eq!((h.counts, h.below, h.above), (vec![1, 2], 1, 1));
    }

    #[test]
    fn a_column_without_numbers_survives_json() {
        let mut c = column(None);
        c.add(Cell::Text);
        let back: ColumnProfile = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn merging_parts_equals_profiling_the_whole() {
        let cells = ["1", "2.5", "", "7", "x", "-3", "4"].map(Cell::read);
        let mut whole = column(Some(vec![-5.0, 0.0, 5.0]));
        cells.iter().for_each(|&c| whole.add(c));
        let mut first = column(Some(vec![-5.0, 0.0, 5.0]));
        let mut second = first.clone();
        cells[..3].iter().for_each(|&c| first.add(c));
        cells[3..].iter().for_each(|&c| second.add(c));
        first.merge(&second);
        assert!((first.mean - whole.mean).abs() < 1e-12);
        first.mean = whole.mean;
        assert_eq!(first, whole);
    }
}
