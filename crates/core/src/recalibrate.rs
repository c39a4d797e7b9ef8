//! Recalibrating a model online: an [`Sgd`] learner, with running input standardisation,
//! learns the card's task from labelled CSV rows one at a time, the way it would learn
//! from a stream or from a person correcting predictions. Each row is predicted before
//! it is learned (prequential evaluation), so the learning curve and the metrics are
//! out-of-sample without holding rows back.
//!
//! The result becomes a model version like any other: [`Recalibration::to_onnx`] writes
//! the learner with its scaling ([`crate::sgd::export`]) and [`Recalibration::card`] a
//! card for it, with the base card's features, so that `modelport register` can take
//! both as a development version.

use std::io::Read;

use csv::StringRecord;
use thiserror::Error;

use crate::batch::{Cell, ColumnMap, FIRST_ERRORS, MapError, read_cells};
use crate::card::{FeatureValue, ModelCard, Task};
use crate::sgd::export::{self, ExportError, ExportSpec};
use crate::sgd::{Loss, Settings, Sgd, Standardizer};

/// Rows per point of the learning curve.
pub const CURVE_WINDOW: u64 = 100;

#[derive(Debug, Error)]
pub enum RecalibrateError {
    #[error("the header: {0}")]
    Header(csv::Error),
    #[error("the header has no column “{0}” for the target")]
    NoTarget(String),
    #[error(transparent)]
    Columns(#[from] MapError),
    #[error("“{feature}” is a text feature; an SGD learner takes numbers only")]
    TextFeature { feature: String },
    #[error("the card's target has {0} classes; a classifier needs at least two")]
    Classes(usize),
    #[error(transparent)]
    Export(#[from] ExportError),
}

/// The learning curve: the prequential error over each window of rows.
#[derive(Clone, Debug, PartialEq)]
pub struct CurvePoint {
    /// Rows learned when the window closed.
    pub rows: u64,
    /// The share of the window's rows predicted wrong (classifiers), or the RMSE of the
    /// window's predictions (regressors), each made before the row was learned.
    pub error: f64,
}

/// A learner trained on a labelled file, with what happened to every row.
#[derive(Clone, Debug)]
pub struct Recalibration {
    pub learner: Sgd,
    pub scaler: Standardizer,
    /// Rows read, learned or not.
    pub rows: u64,
    pub learned: u64,
    /// Rows that could not be learned, and the first reasons, word for word.
    pub errors: u64,
    pub first_errors: Vec<String>,
    pub curve: Vec<CurvePoint>,
    /// Prequential metrics over the whole file: accuracy, or rmse and mae.
    pub metrics: Vec<(&'static str, f64)>,
}

/// The loss that learns `card`'s task.
pub fn loss_for(card: &ModelCard) -> Result<Loss, RecalibrateError> {
    match card.task {
        Task::Regression => Ok(Loss::Squared),
        Task::Classification => match card.target.classes.as_ref().map_or(0, Vec::len) {
            2 => Ok(Loss::Logistic),
            n if n > 2 => Ok(Loss::Softmax { classes: n }),
            n => Err(RecalibrateError::Classes(n)),
        },
    }
}

/// A constant learning rate suits standardised inputs: averaging the iterates turns it
/// into a converging estimate.
pub const DEFAULT_RATE: f64 = 0.02;
pub const DEFAULT_L2: f64 = 1e-5;

/// Learns `card`'s task from a labelled CSV file whose header names the card's features
/// and the target (`target`, by default the card's target name), in one pass.
pub fn learn_csv(
    card: &ModelCard,
    input: impl Read,
    target: Option<&str>,
    settings: Settings,
) -> Result<Recalibration, RecalibrateError> {
    if let Some(f) = card.features.iter().find(|f| f.kind == crate::card::FeatureKind::Text) {
        return Err(RecalibrateError::TextFeature { feature: f.name.clone() });
    }
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let header = reader.headers().map_err(RecalibrateError::Header)?.clone();
    let target_name = target.unwrap_or(&card.target.name);
    let target_column = header
        .iter()
        .position(|h| h.trim() == target_name)
        .ok_or_else(|| RecalibrateError::NoTarget(target_name.to_owned()))?;
    let map = ColumnMap::resolve(&header, card)?;
    let mut run = Recalibration {
        learner: Sgd::new(card.features.len(), settings),
        scaler: Standardizer::default(),
        rows: 0,
        learned: 0,
        errors: 0,
        first_errors: vec![],
        curve: vec![],
        metrics: vec![],
    };
    let mut tally = Tally::new(settings.loss);
    let mut cells = vec![];
    let mut record = StringRecord::new();
    loop {
        let read = reader.read_record(&mut record);
        if let Ok(false) = read {
            break;
        }
        run.rows += 1;
        if let Err(e) = read {
            run.error(e.to_string());
            continue;
        }
        read_cells(&record, &mut cells);
        let example = map
            .row(&record, &cells, card)
            .and_then(|row| Ok((numbers(&row), target_value(card, &record, &cells, target_column, &header)?)));
        match example {
            Ok((x, y)) => {
                // Predict first, then learn: the prediction never saw this row.
                let scaled = run.scaler.transform(&x);
                tally.add(&run.learner.predict_one(&scaled), y);
                run.scaler.learn_one(&x);
                run.learner.learn_one(&run.scaler.transform(&x), y);
                run.learned += 1;
                if run.learned.is_multiple_of(CURVE_WINDOW) {
                    run.curve.push(CurvePoint { rows: run.learned, error: tally.close_window() });
                }
            }
            Err(reason) => run.error(reason),
        }
    }
    run.metrics = tally.metrics();
    Ok(run)
}

impl Recalibration {
    fn error(&mut self, reason: String) {
        self.errors += 1;
        if self.first_errors.len() < FIRST_ERRORS {
            self.first_errors.push(reason);
        }
    }

    /// The learner as an ONNX file taking the raw feature values, in card order.
    pub fn to_onnx(&self, base: &ModelCard) -> Result<Vec<u8>, RecalibrateError> {
        let classes = base.target.classes.clone().unwrap_or_default();
        let spec = ExportSpec::new(base.name.clone(), classes);
        Ok(export::to_onnx(&self.learner, Some(&self.scaler), &spec)?)
    }

    /// A card for the exported model: the base card's features (now columns of one
    /// input, in card order), target and example, the exported outputs, and the
    /// prequential metrics. `register` fills in the name, version and file.
    pub fn card(&self, base: &ModelCard, data: &str, data_sha256: &str) -> ModelCard {
        let mut card = base.clone();
        for (index, feature) in card.features.iter_mut().enumerate() {
            feature.input = export::INPUT.to_owned();
            feature.index = index;
        }
        card.title = format!("{} (recalibrated)", base.title);
        card.description = format!(
            "{} Recalibrated online from {data}: a linear model learned by stochastic gradient descent, \
             one row at a time, starting from version {}'s features.",
            base.description, base.version
        );
        card.algorithm = "SGD".into();
        card.pipeline = vec!["Standardizer (running)".into(), algorithm(self.learner.settings().loss).into()];
        card.outputs = export::output_roles(self.learner.settings().loss);
        card.layout = None;
        card.metrics = self.metrics.iter().map(|&(name, value)| (name.to_owned(), value)).collect();
        card.training.dataset = data.to_owned();
        card.training.rows = self.rows as usize;
        card.training.train_rows = self.learned as usize;
        card.training.test_rows = self.learned as usize;
        card.training.split = "prequential: each row predicted, then learned".into();
        card.training.seed = 0;
        card.training.data_sha256 = data_sha256.to_owned();
        card.training.train_sha256 = data_sha256.to_owned();
        card.model = Default::default();
        card.libraries = [("modelport".to_owned(), env!("CARGO_PKG_VERSION").to_owned())].into();
        card
    }
}

fn algorithm(loss: Loss) -> &'static str {
    match loss {
        Loss::Squared => "SGD linear regression (squared loss)",
        Loss::Logistic => "SGD logistic regression",
        Loss::Softmax { .. } => "SGD softmax regression",
    }
}

fn numbers(row: &[FeatureValue]) -> Vec<f64> {
    // Text features were refused before reading: every value is a number.
    row.iter().map(|v| if let FeatureValue::Number(n) = v { *n } else { f64::NAN }).collect()
}

/// The row's target: a number for a regressor; for a classifier, the class index of a
/// class name, or of a class index written as a number.
fn target_value(
    card: &ModelCard,
    record: &StringRecord,
    cells: &[Cell],
    column: usize,
    header: &StringRecord,
) -> Result<f64, String> {
    let line = record.position().map_or(0, |p| p.line());
    let at = format!("line {line}, column {} ({})", column + 1, &header[column]);
    let text = record.get(column).unwrap_or("").trim();
    match (card.task, cells.get(column).copied().unwrap_or(Cell::Empty)) {
        (_, Cell::Empty) => Err(format!("{at}: empty where the target is required")),
        (Task::Regression, Cell::Number(n)) if n.is_finite() => Ok(n),
        (Task::Regression, _) => Err(format!("{at}: “{text}” is not a number")),
        (Task::Classification, cell) => {
            let classes = card.target.classes.as_deref().unwrap_or_default();
            let by_name = classes.iter().position(|c| c == text);
            let by_index = match cell {
                Cell::Number(n) if n.fract() == 0.0 && n >= 0.0 && (n as usize) < classes.len() => Some(n as usize),
                _ => None,
            };
            by_name
                .or(by_index)
                .map(|i| i as f64)
                .ok_or_else(|| format!("{at}: “{text}” is not one of the classes {}", classes.join(", ")))
        }
    }
}

/// Prequential errors, over the whole pass and over the current curve window.
struct Tally {
    loss: Loss,
    count: u64,
    wrong: u64,
    squared: f64,
    absolute: f64,
    /// Rows in the current window, and their summed loss (0 or 1, or the squared error).
    window: (u64, f64),
}

impl Tally {
    fn new(loss: Loss) -> Self {
        Self { loss, count: 0, wrong: 0, squared: 0.0, absolute: 0.0, window: (0, 0.0) }
    }

    fn add(&mut self, prediction: &[f64], y: f64) {
        let loss = match self.loss {
            Loss::Squared => {
                let e = prediction[0] - y;
                self.squared += e * e;
                self.absolute += e.abs();
                e * e
            }
            Loss::Logistic | Loss::Softmax { .. } => {
                let label = prediction.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(i, _)| i);
                let wrong = label as f64 != y;
                self.wrong += u64::from(wrong);
                f64::from(u8::from(wrong))
            }
        };
        self.count += 1;
        self.window.0 += 1;
        self.window.1 += loss;
    }

    /// The current window's error rate or RMSE, starting a new window.
    fn close_window(&mut self) -> f64 {
        let (n, sum) = std::mem::take(&mut self.window);
        let mean = sum / n.max(1) as f64;
        if self.loss == Loss::Squared { mean.sqrt() } else { mean }
    }

    fn metrics(&self) -> Vec<(&'static str, f64)> {
        let n = self.count.max(1) as f64;
        match self.loss {
            Loss::Squared => vec![("rmse", (self.squared / n).sqrt()), ("mae", self.absolute / n)],
            Loss::Logistic | Loss::Softmax { .. } => vec![("accuracy", 1.0 - self.wrong as f64 / n)],
        }
    }
}
