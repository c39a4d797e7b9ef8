//! A CSV file to compare two versions on: the rows as the batch tools read them, and,
//! when the header has a column named as the card's target, the true answer of each.
//! A row that cannot be read is listed with its line, column and reason, never dropped
//! in silence.

use std::io::Read;

use csv::StringRecord;
use thiserror::Error;

use super::{
    ClassifierComparison, CompareError, Interval, RegressionMetric, RegressorComparison, Shadow, paired_bootstrap,
};
use crate::batch::{Cell, ColumnMap, MapError, read_cells};
use crate::card::{FeatureValue, ModelCard, Prediction, Task};

#[derive(Debug, Error)]
pub enum LabelledError {
    #[error("the header: {0}")]
    Header(csv::Error),
    #[error(transparent)]
    Columns(#[from] MapError),
}

/// The true answer of a row: a class index, or a value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Truth {
    Class(usize),
    Value(f64),
}

/// The readable rows of a file, with their truth when the file has it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Labelled {
    /// The name of the target column, when there is one.
    pub target: Option<String>,
    pub rows: Vec<Vec<FeatureValue>>,
    /// One per row when `target` is set, else empty.
    pub truth: Vec<Truth>,
    /// Every row that could not be read, with where and why.
    pub problems: Vec<String>,
}

/// Reads `input`, matching its header to `card`'s features as batch scoring does.
pub fn read(card: &ModelCard, input: impl Read) -> Result<Labelled, LabelledError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let header = reader.headers().map_err(LabelledError::Header)?.clone();
    let map = ColumnMap::resolve(&header, card)?;
    let target = header.iter().position(|h| h.trim() == card.target.name);
    let mut labelled = Labelled { target: target.map(|_| card.target.name.clone()), ..Labelled::default() };
    let (mut record, mut cells) = (StringRecord::new(), vec![]);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Err(e) => labelled.problems.push(e.to_string()),
            Ok(true) => {
                read_cells(&record, &mut cells);
                let row = map.row(&record, &cells, card).and_then(|row| match target {
                    Some(column) => Ok((row, Some(truth(card, &record, &cells, column, &header)?))),
                    None => Ok((row, None)),
                });
                match row {
                    Ok((row, truth)) => {
                        labelled.rows.push(row);
                        labelled.truth.extend(truth);
                    }
                    Err(reason) => labelled.problems.push(reason),
                }
            }
        }
    }
    Ok(labelled)
}

/// The target cell of `record` (in `column`) as the card's task reads it: a number for
/// a regressor; for a classifier a class name, or a class's index.
pub fn truth(
    card: &ModelCard,
    record: &StringRecord,
    cells: &[Cell],
    column: usize,
    header: &StringRecord,
) -> Result<Truth, String> {
    let line = record.position().map_or(0, |p| p.line());
    let at = format!("line {line}, column {} ({})", column + 1, &header[column]);
    let text = record.get(column).unwrap_or("").trim();
    match (card.task, cells.get(column).copied().unwrap_or(Cell::Empty)) {
        (_, Cell::Empty) => Err(format!("{at}: empty where the target is required")),
        (Task::Regression, Cell::Number(n)) if n.is_finite() => Ok(Truth::Value(n)),
        (Task::Regression, _) => Err(format!("{at}: “{text}” is not a number")),
        (Task::Classification, cell) => {
            let classes = card.classes();
            let by_name = classes.iter().position(|c| c == text);
            let by_index = match cell {
                Cell::Number(n) if n.fract() == 0.0 && n >= 0.0 && (n as usize) < classes.len() => Some(n as usize),
                _ => None,
            };
            by_name
                .or(by_index)
                .map(Truth::Class)
                .ok_or_else(|| format!("{at}: “{text}” is not one of the classes {}", classes.join(", ")))
        }
    }
}

/// Two versions' predictions on a file's rows, compared: with labels, each version's
/// metrics and the paired test; without, their agreement as shadow mode tallies it.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Classifier(ClassifierComparison),
    Regressor {
        comparison: RegressorComparison,
        /// The challenger's RMSE and MAE minus the champion's, 95% bootstrap intervals.
        rmse: Interval,
        mae: Interval,
    },
    Unlabelled(Shadow),
}

/// Resamples of the paired bootstrap: enough for stable 95% limits on a laptop.
pub const RESAMPLES: usize = 2_000;

/// Compares `champion`'s and `challenger`'s predictions (one per row of `file`).
/// Regressors agree within `tolerance`.
pub fn compare(
    card: &ModelCard,
    file: &Labelled,
    champion: &[Prediction],
    challenger: &[Prediction],
    tolerance: f64,
) -> Result<Outcome, CompareError> {
    if file.target.is_none() {
        let mut shadow = Shadow::default();
        for ((row, a), z) in file.rows.iter().zip(champion).zip(challenger) {
            shadow.add(row, a, z, tolerance);
        }
        return Ok(Outcome::Unlabelled(shadow));
    }
    match card.task {
        Task::Classification => {
            let classes = card.classes();
            let truth: Vec<usize> =
                file.truth.iter().map(|t| if let Truth::Class(c) = t { *c } else { usize::MAX }).collect();
            let probabilities = |predictions: &[Prediction]| -> Vec<Vec<f64>> {
                predictions.iter().map(|p| class_probabilities(p, classes)).collect()
            };
            let comparison =
                ClassifierComparison::new(&truth, &probabilities(champion), &probabilities(challenger), classes.len())?;
            Ok(Outcome::Classifier(comparison))
        }
        Task::Regression => {
            let truth: Vec<f64> =
                file.truth.iter().map(|t| if let Truth::Value(v) = t { *v } else { f64::NAN }).collect();
            let values = |predictions: &[Prediction]| -> Vec<f64> {
                predictions
                    .iter()
                    .map(|p| if let Prediction::Value { value, .. } = p { *value } else { f64::NAN })
                    .collect()
            };
            let (a, z) = (values(champion), values(challenger));
            let interval = |metric| paired_bootstrap(&truth, &a, &z, metric, RESAMPLES, 0x5eed);
            Ok(Outcome::Regressor {
                rmse: interval(RegressionMetric::Rmse)?,
                mae: interval(RegressionMetric::Mae)?,
                comparison: RegressorComparison::new(&truth, &a, &z, tolerance)?,
            })
        }
    }
}

/// A prediction's probabilities in the card's class order (a class it does not name
/// gets 0; a label without probabilities, certainty).
fn class_probabilities(prediction: &Prediction, classes: &[String]) -> Vec<f64> {
    match prediction {
        Prediction::Class { label, probabilities } if probabilities.is_empty() => {
            classes.iter().map(|c| if c == label { 1.0 } else { 0.0 }).collect()
        }
        Prediction::Class { probabilities, .. } => classes
            .iter()
            .map(|c| probabilities.iter().find(|p| &p.class == c).map_or(0.0, |p| p.probability))
            .collect(),
        Prediction::Value { .. } => vec![0.0; classes.len()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::ClassProbability;

    fn iris() -> ModelCard {
        serde_json::from_str(include_str!("../../../../models/iris-forest/1.0.0/card.json")).unwrap()
    }

    fn class(card: &ModelCard, index: usize) -> Prediction {
        let probabilities = card
            .classes()
            .iter()
            .enumerate()
            .map(|(i, c)| ClassProbability { class: c.clone(), probability: if i == index { 0.8 } else { 0.1 } })
            .collect();
        Prediction::Class { label: card.classes()[index].clone(), probabilities }
    }

    #[test]
    fn rows_read_with_their_truth_and_bad_rows_are_listed_where_they_are() {
        let card = iris();
        let text = "petal width,sepal length,class,sepal width,petal length\n\
                    0.2,5.1,setosa,3.5,1.4\n\
                    1.3,5.7,1,2.8,4.1\n\
                    2.0,6.5,daisy,3.0,5.2\n\
                    x,6.3,virginica,2.9,5.6\n";
        let file = read(&card, text.as_bytes()).unwrap();
        assert_eq!(file.target.as_deref(), Some("class"));
        assert_eq!(file.truth, [Truth::Class(0), Truth::Class(1)]);
        assert_eq!(file.rows[1], [5.7, 2.8, 4.1, 1.3].map(FeatureValue::from));
        assert_eq!(file.problems.len(), 2);
        assert!(file.problems[0].starts_with("line 4, column 3 (class): “daisy” is not one of the classes"));
        assert!(file.problems[1].starts_with("line 5, column 1 (petal width)"), "{}", file.problems[1]);
    }

    #[test]
    fn a_file_without_the_target_is_compared_on_agreement_alone() {
        let card = iris();
        let text = "sepal length,sepal width,petal length,petal width\n5.1,3.5,1.4,0.2\n6.5,3.0,5.2,2.0\n";
        let file = read(&card, text.as_bytes()).unwrap();
        assert!(file.target.is_none() && file.truth.is_empty());
        let outcome =
            compare(&card, &file, &[class(&card, 0), class(&card, 2)], &[class(&card, 0), class(&card, 1)], 0.0);
        let Ok(Outcome::Unlabelled(shadow)) = outcome else { panic!("{outcome:?}") };
        assert_eq!((shadow.compared, shadow.agreed, shadow.largest.len()), (2, 1, 1));
    }

    #[test]
    fn labelled_classifiers_get_metrics_and_mcnemar() {
        let card = iris();
        let mut text = String::from("sepal length,sepal width,petal length,petal width,class\n");
        (0..30).for_each(|i| text.push_str(&format!("5,3,1,0.2,{}\n", i % 3)));
        let file = read(&card, text.as_bytes()).unwrap();
        // The champion is always right; the challenger always says class 0.
        let champion: Vec<_> = (0..30).map(|i| class(&card, i % 3)).collect();
        let challenger: Vec<_> = (0..30).map(|_| class(&card, 0)).collect();
        let Ok(Outcome::Classifier(c)) = compare(&card, &file, &champion, &challenger, 0.0) else { panic!() };
        assert_eq!((c.champion.accuracy, c.challenger.accuracy), (1.0, 10.0 / 30.0));
        assert_eq!((c.mcnemar.b, c.mcnemar.c), (20, 0));
        assert!(c.mcnemar.p_value < 1e-5);
        assert_eq!(c.challenger.confusion[1], [10, 0, 0]);
    }
}
