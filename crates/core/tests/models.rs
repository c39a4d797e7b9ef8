//! Every shipped model, loaded and run natively, against onnxruntime's golden outputs;
//! and what happens when a model file or an input is wrong.

mod shipped;

use std::path::Path;

use modelport_core::{Dim, ElementType, LoadError, Model, ModelCache, Registry, RunError, TensorData, Tensors, Values};
use shipped::SHIPPED;

fn registry() -> Registry {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/registry.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn shipped_list_matches_the_registry() {
    let mut in_registry: Vec<String> = registry()
        .models
        .iter()
        .flat_map(|m| m.versions.iter().map(move |v| format!("{}@{}", m.name, v.version)))
        .collect();
    let mut in_tests: Vec<String> = SHIPPED.iter().map(|s| s.label()).collect();
    in_registry.sort();
    in_tests.sort();
    assert_eq!(in_tests, in_registry, "tests/shipped/mod.rs must list every registered version");
}

#[test]
fn every_shipped_model_reproduces_its_golden_outputs() {
    let failures: Vec<String> = SHIPPED.iter().filter_map(|s| s.check_golden().err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn signatures_agree_with_cards_and_golden_files() {
    for shipped in SHIPPED {
        let model = Model::load(shipped.onnx).unwrap();
        let (card, golden) = (shipped.card(), shipped.golden());
        let signature = model.signature();
        let [input] = &signature.inputs[..] else { panic!("{}: one input expected", shipped.label()) };
        assert_eq!(input.element_type, ElementType::Float32, "{}", shipped.label());
        assert!(matches!(input.shape[0], Dim::Symbolic(_)), "{}: batch axis", shipped.label());
        assert_eq!(input.shape[1], Dim::Fixed(card.features.len()), "{}", shipped.label());
        let names: Vec<&String> = signature.outputs.iter().map(|o| &o.name).collect();
        assert_eq!(names, golden.outputs.keys().collect::<Vec<_>>(), "{}", shipped.label());
        for output in &signature.outputs {
            let expected = &golden.outputs[&output.name];
            assert_eq!(output.element_type, expected.element_type(), "{}: {}", shipped.label(), output.name);
            assert_eq!(output.shape.len(), expected.shape.len(), "{}: {}", shipped.label(), output.name);
        }
    }
}

#[test]
fn card_examples_predict_like_the_golden_first_row() {
    // The form starts from the card's example row (the first held-out row): assembling
    // it and interpreting the outputs must give onnxruntime's label for that row.
    for shipped in SHIPPED {
        let (card, golden) = (shipped.card(), shipped.golden());
        let model = Model::load(shipped.onnx).unwrap();
        let inputs = card.assemble(model.signature(), std::slice::from_ref(&card.example)).unwrap();
        let predictions = card.interpret(&model.run(&inputs).unwrap()).unwrap();
        match (&predictions[..], card.outputs.label.as_ref()) {
            ([modelport_core::Prediction::Class { label, .. }], Some(name)) => {
                let Values::Int64(labels) = &golden.outputs[name].data else { panic!("int64 labels") };
                assert_eq!(label, &card.classes()[labels[0] as usize], "{}", shipped.label());
            }
            ([modelport_core::Prediction::Value { value, .. }], None) => {
                let name = card.outputs.value.as_ref().unwrap();
                let expected = golden.outputs[name].data.number(0).unwrap();
                assert!((value - expected).abs() <= 1e-5 * expected.abs().max(1.0), "{}", shipped.label());
            }
            (other, _) => panic!("{}: unexpected predictions {other:?}", shipped.label()),
        }
    }
}

#[test]
fn truncated_model_is_a_clear_error() {
    let bytes = SHIPPED.iter().find(|s| s.name == "iris-forest").unwrap().onnx;
    for cut in [0, 1, 7, 100, bytes.len() / 3, bytes.len() / 2, bytes.len() - 1] {
        let err = Model::load(&bytes[..cut]).expect_err("a truncated model must not load");
        assert!(!err.to_string().is_empty());
        if cut > 0 {
            assert!(matches!(err, LoadError::Decode { .. } | LoadError::NoGraph), "cut {cut}: {err}");
        }
    }
}

#[test]
fn random_bytes_are_a_clear_error() {
    // xorshift64: deterministic noise without a dependency.
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let noise: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let err = Model::load(&noise).expect_err("noise must not load");
    assert!(err.to_string().contains("ONNX"), "{err}");
}

fn iris() -> Model {
    Model::load(SHIPPED.iter().find(|s| s.name == "iris-logreg").unwrap().onnx).unwrap()
}

#[test]
fn a_missing_input_is_named() {
    let err = iris().run(&Tensors::new()).unwrap_err();
    assert!(matches!(&err, RunError::MissingInput { name } if name == "input"), "{err}");
}

#[test]
fn a_wrong_feature_count_names_the_axis() {
    let inputs = Tensors::from([("input".into(), TensorData::new(vec![1, 3], Values::Float32(vec![1.0; 3])))]);
    let err = iris().run(&inputs).unwrap_err();
    assert!(matches!(err, RunError::Dimension { axis: 1, expected: 4, got: 3, .. }), "{err}");
}

#[test]
fn float64_rows_are_cast_to_the_declared_float32() {
    let rows = vec![5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3];
    let f64_inputs = Tensors::from([("input".into(), TensorData::new(vec![2, 4], Values::Float64(rows.clone())))]);
    let f32_rows = rows.iter().map(|&v| v as f32).collect();
    let f32_inputs = Tensors::from([("input".into(), TensorData::new(vec![2, 4], Values::Float32(f32_rows)))]);
    let model = iris();
    assert_eq!(model.run(&f64_inputs).unwrap(), model.run(&f32_inputs).unwrap());
}

#[test]
fn every_shipped_model_warms_up() {
    for shipped in SHIPPED {
        Model::load(shipped.onnx).unwrap().warm_up().unwrap_or_else(|e| panic!("{}: {e}", shipped.label()));
    }
}

#[test]
fn the_cache_compiles_each_key_once() {
    let bytes = SHIPPED[0].onnx;
    let mut cache = ModelCache::default();
    let first = cache.get_or_load("a", bytes).unwrap();
    // Garbage under the same key is never compiled: the cached model is returned.
    let second = cache.get_or_load("a", b"not a model").unwrap();
    assert!(std::sync::Arc::ptr_eq(&first, &second));
    assert_eq!(cache.len(), 1);
    assert!(cache.get_or_load("b", b"not a model").is_err());
}

#[test]
fn an_unknown_operator_is_named_with_its_node() {
    let bytes = include_bytes!("fixtures/unknown_operator.onnx");
    let err = Model::load(bytes).expect_err("no runtime knows Frobnicate");
    let message = err.to_string();
    assert!(matches!(err, LoadError::Unsupported { .. }), "{message}");
    assert!(message.contains("Frobnicate") && message.contains("the_unknown_node"), "{message}");
    let inspection = modelport_core::inspect(bytes).expect("a well-formed file is inspected even if it cannot run");
    assert_eq!(inspection.unsupported.len(), 1);
    assert_eq!(inspection.unsupported[0].name, "the_unknown_node");
}

#[test]
fn inspection_agrees_with_the_card_written_by_the_exporter() {
    for shipped in SHIPPED {
        let card = shipped.card();
        let inspection = modelport_core::inspect(shipped.onnx).expect("a shipped model is inspected");
        // train.py hashes and measures the file with Python's hashlib, independently.
        assert_eq!(inspection.sha256, card.model.sha256, "{}", shipped.label());
        assert_eq!(inspection.size, card.model.bytes, "{}", shipped.label());
        assert!(inspection.producer.starts_with("skl2onnx"), "{}", inspection.producer);
        assert!(inspection.unsupported.is_empty(), "{}: {:?}", shipped.label(), inspection.unsupported);
        assert!(inspection.opsets.iter().any(|o| o.domain == "ai.onnx"), "{:?}", inspection.opsets);
        assert_eq!(inspection.signature.as_ref(), Some(Model::load(shipped.onnx).unwrap().signature()));
    }
}

#[test]
fn inspection_counts_operators_and_weights() {
    let linear = SHIPPED.iter().find(|s| s.name == "diabetes-linear").expect("the diabetes model ships");
    let inspection = modelport_core::inspect(linear.onnx).unwrap();
    // Ten features: ten coefficients and one intercept, in one LinearRegressor.
    assert_eq!(inspection.parameters, 11);
    let regressor = inspection.operators.iter().find(|o| o.op_type == "LinearRegressor").expect("its regressor");
    assert_eq!((regressor.domain.as_str(), regressor.count), ("ai.onnx.ml", 1));
}
