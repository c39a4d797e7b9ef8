//! Batch scoring of CSV rows: which column feeds which feature, rows checked one by
//! one so that a bad row is reported with its line and column instead of failing the
//! batch, and the output columns a scored row gets. The CLI's `score` and the
//! browser's batch page share it.
//!
//! Columns are matched to the card's features by name when the header names them all;
//! otherwise a header with exactly as many columns as features is taken in order.
//! A card generated for a bare model file names a feature after its input (`age`) or,
//! for a wide input, input and column (`input[3]`), so a CSV can also address inputs.

use csv::StringRecord;
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub mod profile;
#[cfg(feature = "engine")]
mod score;
pub mod split;
mod summary;

#[cfg(feature = "engine")]
pub use score::{CHUNK, ScoreError, Scorer, score_csv};
pub use summary::{FIRST_ERRORS, Predictions, Summary};

use crate::card::{FeatureKind, FeatureValue, ModelCard};
use crate::signature::{Dim, Signature};
use crate::tensor::{TensorData, Tensors};

#[derive(Debug, Error, PartialEq)]
pub enum MapError {
    #[error(
        "the header does not name the model's features ({missing} missing) and has {got} columns where the model takes {expected}"
    )]
    Unmatched { missing: String, expected: usize, got: usize },
}

/// Which header column feeds each of the card's features.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnMap {
    /// Per feature, in card order: the column's index in the header.
    columns: Vec<usize>,
    header: Vec<String>,
}

impl ColumnMap {
    /// The map `header` implies: by name, else by position; an error naming the
    /// features it cannot place.
    pub fn resolve(header: &StringRecord, card: &ModelCard) -> Result<Self, MapError> {
        let header: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
        let suggested = Self::suggest(&header, card);
        let columns = if suggested.iter().all(Option::is_some) {
            suggested.into_iter().flatten().collect()
        } else {
            // Columns are not taken in order here, so what is missing is missing by name.
            let missing: Vec<String> = card
                .features
                .iter()
                .zip(&suggested)
                .filter(|(_, found)| found.is_none())
                .map(|(f, _)| format!("“{}”", f.name))
                .collect();
            return Err(MapError::Unmatched {
                missing: missing.join(", "),
                expected: card.features.len(),
                got: header.len(),
            });
        };
        Ok(Self { columns, header })
    }

    /// Per feature, the column that would feed it: by name when the header names every
    /// feature, else by position when the counts agree, else by name where it can. A
    /// person can then complete or change the choice.
    pub fn suggest(header: &[String], card: &ModelCard) -> Vec<Option<usize>> {
        let by_name: Vec<Option<usize>> =
            card.features.iter().map(|f| header.iter().position(|h| h.trim() == f.name)).collect();
        if by_name.iter().all(Option::is_some) || header.len() != card.features.len() {
            by_name
        } else {
            (0..header.len()).map(Some).collect()
        }
    }

    /// The map a person chose: `columns[f]` feeds feature `f`.
    pub fn new(header: Vec<String>, columns: Vec<usize>) -> Self {
        Self { columns, header }
    }

    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The column feeding each feature, in card order (0-based).
    pub fn columns(&self) -> &[usize] {
        &self.columns
    }

    /// The row's feature values, or what is wrong with it: where (line, column and
    /// column name) and why. `cells` are the record's cells as [`read_cells`] read them.
    pub fn row(&self, record: &StringRecord, cells: &[Cell], card: &ModelCard) -> Result<Vec<FeatureValue>, String> {
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != self.header.len() {
            return Err(format!("line {line}: {} fields, the header has {}", record.len(), self.header.len()));
        }
        self.columns
            .iter()
            .zip(&card.features)
            .map(|(&column, feature)| {
                let at = || format!("line {line}, column {} ({})", column + 1, self.header[column]);
                match (feature.kind, cells[column]) {
                    (FeatureKind::Text, _) => Ok(FeatureValue::Text(record[column].trim().to_owned())),
                    (FeatureKind::Number, Cell::Number(n)) => Ok(FeatureValue::Number(n)),
                    (FeatureKind::Number, Cell::Empty) => Err(format!("{}: empty where a value is required", at())),
                    (FeatureKind::Number, Cell::Text) => {
                        Err(format!("{}: “{}” is not a number", at(), record[column].trim()))
                    }
                }
            })
            .collect()
    }
}

/// A CSV cell as read once: the row's feature values and the file's profile both come
/// from it, so that no cell is parsed twice (batch files have millions of them).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell {
    /// Nothing but blanks.
    Empty,
    /// A number, NaN included (a missing value, for an imputer).
    Number(f64),
    /// Text that is not a number.
    Text,
}

impl Cell {
    pub fn read(cell: &str) -> Self {
        let cell = cell.trim();
        if cell.is_empty() { Self::Empty } else { cell.parse().map_or(Self::Text, Self::Number) }
    }
}

/// Reads every cell of `record` into `cells`, which keeps its allocation across records.
pub fn read_cells(record: &StringRecord, cells: &mut Vec<Cell>) {
    cells.clear();
    cells.extend(record.iter().map(Cell::read));
}

/// The output's header: the input's columns, the output columns, `error`.
pub fn output_header(map: &ColumnMap, signature: &Signature) -> Vec<String> {
    let mut names = map.header().to_vec();
    names.extend(OutputColumns::new(signature).names());
    names.push("error".into());
    names
}

/// The columns scoring adds: per output, `<output>` for one value a row, or
/// `<output>_0 .. <output>_{k-1}` for k values a row.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputColumns {
    outputs: Vec<(String, usize)>,
}

impl OutputColumns {
    /// The layout the signature declares, an axis whose size is only known at run time
    /// counting as one value.
    pub fn new(signature: &Signature) -> Self {
        let width = |shape: &[Dim]| shape.iter().skip(1).map(|d| if let Dim::Fixed(n) = d { *n } else { 1 }).product();
        Self { outputs: signature.outputs.iter().map(|o| (o.name.clone(), width(&o.shape))).collect() }
    }

    /// How many columns there are.
    pub fn len(&self) -> usize {
        self.outputs.iter().map(|(_, width)| width).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn names(&self) -> Vec<String> {
        self.outputs
            .iter()
            .flat_map(|(name, width)| match width {
                1 => vec![name.clone()],
                _ => (0..*width).map(|i| format!("{name}_{i}")).collect(),
            })
            .collect()
    }

    /// Writes row `row` of `outputs` to `out`, a field per column. `cell` is scratch
    /// space the caller keeps, so that no cell allocates.
    pub fn write_row<W: std::io::Write>(
        &self,
        outputs: &Tensors,
        row: usize,
        out: &mut csv::Writer<W>,
        cell: &mut String,
    ) -> csv::Result<()> {
        for (name, width) in &self.outputs {
            let tensor: Option<&TensorData> = outputs.get(name);
            for i in 0..*width {
                cell.clear();
                if let Some(tensor) = tensor {
                    tensor.data.write_text(row * width + i, cell);
                }
                out.write_field(&*cell)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::{Feature, ModelFile, OutputRoles, Target, Task, Training};
    use crate::signature::TensorSpec;
    use crate::tensor::{ElementType, Values};

    fn card(features: &[(&str, FeatureKind)]) -> ModelCard {
        let features = features
            .iter()
            .enumerate()
            .map(|(index, (name, kind))| Feature {
                name: (*name).into(),
                input: "input".into(),
                index,
                unit: None,
                description: None,
                kind: *kind,
                categories: None,
                training: None,
            })
            .collect();
        ModelCard {
            name: "m".into(),
            version: "1.0.0".into(),
            title: String::new(),
            description: String::new(),
            predicts: String::new(),
            task: Task::Regression,
            algorithm: String::new(),
            pipeline: vec![],
            features,
            target: Target { name: "y".into(), classes: None, unit: None, training: None },
            outputs: OutputRoles::default(),
            layout: None,
            example: vec![],
            metrics: Default::default(),
            training: Training::default(),
            model: ModelFile::default(),
            libraries: Default::default(),
        }
    }

    fn records(text: &str) -> (StringRecord, Vec<StringRecord>) {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
        let header = reader.headers().unwrap().clone();
        (header, reader.records().map(Result::unwrap).collect())
    }

    fn row(map: &ColumnMap, record: &StringRecord, card: &ModelCard) -> Result<Vec<FeatureValue>, String> {
        let mut cells = vec![];
        read_cells(record, &mut cells);
        map.row(record, &cells, card)
    }

    #[test]
    fn cells_read_as_empty_number_or_text() {
        let cells: Vec<Cell> = [" ", "1e3", " -2.5 ", "NaN", "1,5", "x"].into_iter().map(Cell::read).collect();
        assert_eq!(cells[..3], [Cell::Empty, Cell::Number(1000.0), Cell::Number(-2.5)]);
        assert!(matches!(cells[3], Cell::Number(n) if n.is_nan()));
        assert_eq!(cells[4..], [Cell::Text, Cell::Text]);
    }

    #[test]
    fn columns_match_by_name_in_any_order_else_by_position() {
        let card = card(&[("a", FeatureKind::Number), ("b", FeatureKind::Text)]);
        let (header, rows) = records("id,b,a\n7,x,1.5\n");
        let map = ColumnMap::resolve(&header, &card).unwrap();
        assert_eq!(map.columns(), [2, 1]);
        assert_eq!(row(&map, &rows[0], &card).unwrap(), [FeatureValue::Number(1.5), FeatureValue::Text("x".into())]);

        let (header, _) = records("first,second\n");
        assert_eq!(ColumnMap::resolve(&header, &card).unwrap().columns(), [0, 1]);

        let (header, _) = records("a,c,d\n");
        let err = ColumnMap::resolve(&header, &card).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the header does not name the model's features (“b” missing) and has 3 columns where the model takes 2"
        );
    }

    #[test]
    fn bad_rows_say_where_and_why() {
        let card = card(&[("a", FeatureKind::Number), ("b", FeatureKind::Number)]);
        let (header, rows) = records("a,b\n1,2\n1\n1,two\n,2\n");
        let map = ColumnMap::resolve(&header, &card).unwrap();
        let errors: Vec<String> = rows.iter().filter_map(|r| row(&map, r, &card).err()).collect();
        assert_eq!(
            errors,
            [
                "line 3: 1 fields, the header has 2",
                "line 4, column 2 (b): “two” is not a number",
                "line 5, column 1 (a): empty where a value is required",
            ]
        );
    }

    #[test]
    fn output_columns_spread_vectors() {
        let signature = Signature {
            inputs: vec![],
            outputs: vec![
                TensorSpec {
                    name: "label".into(),
                    element_type: ElementType::String,
                    shape: vec![Dim::Symbolic("N".into())],
                    labels: None,
                },
                TensorSpec {
                    name: "p".into(),
                    element_type: ElementType::Float32,
                    shape: vec![Dim::Symbolic("N".into()), Dim::Fixed(2)],
                    labels: None,
                },
            ],
        };
        let columns = OutputColumns::new(&signature);
        assert_eq!(columns.names(), ["label", "p_0", "p_1"]);
        let outputs = Tensors::from([
            ("label".into(), TensorData::new(vec![2], Values::String(vec!["x".into(), "y".into()]))),
            ("p".into(), TensorData::new(vec![2, 2], Values::Float32(vec![0.25, 0.75, 1.0, 0.0]))),
        ]);
        let mut out = csv::Writer::from_writer(vec![]);
        columns.write_row(&outputs, 1, &mut out, &mut String::new()).unwrap();
        out.write_record(None::<&[u8]>).unwrap();
        assert_eq!(String::from_utf8(out.into_inner().unwrap()).unwrap(), "y,1,0\n");
    }
}
