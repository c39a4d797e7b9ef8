//! The inference engine: ONNX bytes in, a compiled tract plan out, batches of rows run
//! through it.
//!
//! This is the only module that calls tract. tract documents `tract-onnx` as internal
//! rather than stable API, so keeping every call here means a tract upgrade touches one
//! file.

use std::collections::HashMap;
use std::sync::Arc;

use thiserror::Error;
use tract_onnx::pb;
use tract_onnx::prelude::*;

use crate::inspection::{Inspection, NodeRef, OperatorCount, Opset};
use crate::signature::{Dim, Signature, TensorSpec};
use crate::tensor::{ElementType, TensorData, Tensors, Values};

/// Why a model could not be loaded.
#[derive(Debug, Error)]
pub enum LoadError {
    #[error("not an ONNX model: the file could not be decoded ({reason})")]
    Decode { reason: String },
    #[error("the ONNX file has no graph")]
    NoGraph,
    #[error("the ONNX file has no inputs")]
    NoInputs,
    #[error("graph output `{name}` is not produced by any node, input or initializer")]
    DanglingOutput { name: String },
    #[error("{role} `{name}` is not a tensor")]
    NotATensor { role: &'static str, name: String },
    #[error("{role} `{name}` has element type {code}, which Modelport does not support")]
    UnsupportedType { role: &'static str, name: String, code: i32 },
    #[error("the model uses operators Modelport cannot run: {}", list(nodes))]
    Unsupported { nodes: Vec<NodeRef> },
    /// tract refused the graph; `reason` carries tract's chain of context, which names
    /// the node that failed.
    #[error("the model could not be compiled: {reason}")]
    Compile { reason: String },
}

fn list(nodes: &[NodeRef]) -> String {
    nodes.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// Why a batch could not be run.
#[derive(Debug, Error)]
pub enum RunError {
    #[error("input `{name}` is missing")]
    MissingInput { name: String },
    #[error("input `{name}` is not an input of this model (it takes {expected})")]
    UnknownInput { name: String, expected: String },
    #[error("input `{name}` has rank {got}, the model expects {expected}")]
    Rank { name: String, expected: String, got: usize },
    #[error("input `{name}` has size {got} on axis {axis}, the model expects {expected}")]
    Dimension { name: String, axis: usize, expected: usize, got: usize },
    #[error("input `{name}` has shape {shape:?}, which needs {expected} values, but has {got}")]
    ValueCount { name: String, shape: Vec<usize>, expected: usize, got: usize },
    #[error("input `{name}` holds {got} values, the model expects {expected}")]
    Type { name: String, expected: ElementType, got: ElementType },
    #[error("inference failed: {reason}")]
    Inference { reason: String },
    #[error("output `{name}` could not be converted to its declared type {expected}: {reason}")]
    Output { name: String, expected: ElementType, reason: String },
}

/// A compiled model, ready to run any number of batches.
#[derive(Debug)]
pub struct Model {
    plan: Arc<TypedSimplePlan>,
    signature: Signature,
}

impl Model {
    /// Decodes, checks and compiles an ONNX model. Slow (milliseconds to tens of
    /// milliseconds): do it once per model version, see [`ModelCache`].
    pub fn load(bytes: &[u8]) -> Result<Self, LoadError> {
        let onnx = onnx();
        let proto = decode(&onnx, bytes)?;
        let graph = proto.graph.as_ref().ok_or(LoadError::NoGraph)?;
        // tract assumes this holds (and panics where it does not): check it first.
        if let Some(name) = dangling_output(graph) {
            return Err(LoadError::DanglingOutput { name });
        }
        let unsupported = unsupported(&onnx, graph);
        if !unsupported.is_empty() {
            return Err(LoadError::Unsupported { nodes: unsupported });
        }
        let signature = read_signature(graph)?;
        if signature.inputs.is_empty() {
            return Err(LoadError::NoInputs);
        }
        let plan = compile(&onnx, &proto, &signature).map_err(|e| LoadError::Compile { reason: format!("{e:#}") })?;
        Ok(Self { plan, signature })
    }

    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// Runs one row of zeros (empty strings for string inputs) through the model. The
    /// first run pays for one-time work (in a browser, compiling the wasm functions it
    /// touches), so a caller that shows latencies warms the model up once after loading.
    pub fn warm_up(&self) -> Result<(), RunError> {
        let inputs = self
            .signature
            .inputs
            .iter()
            .map(|spec| {
                let shape: Vec<usize> = spec.shape.iter().map(|d| if let Dim::Fixed(n) = d { *n } else { 1 }).collect();
                let len = shape.iter().product();
                let data = match spec.element_type {
                    ElementType::Float32 => Values::Float32(vec![0.0; len]),
                    ElementType::Float64 => Values::Float64(vec![0.0; len]),
                    ElementType::Int32 => Values::Int32(vec![0; len]),
                    ElementType::Int64 => Values::Int64(vec![0; len]),
                    ElementType::Bool => Values::Bool(vec![false; len]),
                    ElementType::String => Values::String(vec![String::new(); len]),
                };
                (spec.name.clone(), TensorData::new(shape, data))
            })
            .collect();
        self.run(&inputs).map(drop)
    }

    /// Runs one batch. Inputs are matched to the model's by name, checked against the
    /// declared shapes, and cast to the declared element types; outputs come back with
    /// their declared ONNX element types (tract may compute a label as a symbolic
    /// dimension, for instance, where the file declares int64).
    pub fn run(&self, inputs: &Tensors) -> Result<Tensors, RunError> {
        if let Some(name) = inputs.keys().find(|n| self.signature.input(n).is_none()) {
            let expected = self.signature.inputs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
            return Err(RunError::UnknownInput { name: name.clone(), expected: expected.join(", ") });
        }
        let values = self
            .signature
            .inputs
            .iter()
            .map(|spec| {
                let data = inputs.get(&spec.name).ok_or_else(|| RunError::MissingInput { name: spec.name.clone() })?;
                Ok(to_tract(spec, data)?.into_tvalue())
            })
            .collect::<Result<TVec<_>, RunError>>()?;
        let outputs = self.plan.run(values);
        crate::ml::clear_upper_vector_state();
        let outputs = outputs.map_err(|e| RunError::Inference { reason: format!("{e:#}") })?;
        self.signature
            .outputs
            .iter()
            .zip(outputs)
            .map(|(spec, value)| Ok((spec.name.clone(), from_tract(spec, &value)?)))
            .collect()
    }
}

/// Compiled models by key (a model version's hash, say): each is compiled once and then
/// shared.
#[derive(Debug, Default)]
pub struct ModelCache {
    models: HashMap<String, Arc<Model>>,
}

impl ModelCache {
    pub fn get(&self, key: &str) -> Option<Arc<Model>> {
        self.models.get(key).cloned()
    }

    /// The model under `key`, compiled from `bytes` only if it is not there yet.
    pub fn get_or_load(&mut self, key: &str, bytes: &[u8]) -> Result<Arc<Model>, LoadError> {
        if let Some(model) = self.get(key) {
            return Ok(model);
        }
        let model = Arc::new(Model::load(bytes)?);
        self.models.insert(key.to_owned(), model.clone());
        Ok(model)
    }

    pub fn len(&self) -> usize {
        self.models.len()
    }

    pub fn is_empty(&self) -> bool {
        self.models.is_empty()
    }
}

/// tract's ONNX front end with Modelport's operators.
fn onnx() -> tract_onnx::Onnx {
    let mut onnx = tract_onnx::onnx();
    crate::ml::register(&mut onnx.op_register);
    onnx
}

fn decode(onnx: &tract_onnx::Onnx, bytes: &[u8]) -> Result<pb::ModelProto, LoadError> {
    onnx.proto_model_for_read(&mut &*bytes).map_err(|e| LoadError::Decode { reason: format!("{e:#}") })
}

/// The domains whose operators tract's register stands for: it keys operators by name
/// alone, so a node from any other domain would run the wrong operator.
const DOMAINS: &[&str] = &["", "ai.onnx", "ai.onnx.ml"];

fn domain_name(domain: &str) -> String {
    if domain.is_empty() { "ai.onnx".into() } else { domain.into() }
}

/// A graph output that nothing in its graph defines, if any, in the graph or in any
/// subgraph (a Scan's or an If's body).
fn dangling_output(graph: &pb::GraphProto) -> Option<String> {
    let defined = |name: &str| {
        graph.input.iter().any(|i| i.name == name)
            || graph.initializer.iter().any(|t| t.name == name)
            || graph.node.iter().any(|n| n.output.iter().any(|o| o == name))
    };
    let subgraphs = graph.node.iter().flat_map(|n| &n.attribute).flat_map(|a| a.g.iter().chain(&a.graphs));
    graph
        .output
        .iter()
        .find(|o| !defined(&o.name))
        .map(|o| o.name.clone())
        .or_else(|| subgraphs.into_iter().find_map(dangling_output))
}

/// Every node of `graph` whose operator has no implementation, in graph order.
fn unsupported(onnx: &tract_onnx::Onnx, graph: &pb::GraphProto) -> Vec<NodeRef> {
    graph
        .node
        .iter()
        .filter(|n| !DOMAINS.contains(&n.domain.as_str()) || !onnx.op_register.0.contains_key(&n.op_type))
        .map(|n| NodeRef { name: n.name.clone(), op_type: n.op_type.clone(), domain: domain_name(&n.domain) })
        .collect()
}

/// The hex sha256 of a file: what the registry and model cards identify it by.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Describes an ONNX file without compiling it: fails only when the bytes are not an
/// ONNX model at all.
pub fn inspect(bytes: &[u8]) -> Result<Inspection, LoadError> {
    let onnx = onnx();
    let proto = decode(&onnx, bytes)?;
    let graph = proto.graph.as_ref().ok_or(LoadError::NoGraph)?;
    let mut operators: Vec<OperatorCount> = vec![];
    for node in &graph.node {
        let domain = domain_name(&node.domain);
        match operators.iter_mut().find(|o| o.op_type == node.op_type && o.domain == domain) {
            Some(o) => o.count += 1,
            None => operators.push(OperatorCount { domain, op_type: node.op_type.clone(), count: 1 }),
        }
    }
    operators.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.op_type.cmp(&b.op_type)));
    let elements = |t: &pb::TensorProto| t.dims.iter().map(|&d| d.max(0) as u64).product::<u64>();
    let weights: u64 = graph.initializer.iter().map(elements).sum::<u64>()
        + graph
            .node
            .iter()
            .flat_map(|n| &n.attribute)
            .map(|a| a.floats.len() as u64 + a.t.as_ref().map_or(0, elements))
            .sum::<u64>();
    let (signature, problem) = match read_signature(graph) {
        Ok(s) => (Some(s), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let producer = format!("{} {}", proto.producer_name, proto.producer_version).trim().to_owned();
    Ok(Inspection {
        size: bytes.len() as u64,
        sha256: sha256(bytes),
        producer,
        ir_version: proto.ir_version,
        opsets: proto
            .opset_import
            .iter()
            .map(|o| Opset { domain: domain_name(&o.domain), version: o.version })
            .collect(),
        signature,
        operators,
        parameters: weights,
        unsupported: unsupported(&onnx, graph),
        problem,
    })
}

fn read_signature(graph: &pb::GraphProto) -> Result<Signature, LoadError> {
    // ONNX lists initializers among the graph inputs in older files: those are weights.
    let initializers: Vec<&str> = graph.initializer.iter().map(|t| t.name.as_str()).collect();
    let inputs = graph
        .input
        .iter()
        .filter(|i| !initializers.contains(&i.name.as_str()))
        .map(|i| tensor_spec("input", i))
        .collect::<Result<_, _>>()?;
    let outputs = graph
        .output
        .iter()
        .map(|o| zip_map_spec(graph, &o.name).map_or_else(|| tensor_spec("output", o), Ok))
        .collect::<Result<_, _>>()?;
    Ok(Signature { inputs, outputs })
}

/// A ZipMap's output is declared as a sequence of maps; Modelport runs it as the
/// `[N, classes]` probability tensor, its columns labelled by the classes.
fn zip_map_spec(graph: &pb::GraphProto, output: &str) -> Option<TensorSpec> {
    let node = graph.node.iter().find(|n| n.op_type == "ZipMap" && n.output.iter().any(|o| o == output))?;
    let labels = crate::ml::zip_map_labels(node)?;
    Some(TensorSpec {
        name: output.to_owned(),
        element_type: ElementType::Float32,
        shape: vec![Dim::Symbolic(String::new()), Dim::Fixed(labels.len())],
        labels: Some(labels),
    })
}

fn tensor_spec(role: &'static str, info: &pb::ValueInfoProto) -> Result<TensorSpec, LoadError> {
    let name = info.name.clone();
    let Some(pb::type_proto::Value::TensorType(tensor)) = info.r#type.as_ref().and_then(|t| t.value.as_ref()) else {
        return Err(LoadError::NotATensor { role, name });
    };
    let element_type = ElementType::from_onnx(tensor.elem_type).ok_or(LoadError::UnsupportedType {
        role,
        name: name.clone(),
        code: tensor.elem_type,
    })?;
    let shape = tensor
        .shape
        .iter()
        .flat_map(|s| &s.dim)
        .map(|d| {
            use pb::tensor_shape_proto::dimension::Value;
            match &d.value {
                Some(Value::DimValue(n)) if *n >= 0 => Dim::Fixed(*n as usize),
                Some(Value::DimParam(p)) => Dim::Symbolic(p.clone()),
                _ => Dim::Symbolic(String::new()),
            }
        })
        .collect();
    Ok(TensorSpec { name, element_type, shape, labels: None })
}

fn compile(
    onnx: &tract_onnx::Onnx,
    proto: &pb::ModelProto,
    signature: &Signature,
) -> TractResult<Arc<TypedSimplePlan>> {
    let mut model = onnx.model_for_proto_model(proto)?;
    // Exporters often leave the batch axis blank; tract can only optimise a graph whose
    // input shapes are known, so blank and named axes become tract symbols.
    for (ix, spec) in signature.inputs.iter().enumerate() {
        let shape: TVec<TDim> = spec
            .shape
            .iter()
            .enumerate()
            .map(|(axis, d)| match d {
                Dim::Fixed(n) => n.to_dim(),
                // A blank first axis is the batch, shared by every input (a
                // ColumnTransformer's columns arrive as separate inputs of one batch).
                Dim::Symbolic(s) if s.is_empty() && axis == 0 => model.sym("batch").to_dim(),
                Dim::Symbolic(s) if s.is_empty() => model.sym(&format!("{}_{axis}", spec.name)).to_dim(),
                Dim::Symbolic(s) => model.sym(s).to_dim(),
            })
            .collect();
        model.set_input_fact(ix, InferenceFact::dt_shape(datum_type(spec.element_type), shape))?;
    }
    model.into_optimized()?.into_runnable()
}

fn datum_type(t: ElementType) -> DatumType {
    match t {
        ElementType::Float32 => DatumType::F32,
        ElementType::Float64 => DatumType::F64,
        ElementType::Int32 => DatumType::I32,
        ElementType::Int64 => DatumType::I64,
        ElementType::Bool => DatumType::Bool,
        ElementType::String => DatumType::String,
    }
}

fn to_tract(spec: &TensorSpec, data: &TensorData) -> Result<Tensor, RunError> {
    let name = || spec.name.clone();
    if data.shape.len() != spec.shape.len() {
        let expected = format!("{} ({spec})", spec.shape.len());
        return Err(RunError::Rank { name: name(), expected, got: data.shape.len() });
    }
    for (axis, (declared, &got)) in spec.shape.iter().zip(&data.shape).enumerate() {
        if let Dim::Fixed(expected) = *declared
            && expected != got
        {
            return Err(RunError::Dimension { name: name(), axis, expected, got });
        }
    }
    let expected = data.shape.iter().product();
    if data.data.len() != expected {
        return Err(RunError::ValueCount { name: name(), shape: data.shape.clone(), expected, got: data.data.len() });
    }
    // Numbers are cast to the declared type (a float64 row for a float32 model is fine);
    // strings and numbers do not mix.
    let numeric = |t: ElementType| t != ElementType::String;
    if numeric(spec.element_type) != numeric(data.element_type()) {
        return Err(RunError::Type { name: name(), expected: spec.element_type, got: data.element_type() });
    }
    let shape = &data.shape;
    let tensor = match &data.data {
        Values::Float32(v) => Tensor::from_shape(shape, v),
        Values::Float64(v) => Tensor::from_shape(shape, v),
        Values::Int32(v) => Tensor::from_shape(shape, v),
        Values::Int64(v) => Tensor::from_shape(shape, v),
        Values::Bool(v) => Tensor::from_shape(shape, v),
        Values::String(v) => tract_ndarray::ArrayD::from_shape_vec(shape.as_slice(), v.clone())
            .map(IntoTensor::into_tensor)
            .map_err(TractError::from),
    }
    .map_err(|e| RunError::Inference { reason: format!("{e:#}") })?;
    let declared = datum_type(spec.element_type);
    // The usual case needs no cast, and no second copy of the batch.
    if tensor.datum_type() == declared {
        return Ok(tensor);
    }
    tensor
        .cast_to_dt(declared)
        .map(std::borrow::Cow::into_owned)
        .map_err(|e| RunError::Inference { reason: format!("input `{}`: {e:#}", spec.name) })
}

fn from_tract(spec: &TensorSpec, value: &Tensor) -> Result<TensorData, RunError> {
    let fail = |e: TractError| RunError::Output {
        name: spec.name.clone(),
        expected: spec.element_type,
        reason: format!("{e:#}"),
    };
    let cast = value.cast_to_dt(datum_type(spec.element_type)).map_err(fail)?;
    let data = match spec.element_type {
        ElementType::Float32 => Values::Float32(elements(&cast).map_err(fail)?),
        ElementType::Float64 => Values::Float64(elements(&cast).map_err(fail)?),
        ElementType::Int32 => Values::Int32(elements(&cast).map_err(fail)?),
        ElementType::Int64 => Values::Int64(elements(&cast).map_err(fail)?),
        ElementType::Bool => Values::Bool(elements(&cast).map_err(fail)?),
        ElementType::String => Values::String(elements(&cast).map_err(fail)?),
    };
    Ok(TensorData::new(value.shape().to_vec(), data))
}

/// A tensor's elements in row-major order. tract's tensors are always contiguous, so
/// this is one copy of a slice rather than a walk through an n-dimensional view, which
/// cost more than a linear model's whole computation at 1000 rows.
fn elements<D: Datum + Clone>(tensor: &Tensor) -> TractResult<Vec<D>> {
    Ok(tensor.try_as_plain_ram()?.as_slice::<D>()?.to_vec())
}
