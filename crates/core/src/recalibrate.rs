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

mod learner;

use std::io::Read;

use csv::StringRecord;
use thiserror::Error;

pub use self::learner::{Learner, Tally, label};
use crate::batch::{Cell, ColumnMap, FIRST_ERRORS, MapError, read_cells};
use crate::card::{FeatureValue, ModelCard, OutputRoles, Prediction, Task};
use crate::compare::labelled::{self, Truth};
#[cfg(feature = "engine")]
use crate::sgd::export::{self, ExportError, ExportSpec};
use crate::sgd::{Loss, Schedule, Settings, Sgd, Standardizer};

/// Rows per point of the learning curve, unless told ([`Learner::with_window`]).
pub const CURVE_WINDOW: u64 = 100;

/// The exported model's input and output names. They are [`crate::sgd::export`]'s, which
/// needs the engine; the card is written without it (in the page), so they are repeated
/// here, and a test checks that the two agree.
const INPUT: &str = "input";
const LABEL: &str = "output_label";
const PROBABILITIES: &str = "output_probability";
const VALUE: &str = "variable";

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
    #[cfg(feature = "engine")]
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

/// The settings `modelport recalibrate` and the page use for `card` unless told.
pub fn default_settings(card: &ModelCard) -> Result<Settings, RecalibrateError> {
    Ok(Settings { loss: loss_for(card)?, schedule: Schedule::Constant { rate: DEFAULT_RATE }, l2: DEFAULT_L2 })
}

/// Learns `card`'s task from a labelled CSV file whose header names the card's features
/// and the target (`target`, by default the card's target name), in one pass.
pub fn learn_csv(
    card: &ModelCard,
    input: impl Read,
    target: Option<&str>,
    settings: Settings,
) -> Result<Recalibration, RecalibrateError> {
    let mut learner = Learner::new(card, settings)?;
    let mut rows = LabelledRows::new(card, input, target)?;
    let mut skipped = Skipped::default();
    for example in &mut rows {
        match example {
            Ok(example) => {
                learner.learn(&example.x, example.y);
            }
            Err(reason) => skipped.add(reason),
        }
    }
    Ok(learner.recalibration(skipped))
}

/// One labelled row of a CSV file, read against a card.
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    /// The row's line in the file, for messages.
    pub line: u64,
    /// The feature values in card order, as the shipped model takes them.
    pub row: Vec<FeatureValue>,
    /// The same values as the learner takes them.
    pub x: Vec<f64>,
    /// The target: the value, or the class index.
    pub y: f64,
}

/// The rows of a labelled CSV file as [`Example`]s, or, row by row, why a row is not
/// one (with its line and column): nothing is dropped silently.
pub struct LabelledRows<R> {
    reader: csv::Reader<R>,
    card: ModelCard,
    header: StringRecord,
    map: ColumnMap,
    target: usize,
    record: StringRecord,
    cells: Vec<Cell>,
}

impl<R: Read> LabelledRows<R> {
    /// Reads the header: it must name every feature of `card` (as [`ColumnMap::resolve`]
    /// matches them) and the target column (`target`, by default the card's target name).
    pub fn new(card: &ModelCard, input: R, target: Option<&str>) -> Result<Self, RecalibrateError> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
        let header = reader.headers().map_err(RecalibrateError::Header)?.clone();
        let target_name = target.unwrap_or(&card.target.name);
        let target = header
            .iter()
            .position(|h| h.trim() == target_name)
            .ok_or_else(|| RecalibrateError::NoTarget(target_name.to_owned()))?;
        let map = ColumnMap::resolve(&header, card)?;
        Ok(Self { reader, card: card.clone(), header, map, target, record: StringRecord::new(), cells: vec![] })
    }

    /// Bytes of the input read so far, for progress.
    pub fn bytes_read(&self) -> u64 {
        self.reader.position().byte()
    }
}

impl<R: Read> Iterator for LabelledRows<R> {
    type Item = Result<Example, String>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => return None,
            Err(e) => return Some(Err(e.to_string())),
            Ok(true) => {}
        }
        read_cells(&self.record, &mut self.cells);
        let line = self.record.position().map_or(0, |p| p.line());
        let example = self.map.row(&self.record, &self.cells, &self.card).and_then(|row| {
            let y = match labelled::truth(&self.card, &self.record, &self.cells, self.target, &self.header)? {
                Truth::Class(class) => class as f64,
                Truth::Value(value) => value,
            };
            Ok(Example { line, x: numbers(&row), row, y })
        });
        Some(example)
    }
}

/// The rows that could not be learned: how many, and the first reasons word for word.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Skipped {
    pub count: u64,
    pub first: Vec<String>,
}

impl Skipped {
    pub fn add(&mut self, reason: String) {
        self.count += 1;
        if self.first.len() < FIRST_ERRORS {
            self.first.push(reason);
        }
    }
}

impl Recalibration {
    /// The learner as an ONNX file taking the raw feature values, in card order.
    #[cfg(feature = "engine")]
    pub fn to_onnx(&self, base: &ModelCard) -> Result<Vec<u8>, RecalibrateError> {
        to_onnx(&self.learner, &self.scaler, base)
    }

    /// A card for the exported model: the base card's features (now columns of one
    /// input, in card order), target and example, the exported outputs, and the
    /// prequential metrics. `register` fills in the name, version and file.
    pub fn card(&self, base: &ModelCard, data: &str, data_sha256: &str) -> ModelCard {
        let mut card = base.clone();
        for (index, feature) in card.features.iter_mut().enumerate() {
            feature.input = INPUT.to_owned();
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
        card.outputs = output_roles(self.learner.settings().loss);
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

/// The output roles of the exported model, as [`crate::sgd::export::output_roles`].
fn output_roles(loss: Loss) -> OutputRoles {
    match loss {
        Loss::Squared => OutputRoles { value: Some(VALUE.into()), ..OutputRoles::default() },
        Loss::Logistic | Loss::Softmax { .. } => {
            OutputRoles { label: Some(LABEL.into()), probabilities: Some(PROBABILITIES.into()), value: None }
        }
    }
}

/// `learner`, applying `scaler` first, as an ONNX file taking `base`'s raw feature values
/// in card order: what the worker sends the page for download.
#[cfg(feature = "engine")]
pub fn to_onnx(learner: &Sgd, scaler: &Standardizer, base: &ModelCard) -> Result<Vec<u8>, RecalibrateError> {
    let classes = base.target.classes.clone().unwrap_or_default();
    let spec = ExportSpec::new(base.name.clone(), classes);
    Ok(export::to_onnx(learner, Some(scaler), &spec)?)
}

/// A row of feature values as the learner takes them. A [`Learner`] refuses text
/// features, so every value is a number; text would be NaN.
pub fn numbers(row: &[FeatureValue]) -> Vec<f64> {
    row.iter().map(|v| if let FeatureValue::Number(n) = v { *n } else { f64::NAN }).collect()
}

/// Another model's `prediction` as a [`Tally`] scores it: the value, or the index of the
/// predicted class among `card`'s classes (`None` for a class the card does not list).
pub fn predicted(card: &ModelCard, prediction: &Prediction) -> Option<f64> {
    match prediction {
        Prediction::Value { value, .. } => Some(*value),
        Prediction::Class { label, .. } => card.classes().iter().position(|c| c == label).map(|i| i as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::FeatureKind;

    /// The shipped iris classifier's card: four numbers, three classes.
    fn iris() -> ModelCard {
        serde_json::from_str(include_str!("../../../models/iris-forest/1.0.0/card.json")).unwrap()
    }

    fn learner(card: &ModelCard) -> Learner {
        Learner::new(card, default_settings(card).unwrap()).unwrap()
    }

    const VIRGINICA: [f64; 4] = [6.3, 3.3, 6.0, 2.5];
    const SETOSA: [f64; 4] = [5.1, 3.5, 1.4, 0.2];

    #[test]
    fn feedback_on_one_example_moves_its_prediction_to_the_corrected_class() {
        let card = iris();
        let mut learner = learner(&card);
        // Knowing nothing, every class is as likely.
        let first = learner.learn(&VIRGINICA, 1.0);
        assert!(first.iter().all(|p| (p - 1.0 / 3.0).abs() < 1e-12), "{first:?}");
        for _ in 0..9 {
            learner.learn(&VIRGINICA, 1.0);
        }
        let after = learner.predict(&VIRGINICA);
        assert_eq!(label(&after), 1, "{after:?}");
        assert!(after[1] > first[1], "{after:?}");
        assert_eq!(learner.learned(), 10);
    }

    #[test]
    fn learn_returns_the_prediction_from_before_the_example() {
        let card = iris();
        let mut learner = learner(&card);
        for _ in 0..5 {
            learner.learn(&SETOSA, 0.0);
        }
        let predicted = learner.predict(&SETOSA);
        assert_eq!(learner.learn(&SETOSA, 2.0), predicted);
        assert_ne!(learner.predict(&SETOSA), predicted);
    }

    #[test]
    fn alternating_feedback_separates_two_flowers_and_the_curve_falls() {
        let card = iris();
        let mut learner = learner(&card).with_window(20);
        for _ in 0..100 {
            learner.learn(&SETOSA, 0.0);
            learner.learn(&VIRGINICA, 2.0);
        }
        assert_eq!(label(&learner.predict(&SETOSA)), 0);
        assert_eq!(label(&learner.predict(&VIRGINICA)), 2);
        let curve = learner.curve();
        assert_eq!(curve.iter().map(|p| p.rows).collect::<Vec<_>>(), (1..=10).map(|i| i * 20).collect::<Vec<_>>());
        assert_eq!(curve.last().unwrap().error, 0.0);
        let accuracy = learner.metrics()[0];
        assert_eq!(accuracy.0, "accuracy");
        assert!(accuracy.1 > 0.9, "{accuracy:?}");
    }

    #[test]
    fn a_regressor_learns_towards_the_corrected_value() {
        let mut card = iris();
        card.task = Task::Regression;
        card.target.classes = None;
        let mut learner = learner(&card);
        let before = learner.predict(&SETOSA)[0];
        // The averaged iterates move slowly at the default rate: hundreds of steps.
        for _ in 0..300 {
            learner.learn(&SETOSA, 10.0);
        }
        let after = learner.predict(&SETOSA)[0];
        assert!((after - 10.0).abs() < (before - 10.0).abs() / 2.0, "{before} -> {after}");
        assert_eq!(learner.metrics().iter().map(|m| m.0).collect::<Vec<_>>(), ["rmse", "mae"]);
    }

    #[test]
    fn text_features_are_refused_by_name() {
        let mut card = iris();
        card.features[2].kind = FeatureKind::Text;
        let err = Learner::new(&card, default_settings(&iris()).unwrap()).unwrap_err();
        assert_eq!(err.to_string(), "“petal length” is a text feature; an SGD learner takes numbers only");
    }

    #[test]
    fn labelled_rows_give_examples_and_say_which_line_is_wrong() {
        let card = iris();
        let csv = "petal width,sepal length,sepal width,petal length,class\n\
                   0.2,5.1,3.5,1.4,setosa\n\
                   2.5,6.3,3.3,6.0,2\n\
                   0.2,5.1,3.5,1.4,rose\n\
                   0.2,abc,3.5,1.4,setosa\n\
                   0.2,5.1,3.5,1.4,\n";
        let rows: Vec<_> = LabelledRows::new(&card, csv.as_bytes(), None).unwrap().collect();
        assert_eq!(rows.len(), 5);
        let first = rows[0].as_ref().unwrap();
        // Columns are matched by name: the learner gets card order.
        assert_eq!((first.line, first.x.clone(), first.y), (2, SETOSA.to_vec(), 0.0));
        assert_eq!(rows[1].as_ref().unwrap().y, 2.0);
        let errors: Vec<_> = rows[2..].iter().map(|r| r.clone().unwrap_err()).collect();
        assert!(errors[0].starts_with("line 4, column 5 (class)") && errors[0].contains("rose"), "{}", errors[0]);
        assert!(errors[1].contains("line 5"), "{}", errors[1]);
        assert!(errors[2].starts_with("line 6, column 5 (class): empty"), "{}", errors[2]);
    }

    #[test]
    fn a_file_without_the_target_column_is_refused() {
        let csv = "sepal length,sepal width,petal length,petal width\n5.1,3.5,1.4,0.2\n";
        let err = LabelledRows::new(&iris(), csv.as_bytes(), None).err().unwrap();
        assert_eq!(err.to_string(), "the header has no column “class” for the target");
    }

    #[test]
    fn learn_csv_is_the_learner_stepped_over_the_files_rows() {
        let card = iris();
        let mut csv = String::from("sepal length,sepal width,petal length,petal width,class\n");
        for i in 0..120 {
            let (x, y) = if i % 3 == 0 { (VIRGINICA, 2) } else { (SETOSA, 0) };
            let jitter = f64::from(i % 7) / 10.0;
            csv += &format!("{},{},{},{},{y}\n", x[0] + jitter, x[1], x[2] - jitter, x[3]);
        }
        csv += "1,2,3\n";
        let run = learn_csv(&card, csv.as_bytes(), None, default_settings(&card).unwrap()).unwrap();
        let mut learner = learner(&card);
        for example in LabelledRows::new(&card, csv.as_bytes(), None).unwrap().flatten() {
            learner.learn(&example.x, example.y);
        }
        assert_eq!((run.rows, run.learned, run.errors), (121, 120, 1));
        assert_eq!(&run.learner, learner.sgd());
        assert_eq!(run.curve, learner.curve());
        assert_eq!(run.curve.len(), 1);
    }

    #[test]
    fn the_tally_scores_another_models_labels_the_same_way() {
        let mut tally = Tally::new(Loss::Softmax { classes: 3 });
        for (predicted, truth) in [(0.0, 0.0), (1.0, 2.0), (2.0, 2.0), (2.0, 2.0)] {
            tally.add_predicted(predicted, truth);
        }
        assert_eq!(tally.metrics(), vec![("accuracy", 0.75)]);
    }

    #[test]
    fn another_models_predictions_become_class_indices_or_values() {
        let card = iris();
        let class = |label: &str| Prediction::Class { label: label.into(), probabilities: vec![] };
        assert_eq!(predicted(&card, &class("virginica")), Some(2.0));
        assert_eq!(predicted(&card, &class("rose")), None);
        assert_eq!(predicted(&card, &Prediction::Value { value: 1.5, unit: None }), Some(1.5));
    }

    #[cfg(feature = "engine")]
    #[test]
    fn the_cards_output_names_are_the_exports() {
        for loss in [Loss::Squared, Loss::Logistic, Loss::Softmax { classes: 3 }] {
            assert_eq!(output_roles(loss), export::output_roles(loss));
        }
        assert_eq!(INPUT, export::INPUT);
    }
}
