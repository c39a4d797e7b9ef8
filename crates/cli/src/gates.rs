//! Promotion gates: what a version must show before it moves to staging or
//! production. Every gate runs, so that a refusal reports everything that is wrong.

use modelport_core::registry::{GateResult, RegisteredModel, Version, higher_is_better, primary_metric};
use modelport_core::{Channel, Golden, Model, golden, sha256};

use crate::store::{Store, read_bytes, read_json};

/// How the metric gate compares: which held-out metric, and by how much the candidate
/// may be worse than the version it replaces.
pub struct MetricRule {
    pub metric: Option<String>,
    pub tolerance: f64,
}

pub fn check(
    store: &Store,
    model: &RegisteredModel,
    version: &Version,
    to: Channel,
    rule: &MetricRule,
) -> Vec<GateResult> {
    let folder = store.version_folder(version);
    let bytes = read_bytes(&folder.join("model.onnx"));
    let loaded = bytes.as_ref().map_err(Clone::clone).and_then(|b| Model::load(b).map_err(|e| e.to_string()));
    vec![
        gate(
            "integrity",
            match &bytes {
                Ok(b) if sha256(b) == version.sha256 => Ok("model.onnx matches the registry's sha256".into()),
                Ok(b) => Err(format!("model.onnx has sha256 {}, the registry says {}", sha256(b), version.sha256)),
                Err(e) => Err(e.clone()),
            },
        ),
        gate(
            "runs",
            match &loaded {
                Ok(model) => {
                    model.warm_up().map(|()| "tract loads it and runs a batch".into()).map_err(|e| e.to_string())
                }
                Err(e) => Err(e.clone()),
            },
        ),
        gate("golden", golden_rows(&folder.join("golden.json"), loaded.as_ref().ok())),
        gate("metric", metric(model, version, to, rule)),
    ]
}

fn gate(name: &str, outcome: Result<String, String>) -> GateResult {
    let passed = outcome.is_ok();
    GateResult { gate: name.into(), passed, detail: outcome.unwrap_or_else(|e| e) }
}

/// Reproduces the held-out rows onnxruntime scored when the version was made.
pub fn golden_rows(path: &std::path::Path, model: Option<&Model>) -> Result<String, String> {
    let golden: Golden = read_json(path)?;
    let model = model.ok_or("the model does not load")?;
    let outputs = model.run(&golden.inputs).map_err(|e| e.to_string())?;
    let rows = golden.inputs.values().next().map_or(0, |t| t.rows());
    match golden.check(&outputs, golden::TOLERANCE) {
        Ok(()) => Ok(format!("reproduces {}'s outputs on {rows} held-out rows", golden.reference)),
        Err(mismatches) => Err(mismatches.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")),
    }
}

fn metric(model: &RegisteredModel, version: &Version, to: Channel, rule: &MetricRule) -> Result<String, String> {
    let name = rule.metric.as_deref().unwrap_or(primary_metric(model.task));
    let higher = higher_is_better(name).ok_or_else(|| format!("“{name}” is not a metric Modelport knows"))?;
    let candidate = *version.metrics.get(name).ok_or_else(|| format!("{} has no {name} metric", version.version))?;
    let Some(current) = model.on_channel(to) else {
        return Ok(format!("{name} {candidate:.4}; nothing on {to} yet to compare with"));
    };
    let incumbent = *current.metrics.get(name).ok_or_else(|| format!("{} has no {name} metric", current.version))?;
    // How much worse the candidate is, whichever way the metric points.
    let worse_by = if higher { incumbent - candidate } else { candidate - incumbent };
    let comparison = format!(
        "{name} {candidate:.4} against {incumbent:.4} for {} on {to} (tolerance {})",
        current.version, rule.tolerance
    );
    if worse_by > rule.tolerance { Err(format!("worse: {comparison}")) } else { Ok(comparison) }
}
