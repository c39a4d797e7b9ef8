//! The model card (`card.json`): what a model predicts, from which features, trained on
//! what, how well it does on held-out data. Written by `training/train.py`; read by the
//! app to build its form and by the CLI.
//!
//! The card also knows how the user's feature values become the model's input tensors
//! ([`ModelCard::assemble`]) and how output tensors become predictions a person can read
//! ([`ModelCard::interpret`]).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub mod diff;
mod generate;

pub use diff::CardDiff;
pub use generate::GenerateError;

pub use crate::picture::{Picture, PixelScale};
use crate::signature::Signature;
use crate::tensor::{ElementType, TensorData, Tensors, Values};

#[derive(Debug, Error, PartialEq)]
pub enum CardError {
    #[error("feature `{feature}` feeds input `{input}`, which the model does not have")]
    UnknownInput { feature: String, input: String },
    #[error("input `{input}` is {element_type}; a form can only fill numbers and text")]
    UnfillableInput { input: String, element_type: ElementType },
    #[error("row {row}, feature `{feature}`: “{text}” is not a number")]
    NotANumber { row: usize, feature: String, text: String },
    #[error("row {row} has {got} values, the card has {expected} features")]
    RowLength { row: usize, expected: usize, got: usize },
    #[error("the card names output `{output}` as its {role}, but the model has no such output")]
    MissingOutput { role: &'static str, output: String },
    #[error("output `{output}` has {got} values for {rows} rows: its shape does not fit the {role}")]
    OutputShape { role: &'static str, output: String, rows: usize, got: usize },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    Classification,
    Regression,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelCard {
    pub name: String,
    pub version: String,
    pub title: String,
    pub description: String,
    /// What the model predicts, in a phrase: "The species of an iris flower".
    pub predicts: String,
    pub task: Task,
    pub algorithm: String,
    #[serde(default)]
    pub pipeline: Vec<String>,
    pub features: Vec<Feature>,
    pub target: Target,
    pub outputs: OutputRoles,
    #[serde(default)]
    pub layout: Option<Layout>,
    /// A real held-out row, in feature order: what the form starts with.
    pub example: Vec<FeatureValue>,
    /// Metrics on the held-out split, by name (accuracy, macro_f1, rmse, ...).
    pub metrics: BTreeMap<String, f64>,
    pub training: Training,
    pub model: ModelFile,
    #[serde(default)]
    pub libraries: BTreeMap<String, String>,
}

/// One feature: where it goes in the model's inputs, what it means, how it was
/// distributed in the training data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    pub name: String,
    /// The model input this feature is a column of.
    pub input: String,
    /// The column within that input.
    pub index: usize,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub kind: FeatureKind,
    /// Present for a categorical feature: the choices and the value each stands for.
    #[serde(default)]
    pub categories: Option<Vec<Category>>,
    /// Absent when the model came without its training data (a file dropped in).
    #[serde(default)]
    pub training: Option<Stats>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FeatureKind {
    #[default]
    Number,
    /// Free text, for a string input (a categorical column the model encodes itself).
    Text,
}

/// One feature's value in a row: JSON's number or string.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FeatureValue {
    Number(f64),
    Text(String),
}

impl fmt::Display for FeatureValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => write!(f, "{n}"),
            Self::Text(t) => f.write_str(t),
        }
    }
}

impl From<f64> for FeatureValue {
    fn from(n: f64) -> Self {
        Self::Number(n)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Category {
    pub label: String,
    pub value: FeatureValue,
}

/// Summary statistics of one column of the training split; the baseline for drift.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub std: f64,
    /// Deciles, from the minimum to the maximum.
    pub quantiles: Vec<f64>,
    /// Training rows in each bin between consecutive deciles, counted as the PSI bins
    /// values ([a, b), outer bins open). A tenth each, but for ties: when values are
    /// recorded coarsely several deciles fall on one value, and the bins between them
    /// are empty. Absent from older cards (then a tenth each is assumed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quantile_counts: Vec<u64>,
    pub histogram: Histogram,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// `counts.len() + 1` bin edges.
    pub edges: Vec<f64>,
    pub counts: Vec<u64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub name: String,
    /// Class labels, in the order of the model's probability columns.
    #[serde(default)]
    pub classes: Option<Vec<String>>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub training: Option<Stats>,
}

/// Which model outputs carry what: how the app knows where the label is.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OutputRoles {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub probabilities: Option<String>,
    #[serde(default)]
    pub value: Option<String>,
}

/// How to present the features when a plain form is not the best fit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Layout {
    /// Features are the pixels of a `width` x `height` image, row by row.
    Image { width: usize, height: usize, min: f64, max: f64 },
    /// The model takes a picture, not features: the form is a file picker.
    Picture(Picture),
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Training {
    pub dataset: String,
    pub rows: usize,
    pub train_rows: usize,
    pub test_rows: usize,
    pub split: String,
    pub seed: u64,
    pub data_sha256: String,
    pub train_sha256: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    pub file: String,
    pub sha256: String,
    pub bytes: u64,
    #[serde(default)]
    pub opset: BTreeMap<String, i64>,
    #[serde(default)]
    pub producer: String,
}

/// One row's prediction, ready to show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Prediction {
    Class { label: String, probabilities: Vec<ClassProbability> },
    Value { value: f64, unit: Option<String> },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassProbability {
    pub class: String,
    pub probability: f64,
}

impl ModelCard {
    pub fn classes(&self) -> &[String] {
        self.target.classes.as_deref().unwrap_or_default()
    }

    /// Builds the model's input tensors from rows of feature values (in card order):
    /// each feature becomes column `index` of its `input`, converted to the input's type.
    pub fn assemble(&self, signature: &Signature, rows: &[Vec<FeatureValue>]) -> Result<Tensors, CardError> {
        if let Some((row, r)) = rows.iter().enumerate().find(|(_, r)| r.len() != self.features.len()) {
            return Err(CardError::RowLength { row, expected: self.features.len(), got: r.len() });
        }
        let mut columns: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
        for (position, f) in self.features.iter().enumerate() {
            columns.entry(f.input.as_str()).or_default().push((f.index, position));
        }
        columns
            .into_iter()
            .map(|(input, mut cols)| {
                let spec = signature.input(input).ok_or_else(|| CardError::UnknownInput {
                    feature: self.features[cols[0].1].name.clone(),
                    input: input.to_owned(),
                })?;
                cols.sort_unstable();
                let cells =
                    || rows.iter().enumerate().flat_map(|(r, row)| cols.iter().map(move |&(_, p)| (r, p, &row[p])));
                let data = if spec.element_type == ElementType::String {
                    Values::String(cells().map(|(_, _, v)| v.to_string()).collect())
                } else {
                    let numbers = cells()
                        .map(|(row, position, value)| match value {
                            FeatureValue::Number(n) => Ok(*n),
                            FeatureValue::Text(text) => text.trim().parse().map_err(|_| CardError::NotANumber {
                                row,
                                feature: self.features[position].name.clone(),
                                text: text.clone(),
                            }),
                        })
                        .collect::<Result<Vec<f64>, _>>()?;
                    Values::from_numbers(spec.element_type, numbers).ok_or_else(|| CardError::UnfillableInput {
                        input: input.to_owned(),
                        element_type: spec.element_type,
                    })?
                };
                // A rank-1 input takes the columns flat.
                let shape = match spec.shape.len() {
                    1 => vec![rows.len() * cols.len()],
                    _ => vec![rows.len(), cols.len()],
                };
                Ok((input.to_owned(), TensorData::new(shape, data)))
            })
            .collect()
    }

    /// Turns a batch's outputs into one prediction per row, using the output roles.
    pub fn interpret(&self, outputs: &Tensors) -> Result<Vec<Prediction>, CardError> {
        let output = |role: &'static str, name: &Option<String>| -> Result<Option<&TensorData>, CardError> {
            name.as_ref()
                .map(|n| outputs.get(n).ok_or_else(|| CardError::MissingOutput { role, output: n.clone() }))
                .transpose()
        };
        if let Some(values) = output("value", &self.outputs.value)? {
            let name = self.outputs.value.clone().unwrap_or_default();
            let rows = values.rows();
            if values.data.len() != rows {
                return Err(CardError::OutputShape { role: "value", output: name, rows, got: values.data.len() });
            }
            return Ok((0..rows)
                .map(|i| Prediction::Value {
                    value: values.data.number(i).unwrap_or(f64::NAN),
                    unit: self.target.unit.clone(),
                })
                .collect());
        }
        let labels = output("label", &self.outputs.label)?;
        let probabilities = output("probabilities", &self.outputs.probabilities)?;
        let rows = labels.or(probabilities).map_or(0, TensorData::rows);
        let classes = self.classes();
        let class_name = |i: usize| classes.get(i).cloned().unwrap_or_else(|| i.to_string());
        if let Some(p) = probabilities
            && p.data.len() != rows * p.row_len()
        {
            let output = self.outputs.probabilities.clone().unwrap_or_default();
            return Err(CardError::OutputShape { role: "probabilities", output, rows, got: p.data.len() });
        }
        Ok((0..rows)
            .map(|row| {
                let probabilities: Vec<ClassProbability> = probabilities
                    .map(|p| {
                        let width = p.row_len();
                        (0..width)
                            .map(|c| ClassProbability {
                                class: class_name(c),
                                probability: p.data.number(row * width + c).unwrap_or(f64::NAN),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let label = match labels.map(|l| &l.data) {
                    // Integer labels index the card's classes; string labels are the class.
                    Some(Values::Int64(v)) => class_name(v[row] as usize),
                    Some(Values::Int32(v)) => class_name(v[row] as usize),
                    Some(other) => other.text(row).unwrap_or_default(),
                    None => probabilities
                        .iter()
                        .max_by(|a, b| a.probability.total_cmp(&b.probability))
                        .map(|c| c.class.clone())
                        .unwrap_or_default(),
                };
                Prediction::Class { label, probabilities }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::{Dim, TensorSpec};

    fn card(json: &str) -> ModelCard {
        serde_json::from_str(json).unwrap()
    }

    fn stats() -> &'static str {
        r#"{"min":0,"max":1,"mean":0.5,"std":0.1,"quantiles":[],"histogram":{"edges":[0,1],"counts":[1]}}"#
    }

    fn two_feature_card(outputs: &str, classes: &str) -> ModelCard {
        card(&format!(
            r#"{{"name":"m","version":"1.0.0","title":"t","description":"d","predicts":"p",
            "task":"classification","algorithm":"a",
            "features":[{{"name":"b","input":"x","index":1,"training":{s}}},
                        {{"name":"a","input":"x","index":0,"training":{s}}}],
            "target":{{"name":"class","classes":{classes}}},"outputs":{outputs},"example":[1,2],
            "metrics":{{}},"training":{{"dataset":"d","rows":1,"train_rows":1,"test_rows":0,
            "split":"s","seed":0,"data_sha256":"","train_sha256":""}},
            "model":{{"file":"model.onnx","sha256":"","bytes":0}}}}"#,
            s = stats()
        ))
    }

    fn numbers(values: &[f64]) -> Vec<FeatureValue> {
        values.iter().map(|&v| v.into()).collect()
    }

    fn signature() -> Signature {
        let spec = TensorSpec {
            name: "x".into(),
            element_type: ElementType::Float32,
            shape: vec![Dim::Symbolic("N".into()), Dim::Fixed(2)],
            labels: None,
        };
        Signature { inputs: vec![spec], outputs: vec![] }
    }

    #[test]
    fn assemble_places_features_by_their_column_index() {
        let card = two_feature_card(r#"{"label":"label"}"#, r#"["no","yes"]"#);
        let tensors = card.assemble(&signature(), &[numbers(&[1.0, 2.0]), numbers(&[3.0, 4.0])]).unwrap();
        // Feature "b" is column 1 and comes first in the card.
        assert_eq!(tensors["x"], TensorData::new(vec![2, 2], Values::Float32(vec![2.0, 1.0, 4.0, 3.0])));
    }

    #[test]
    fn assemble_reports_the_row_with_the_wrong_length() {
        let card = two_feature_card(r#"{"label":"label"}"#, r#"["no","yes"]"#);
        let err = card.assemble(&signature(), &[numbers(&[1.0, 2.0]), numbers(&[3.0])]).unwrap_err();
        assert_eq!(err, CardError::RowLength { row: 1, expected: 2, got: 1 });
    }

    #[test]
    fn interpret_names_labels_and_probabilities_by_class() {
        let card = two_feature_card(r#"{"label":"label","probabilities":"p"}"#, r#"["no","yes"]"#);
        let outputs = Tensors::from([
            ("label".to_owned(), TensorData::new(vec![1], Values::Int64(vec![1]))),
            ("p".to_owned(), TensorData::new(vec![1, 2], Values::Float32(vec![0.25, 0.75]))),
        ]);
        let [Prediction::Class { label, probabilities }] = &card.interpret(&outputs).unwrap()[..] else {
            panic!("one class prediction expected");
        };
        assert_eq!(label, "yes");
        assert_eq!(probabilities[0], ClassProbability { class: "no".into(), probability: 0.25 });
    }

    #[test]
    fn interpret_reports_a_missing_output() {
        let card = two_feature_card(r#"{"label":"nope"}"#, r#"["no","yes"]"#);
        let err = card.interpret(&Tensors::new()).unwrap_err();
        assert_eq!(err, CardError::MissingOutput { role: "label", output: "nope".into() });
    }
}
