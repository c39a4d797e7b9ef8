//! A learned [`Sgd`] as an ONNX model, for recalibration: a model retrained online from
//! labelled feedback only reaches users as a model version like any other, so it has to
//! become an ONNX file that passes the registry's gates (tract loads and runs it, it
//! reproduces its golden rows) and that onnxruntime runs the same way. The file takes
//! the raw feature values the card describes, so it carries the learner's input scaling
//! (the [`Standardizer`]'s running mean and deviation) as well as its weights, and its
//! outputs have the names the shipped cards give their roles, so a card can point at
//! them.
//!
//! The graph uses standard `ai.onnx` operators only (opset 13), which every runtime has:
//!
//! ```text
//! input [N, F] -> Sub mean -> Mul 1/std -> MatMul coefficients [F, K] -> Add intercepts [K]
//!   squared loss:  the sum is `variable` [N, 1]
//!   logistic loss: Sigmoid -> p; Concat(1 - p, p) -> `output_probability` [N, 2]
//!   softmax loss:  Softmax(axis 1) -> `output_probability` [N, K]
//!   classifiers:   ArgMax(axis 1, keepdims 0) -> `output_label` int64 [N]
//! ```
//!
//! The messages are tract's own ONNX protobuf types, encoded with prost (the crate
//! tract generated them with), so writing needs nothing that reading does not.

use prost::Message;
use thiserror::Error;
use tract_onnx::pb;

use super::{Loss, Sgd, Standardizer};
use crate::card::OutputRoles;

/// The `ai.onnx` opset the graph is written for.
pub const OPSET: i64 = 13;
/// The IR version that goes with opset 13 (ONNX 1.8).
pub const IR_VERSION: i64 = 7;

/// The input's name when [`ExportSpec::new`] names it, as the shipped models have it.
pub const INPUT: &str = "input";
/// The class index of each row, int64 `[N]`.
pub const LABEL: &str = "output_label";
/// The class probabilities, float `[N, classes]`.
pub const PROBABILITIES: &str = "output_probability";
/// The regression value, float `[N, 1]`.
pub const VALUE: &str = "variable";

/// What the exported model is called and what its input and classes are.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportSpec {
    /// The graph's name, e.g. the model's name in the registry.
    pub name: String,
    /// The input's name: a float32 `[N, features]` tensor, features in the learner's order.
    pub input: String,
    /// For classifiers, the class labels in class-index order (written to the file's
    /// metadata as `modelport.classes`, a JSON array); empty for regression, or to leave
    /// the classes unnamed.
    pub classes: Vec<String>,
}

impl ExportSpec {
    /// A spec with the input called [`INPUT`].
    pub fn new(name: impl Into<String>, classes: Vec<String>) -> Self {
        Self { name: name.into(), input: INPUT.into(), classes }
    }
}

#[derive(Debug, Error, PartialEq)]
pub enum ExportError {
    #[error("the learner has {expected} classes, the export names {got}")]
    ClassCount { expected: usize, got: usize },
    #[error("the scaler was fitted to {got} features, the learner takes {expected}")]
    ScalerWidth { expected: usize, got: usize },
}

/// The output roles of a model exported from a learner with `loss`, for its card.
pub fn output_roles(loss: Loss) -> OutputRoles {
    match loss {
        Loss::Squared => OutputRoles { value: Some(VALUE.into()), ..OutputRoles::default() },
        Loss::Logistic | Loss::Softmax { .. } => {
            OutputRoles { label: Some(LABEL.into()), probabilities: Some(PROBABILITIES.into()), value: None }
        }
    }
}

/// The ONNX file for `learner` (its averaged weights, what [`Sgd::predict_one`] uses),
/// applying `scaler` to the input first when given. Run on float32 rows, it gives
/// `predict_one`'s outputs (on the scaled rows) to float32 precision.
pub fn to_onnx(learner: &Sgd, scaler: Option<&Standardizer>, spec: &ExportSpec) -> Result<Vec<u8>, ExportError> {
    let features = learner.features;
    let loss = learner.settings.loss;
    // Scores per row, and the number of classes (0 for regression).
    let (outputs, classes) = match loss {
        Loss::Squared => (1, 0),
        Loss::Logistic => (1, 2),
        Loss::Softmax { classes } => (classes, classes),
    };
    if !spec.classes.is_empty() && spec.classes.len() != classes {
        return Err(ExportError::ClassCount { expected: classes, got: spec.classes.len() });
    }
    let mut graph = Graph::default();
    let mut x = spec.input.clone();

    if let Some(scaler) = scaler {
        if !scaler.mean.is_empty() && scaler.mean.len() != features {
            return Err(ExportError::ScalerWidth { expected: features, got: scaler.mean.len() });
        }
        // `Standardizer::transform`: (x - mean) / std, and 0 for a constant feature, which
        // multiplying by 0 gives where dividing by 0 would not.
        let mean = (0..features).map(|i| scaler.mean.get(i).copied().unwrap_or(0.0));
        let scale = (0..features).map(|i| scaler.std(i)).map(|std| if std > 0.0 { 1.0 / std } else { 0.0 });
        graph.initializer(floats("scaler_mean", &[features], mean));
        graph.initializer(floats("scaler_scale", &[features], scale));
        graph.node("Sub", [x.as_str(), "scaler_mean"], "centred", vec![]);
        graph.node("Mul", ["centred", "scaler_scale"], "scaled", vec![]);
        x = "scaled".into();
    }

    // `coefficients()` holds, per output, the feature weights then the bias; MatMul
    // wants the weights as a [features, outputs] matrix.
    let width = features + 1;
    let rows = learner.coefficients().chunks(width).collect::<Vec<_>>();
    let matrix = (0..features).flat_map(|f| rows.iter().map(move |row| row[f]));
    graph.initializer(floats("coefficients", &[features, outputs], matrix));
    graph.initializer(floats("intercepts", &[outputs], rows.iter().map(|row| row[features])));
    graph.node("MatMul", [x.as_str(), "coefficients"], "linear", vec![]);
    let scores = if loss == Loss::Squared { VALUE } else { "scores" };
    graph.node("Add", ["linear", "intercepts"], scores, vec![]);

    let batch = || Dim::Batch;
    let mut declared = vec![];
    match loss {
        Loss::Squared => declared.push(value_info(VALUE, FLOAT, &[batch(), Dim::Fixed(1)])),
        Loss::Logistic => {
            graph.node("Sigmoid", ["scores"], "positive", vec![]);
            graph.initializer(floats("one", &[1], [1.0]));
            graph.node("Sub", ["one", "positive"], "negative", vec![]);
            graph.node("Concat", ["negative", "positive"], PROBABILITIES, vec![int("axis", 1)]);
        }
        Loss::Softmax { .. } => graph.node("Softmax", ["scores"], PROBABILITIES, vec![int("axis", 1)]),
    }
    if loss != Loss::Squared {
        graph.node("ArgMax", [PROBABILITIES], LABEL, vec![int("axis", 1), int("keepdims", 0)]);
        declared.push(value_info(LABEL, INT64, &[batch()]));
        declared.push(value_info(PROBABILITIES, FLOAT, &[batch(), Dim::Fixed(classes)]));
    }

    let mut metadata = vec![pb::StringStringEntryProto {
        key: "modelport.loss".into(),
        value: match loss {
            Loss::Squared => "squared",
            Loss::Logistic => "logistic",
            Loss::Softmax { .. } => "softmax",
        }
        .into(),
    }];
    if !spec.classes.is_empty() {
        let classes = serde_json::to_string(&spec.classes).expect("a list of strings serialises");
        metadata.push(pb::StringStringEntryProto { key: "modelport.classes".into(), value: classes });
    }
    let model = pb::ModelProto {
        ir_version: IR_VERSION,
        opset_import: vec![pb::OperatorSetIdProto { domain: String::new(), version: OPSET }],
        producer_name: "modelport".into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        doc_string: format!(
            "A linear model learned online by stochastic gradient descent ({} steps){}.",
            learner.steps(),
            if scaler.is_some() { ", with its input standardisation" } else { "" }
        ),
        graph: Some(pb::GraphProto {
            name: spec.name.clone(),
            node: graph.nodes,
            initializer: graph.initializers,
            input: vec![value_info(&spec.input, FLOAT, &[batch(), Dim::Fixed(features)])],
            output: declared,
            ..pb::GraphProto::default()
        }),
        metadata_props: metadata,
        ..pb::ModelProto::default()
    };
    Ok(model.encode_to_vec())
}

const FLOAT: i32 = pb::tensor_proto::DataType::Float as i32;
const INT64: i32 = pb::tensor_proto::DataType::Int64 as i32;

/// Nodes and initializers in the order they are added; node names follow their outputs.
#[derive(Default)]
struct Graph {
    nodes: Vec<pb::NodeProto>,
    initializers: Vec<pb::TensorProto>,
}

impl Graph {
    fn node<const N: usize>(&mut self, op: &str, inputs: [&str; N], output: &str, attribute: Vec<pb::AttributeProto>) {
        self.nodes.push(pb::NodeProto {
            name: output.to_owned(),
            op_type: op.to_owned(),
            input: inputs.iter().map(|&i| i.to_owned()).collect(),
            output: vec![output.to_owned()],
            attribute,
            ..pb::NodeProto::default()
        });
    }

    fn initializer(&mut self, tensor: pb::TensorProto) {
        self.initializers.push(tensor);
    }
}

fn floats(name: &str, dims: &[usize], values: impl IntoIterator<Item = f64>) -> pb::TensorProto {
    pb::TensorProto {
        name: name.to_owned(),
        dims: dims.iter().map(|&d| d as i64).collect(),
        data_type: FLOAT,
        float_data: values.into_iter().map(|v| v as f32).collect(),
        ..pb::TensorProto::default()
    }
}

fn int(name: &str, value: i64) -> pb::AttributeProto {
    pb::AttributeProto {
        name: name.to_owned(),
        r#type: pb::attribute_proto::AttributeType::Int as i32,
        i: value,
        ..pb::AttributeProto::default()
    }
}

enum Dim {
    /// The batch axis, named `N`.
    Batch,
    Fixed(usize),
}

fn value_info(name: &str, elem_type: i32, dims: &[Dim]) -> pb::ValueInfoProto {
    use pb::tensor_shape_proto::{Dimension, dimension::Value};
    let dim = dims
        .iter()
        .map(|d| Dimension {
            value: Some(match d {
                Dim::Batch => Value::DimParam("N".into()),
                Dim::Fixed(n) => Value::DimValue(*n as i64),
            }),
            ..Dimension::default()
        })
        .collect();
    let tensor = pb::type_proto::Tensor { elem_type, shape: Some(pb::TensorShapeProto { dim }) };
    pb::ValueInfoProto {
        name: name.to_owned(),
        r#type: Some(pb::TypeProto {
            value: Some(pb::type_proto::Value::TensorType(tensor)),
            ..pb::TypeProto::default()
        }),
        ..pb::ValueInfoProto::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sgd::{Schedule, Settings};

    fn learner(loss: Loss) -> Sgd {
        Sgd::new(2, Settings { loss, schedule: Schedule::Constant { rate: 0.1 }, l2: 0.0 })
    }

    #[test]
    fn class_labels_must_match_the_loss() {
        let spec = ExportSpec::new("m", vec!["a".into(), "b".into()]);
        let err = to_onnx(&learner(Loss::Softmax { classes: 3 }), None, &spec).unwrap_err();
        assert_eq!(err, ExportError::ClassCount { expected: 3, got: 2 });
        assert!(to_onnx(&learner(Loss::Logistic), None, &spec).is_ok());
        let err = to_onnx(&learner(Loss::Squared), None, &spec).unwrap_err();
        assert_eq!(err, ExportError::ClassCount { expected: 0, got: 2 });
    }

    #[test]
    fn the_scaler_must_fit_the_features() {
        let mut scaler = Standardizer::default();
        scaler.learn_one(&[1.0, 2.0, 3.0]);
        let err = to_onnx(&learner(Loss::Squared), Some(&scaler), &ExportSpec::new("m", vec![])).unwrap_err();
        assert_eq!(err, ExportError::ScalerWidth { expected: 2, got: 3 });
    }

    #[test]
    fn the_graph_declares_the_roles_outputs() {
        let bytes = to_onnx(&learner(Loss::Softmax { classes: 3 }), None, &ExportSpec::new("m", vec![])).unwrap();
        let model = pb::ModelProto::decode(bytes.as_slice()).unwrap();
        let graph = model.graph.unwrap();
        let names: Vec<&str> = graph.output.iter().map(|o| o.name.as_str()).collect();
        let roles = output_roles(Loss::Softmax { classes: 3 });
        assert_eq!(names, [roles.label.as_deref().unwrap(), roles.probabilities.as_deref().unwrap()]);
        assert_eq!(graph.input[0].name, "input");
    }
}
