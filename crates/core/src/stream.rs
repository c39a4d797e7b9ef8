//! The UI-free half of the stream page, which scores records as they arrive, one per event
//! (a Server-Sent Event, a WebSocket message, a line of pasted newline-delimited JSON), in micro-batches.
//!
//! - [`parse_record`] turns one record into the card's feature values, or says what is wrong with it,
//!   so that a bad record is counted and shown instead of stopping the stream. Sources differ in what
//!   they send, so a record may be a JSON object keyed by feature name, a JSON array or a CSV line.
//! - [`parse_labelled`] does the same for a record the recalibrate page learns from: a JSON object
//!   that also names the target, as a labelled CSV file's target column does.
//! - [`Buffer`] holds parsed records until a batch takes them. A source can outpace the model, so the
//!   buffer is bounded, and its [`Overflow`] policy says what gives: the source pauses (every record is
//!   scored, late) or the oldest records go (a live view stays live).
//! - [`Window`] says when the buffered records are due: one model run per record would spend more on
//!   round trips to the worker than on scoring.

use std::collections::VecDeque;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::card::{Feature, FeatureKind, FeatureValue, ModelCard, Task};
use crate::compare::labelled::Truth;

/// One record's feature values, in card order, or what is wrong with it: which feature, and the value.
pub fn parse_record(text: &str, card: &ModelCard) -> Result<Vec<FeatureValue>, String> {
    // Only the end is trimmed for JSON, which skips leading whitespace itself: its error columns
    // then count from the start of the record as received.
    let record = text.trim_end();
    let features = &card.features;
    match record.trim_start().chars().next() {
        None => Err("an empty record".to_owned()),
        Some('{') => object_values(&serde_json::from_str(record).map_err(invalid_json)?, features),
        Some('[') => {
            let values: Vec<Value> = serde_json::from_str(record).map_err(invalid_json)?;
            check_length(values.len(), features.len())?;
            features.iter().zip(&values).map(|(f, v)| json(f, v)).collect()
        }
        Some(_) => {
            let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(record.trim_start().as_bytes());
            let mut records = reader.records();
            let Some(fields) = records.next() else { return Err("an empty record".to_owned()) };
            let fields = fields.map_err(|e| format!("not a valid CSV line: {e}"))?;
            // A line break outside quotes: the source sent two records as one.
            if records.next().is_some() {
                return Err("more than one record (one per line or event)".to_owned());
            }
            check_length(fields.len(), features.len())?;
            features.iter().zip(&fields).map(|(f, cell)| text_value(f, cell)).collect()
        }
    }
}

/// A labelled record for learning: a JSON object keyed by feature name and by the card's
/// target name, read as [`parse_record`] reads an object. The target is what a labelled
/// CSV's target cell is ([`crate::compare::labelled::truth`]): a class name or a class's
/// index for a classifier, a finite number for a regressor. It comes back as the learner
/// takes it: the class index, or the value.
pub fn parse_labelled(text: &str, card: &ModelCard) -> Result<(Vec<FeatureValue>, f64), String> {
    let record = text.trim_end();
    let target = &card.target.name;
    match record.trim_start().chars().next() {
        None => Err("an empty record".to_owned()),
        Some('{') => {
            let object: Map<String, Value> = serde_json::from_str(record).map_err(invalid_json)?;
            let values = object_values(&object, &card.features)?;
            let truth = match object.get(target) {
                None => return Err(format!("“{target}”: missing; a labelled record names the target")),
                Some(value) => json_truth(card, value)?,
            };
            Ok((values, truth))
        }
        // An array or a CSV line has no name for the target: its place would be a guess.
        Some(_) => Err(format!("not a JSON object; a labelled record is keyed by feature name and “{target}”")),
    }
}

/// The features of a JSON object record, in card order.
fn object_values(object: &Map<String, Value>, features: &[Feature]) -> Result<Vec<FeatureValue>, String> {
    features
        .iter()
        .map(|f| object.get(&f.name).map_or_else(|| Err(format!("“{}”: missing", f.name)), |v| json(f, v)))
        .collect()
}

/// The target value of a labelled record, with [`Truth`]'s meaning, as the learner takes it.
fn json_truth(card: &ModelCard, value: &Value) -> Result<f64, String> {
    let target = &card.target.name;
    // Strings are read like CSV cells, as for features: `"2"` is the class index 2.
    let (text, number) = match value {
        Value::Null => return Err(format!("“{target}”: empty where the target is required")),
        Value::String(s) if s.trim().is_empty() => {
            return Err(format!("“{target}”: empty where the target is required"));
        }
        Value::String(s) => (s.trim().to_owned(), s.trim().parse::<f64>().ok()),
        Value::Number(n) => (n.to_string(), n.as_f64()),
        other => (other.to_string(), None),
    };
    let truth = match card.task {
        Task::Regression => match number {
            Some(n) if n.is_finite() => Truth::Value(n),
            _ => return Err(format!("“{target}”: “{text}” is not a number")),
        },
        Task::Classification => {
            let classes = card.classes();
            let by_name = classes.iter().position(|c| *c == text);
            let by_index = number.filter(|n| n.fract() == 0.0 && *n >= 0.0 && (*n as usize) < classes.len());
            match by_name.or(by_index.map(|n| n as usize)) {
                Some(class) => Truth::Class(class),
                None => {
                    return Err(format!("“{target}”: “{text}” is not one of the classes {}", classes.join(", ")));
                }
            }
        }
    };
    Ok(match truth {
        Truth::Class(class) => class as f64,
        Truth::Value(value) => value,
    })
}

fn check_length(got: usize, expected: usize) -> Result<(), String> {
    if got == expected {
        return Ok(());
    }
    let values = if got == 1 { "value" } else { "values" };
    Err(format!("got {got} {values}, the model takes {expected}"))
}

fn invalid_json(e: serde_json::Error) -> String {
    // serde_json ends its message with the position; say it once, and say the line only when the
    // record has several.
    let full = e.to_string();
    let message = full.strip_suffix(&format!(" at line {} column {}", e.line(), e.column())).unwrap_or(&full);
    match (e.line(), e.column()) {
        (0, _) => format!("not valid JSON: {message}"),
        (1, column) => format!("not valid JSON: {message} (column {column})"),
        (line, column) => format!("not valid JSON: {message} (line {line}, column {column})"),
    }
}

fn json(feature: &Feature, value: &Value) -> Result<FeatureValue, String> {
    let name = &feature.name;
    match (feature.kind, value) {
        // Strings are read like CSV cells, so that `"5.1"` feeds a number feature.
        (_, Value::String(s)) => text_value(feature, s),
        (_, Value::Null) => Err(format!("“{name}”: empty where a value is required")),
        (FeatureKind::Number, Value::Number(n)) => {
            n.as_f64().map(FeatureValue::Number).ok_or_else(|| format!("“{name}”: {n} is not a number"))
        }
        (FeatureKind::Text, Value::Number(n)) => Ok(FeatureValue::Text(n.to_string())),
        (FeatureKind::Number, other) => Err(format!("“{name}”: {other} is not a number")),
        (FeatureKind::Text, other) => Err(format!("“{name}”: {other} is not text")),
    }
}

/// A value given as text: a CSV cell or a JSON string. Read as the batch page reads a CSV cell.
fn text_value(feature: &Feature, text: &str) -> Result<FeatureValue, String> {
    let (name, text) = (&feature.name, text.trim());
    match feature.kind {
        FeatureKind::Text => Ok(FeatureValue::Text(text.to_owned())),
        FeatureKind::Number if text.is_empty() => Err(format!("“{name}”: empty where a value is required")),
        FeatureKind::Number => {
            text.parse().map(FeatureValue::Number).map_err(|_| format!("“{name}”: “{text}” is not a number"))
        }
    }
}

/// What a full [`Buffer`] does with one more record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Overflow {
    /// Hand the record back, so the source stops until a batch makes room: nothing is lost.
    #[default]
    Pause,
    /// Evict the oldest record: what is scored stays close to now.
    DropOldest,
}

impl fmt::Display for Overflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pause => "pause the source",
            Self::DropOldest => "drop the oldest records",
        })
    }
}

/// What [`Buffer::push`] did with an item.
#[must_use = "a full buffer hands the item back: keep it, pause the source and push it again after a drain"]
#[derive(Debug, PartialEq, Eq)]
pub enum Pushed<T> {
    Accepted,
    /// [`Overflow::DropOldest`]: accepted, and the oldest item was evicted to make room.
    DroppedOldest,
    /// [`Overflow::Pause`]: the buffer is full and hands the item back.
    Full(T),
}

/// A bounded first-in, first-out queue of records waiting for a batch.
#[derive(Clone, Debug)]
pub struct Buffer<T> {
    items: VecDeque<T>,
    capacity: usize,
    policy: Overflow,
    dropped: u64,
}

impl<T> Buffer<T> {
    /// A capacity of 0 is taken as 1: a buffer that holds nothing would pause forever or drop everything.
    pub fn new(capacity: usize, policy: Overflow) -> Self {
        // Not preallocated: the capacity is a limit a person sets, not an expected size.
        Self { items: VecDeque::new(), capacity: capacity.max(1), policy, dropped: 0 }
    }

    pub fn push(&mut self, item: T) -> Pushed<T> {
        if !self.is_full() {
            self.items.push_back(item);
            return Pushed::Accepted;
        }
        match self.policy {
            Overflow::Pause => Pushed::Full(item),
            Overflow::DropOldest => {
                self.items.pop_front();
                self.items.push_back(item);
                self.dropped += 1;
                Pushed::DroppedOldest
            }
        }
    }

    /// Takes up to `max` items, oldest first.
    pub fn drain(&mut self, max: usize) -> Vec<T> {
        self.items.drain(..max.min(self.items.len())).collect()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn is_full(&self) -> bool {
        self.items.len() >= self.capacity
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn policy(&self) -> Overflow {
        self.policy
    }

    /// How many items [`Overflow::DropOldest`] has evicted since the buffer was made.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

/// When buffered records make a batch: enough of them, or the oldest has waited long enough.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub millis: u32,
    pub records: usize,
}

impl Default for Window {
    /// 100 ms is about the delay a person still reads as immediate; 500 records keep one run short
    /// enough that the page stays responsive while it scores.
    fn default() -> Self {
        Self { millis: 100, records: 500 }
    }
}

impl Window {
    /// `elapsed_millis`: since the current window opened (the last batch, or the first record after a quiet spell).
    pub fn due(&self, buffered: usize, elapsed_millis: f64) -> bool {
        buffered > 0 && (buffered >= self.records || elapsed_millis >= f64::from(self.millis))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::{ModelFile, OutputRoles, Target, Training};

    const IRIS: [&str; 4] = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"];

    fn card(features: &[(&str, FeatureKind)]) -> ModelCard {
        let features = features
            .iter()
            .enumerate()
            .map(|(index, &(name, kind))| Feature {
                name: name.into(),
                input: "input".into(),
                index,
                unit: None,
                description: None,
                kind,
                categories: None,
                training: None,
            })
            .collect();
        ModelCard {
            name: "m".into(),
            version: "1.0.0".into(),
            title: String::new(),
            description: String::new(),
            predicts: String::new(),
            task: Task::Regression,
            algorithm: String::new(),
            pipeline: vec![],
            features,
            target: Target { name: "y".into(), classes: None, unit: None, training: None },
            outputs: OutputRoles::default(),
            layout: None,
            example: vec![],
            metrics: Default::default(),
            training: Training::default(),
            model: ModelFile::default(),
            libraries: Default::default(),
        }
    }

    fn iris() -> ModelCard {
        card(&IRIS.map(|name| (name, FeatureKind::Number)))
    }

    fn numbers(values: &[f64]) -> Vec<FeatureValue> {
        values.iter().map(|&v| v.into()).collect()
    }

    #[test]
    fn objects_arrays_and_csv_lines_give_values_in_card_order() {
        let setosa = numbers(&[5.1, 3.5, 1.4, 0.2]);
        let records = [
            // Any key order, extra keys ignored, a number as a string, whitespace and CRLF around.
            r#"  {"petal width (cm)": 0.2, "id": 7, "sepal width (cm)": "3.5", "petal length (cm)": 1.4, "sepal length (cm)": 5.1}"#,
            "{\"sepal length (cm)\":5.1,\"sepal width (cm)\":3.5,\"petal length (cm)\":1.4,\"petal width (cm)\":0.2}\r\n",
            r#"[5.1, 3.5, "1.4", 0.2]"#,
            " 5.1, 3.5,1.4 ,0.2\r",
        ];
        for record in records {
            assert_eq!(parse_record(record, &iris()), Ok(setosa.clone()), "{record:?}");
        }
    }

    #[test]
    fn text_features_take_strings_and_numbers_as_text() {
        let card = card(&[("rooms", FeatureKind::Number), ("city", FeatureKind::Text)]);
        let lyon = vec![FeatureValue::Number(3.0), FeatureValue::Text("Lyon".into())];
        assert_eq!(parse_record(r#"{"city": "Lyon", "rooms": 3}"#, &card), Ok(lyon.clone()));
        assert_eq!(parse_record("3,Lyon", &card), Ok(lyon));
        assert_eq!(
            parse_record(r#"[4, 75001]"#, &card),
            Ok(vec![FeatureValue::Number(4.0), FeatureValue::Text("75001".into())])
        );
        // The quotes keep the comma inside the field.
        assert_eq!(
            parse_record(r#"2,"Paris, France""#, &card),
            Ok(vec![FeatureValue::Number(2.0), FeatureValue::Text("Paris, France".into())])
        );
        assert_eq!(parse_record(r#"[2, true]"#, &card), Err("“city”: true is not text".to_owned()));
    }

    #[test]
    fn bad_records_say_what_and_where() {
        let cases = [
            (
                r#"{"sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4}"#,
                "“petal width (cm)”: missing",
            ),
            (
                r#"{"sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4, "petal width (cm)": null}"#,
                "“petal width (cm)”: empty where a value is required",
            ),
            (
                r#"{"sepal length (cm)": "abc", "sepal width (cm)": 3.5, "petal length (cm)": 1.4, "petal width (cm)": 0.2}"#,
                "“sepal length (cm)”: “abc” is not a number",
            ),
            ("[true, 3.5, 1.4, 0.2]", "“sepal length (cm)”: true is not a number"),
            ("[5.1, 3.5, 1.4]", "got 3 values, the model takes 4"),
            ("5.1", "got 1 value, the model takes 4"),
            ("5.1,abc,1.4,0.2", "“sepal width (cm)”: “abc” is not a number"),
            ("5.1,,1.4,0.2", "“sepal width (cm)”: empty where a value is required"),
            ("5.1,3.5,1.4,0.2\n4.9,3.0,1.4,0.2", "more than one record (one per line or event)"),
            // The `}` after the comma is the record's 27th character.
            (r#"{"sepal length (cm)": 5.1,}"#, "not valid JSON: trailing comma (column 27)"),
            // Columns count from the start of the record as received, leading spaces included: 2 + 9.
            ("  [5.1, 3.5", "not valid JSON: EOF while parsing a list (column 11)"),
            ("", "an empty record"),
            ("  \r\n", "an empty record"),
        ];
        for (record, error) in cases {
            assert_eq!(parse_record(record, &iris()), Err(error.to_owned()), "{record:?}");
        }
    }

    /// The iris card as a classifier, its target “class”.
    fn iris_classifier() -> ModelCard {
        let mut card = iris();
        card.task = Task::Classification;
        card.target.name = "class".into();
        card.target.classes = Some(vec!["setosa".into(), "versicolor".into(), "virginica".into()]);
        card
    }

    #[test]
    fn labelled_records_give_values_in_card_order_and_the_class_index() {
        let setosa = numbers(&[5.1, 3.5, 1.4, 0.2]);
        let flower =
            r#""petal width (cm)": 0.2, "sepal width (cm)": 3.5, "petal length (cm)": 1.4, "sepal length (cm)": 5.1"#;
        let cases = [
            (format!(r#"{{{flower}, "class": "setosa"}}"#), 0.0),
            (format!(r#"{{"class": "virginica", {flower}}}"#), 2.0),
            // A class's index, as a number or as text, as a labelled CSV takes it.
            (format!(r#"{{{flower}, "class": 1}}"#), 1.0),
            (format!(r#"  {{{flower}, "class": " 2 "}}"#), 2.0),
        ];
        for (record, class) in cases {
            assert_eq!(parse_labelled(&record, &iris_classifier()), Ok((setosa.clone(), class)), "{record}");
        }
    }

    #[test]
    fn a_regressors_target_is_a_finite_number() {
        let flower =
            r#""sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4, "petal width (cm)": 0.2"#;
        let setosa = numbers(&[5.1, 3.5, 1.4, 0.2]);
        assert_eq!(parse_labelled(&format!(r#"{{{flower}, "y": 151.5}}"#), &iris()), Ok((setosa.clone(), 151.5)));
        assert_eq!(parse_labelled(&format!(r#"{{{flower}, "y": "-2"}}"#), &iris()), Ok((setosa, -2.0)));
        assert_eq!(
            parse_labelled(&format!(r#"{{{flower}, "y": "NaN"}}"#), &iris()),
            Err("“y”: “NaN” is not a number".to_owned())
        );
        assert_eq!(
            parse_labelled(&format!(r#"{{{flower}, "y": [1]}}"#), &iris()),
            Err("“y”: “[1]” is not a number".to_owned())
        );
    }

    #[test]
    fn bad_labelled_records_name_the_field_and_the_reason() {
        let flower =
            r#""sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4, "petal width (cm)": 0.2"#;
        let cases = [
            (format!("{{{flower}}}"), "“class”: missing; a labelled record names the target"),
            (
                format!(r#"{{{flower}, "class": "rose"}}"#),
                "“class”: “rose” is not one of the classes setosa, versicolor, virginica",
            ),
            // 3 is one past the last class; 1.5 is no class's index.
            (
                format!(r#"{{{flower}, "class": 3}}"#),
                "“class”: “3” is not one of the classes setosa, versicolor, virginica",
            ),
            (
                format!(r#"{{{flower}, "class": 1.5}}"#),
                "“class”: “1.5” is not one of the classes setosa, versicolor, virginica",
            ),
            (format!(r#"{{{flower}, "class": null}}"#), "“class”: empty where the target is required"),
            (format!(r#"{{{flower}, "class": " "}}"#), "“class”: empty where the target is required"),
            // The features are checked first, as an unlabelled record's are.
            (
                r#"{"sepal length (cm)": "long", "class": "setosa"}"#.to_owned(),
                "“sepal length (cm)”: “long” is not a number",
            ),
            (
                "5.1,3.5,1.4,0.2,setosa".to_owned(),
                "not a JSON object; a labelled record is keyed by feature name and “class”",
            ),
            (
                "[5.1, 3.5, 1.4, 0.2, 0]".to_owned(),
                "not a JSON object; a labelled record is keyed by feature name and “class”",
            ),
            (r#"{"class": "setosa""#.to_owned(), "not valid JSON: EOF while parsing an object (column 18)"),
            (" \r\n".to_owned(), "an empty record"),
        ];
        for (record, error) in cases {
            assert_eq!(parse_labelled(&record, &iris_classifier()), Err(error.to_owned()), "{record:?}");
        }
    }

    #[test]
    fn pause_hands_the_item_back_when_full() {
        let mut buffer = Buffer::new(2, Overflow::Pause);
        assert_eq!(buffer.push(1), Pushed::Accepted);
        assert_eq!(buffer.push(2), Pushed::Accepted);
        assert!(buffer.is_full());
        assert_eq!(buffer.push(3), Pushed::Full(3));

        assert_eq!(buffer.drain(1), [1]);
        assert_eq!(buffer.push(3), Pushed::Accepted);

        assert_eq!(buffer.drain(10), [2, 3]);
        assert!(buffer.is_empty());
        assert_eq!(buffer.dropped(), 0);
    }

    #[test]
    fn drop_oldest_keeps_the_newest_in_order_and_counts_the_rest() {
        let mut buffer = Buffer::new(3, Overflow::DropOldest);
        let pushed: Vec<Pushed<i32>> = (1..=5).map(|i| buffer.push(i)).collect();
        assert_eq!(pushed[..3], [Pushed::Accepted, Pushed::Accepted, Pushed::Accepted]);
        assert_eq!(pushed[3..], [Pushed::DroppedOldest, Pushed::DroppedOldest]);
        assert_eq!(buffer.dropped(), 2);
        assert_eq!(buffer.drain(usize::MAX), [3, 4, 5]);
    }

    #[test]
    fn a_zero_capacity_holds_one() {
        let mut buffer = Buffer::new(0, Overflow::DropOldest);
        assert_eq!(buffer.capacity(), 1);
        assert_eq!(buffer.push('a'), Pushed::Accepted);
        assert_eq!(buffer.push('b'), Pushed::DroppedOldest);
        assert_eq!(buffer.drain(5), ['b']);
    }

    #[test]
    fn overflow_reads_as_lowercase_words() {
        assert_eq!(serde_json::to_string(&Overflow::DropOldest).unwrap(), r#""dropoldest""#);
        assert_eq!(serde_json::from_str::<Overflow>(r#""pause""#).unwrap(), Overflow::Pause);
        assert_eq!(Overflow::DropOldest.to_string(), "drop the oldest records");
    }

    #[test]
    fn a_window_is_due_when_full_or_old_and_never_empty() {
        let window = Window::default();
        assert_eq!(window, Window { millis: 100, records: 500 });
        assert!(!window.due(0, 1_000.0));
        assert!(!window.due(1, 99.9));
        assert!(window.due(1, 100.0));
        assert!(!window.due(499, 0.0));
        assert!(window.due(500, 0.0));
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// `None` pushes the next number, `Some(n)` drains up to `n`.
    fn operations() -> impl Strategy<Value = Vec<Option<usize>>> {
        prop::collection::vec(prop::option::of(0usize..6), 0..64)
    }

    proptest! {
        #[test]
        fn drop_oldest_accounts_for_every_item(capacity in 0usize..6, operations in operations()) {
            let mut buffer = Buffer::new(capacity, Overflow::DropOldest);
            let (mut received, mut drained) = (0u64, Vec::new());
            for operation in operations {
                match operation {
                    None => {
                        prop_assert!(!matches!(buffer.push(received), Pushed::Full(_)));
                        received += 1;
                    }
                    Some(n) => drained.extend(buffer.drain(n)),
                }
                prop_assert!(buffer.len() <= buffer.capacity());
            }
            prop_assert_eq!(received, drained.len() as u64 + buffer.len() as u64 + buffer.dropped());
            prop_assert!(drained.windows(2).all(|w| w[0] < w[1]));
        }

        #[test]
        fn pause_loses_nothing(capacity in 0usize..6, operations in operations()) {
            let mut buffer = Buffer::new(capacity, Overflow::Pause);
            let (mut next, mut drained) = (0u64, Vec::new());
            for operation in operations {
                match operation {
                    // A paused source sends the same item again.
                    None => match buffer.push(next) {
                        Pushed::Accepted => next += 1,
                        Pushed::Full(item) => prop_assert_eq!(item, next),
                        Pushed::DroppedOldest => prop_assert!(false, "Pause dropped an item"),
                    },
                    Some(n) => drained.extend(buffer.drain(n)),
                }
            }
            drained.extend(buffer.drain(usize::MAX));
            prop_assert_eq!(drained, (0..next).collect::<Vec<_>>());
        }
    }
}
