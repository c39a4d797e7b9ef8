//! `Transpose` (default domain), parsed here so that its `perm` is checked first:
//! tract indexes the input's shape with `perm`'s values, and panics on a value past the
//! input's rank. A `perm` that is not a permutation of `0..perm.len()` is refused with
//! the node's name; whether its length matches the input's rank, tract checks itself.

use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;
use tract_onnx::tract_hir::ops::array::PermuteAxes;

use super::Parsed;

pub(super) fn parse(_: &tract_onnx::model::ParsingContext, node: &NodeProto) -> Parsed {
    let perm: Option<Vec<i64>> = node.get_attr_opt_vec("perm")?;
    if let Some(perm) = &perm {
        let mut seen = vec![false; perm.len()];
        for &axis in perm {
            let slot = usize::try_from(axis).ok().and_then(|a| seen.get_mut(a));
            match slot {
                Some(seen @ false) => *seen = true,
                _ => bail!("Transpose node `{}`: perm {perm:?} is not a permutation of its axes", node.name),
            }
        }
    }
    let axes = perm.map(|p| p.into_iter().map(|a| a as usize).collect());
    Ok((expand(PermuteAxes::new(axes)), vec![]))
}
