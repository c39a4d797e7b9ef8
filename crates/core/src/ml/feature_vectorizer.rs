//! `FeatureVectorizer`: concatenates its inputs' columns into one float matrix, each
//! input cut or zero-padded to its declared width.

use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use super::{Kernel, Parsed, attributes, batch_dim, op, rows_and_columns, slice, tensor};

pub(super) fn parse(_: &tract_onnx::model::ParsingContext, node: &NodeProto) -> Parsed {
    let widths = attributes::ints(node, "inputdimensions")?
        .into_iter()
        .map(|w| attributes::index(node, "inputdimensions", w))
        .collect::<TractResult<_>>()?;
    op(FeatureVectorizer { widths })
}

#[derive(Debug)]
struct FeatureVectorizer {
    widths: Vec<usize>,
}

impl Kernel for FeatureVectorizer {
    const NAME: &'static str = "FeatureVectorizer";

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        if inputs.len() != self.widths.len() {
            bail!("FeatureVectorizer has {} inputs but {} inputdimensions", inputs.len(), self.widths.len());
        }
        Ok(tvec!(f32::fact([batch_dim(inputs[0]), self.widths.iter().sum::<usize>().to_dim()])))
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let rows = rows_and_columns(inputs[0].shape()).0;
        let total: usize = self.widths.iter().sum();
        let mut y = vec![0.0f32; rows * total];
        let mut offset = 0;
        for (input, &width) in inputs.iter().zip(&self.widths) {
            let (n, columns) = rows_and_columns(input.shape());
            if n != rows {
                bail!("FeatureVectorizer inputs have {rows} and {n} rows");
            }
            let x = input.cast_to::<f32>()?;
            for (out, row) in y.chunks_exact_mut(total).zip(slice::<f32>(&x)?.chunks_exact(columns.max(1))) {
                let kept = width.min(columns);
                out[offset..offset + kept].copy_from_slice(&row[..kept]);
            }
            offset += width;
        }
        Ok(tvec!(tensor(&[rows, total], y)?))
    }
}
