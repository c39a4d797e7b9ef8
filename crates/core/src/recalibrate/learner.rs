//! The incremental learner behind every recalibration: one labelled example at a time,
//! from a CSV row, a stream record or a person correcting a prediction. Each example is
//! predicted before it is learned (prequential evaluation), so the running metrics and
//! the learning curve are out-of-sample without holding examples back.

use super::{CURVE_WINDOW, CurvePoint, RecalibrateError, Recalibration, Skipped};
use crate::card::{FeatureKind, ModelCard};
use crate::sgd::{Loss, Settings, Sgd, Standardizer};

/// An [`Sgd`] learner on running-standardised inputs, with its prequential record.
#[derive(Clone, Debug)]
pub struct Learner {
    sgd: Sgd,
    scaler: Standardizer,
    tally: Tally,
    curve: Vec<CurvePoint>,
    window: u64,
}

impl Learner {
    /// A learner of `card`'s task, knowing nothing yet. Text features are refused: the
    /// learner takes numbers only.
    pub fn new(card: &ModelCard, settings: Settings) -> Result<Self, RecalibrateError> {
        if let Some(f) = card.features.iter().find(|f| f.kind == FeatureKind::Text) {
            return Err(RecalibrateError::TextFeature { feature: f.name.clone() });
        }
        Ok(Self {
            sgd: Sgd::new(card.features.len(), settings),
            scaler: Standardizer::default(),
            tally: Tally::new(settings.loss),
            curve: vec![],
            window: CURVE_WINDOW,
        })
    }

    /// The same learner with a point on its curve every `rows` examples (at least one):
    /// a person correcting predictions gives far fewer than a file.
    pub fn with_window(mut self, rows: u64) -> Self {
        self.window = rows.max(1);
        self
    }

    /// Learns that `x` (feature values in card order) has target `y` (the value, or the
    /// class index), and returns what the learner predicted for `x` before learning it.
    pub fn learn(&mut self, x: &[f64], y: f64) -> Vec<f64> {
        // Predict first, then learn: the prediction never saw this example.
        let before = self.predict(x);
        self.tally.add(&before, y);
        self.scaler.learn_one(x);
        self.sgd.learn_one(&self.scaler.transform(x), y);
        if self.tally.count.is_multiple_of(self.window) {
            self.curve.push(CurvePoint { rows: self.tally.count, error: self.tally.close_window() });
        }
        before
    }

    /// The prediction for `x`: the value for a regressor, else the class probabilities.
    pub fn predict(&self, x: &[f64]) -> Vec<f64> {
        self.sgd.predict_one(&self.scaler.transform(x))
    }

    /// Examples learned.
    pub fn learned(&self) -> u64 {
        self.tally.count
    }

    /// The prequential error per closed window, oldest first.
    pub fn curve(&self) -> &[CurvePoint] {
        &self.curve
    }

    /// Prequential metrics over everything learned: accuracy, or rmse and mae.
    pub fn metrics(&self) -> Vec<(&'static str, f64)> {
        self.tally.metrics()
    }

    pub fn sgd(&self) -> &Sgd {
        &self.sgd
    }

    pub fn scaler(&self) -> &Standardizer {
        &self.scaler
    }

    /// The learner as a [`Recalibration`], to export, with the examples it could not
    /// learn.
    pub fn recalibration(&self, skipped: Skipped) -> Recalibration {
        Recalibration {
            learner: self.sgd.clone(),
            scaler: self.scaler.clone(),
            rows: self.tally.count + skipped.count,
            learned: self.tally.count,
            errors: skipped.count,
            first_errors: skipped.first,
            curve: self.curve.clone(),
            metrics: self.metrics(),
        }
    }
}

/// The class a classifier's probabilities pick: the most probable (the last of equals,
/// as the CLI's prequential metrics have always counted it).
pub fn label(probabilities: &[f64]) -> usize {
    probabilities.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(i, _)| i)
}

/// Prequential errors, over everything and over the current curve window. Public so
/// that another model's predictions on the same examples (the shipped version's) can be
/// scored the same way.
#[derive(Clone, Debug)]
pub struct Tally {
    loss: Loss,
    count: u64,
    wrong: u64,
    squared: f64,
    absolute: f64,
    /// Examples in the current window, and their summed loss (0 or 1, or the squared error).
    window: (u64, f64),
}

impl Tally {
    pub fn new(loss: Loss) -> Self {
        Self { loss, count: 0, wrong: 0, squared: 0.0, absolute: 0.0, window: (0, 0.0) }
    }

    /// Scores `prediction` (the value, or the class probabilities) against `y`.
    pub fn add(&mut self, prediction: &[f64], y: f64) {
        match self.loss {
            Loss::Squared => self.add_predicted(prediction[0], y),
            Loss::Logistic | Loss::Softmax { .. } => self.add_predicted(label(prediction) as f64, y),
        }
    }

    /// Scores a predicted value, or class index, against `y`.
    pub fn add_predicted(&mut self, predicted: f64, y: f64) {
        let loss = match self.loss {
            Loss::Squared => {
                let e = predicted - y;
                self.squared += e * e;
                self.absolute += e.abs();
                e * e
            }
            Loss::Logistic | Loss::Softmax { .. } => {
                let wrong = predicted != y;
                self.wrong += u64::from(wrong);
                f64::from(u8::from(wrong))
            }
        };
        self.count += 1;
        self.window.0 += 1;
        self.window.1 += loss;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// The current window's error rate or RMSE, starting a new window.
    fn close_window(&mut self) -> f64 {
        let (n, sum) = std::mem::take(&mut self.window);
        let mean = sum / n.max(1) as f64;
        if self.loss == Loss::Squared { mean.sqrt() } else { mean }
    }

    pub fn metrics(&self) -> Vec<(&'static str, f64)> {
        let n = self.count.max(1) as f64;
        match self.loss {
            Loss::Squared => vec![("rmse", (self.squared / n).sqrt()), ("mae", self.absolute / n)],
            Loss::Logistic | Loss::Softmax { .. } => vec![("accuracy", 1.0 - self.wrong as f64 / n)],
        }
    }
}
