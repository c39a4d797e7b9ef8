//! Scoring CSV records in chunks: every record comes out, in order, with the model's
//! outputs or an `error` saying what was wrong with it. `modelport score` runs a whole
//! file through [`score_csv`]; the browser's batch workers call [`Scorer::chunk`] on
//! their share of a file.

use std::io::{Read, Write};
use std::ops::ControlFlow;
use std::rc::Rc;

use csv::StringRecord;
use thiserror::Error;

use super::profile::Profile;
use super::{ColumnMap, MapError, OutputColumns, Summary, read_cells};
use crate::card::{FeatureValue, ModelCard};
use crate::engine::Model;
use crate::record::Predicted;
use crate::tensor::Tensors;

/// Records per call into the model: large enough that per-call costs vanish, small
/// enough that memory stays flat whatever the file's size.
pub const CHUNK: usize = 4096;

#[derive(Debug, Error)]
pub enum ScoreError {
    #[error("the header: {0}")]
    Header(csv::Error),
    #[error(transparent)]
    Columns(#[from] MapError),
    #[error("could not write the output: {0}")]
    Write(#[from] csv::Error),
    #[error("could not write the output: {0}")]
    Flush(#[from] std::io::Error),
}

/// A model, its card and the column map of one file: scores chunks of its records.
pub struct Scorer<'a> {
    model: &'a Model,
    card: &'a ModelCard,
    map: ColumnMap,
    columns: OutputColumns,
}

impl<'a> Scorer<'a> {
    pub fn new(model: &'a Model, card: &'a ModelCard, map: ColumnMap) -> Self {
        let columns = OutputColumns::new(model.signature());
        Self { model, card, map, columns }
    }

    /// The output's header: the input's columns, the output columns, `error`.
    pub fn header(&self) -> Vec<String> {
        super::output_header(&self.map, self.model.signature())
    }

    /// Writes one output row per record, in order: its cells, then the outputs, then
    /// the error (empty when it was scored). A record that could not even be read
    /// arrives as its error. `profile`, when given, counts every record's cells.
    pub fn chunk<W: Write>(
        &self,
        records: &[Result<StringRecord, String>],
        summary: &mut Summary,
        mut profile: Option<&mut Profile>,
        out: &mut csv::Writer<W>,
    ) -> csv::Result<()> {
        let mut cells = vec![];
        let rows: Vec<Result<Vec<FeatureValue>, String>> = records
            .iter()
            .map(|record| {
                let record = record.as_ref().map_err(Clone::clone)?;
                read_cells(record, &mut cells);
                if let Some(profile) = profile.as_deref_mut() {
                    profile.add(&cells);
                }
                self.map.row(record, &cells, self.card)
            })
            .collect();
        // The rows the sample will keep, copied before the model takes them.
        let stride = summary.sample.stride;
        let first = summary.sample.seen;
        let mut sampled: Vec<Option<Vec<FeatureValue>>> = rows
            .iter()
            .zip(first..)
            .map(|(row, index)| row.as_ref().ok().filter(|_| index.is_multiple_of(stride)).cloned())
            .collect();
        let width = self.map.header().len();
        let mut scratch = String::new();
        for ((record, outcome), features) in records.iter().zip(self.run_rows(rows)).zip(&mut sampled) {
            // Short or long rows still line up with the header.
            let cells = record.as_ref().map(|r| r.iter().take(width).count()).unwrap_or(0);
            if let Ok(record) = record {
                record.iter().take(width).try_for_each(|cell| out.write_field(cell))?;
            }
            (cells..width).try_for_each(|_| out.write_field(""))?;
            summary.rows += 1;
            match outcome {
                Ok((outputs, row)) => {
                    summary.predictions.count(self.card, &outputs, row, &mut scratch);
                    summary
                        .sample
                        .offer(|| Some((features.take()?, Predicted::read(self.card, &outputs, row, &mut scratch)?)));
                    self.columns.write_row(&outputs, row, out, &mut scratch)?;
                    out.write_field("")?;
                }
                Err(reason) => {
                    (0..self.columns.len()).try_for_each(|_| out.write_field(""))?;
                    out.write_field(&reason)?;
                    summary.error(reason);
                    summary.sample.skip();
                }
            }
            out.write_record(None::<&[u8]>)?;
        }
        Ok(())
    }

    /// Runs the rows that parsed as one batch. Should the batch fail, each row runs
    /// alone, so that only the rows the model refuses are marked.
    fn run_rows(&self, rows: Vec<Result<Vec<FeatureValue>, String>>) -> Vec<Result<(Rc<Tensors>, usize), String>> {
        let run = |rows: &[Vec<FeatureValue>]| -> Result<Tensors, String> {
            let inputs = self.card.assemble(self.model.signature(), rows).map_err(|e| e.to_string())?;
            self.model.run(&inputs).map_err(|e| e.to_string())
        };
        // Each parsed row's place in the batch.
        let mut good = Vec::with_capacity(rows.len());
        let places: Vec<Result<usize, String>> = rows
            .into_iter()
            .map(|row| {
                row.map(|row| {
                    good.push(row);
                    good.len() - 1
                })
            })
            .collect();
        let batch = if good.is_empty() { None } else { run(&good).ok().map(Rc::new) };
        places
            .into_iter()
            .map(|place| {
                let place = place?;
                match &batch {
                    Some(outputs) => Ok((outputs.clone(), place)),
                    None => run(std::slice::from_ref(&good[place])).map(|outputs| (Rc::new(outputs), 0)),
                }
            })
            .collect()
    }
}

/// Scores a whole CSV file from `input` into `output`. `progress` hears after every
/// chunk and may stop the run by answering `Break`.
pub fn score_csv(
    model: &Model,
    card: &ModelCard,
    input: impl Read,
    output: impl Write,
    mut progress: impl FnMut(&Summary) -> ControlFlow<()>,
) -> Result<Summary, ScoreError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let header = reader.headers().map_err(ScoreError::Header)?.clone();
    let scorer = Scorer::new(model, card, ColumnMap::resolve(&header, card)?);
    let mut writer = csv::Writer::from_writer(output);
    writer.write_record(scorer.header())?;
    let mut summary = Summary::new(card);
    let mut records = reader.records();
    let mut chunk: Vec<Result<StringRecord, String>> = Vec::with_capacity(CHUNK);
    loop {
        chunk.clear();
        chunk.extend(records.by_ref().take(CHUNK).map(|r| r.map_err(|e| e.to_string())));
        if chunk.is_empty() {
            break;
        }
        scorer.chunk(&chunk, &mut summary, None, &mut writer)?;
        summary.bytes = records.reader().position().byte();
        if progress(&summary).is_break() {
            break;
        }
    }
    writer.flush()?;
    Ok(summary)
}
