//! A card for a model that came without one (a file dropped into the page): the form
//! follows the signature, and the output roles follow the output types.

use super::*;
use crate::inspection::Inspection;
use crate::signature::{Dim, TensorSpec};

#[derive(Debug, Error, PartialEq)]
pub enum GenerateError {
    #[error("its inputs and outputs are not all tensors: {0}")]
    NoSignature(String),
    #[error("input `{0}` has no fixed number of columns, so no form can be made for it")]
    UnsizedInput(TensorSpec),
    #[error("input `{0}` takes a picture; a form takes either one picture or tabular inputs, not both")]
    PictureAmongOthers(TensorSpec),
    #[error("no output reads as a label, class scores or a value")]
    NoReadableOutput,
}

impl ModelCard {
    /// The card of `file_name`, from what inspecting it found.
    pub fn generate(file_name: &str, inspection: &Inspection) -> Result<Self, GenerateError> {
        let signature = inspection
            .signature
            .as_ref()
            .ok_or_else(|| GenerateError::NoSignature(inspection.problem.clone().unwrap_or_default()))?;
        let pictures: Vec<Picture> = signature.inputs.iter().filter_map(Picture::detect).collect();
        let (features, layout) = match &pictures[..] {
            [] => (signature.inputs.iter().map(columns).collect::<Result<Vec<_>, _>>()?.concat(), None),
            [picture] if signature.inputs.len() == 1 => (vec![], Some(Layout::Picture(picture.clone()))),
            [picture, ..] => {
                let spec = signature.input(&picture.input).cloned().unwrap_or_else(|| signature.inputs[0].clone());
                return Err(GenerateError::PictureAmongOthers(spec));
            }
        };
        let (task, outputs, classes) = output_roles(&signature.outputs).ok_or(GenerateError::NoReadableOutput)?;
        let example = features
            .iter()
            .map(|f| match f.kind {
                FeatureKind::Number => FeatureValue::Number(0.0),
                FeatureKind::Text => FeatureValue::Text(String::new()),
            })
            .collect();
        let producer = if inspection.producer.is_empty() { "an unknown tool" } else { &inspection.producer };
        Ok(Self {
            name: file_name.to_owned(),
            version: String::new(),
            title: file_name.to_owned(),
            description: format!("A model file from this device, written by {producer}."),
            predicts: String::new(),
            task,
            algorithm: producer.to_owned(),
            pipeline: vec![],
            features,
            target: Target { name: "prediction".into(), classes, unit: None, training: None },
            outputs,
            layout,
            example,
            metrics: BTreeMap::new(),
            training: Training::default(),
            model: ModelFile {
                file: file_name.to_owned(),
                sha256: inspection.sha256.clone(),
                bytes: inspection.size,
                opset: inspection.opsets.iter().map(|o| (o.domain.clone(), o.version)).collect(),
                producer: inspection.producer.clone(),
            },
            libraries: BTreeMap::new(),
        })
    }
}

/// One feature per column of a `[N, k]` (or `[k]`) input; `input[i]` names the columns
/// of a wide one.
fn columns(spec: &TensorSpec) -> Result<Vec<Feature>, GenerateError> {
    let width = match &spec.shape[..] {
        [Dim::Symbolic(_)] => 1,
        [Dim::Fixed(n)] | [_, Dim::Fixed(n)] => *n,
        _ => return Err(GenerateError::UnsizedInput(spec.clone())),
    };
    let kind = match spec.element_type {
        ElementType::String => FeatureKind::Text,
        _ => FeatureKind::Number,
    };
    Ok((0..width)
        .map(|index| Feature {
            name: if width == 1 { spec.name.clone() } else { format!("{}[{index}]", spec.name) },
            input: spec.name.clone(),
            index,
            unit: None,
            description: None,
            kind,
            categories: None,
            training: None,
        })
        .collect())
}

/// Which outputs carry a label, class scores or a value, the way skl2onnx names them:
/// a classifier gives a label (text or integer) and a float `[N, classes]` tensor; a
/// regressor one float column.
fn output_roles(outputs: &[TensorSpec]) -> Option<(Task, OutputRoles, Option<Vec<String>>)> {
    let is_float = |s: &&TensorSpec| matches!(s.element_type, ElementType::Float32 | ElementType::Float64);
    let one_column = |s: &&TensorSpec| matches!(&s.shape[..], [_] | [_, Dim::Fixed(1)]);
    let label = outputs.iter().find(|s| !is_float(s) && s.element_type != ElementType::Bool && one_column(s));
    let scores = outputs.iter().filter(is_float).find(|s| s.shape.len() == 2 && !one_column(s));
    let value = outputs.iter().filter(is_float).find(one_column);
    let name = |s: &TensorSpec| s.name.clone();
    match (label, scores, value) {
        (None, None, Some(value)) => {
            Some((Task::Regression, OutputRoles { value: Some(name(value)), ..OutputRoles::default() }, None))
        }
        (None, None, None) => None,
        (label, scores, _) => {
            let roles = OutputRoles { label: label.map(name), probabilities: scores.map(name), value: None };
            Some((Task::Classification, roles, scores.and_then(|s| s.labels.clone())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, element_type: ElementType, shape: &[Option<usize>]) -> TensorSpec {
        let shape = shape.iter().map(|d| d.map_or(Dim::Symbolic("N".into()), Dim::Fixed)).collect();
        TensorSpec { name: name.into(), element_type, shape, labels: None }
    }

    fn inspection(inputs: Vec<TensorSpec>, outputs: Vec<TensorSpec>) -> Inspection {
        Inspection {
            size: 10,
            sha256: "ab".into(),
            producer: "skl2onnx 1.20".into(),
            ir_version: 8,
            opsets: vec![],
            signature: Some(Signature { inputs, outputs }),
            operators: vec![],
            parameters: 0,
            unsupported: vec![],
            problem: None,
        }
    }

    #[test]
    fn a_classifier_with_numeric_and_text_columns() {
        let mut probabilities = spec("output_probability", ElementType::Float32, &[None, Some(2)]);
        probabilities.labels = Some(vec!["no".into(), "yes".into()]);
        let card = ModelCard::generate(
            "m.onnx",
            &inspection(
                vec![
                    spec("numeric", ElementType::Float32, &[None, Some(2)]),
                    spec("sex", ElementType::String, &[None, Some(1)]),
                ],
                vec![spec("output_label", ElementType::String, &[None]), probabilities],
            ),
        )
        .unwrap();
        let names: Vec<_> = card.features.iter().map(|f| (f.name.as_str(), f.kind)).collect();
        assert_eq!(
            names,
            [("numeric[0]", FeatureKind::Number), ("numeric[1]", FeatureKind::Number), ("sex", FeatureKind::Text)]
        );
        assert_eq!(card.task, Task::Classification);
        assert_eq!(card.outputs.label.as_deref(), Some("output_label"));
        assert_eq!(card.outputs.probabilities.as_deref(), Some("output_probability"));
        assert_eq!(card.classes(), ["no", "yes"]);
        assert_eq!(card.example, [0.0.into(), 0.0.into(), FeatureValue::Text(String::new())]);
    }

    #[test]
    fn the_generated_form_fills_text_inputs() {
        let card = ModelCard::generate(
            "m.onnx",
            &inspection(
                vec![
                    spec("x", ElementType::Float32, &[None, Some(1)]),
                    spec("s", ElementType::String, &[None, Some(1)]),
                ],
                vec![spec("variable", ElementType::Float32, &[None, Some(1)])],
            ),
        )
        .unwrap();
        assert_eq!(card.task, Task::Regression);
        let signature = inspection(card_inputs(&card), vec![]).signature.unwrap();
        let rows = [vec![FeatureValue::Text(" 2.5".into()), FeatureValue::Text("female".into())]];
        let tensors = card.assemble(&signature, &rows).unwrap();
        assert_eq!(tensors["x"].data, Values::Float32(vec![2.5]));
        assert_eq!(tensors["s"], TensorData::new(vec![1, 1], Values::String(vec!["female".into()])));
        let bad = [vec![FeatureValue::Text("two".into()), FeatureValue::Text("f".into())]];
        let err = card.assemble(&signature, &bad).unwrap_err();
        assert_eq!(err, CardError::NotANumber { row: 0, feature: "x".into(), text: "two".into() });
    }

    fn card_inputs(card: &ModelCard) -> Vec<TensorSpec> {
        card.features
            .iter()
            .map(|f| {
                let t = if f.kind == FeatureKind::Text { ElementType::String } else { ElementType::Float32 };
                spec(&f.input, t, &[None, Some(1)])
            })
            .collect()
    }

    #[test]
    fn a_picture_model_gets_a_picture_layout() {
        let card = ModelCard::generate(
            "net.onnx",
            &inspection(
                vec![spec("image", ElementType::Float32, &[Some(1), Some(3), Some(32), Some(32)])],
                vec![spec("logits", ElementType::Float32, &[Some(1), Some(10)])],
            ),
        )
        .unwrap();
        assert!(matches!(card.layout, Some(Layout::Picture(Picture { channels: 3, width: 32, .. }))));
        assert!(card.features.is_empty());
        assert_eq!(card.outputs.probabilities.as_deref(), Some("logits"));
    }

    #[test]
    fn unsized_inputs_and_unreadable_outputs_are_named() {
        let unsized_input = spec("x", ElementType::Float32, &[None, None]);
        let out = spec("y", ElementType::Float32, &[None]);
        let err = ModelCard::generate("m", &inspection(vec![unsized_input], vec![out.clone()])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "input `x: float32[N, N]` has no fixed number of columns, so no form can be made for it"
        );
        let cube = spec("y", ElementType::Float32, &[None, Some(2), Some(2)]);
        let err =
            ModelCard::generate("m", &inspection(vec![spec("x", ElementType::Float32, &[None, Some(1)])], vec![cube]));
        assert_eq!(err.unwrap_err(), GenerateError::NoReadableOutput);
    }
}
