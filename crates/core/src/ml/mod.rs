//! Modelport's own `ai.onnx.ml` operators: the classic tabular models scikit-learn
//! exports through skl2onnx. tract-onnx implements only part of that domain, and its
//! tree ensembles cost hundreds of microseconds a row; these run every operator skl2onnx
//! emits for tensors, following the ONNX specification and matching onnxruntime's
//! outputs, and they are on the hot path, so each is written to be fast.
//!
//! [`register`] is the one entry point: it adds every operator to tract's ONNX front end,
//! replacing tract's own versions where both exist. Each operator lives in its own file
//! with its parser and its [`Kernel`]; [`MlOp`] adapts any kernel to tract's inference
//! and typed graphs. A kernel computes all of its outputs in one pass (scores,
//! post-transform, label lookup), so a tabular graph pays tract's per-node cost once per
//! operator rather than once per arithmetic step.

mod array_feature_extractor;
mod attributes;
mod binarizer;
mod feature_vectorizer;
mod imputer;
mod label_encoder;
mod labels;
mod linear_classifier;
mod linear_regressor;
mod normalizer;
mod one_hot_encoder;
mod post_transform;
mod reduce;
mod scaler;
mod svm;
mod svm_classifier;
mod svm_regressor;
mod top_k;
mod transpose;
mod tree;
mod tree_ensemble;
mod tree_ensemble_classifier;
mod tree_ensemble_regressor;
mod zip_map;

use std::fmt;
use std::sync::Arc;

use tract_onnx::model::OnnxOpRegister;
use tract_onnx::tract_hir::internal::*;

pub use zip_map::zip_map_labels;

/// The `ai.onnx.ml` operators Modelport runs, by ONNX name. The docs' operator table is
/// generated from this list.
pub const OPERATORS: &[&str] = &[
    "ArrayFeatureExtractor",
    "Binarizer",
    "FeatureVectorizer",
    "Imputer",
    "LabelEncoder",
    "LinearClassifier",
    "LinearRegressor",
    "Normalizer",
    "OneHotEncoder",
    "Scaler",
    "SVMClassifier",
    "SVMRegressor",
    "TreeEnsemble",
    "TreeEnsembleClassifier",
    "TreeEnsembleRegressor",
    "ZipMap",
];

/// Adds Modelport's operators to tract's ONNX operator register.
pub fn register(register: &mut OnnxOpRegister) {
    register.insert("ArrayFeatureExtractor", array_feature_extractor::parse);
    register.insert("Binarizer", binarizer::parse);
    register.insert("FeatureVectorizer", feature_vectorizer::parse);
    register.insert("Imputer", imputer::parse);
    register.insert("LabelEncoder", label_encoder::parse);
    register.insert("LinearClassifier", linear_classifier::parse);
    register.insert("LinearRegressor", linear_regressor::parse);
    register.insert("Normalizer", normalizer::parse);
    register.insert("OneHotEncoder", one_hot_encoder::parse);
    register.insert("Scaler", scaler::parse);
    register.insert("SVMClassifier", svm_classifier::parse);
    register.insert("SVMRegressor", svm_regressor::parse);
    register.insert("TreeEnsemble", tree_ensemble::parse);
    register.insert("TreeEnsembleClassifier", tree_ensemble_classifier::parse);
    register.insert("TreeEnsembleRegressor", tree_ensemble_regressor::parse);
    register.insert("ZipMap", zip_map::parse);
    // A standard operator, replaced because tract's panics on NaN (see top_k.rs).
    register.insert("TopK", top_k::parse);
    // Standard operators, parsed here to check attributes before tract uses them.
    register.insert("Transpose", transpose::parse);
    reduce::register(register);
}

/// What each operator implements: its output types and shapes from its inputs', and
/// the computation itself.
pub(crate) trait Kernel: fmt::Debug + Send + Sync + 'static {
    const NAME: &'static str;

    fn outputs(&self) -> usize {
        1
    }

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>>;

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>>;
}

/// The result of parsing a node, in the form tract's operator register expects.
pub(crate) type Parsed = TractResult<(Box<dyn InferenceOp>, Vec<String>)>;

/// Wraps a kernel into an operator for tract's graph.
pub(crate) fn op<K: Kernel>(kernel: K) -> Parsed {
    Ok((Box::new(MlOp(Arc::new(kernel))), vec![]))
}

/// A kernel as a tract operator, in both the inference graph (where types are still
/// being worked out) and the typed graph that is optimised and run.
#[derive(Debug)]
pub(crate) struct MlOp<K>(Arc<K>);

impl<K> Clone for MlOp<K> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

/// Two nodes are the same operator only if they share their parameters: comparing
/// forests attribute by attribute would cost more than any deduplication saves.
impl<K> PartialEq for MlOp<K> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<K> Eq for MlOp<K> {}

impl<K: Kernel> Op for MlOp<K> {
    fn name(&self) -> StaticName {
        K::NAME.into()
    }

    fn as_typed(&self) -> Option<&dyn TypedOp> {
        Some(self)
    }
}

impl<K: Kernel> EvalOp for MlOp<K> {
    fn eval(&self, _: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        clear_upper_vector_state();
        self.0.eval(inputs)
    }

    fn eval_out_of_plan(&self, inputs: TVec<TValue>) -> TractResult<Option<TVec<TValue>>> {
        clear_upper_vector_state();
        self.0.eval(inputs).map(Some)
    }
}

/// tract's hand-written AVX-512 kernels (its matrix products, its sigmoid) return
/// without `vzeroupper`, leaving the upper halves of the vector registers dirty. Until
/// something clears them, every SSE instruction (Modelport's kernels, and most of
/// tract's, are compiled for baseline x86-64) pays for merging into those upper
/// halves. Measured on a Xeon (Sapphire Rapids), a lone SVMClassifier ran 5 times
/// slower and an RBF SVR 37 times slower once any model with a MatMul had run in the
/// same process, and a LinearClassifier after a PCA's MatMul 6 times slower. Clearing
/// costs one instruction, so it is done before each of our kernels and after each run,
/// which leaves the caller's code (and the next model) unharmed too.
#[inline]
pub(crate) fn clear_upper_vector_state() {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU has AVX, checked just above.
        unsafe { zero_upper() }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn zero_upper() {
    std::arch::x86_64::_mm256_zeroupper()
}

impl<K: Kernel> TypedOp for MlOp<K> {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        self.0.output_facts(inputs)
    }

    fn as_op(&self) -> &dyn Op {
        self
    }

    fn as_op_mut(&mut self) -> &mut dyn Op {
        self
    }
}

impl<K: Kernel> InferenceOp for MlOp<K> {
    /// Once every input's type and shape are known, the typed facts say everything
    /// about the outputs; before that, nothing is claimed.
    fn infer_facts(
        &mut self,
        inputs: TVec<&InferenceFact>,
        outputs: TVec<&InferenceFact>,
        observed: TVec<&InferenceFact>,
    ) -> TractResult<(TVec<InferenceFact>, TVec<InferenceFact>, TVec<InferenceFact>)> {
        let known: Option<TVec<TypedFact>> = inputs.iter().map(|f| TypedFact::try_from(*f).ok()).collect();
        let outputs = match known {
            Some(facts) => {
                let facts: TVec<&TypedFact> = facts.iter().collect();
                let computed = self.0.output_facts(&facts)?;
                outputs
                    .iter()
                    .zip(computed)
                    .map(|(declared, computed)| {
                        declared.unify(&computed.into()).unwrap_or_else(|_| (*declared).clone())
                    })
                    .collect()
            }
            None => outputs.into_iter().cloned().collect(),
        };
        Ok((inputs.into_iter().cloned().collect(), outputs, observed.into_iter().cloned().collect()))
    }

    fn nboutputs(&self) -> TractResult<usize> {
        Ok(self.0.outputs())
    }

    fn as_op(&self) -> &dyn Op {
        self
    }

    fn as_op_mut(&mut self) -> &mut dyn Op {
        self
    }

    fn to_typed(
        &self,
        _source: &InferenceModel,
        node: &InferenceNode,
        target: &mut TypedModel,
        mapping: &HashMap<OutletId, OutletId>,
    ) -> TractResult<TVec<OutletId>> {
        let inputs: TVec<OutletId> = node.inputs.iter().map(|i| mapping[i]).collect();
        target.wire_node(&*node.name, self.clone(), &inputs)
    }
}

/// A tabular input seen as rows: `[N, C]`, or one row for `[C]`.
pub(crate) fn rows_and_columns(shape: &[usize]) -> (usize, usize) {
    match shape {
        [] => (1, 1),
        [c] => (1, *c),
        [n, rest @ ..] => (*n, rest.iter().product()),
    }
}

/// The batch axis of a tabular input's fact, for output shapes.
pub(crate) fn batch_dim(fact: &TypedFact) -> TDim {
    if fact.rank() >= 2 { fact.shape[0].clone() } else { 1.to_dim() }
}

/// An input's values as `f32`, borrowed when they already are.
pub(crate) fn floats(input: &Tensor) -> TractResult<std::borrow::Cow<'_, Tensor>> {
    if input.datum_type() == DatumType::String {
        bail!("expects a numeric input, got strings");
    }
    input.cast_to::<f32>()
}

/// The values of a plain tensor, as a slice.
pub(crate) fn slice<T: Datum>(tensor: &Tensor) -> TractResult<&[T]> {
    tensor.try_as_plain_ram()?.as_slice::<T>()
}

/// A tensor from its shape and row-major values, without copying them.
pub(crate) fn tensor<T: Datum>(shape: &[usize], values: Vec<T>) -> TractResult<TValue> {
    Ok(tract_ndarray::ArrayD::from_shape_vec(shape, values)?.into_tvalue())
}
