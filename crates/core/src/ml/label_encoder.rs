//! `LabelEncoder`: maps keys to values through a table, for every key and value type of
//! opsets 1 (`classes_strings`), 2 (`keys_*`/`values_*`) and 4 (tensor attributes).
//! OrdinalEncoder and string class labels export to it.

use std::collections::HashMap;

use tract_onnx::model::ParsingContext;
use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use super::{Kernel, Parsed, attributes, op, slice};

pub(super) fn parse(ctx: &ParsingContext, node: &NodeProto) -> Parsed {
    let classes = attributes::strings(node, "classes_strings")?;
    let encodings = if !classes.is_empty() {
        // Opset 1 maps strings to their index, or indices to their string, depending on
        // the input's type.
        let indices: Vec<i64> = (0..classes.len() as i64).collect();
        let default_int = node.get_attr_opt::<i64>("default_int64")?.unwrap_or(-1);
        let default_string = node.get_attr_opt::<String>("default_string")?.unwrap_or_else(|| "_Unused".into());
        vec![
            Encoding::new(&tensor1(&classes), tensor1(&indices), tensor0(default_int))?,
            Encoding::new(&tensor1(&indices), tensor1(&classes), tensor0(default_string))?,
        ]
    } else {
        let keys = table(ctx, node, "keys")?;
        let values = table(ctx, node, "values")?;
        let default = match attributes::tensor(ctx, node, "default_tensor")? {
            Some(t) => t.into_shape(&[])?,
            None => match values.datum_type() {
                DatumType::String => {
                    tensor0(node.get_attr_opt::<String>("default_string")?.unwrap_or_else(|| "_Unused".into()))
                }
                DatumType::I64 => tensor0(node.get_attr_opt::<i64>("default_int64")?.unwrap_or(-1)),
                _ => tensor0(node.get_attr_opt::<f32>("default_float")?.unwrap_or(-0.0))
                    .cast_to_dt(values.datum_type())?
                    .into_owned(),
            },
        };
        vec![Encoding::new(&keys, values, default)?]
    };
    op(LabelEncoder { encodings })
}

/// The `keys` or `values` table, from whichever attribute holds it.
fn table(ctx: &ParsingContext, node: &NodeProto, which: &str) -> TractResult<Tensor> {
    if let Some(t) = attributes::tensor(ctx, node, &format!("{which}_tensor"))? {
        let len = t.len();
        return t.into_shape(&[len]);
    }
    let strings = attributes::strings(node, &format!("{which}_strings"))?;
    let ints = attributes::ints(node, &format!("{which}_int64s"))?;
    let floats = node.get_attr_opt_vec::<f32>(&format!("{which}_floats"))?.unwrap_or_default();
    Ok(match (strings.is_empty(), ints.is_empty(), floats.is_empty()) {
        (false, true, true) => tensor1(&strings),
        (true, false, true) => tensor1(&ints),
        (true, true, false) => tensor1(&floats),
        _ => bail!("node `{}` needs exactly one of {which}_strings, {which}_int64s, {which}_floats", node.name),
    })
}

/// A key, hashable whatever its type. Floats compare by value, NaN matching NaN.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Int(i64),
    Float(u64),
    Text(String),
}

fn float_key(v: f64) -> Key {
    // One NaN, one zero: -0.0 == 0.0 as a number.
    Key::Float(if v.is_nan() { f64::NAN.to_bits() } else { (v + 0.0).to_bits() })
}

/// The keys of a tensor, or `None` if its type cannot be a key.
fn keys(t: &Tensor) -> TractResult<Option<Vec<Key>>> {
    Ok(Some(match t.datum_type() {
        DatumType::String => slice::<String>(t)?.iter().cloned().map(Key::Text).collect(),
        dt if dt.is_integer() => slice::<i64>(&*t.cast_to::<i64>()?)?.iter().map(|v| Key::Int(*v)).collect(),
        dt if dt.is_float() => slice::<f64>(&*t.cast_to::<f64>()?)?.iter().map(|v| float_key(*v)).collect(),
        _ => return Ok(None),
    }))
}

#[derive(Debug)]
struct Encoding {
    table: HashMap<Key, usize>,
    /// A key of the input's kind (string, integer or float).
    sample: Key,
    values: Tensor,
    default: Tensor,
}

impl Encoding {
    fn new(keys_tensor: &Tensor, values: Tensor, default: Tensor) -> TractResult<Self> {
        let keys = keys(keys_tensor)?.context("LabelEncoder keys must be strings or numbers")?;
        if keys.len() != values.len() {
            bail!("LabelEncoder has {} keys but {} values", keys.len(), values.len());
        }
        if default.datum_type() != values.datum_type() {
            bail!("LabelEncoder default is {:?}, its values {:?}", default.datum_type(), values.datum_type());
        }
        let sample = keys.first().cloned().unwrap_or(Key::Int(0));
        // The first occurrence of a key wins, as onnxruntime's table keeps it.
        let mut table = HashMap::with_capacity(keys.len());
        for (i, k) in keys.into_iter().enumerate() {
            table.entry(k).or_insert(i);
        }
        Ok(Self { table, sample, values, default })
    }

    /// Whether inputs of type `dt` are looked up in this table.
    fn accepts(&self, dt: DatumType) -> bool {
        let kind = if dt == DatumType::String {
            Key::Text(String::new())
        } else if dt.is_float() {
            Key::Float(0)
        } else {
            Key::Int(0)
        };
        std::mem::discriminant(&kind) == std::mem::discriminant(&self.sample)
    }

    fn encode(&self, x: &Tensor) -> TractResult<Tensor> {
        let keys = keys(x)?.context("LabelEncoder input must be strings or numbers")?;
        let picks: Vec<Option<usize>> = keys.iter().map(|k| self.table.get(k).copied()).collect();
        fn gather<T: Datum + Clone>(
            values: &Tensor,
            default: &Tensor,
            picks: &[Option<usize>],
            shape: &[usize],
        ) -> TractResult<Tensor> {
            let (values, default) = (slice::<T>(values)?, &slice::<T>(default)?[0]);
            let y: Vec<T> = picks.iter().map(|p| p.map_or(default, |i| &values[i]).clone()).collect();
            Ok(tract_ndarray::ArrayD::from_shape_vec(shape, y)?.into_tensor())
        }
        dispatch_datum!(gather(self.values.datum_type())(&self.values, &self.default, &picks, x.shape()))
    }
}

#[derive(Debug)]
struct LabelEncoder {
    encodings: Vec<Encoding>,
}

impl LabelEncoder {
    fn encoding(&self, dt: DatumType) -> TractResult<&Encoding> {
        self.encodings
            .iter()
            .find(|e| e.accepts(dt))
            .with_context(|| format!("LabelEncoder has no keys of type {dt:?}"))
    }
}

impl Kernel for LabelEncoder {
    const NAME: &'static str = "LabelEncoder";

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let encoding = self.encoding(inputs[0].datum_type)?;
        Ok(tvec!(encoding.values.datum_type().fact(inputs[0].shape.clone())))
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = &inputs[0];
        Ok(tvec!(self.encoding(x.datum_type())?.encode(x)?.into_tvalue()))
    }
}
