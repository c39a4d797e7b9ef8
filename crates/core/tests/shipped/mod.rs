//! The shipped model versions, embedded in the test binary so that the same checks run
//! natively and compiled to wasm in a browser (which has no file system). The native
//! test `shipped_list_matches_the_registry` keeps this list honest.

use modelport_core::{Golden, Model, ModelCard, golden};

pub struct Shipped {
    pub name: &'static str,
    pub version: &'static str,
    pub onnx: &'static [u8],
    pub card: &'static str,
    pub golden: &'static str,
}

macro_rules! shipped {
    ($($name:literal @ $version:literal),* $(,)?) => {
        &[$(Shipped {
            name: $name,
            version: $version,
            onnx: include_bytes!(concat!("../../../../models/", $name, "/", $version, "/model.onnx")),
            card: include_str!(concat!("../../../../models/", $name, "/", $version, "/card.json")),
            golden: include_str!(concat!("../../../../models/", $name, "/", $version, "/golden.json")),
        }),*]
    };
}

pub const SHIPPED: &[Shipped] = shipped![
    "iris-logreg" @ "1.0.0",
    "iris-forest" @ "1.0.0",
    "iris-forest" @ "1.1.0",
    "iris-logreg" @ "1.1.0",
    "wine-boosting" @ "1.0.0",
    "breast-cancer" @ "1.0.0",
    "diabetes-linear" @ "1.0.0",
    "digits-mlp" @ "1.0.0",
];

impl Shipped {
    pub fn label(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }

    pub fn card(&self) -> ModelCard {
        serde_json::from_str(self.card).unwrap_or_else(|e| panic!("{}: card.json: {e}", self.label()))
    }

    pub fn golden(&self) -> Golden {
        serde_json::from_str(self.golden).unwrap_or_else(|e| panic!("{}: golden.json: {e}", self.label()))
    }

    /// Runs the golden inputs through tract and compares with onnxruntime's outputs.
    pub fn check_golden(&self) -> Result<(), String> {
        let model = Model::load(self.onnx).map_err(|e| format!("{}: {e}", self.label()))?;
        let golden = self.golden();
        let outputs = model.run(&golden.inputs).map_err(|e| format!("{}: {e}", self.label()))?;
        golden.check(&outputs, golden::TOLERANCE).map_err(|mismatches| {
            let lines: Vec<String> = mismatches.iter().map(ToString::to_string).collect();
            format!("{} differs from {}: {}", self.label(), golden.reference, lines.join("; "))
        })
    }
}
