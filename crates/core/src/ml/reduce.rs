//! The reductions (`ReduceMean` and its kin, `ArgMax`, `ArgMin`) whose axes are
//! attributes, parsed here so that every axis is checked against the input's rank
//! before tract resolves it: tract unwraps that resolution, so a stranger's file with
//! axis 89 on a rank-2 input would panic (the fuzzer found one). Opset 18 (13 for
//! ReduceSum) moved the axes to an input; that form goes to tract's own parser.

use std::collections::HashMap;
use std::sync::OnceLock;

use tract_onnx::model::{OnnxOpRegister, ParsingContext};
use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;
use tract_onnx::tract_hir::ops::nn::{Reduce, Reducer};

use super::Parsed;

type Parser = fn(&ParsingContext, &NodeProto) -> Parsed;

const REDUCERS: [(&str, Reducer); 10] = [
    ("ReduceL1", Reducer::L1),
    ("ReduceL2", Reducer::L2),
    ("ReduceLogSum", Reducer::LogSum),
    ("ReduceLogSumExp", Reducer::LogSumExp),
    ("ReduceMax", Reducer::Max),
    ("ReduceMean", Reducer::Mean),
    ("ReduceMin", Reducer::Min),
    ("ReduceProd", Reducer::Prod),
    ("ReduceSum", Reducer::Sum),
    ("ReduceSumSquare", Reducer::SumSquare),
];

/// tract's parsers of these operators, for the forms this file leaves to tract.
static TRACT: OnceLock<HashMap<String, Parser>> = OnceLock::new();

pub(super) fn register(register: &mut OnnxOpRegister) {
    TRACT.get_or_init(|| register.0.clone());
    for (name, _) in REDUCERS {
        register.insert(name, parse);
    }
    register.insert("ArgMax", parse);
    register.insert("ArgMin", parse);
}

fn parse(ctx: &ParsingContext, node: &NodeProto) -> Parsed {
    let keep_dims = node.get_attr_opt::<i64>("keepdims")?.unwrap_or(1) != 0;
    let (axes, reducer) = match node.op_type.as_str() {
        "ArgMax" | "ArgMin" => {
            let take_last = node.get_attr_opt::<i64>("select_last_index")?.unwrap_or(0) != 0;
            let reducer =
                if node.op_type == "ArgMax" { Reducer::ArgMax(take_last) } else { Reducer::ArgMin(take_last) };
            (Some(vec![node.get_attr_opt::<i64>("axis")?.unwrap_or(0)]), reducer)
        }
        name => {
            let axes_are_input =
                ctx.onnx_operator_set_version >= 18 || (name == "ReduceSum" && ctx.onnx_operator_set_version >= 13);
            let tract = TRACT.get().and_then(|parsers| parsers.get(name));
            match (axes_are_input, tract, REDUCERS.iter().find(|(n, _)| *n == name)) {
                (true, Some(tract), _) => return tract(ctx, node),
                (false, _, Some((_, reducer))) => (node.get_attr_opt_vec("axes")?, *reducer),
                _ => bail!("no parser for {name}"),
            }
        }
    };
    Ok((expand(CheckedAxes { reduce: Reduce::new(axes, keep_dims, reducer), node: node.name.clone() }), vec![]))
}

/// tract's reduction, once its axes fit the input's rank.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct CheckedAxes {
    reduce: Reduce,
    node: String,
}

impl Expansion for CheckedAxes {
    fn name(&self) -> StaticName {
        self.reduce.name()
    }

    fn info(&self) -> TractResult<Vec<String>> {
        self.reduce.info()
    }

    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult {
        check_input_arity(inputs, 1)?;
        // Registered before tract's rules, so it runs first once the rank is known
        // (a known shape is a known rank).
        s.given(&inputs[0].rank, move |_, rank| {
            let axes = self.reduce.axes.iter().flatten();
            match axes.into_iter().find(|&&axis| axis < -rank || axis >= rank) {
                Some(axis) => bail!("node `{}`: axis {axis} does not exist in an input of rank {rank}", self.node),
                None => Ok(()),
            }
        })?;
        self.reduce.rules(s, inputs, outputs)
    }

    fn wire(&self, name: &str, target: &mut TypedModel, inputs: &[OutletId]) -> TractResult<TVec<OutletId>> {
        self.reduce.wire(name, target, inputs)
    }
}
