//! A CSV file to compare two versions on: the rows as the batch tools read them, and,
//! when the header has a column named as the card's target, the true answer of each.
//! A row that cannot be read is listed with its line, column and reason, never dropped
//! in silence.

use std::io::Read;

use csv::StringRecord;
use thiserror::Error;

use crate::batch::{Cell, ColumnMap, MapError, read_cells};
use crate::card::{FeatureValue, ModelCard, Task};

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
