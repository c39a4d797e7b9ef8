//! Tensors as plain data: what crosses the worker boundary, fills golden files and is
//! written by the CLI. `engine` converts them to and from tract's tensors.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Named tensors, as ONNX passes them: the inputs of a run, or its outputs.
pub type Tensors = BTreeMap<String, TensorData>;

/// The element types Modelport exchanges. ONNX has more; a model that uses another one
/// is refused at load time with the name of the input or output concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ElementType {
    Float32,
    Float64,
    Int32,
    Int64,
    Bool,
    String,
}

impl ElementType {
    /// Maps an ONNX `TensorProto.DataType` code; `None` for the types Modelport does not
    /// exchange (see onnx.proto for the numbering).
    pub fn from_onnx(code: i32) -> Option<Self> {
        Some(match code {
            1 => Self::Float32,
            6 => Self::Int32,
            7 => Self::Int64,
            8 => Self::String,
            9 => Self::Bool,
            11 => Self::Float64,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Float32 => "float32",
            Self::Float64 => "float64",
            Self::Int32 => "int32",
            Self::Int64 => "int64",
            Self::Bool => "bool",
            Self::String => "string",
        }
    }
}

impl fmt::Display for ElementType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The values of a tensor, flat, in row-major order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Values {
    /// JSON has no NaN: serde_json writes it as `null`, and `null` reads back as NaN
    /// (a missing value, for an imputer).
    Float32(#[serde(deserialize_with = "nullable_floats")] Vec<f32>),
    Float64(#[serde(deserialize_with = "nullable_floats")] Vec<f64>),
    Int32(Vec<i32>),
    Int64(Vec<i64>),
    Bool(Vec<bool>),
    String(Vec<String>),
}

impl Values {
    pub fn element_type(&self) -> ElementType {
        match self {
            Self::Float32(_) => ElementType::Float32,
            Self::Float64(_) => ElementType::Float64,
            Self::Int32(_) => ElementType::Int32,
            Self::Int64(_) => ElementType::Int64,
            Self::Bool(_) => ElementType::Bool,
            Self::String(_) => ElementType::String,
        }
    }

    /// `numbers` as a tensor of `element_type`; `None` for text (numbers are not text).
    pub fn from_numbers(element_type: ElementType, numbers: Vec<f64>) -> Option<Self> {
        Some(match element_type {
            ElementType::Float32 => Self::Float32(numbers.into_iter().map(|v| v as f32).collect()),
            ElementType::Float64 => Self::Float64(numbers),
            ElementType::Int32 => Self::Int32(numbers.into_iter().map(|v| v as i32).collect()),
            ElementType::Int64 => Self::Int64(numbers.into_iter().map(|v| v as i64).collect()),
            ElementType::Bool => Self::Bool(numbers.into_iter().map(|v| v != 0.0).collect()),
            ElementType::String => return None,
        })
    }

    pub fn len(&self) -> usize {
        match self {
            Self::Float32(v) => v.len(),
            Self::Float64(v) => v.len(),
            Self::Int32(v) => v.len(),
            Self::Int64(v) => v.len(),
            Self::Bool(v) => v.len(),
            Self::String(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value `i` as a number, for numeric tensors (bools count as 0 and 1).
    pub fn number(&self, i: usize) -> Option<f64> {
        Some(match self {
            Self::Float32(v) => f64::from(*v.get(i)?),
            Self::Float64(v) => *v.get(i)?,
            Self::Int32(v) => f64::from(*v.get(i)?),
            Self::Int64(v) => *v.get(i)? as f64,
            Self::Bool(v) => f64::from(u8::from(*v.get(i)?)),
            Self::String(_) => return None,
        })
    }

    /// Value `i` as text, whatever the type: how a label is shown.
    pub fn text(&self, i: usize) -> Option<String> {
        let mut text = String::new();
        self.write_text(i, &mut text).then_some(text)
    }

    /// Appends [`Values::text`] of value `i` to `out` without allocating for it (batch
    /// scoring writes millions of cells); false, with nothing appended, past the end.
    pub fn write_text(&self, i: usize, out: &mut String) -> bool {
        use std::fmt::Write;
        if i >= self.len() {
            return false;
        }
        // Writing to a String cannot fail.
        let _ = match self {
            Self::String(v) => out.write_str(&v[i]),
            Self::Int32(v) => write!(out, "{}", v[i]),
            Self::Int64(v) => write!(out, "{}", v[i]),
            Self::Bool(v) => write!(out, "{}", v[i]),
            Self::Float32(v) => write!(out, "{}", f64::from(v[i])),
            Self::Float64(v) => write!(out, "{}", v[i]),
        };
        true
    }
}

fn nullable_floats<'de, D, F>(deserializer: D) -> Result<Vec<F>, D::Error>
where
    D: serde::Deserializer<'de>,
    F: Deserialize<'de> + num_nan::Nan,
{
    let values: Vec<Option<F>> = Deserialize::deserialize(deserializer)?;
    Ok(values.into_iter().map(|v| v.unwrap_or_else(F::nan)).collect())
}

mod num_nan {
    /// The float types' NaN, for [`super::nullable_floats`].
    pub trait Nan {
        fn nan() -> Self;
    }

    impl Nan for f32 {
        fn nan() -> Self {
            f32::NAN
        }
    }

    impl Nan for f64 {
        fn nan() -> Self {
            f64::NAN
        }
    }
}

/// A tensor: its shape and its values. Serialised as `{"shape": [2, 4], "data":
/// {"float32": [...]}}`, the form `training/train.py` writes golden files in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TensorData {
    pub shape: Vec<usize>,
    pub data: Values,
}

impl TensorData {
    pub fn new(shape: Vec<usize>, data: Values) -> Self {
        Self { shape, data }
    }

    pub fn element_type(&self) -> ElementType {
        self.data.element_type()
    }

    /// The number of rows: the size of the first axis (1 for a scalar).
    pub fn rows(&self) -> usize {
        self.shape.first().copied().unwrap_or(1)
    }

    /// The number of values in one row.
    pub fn row_len(&self) -> usize {
        self.shape.iter().skip(1).product()
    }

    /// A batch of `rows` rows made by repeating this tensor's rows in order (row `i`
    /// is row `i % self.rows()`): how benchmarks grow a few held-out rows into a
    /// large batch.
    pub fn cycle_rows(&self, rows: usize) -> Self {
        fn cycle<T: Clone>(values: &[T], row_len: usize, len: usize) -> Vec<T> {
            values.chunks(row_len.max(1)).cycle().flatten().take(len).cloned().collect()
        }
        let (row_len, len) = (self.row_len(), rows * self.row_len());
        let data = match &self.data {
            Values::Float32(v) => Values::Float32(cycle(v, row_len, len)),
            Values::Float64(v) => Values::Float64(cycle(v, row_len, len)),
            Values::Int32(v) => Values::Int32(cycle(v, row_len, len)),
            Values::Int64(v) => Values::Int64(cycle(v, row_len, len)),
            Values::Bool(v) => Values::Bool(cycle(v, row_len, len)),
            Values::String(v) => Values::String(cycle(v, row_len, len)),
        };
        let mut shape = self.shape.clone();
        if let Some(first) = shape.first_mut() {
            *first = rows;
        }
        Self { shape, data }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_in_the_golden_file_form() {
        let t = TensorData::new(vec![1, 2], Values::Float32(vec![0.5, 1.0]));
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, r#"{"shape":[1,2],"data":{"float32":[0.5,1.0]}}"#);
        assert_eq!(serde_json::from_str::<TensorData>(&json).unwrap(), t);
    }

    #[test]
    fn nan_round_trips_through_json_null() {
        let t = TensorData::new(vec![2], Values::Float32(vec![f32::NAN, 1.0]));
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, r#"{"shape":[2],"data":{"float32":[null,1.0]}}"#);
        let Values::Float32(back) = serde_json::from_str::<TensorData>(&json).unwrap().data else { panic!() };
        assert!(back[0].is_nan() && back[1] == 1.0);
    }

    #[test]
    fn rows_and_row_len_follow_the_shape() {
        let t = TensorData::new(vec![3, 2, 2], Values::Int64(vec![0; 12]));
        assert_eq!((t.rows(), t.row_len()), (3, 4));
    }

    #[test]
    fn cycling_repeats_rows_in_order() {
        let t = TensorData::new(vec![2, 2], Values::Int64(vec![1, 2, 3, 4]));
        assert_eq!(t.cycle_rows(3), TensorData::new(vec![3, 2], Values::Int64(vec![1, 2, 3, 4, 1, 2])));
    }

    #[test]
    fn labels_read_as_text() {
        assert_eq!(Values::Int64(vec![2]).text(0).as_deref(), Some("2"));
        assert_eq!(Values::String(vec!["a".into()]).text(0).as_deref(), Some("a"));
        assert_eq!(Values::Int64(vec![2]).text(1), None);
    }
}
