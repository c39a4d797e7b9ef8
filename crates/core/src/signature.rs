//! A model's signature: the inputs it takes and the outputs it gives, with the element
//! types and shapes declared in the ONNX file.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::tensor::ElementType;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub inputs: Vec<TensorSpec>,
    pub outputs: Vec<TensorSpec>,
}

impl Signature {
    pub fn input(&self, name: &str) -> Option<&TensorSpec> {
        self.inputs.iter().find(|s| s.name == name)
    }

    pub fn output(&self, name: &str) -> Option<&TensorSpec> {
        self.outputs.iter().find(|s| s.name == name)
    }
}

/// One declared input or output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TensorSpec {
    pub name: String,
    pub element_type: ElementType,
    pub shape: Vec<Dim>,
    /// What the last axis's columns are, when the model says: a classifier's class
    /// labels for the probabilities its ZipMap would have turned into maps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
}

/// One axis of a declared shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dim {
    Fixed(usize),
    /// A size known only at run time, usually the batch: named (`N`) or anonymous.
    Symbolic(String),
}

impl fmt::Display for Dim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fixed(n) => write!(f, "{n}"),
            Self::Symbolic(s) if s.is_empty() => f.write_str("?"),
            Self::Symbolic(s) => f.write_str(s),
        }
    }
}

impl fmt::Display for TensorSpec {
    /// `input: float32[N, 4]`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}[", self.name, self.element_type)?;
        for (i, d) in self.shape.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{d}")?;
        }
        f.write_str("]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_a_type_annotation() {
        let spec = TensorSpec {
            name: "input".into(),
            element_type: ElementType::Float32,
            shape: vec![Dim::Symbolic(String::new()), Dim::Fixed(4)],
            labels: None,
        };
        assert_eq!(spec.to_string(), "input: float32[?, 4]");
    }
}
