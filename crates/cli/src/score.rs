//! `modelport score`: a CSV file through a model, natively, in batches. Every input
//! row comes out, in order, with the model's outputs or an `error` saying what was
//! wrong with it.

use std::io::{Read, Write};

use csv::StringRecord;
use modelport_core::batch::{ColumnMap, OutputColumns};
use modelport_core::card::FeatureValue;
use modelport_core::{Model, ModelCard, Tensors};

use crate::Failure;

/// Rows per call into the model: large enough that per-call costs vanish, small
/// enough that memory stays flat whatever the file's size.
const CHUNK: usize = 4096;

#[derive(Debug, Default, PartialEq)]
pub struct Summary {
    pub rows: usize,
    pub errors: usize,
}

pub fn score(model: &Model, card: &ModelCard, input: impl Read, output: impl Write) -> Result<Summary, Failure> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let header = reader.headers().map_err(|e| format!("the header: {e}"))?.clone();
    let map = ColumnMap::resolve(&header, card)?;
    let mut writer = csv::Writer::from_writer(output);
    let mut columns: Option<OutputColumns> = None;
    let mut summary = Summary::default();
    let mut chunk: Vec<Result<StringRecord, String>> = Vec::with_capacity(CHUNK);
    let mut records = reader.records();
    loop {
        chunk.clear();
        chunk.extend(records.by_ref().take(CHUNK).map(|r| r.map_err(|e| e.to_string())));
        if chunk.is_empty() {
            break;
        }
        let rows: Vec<Result<Vec<FeatureValue>, String>> =
            chunk.iter().map(|r| r.as_ref().map_err(Clone::clone).and_then(|r| map.row(r, card))).collect();
        let scored = run_rows(model, card, &rows);
        let columns = columns.get_or_insert_with(|| {
            let first = scored.iter().find_map(|s| s.as_ref().ok()).map(|(outputs, _)| outputs.as_ref());
            let columns = OutputColumns::new(model.signature(), first);
            let mut names: Vec<String> = header.iter().map(str::to_owned).collect();
            names.extend(columns.names());
            names.push("error".into());
            // An I/O error here is met again, and reported, at the first row.
            let _ = writer.write_record(&names);
            columns
        });
        for (record, outcome) in chunk.iter().zip(scored) {
            let mut cells: Vec<String> = match record {
                Ok(record) => record.iter().map(str::to_owned).collect(),
                Err(_) => vec![],
            };
            // Short or long rows still line up with the header.
            cells.resize(header.len(), String::new());
            match outcome {
                Ok((outputs, row)) => {
                    cells.extend(columns.row(&outputs, row));
                    cells.push(String::new());
                }
                Err(reason) => {
                    summary.errors += 1;
                    cells.extend(columns.names().iter().map(|_| String::new()));
                    cells.push(reason);
                }
            }
            summary.rows += 1;
            writer.write_record(&cells).map_err(|e| format!("could not write the output: {e}"))?;
        }
    }
    writer.flush().map_err(|e| format!("could not write the output: {e}"))?;
    Ok(summary)
}

/// Runs the rows that parsed as one batch. Should the batch fail, each row runs alone,
/// so that only the rows the model refuses are marked.
fn run_rows(
    model: &Model,
    card: &ModelCard,
    rows: &[Result<Vec<FeatureValue>, String>],
) -> Vec<Result<(std::rc::Rc<Tensors>, usize), String>> {
    let good: Vec<Vec<FeatureValue>> = rows.iter().filter_map(|r| r.as_ref().ok().cloned()).collect();
    let run = |rows: &[Vec<FeatureValue>]| -> Result<Tensors, String> {
        let inputs = card.assemble(model.signature(), rows).map_err(|e| e.to_string())?;
        model.run(&inputs).map_err(|e| e.to_string())
    };
    if good.is_empty() {
        return rows.iter().map(|r| Err(r.as_ref().err().cloned().unwrap_or_default())).collect();
    }
    match run(&good) {
        Ok(outputs) => {
            let outputs = std::rc::Rc::new(outputs);
            let mut next = 0..;
            rows.iter()
                .map(|r| match r {
                    Ok(_) => Ok((outputs.clone(), next.next().unwrap_or_default())),
                    Err(e) => Err(e.clone()),
                })
                .collect()
        }
        Err(_) => rows
            .iter()
            .map(|r| {
                let row = r.as_ref().map_err(Clone::clone)?;
                run(std::slice::from_ref(row)).map(|outputs| (std::rc::Rc::new(outputs), 0))
            })
            .collect(),
    }
}
