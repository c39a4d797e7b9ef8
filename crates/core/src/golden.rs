//! Golden files (`golden.json`): held-out inputs with the outputs onnxruntime gives for
//! them, written by `training/train.py`. A model version is trusted to run correctly
//! when tract reproduces them.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::tensor::{TensorData, Tensors, Values};

/// Default tolerance for float outputs: relative to the value, absolute below 1.
pub const TOLERANCE: f64 = 1e-5;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Golden {
    /// The runtime that produced `outputs`, e.g. "onnxruntime 1.32.0".
    pub reference: String,
    pub inputs: Tensors,
    pub outputs: Tensors,
}

/// One way in which actual outputs differ from the expected ones.
#[derive(Clone, Debug, PartialEq)]
pub enum Mismatch {
    Missing { output: String },
    Shape { output: String, expected: Vec<usize>, got: Vec<usize> },
    Type { output: String, expected: String, got: String },
    Value { output: String, index: usize, expected: String, got: String },
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing { output } => write!(f, "output `{output}` is missing"),
            Self::Shape { output, expected, got } => {
                write!(f, "output `{output}` has shape {got:?}, expected {expected:?}")
            }
            Self::Type { output, expected, got } => write!(f, "output `{output}` is {got}, expected {expected}"),
            Self::Value { output, index, expected, got } => {
                write!(f, "output `{output}` value {index} is {got}, expected {expected}")
            }
        }
    }
}

impl Golden {
    /// Compares `actual` with the expected outputs: floats within `tolerance`
    /// (relative, or absolute below 1), everything else exactly. Lists every
    /// mismatching output, and the first mismatching value of each.
    pub fn check(&self, actual: &Tensors, tolerance: f64) -> Result<(), Vec<Mismatch>> {
        let mismatches: Vec<Mismatch> = self
            .outputs
            .iter()
            .filter_map(|(name, expected)| match actual.get(name) {
                None => Some(Mismatch::Missing { output: name.clone() }),
                Some(got) => compare(name, expected, got, tolerance),
            })
            .collect();
        if mismatches.is_empty() { Ok(()) } else { Err(mismatches) }
    }
}

fn compare(name: &str, expected: &TensorData, got: &TensorData, tolerance: f64) -> Option<Mismatch> {
    if expected.shape != got.shape {
        return Some(Mismatch::Shape { output: name.into(), expected: expected.shape.clone(), got: got.shape.clone() });
    }
    if expected.element_type() != got.element_type() {
        return Some(Mismatch::Type {
            output: name.into(),
            expected: expected.element_type().to_string(),
            got: got.element_type().to_string(),
        });
    }
    let close = |e: f64, g: f64| (e - g).abs() <= tolerance * e.abs().max(1.0) || (e.is_nan() && g.is_nan());
    let first_bad = match &expected.data {
        Values::Float32(_) | Values::Float64(_) => (0..expected.data.len())
            .find(|&i| !close(expected.data.number(i).unwrap_or(f64::NAN), got.data.number(i).unwrap_or(f64::NAN))),
        _ => (0..expected.data.len()).find(|&i| expected.data.text(i) != got.data.text(i)),
    }?;
    Some(Mismatch::Value {
        output: name.into(),
        index: first_bad,
        expected: expected.data.text(first_bad).unwrap_or_default(),
        got: got.data.text(first_bad).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn golden(values: Vec<f32>) -> Golden {
        Golden {
            reference: "test".into(),
            inputs: Tensors::new(),
            outputs: Tensors::from([("p".to_owned(), TensorData::new(vec![values.len()], Values::Float32(values)))]),
        }
    }

    fn outputs(values: Vec<f32>) -> Tensors {
        Tensors::from([("p".to_owned(), TensorData::new(vec![values.len()], Values::Float32(values)))])
    }

    #[test]
    fn accepts_values_within_tolerance() {
        assert!(golden(vec![0.5, 200.0]).check(&outputs(vec![0.500_004, 200.001]), 1e-5).is_ok());
    }

    #[test]
    fn names_the_first_value_out_of_tolerance() {
        let err = golden(vec![0.5, 0.25]).check(&outputs(vec![0.5, 0.26]), 1e-5).unwrap_err();
        assert!(matches!(&err[..], [Mismatch::Value { index: 1, .. }]), "{err:?}");
    }

    #[test]
    fn labels_compare_exactly() {
        let expected = Golden {
            reference: "test".into(),
            inputs: Tensors::new(),
            outputs: Tensors::from([("l".to_owned(), TensorData::new(vec![1], Values::Int64(vec![2])))]),
        };
        let got = Tensors::from([("l".to_owned(), TensorData::new(vec![1], Values::Int64(vec![1])))]);
        assert!(expected.check(&got, 1.0).is_err());
    }

    #[test]
    fn reports_missing_and_misshapen_outputs() {
        let err = golden(vec![0.5]).check(&Tensors::new(), 1e-5).unwrap_err();
        assert_eq!(err, vec![Mismatch::Missing { output: "p".into() }]);
        let err = golden(vec![0.5]).check(&outputs(vec![0.5, 0.5]), 1e-5).unwrap_err();
        assert!(matches!(&err[..], [Mismatch::Shape { .. }]));
    }
}
