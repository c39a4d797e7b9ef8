//! Batch scoring with a shipped model: the browser's way (the file cut into parts, each
//! located and scored on its own, outputs joined in order) gives exactly what scoring
//! the whole file gives, and a file of nothing but bad rows loses none of them.

use std::ops::ControlFlow;
use std::path::Path;

use modelport_core::batch::profile::Profile;
use modelport_core::batch::split::{self, Scan};
use modelport_core::batch::{CHUNK, ColumnMap, Predictions, Scorer, Summary, score_csv};
use modelport_core::card::FeatureValue;
use modelport_core::record::{Predicted, Sample};
use modelport_core::{Model, ModelCard};

fn iris() -> (Model, ModelCard) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/iris-forest/1.0.0");
    let model = Model::load(&std::fs::read(dir.join("model.onnx")).unwrap()).unwrap();
    let card = serde_json::from_str(&std::fs::read_to_string(dir.join("card.json")).unwrap()).unwrap();
    (model, card)
}

/// A file whose rows vary, with a quoted line break in an extra column and a bad row
/// now and then.
fn file(rows: usize) -> String {
    let mut text = String::from("note,sepal length,sepal width,petal length,petal width\n");
    for i in 0..rows {
        let x = i as f64;
        match i % 97 {
            13 => text.push_str(&format!("bad {i},x,1,1,1\n")),
            29 => text.push_str(&format!("\"two\nlines {i}\",{},3,{},1.5\n", 4.0 + x % 3.0, 1.0 + x % 5.0)),
            _ => text.push_str(&format!("r{i},{},{},{},{}\n", 4.5 + x % 3.5, 2.0 + x % 2.0, 1.0 + x % 6.0, x % 2.5)),
        }
    }
    text
}

fn score_whole(model: &Model, card: &ModelCard, text: &str) -> (Vec<u8>, Summary) {
    let mut out = vec![];
    let summary = score_csv(model, card, text.as_bytes(), &mut out, |_| ControlFlow::Continue(())).unwrap();
    (out, summary)
}

#[test]
fn parts_scored_apart_and_joined_equal_the_whole_file() {
    let (model, card) = iris();
    let text = file(3 * CHUNK + 500);
    let (whole, whole_summary) = score_whole(&model, &card, &text);
    let bytes = text.as_bytes();
    let header = csv::Reader::from_reader(bytes).headers().unwrap().clone();
    let map = ColumnMap::resolve(&header, &card).unwrap();
    let mut whole_profile: Option<Profile> = None;
    for parts in [1, 2, 3, 7] {
        let ranges = split::ranges(bytes.len() as u64, parts);
        let scans: Vec<Scan> = ranges.iter().map(|r| split::scan(&bytes[r.start as usize..r.end as usize])).collect();
        let scorer = Scorer::new(&model, &card, map.clone());
        let mut joined = csv::Writer::from_writer(vec![]);
        joined.write_record(scorer.header()).unwrap();
        let mut summary = Summary::new(&card);
        let mut profile = Profile::new(&map, &card);
        for part in split::parts(&ranges, &scans) {
            let mut part_summary = Summary::new(&card);
            let mut part_profile = Profile::new(&map, &card);
            if let Some(located) = part.locate(|offset| &bytes[offset as usize..]).unwrap() {
                let slice = &bytes[located.bytes.start as usize..located.bytes.end as usize];
                let records: Vec<_> = split::records(slice, located.first_line, part.range.start == 0).collect();
                for chunk in records.chunks(CHUNK) {
                    scorer.chunk(chunk, &mut part_summary, Some(&mut part_profile), &mut joined).unwrap();
                }
            }
            summary.merge(&part_summary);
            profile.merge(&part_profile);
        }
        let joined = joined.into_inner().unwrap();
        assert!(joined == whole, "{parts} parts give a different output");
        assert_eq!((summary.rows, summary.errors), (whole_summary.rows, whole_summary.errors));
        assert_eq!(summary.first_errors, whole_summary.first_errors);
        assert_eq!(summary.predictions, whole_summary.predictions);
        assert_eq!(summary.sample.seen, whole_summary.sample.seen);
        assert!(summary.sample.rows.len() <= Sample::CAPACITY && summary.sample.rows.len() > Sample::CAPACITY / 4);
        let whole_profile = whole_profile.get_or_insert_with(|| profile.clone());
        for (merged, whole) in profile.columns.iter_mut().zip(&whole_profile.columns) {
            // Means merge through a weighted average, which may round differently.
            assert!((merged.mean - whole.mean).abs() < 1e-9, "{parts} parts: {}", merged.name);
            merged.mean = whole.mean;
        }
        assert_eq!(&profile, whole_profile, "{parts} parts give a different profile");
    }
    // Every note is text, and the bad rows' sepal lengths too.
    let rows = 3 * CHUNK as u64 + 500;
    let profile = whole_profile.unwrap();
    let bad = (0..rows).filter(|i| i % 97 == 13).count() as u64;
    assert_eq!((profile.columns[0].name.as_str(), profile.columns[0].text), ("note", rows));
    assert_eq!((profile.columns[1].count, profile.columns[1].text), (rows - bad, bad));
    assert_eq!(whole_summary.rows, 3 * CHUNK as u64 + 500);
    // Row 13 is line 15: the header and row 0 come first, and the one quoted line
    // break before it (row 29) comes later.
    assert_eq!(whole_summary.first_errors[0], "line 15, column 2 (sepal length): “x” is not a number");
}

/// The monitor's sample of a batch holds scored rows as they were read, each with the
/// class the output file gives it, evenly spread over the file.
#[test]
fn the_sample_holds_scored_rows_with_their_predictions() {
    let (model, card) = iris();
    let rows = 3 * CHUNK + 500;
    let (out, summary) = score_whole(&model, &card, &file(rows));
    let mut output = csv::Reader::from_reader(out.as_slice());
    let header = output.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (label, error) = (column("output_label"), column("error"));
    let scored: Vec<(Vec<f64>, String)> = output
        .records()
        .map(Result::unwrap)
        .filter(|r| r[error].is_empty())
        .map(|r| ((1..5).map(|i| r[i].parse().unwrap()).collect(), r[label].to_owned()))
        .collect();
    let sample = &summary.sample;
    assert_eq!(sample.seen, rows as u64);
    assert!(sample.rows.len() > Sample::CAPACITY / 2 && sample.rows.len() <= Sample::CAPACITY);
    for (features, predicted) in &sample.rows {
        let x: Vec<f64> =
            features.iter().map(|f| if let FeatureValue::Number(n) = f { *n } else { f64::NAN }).collect();
        let (_, class) = scored.iter().find(|(row, _)| *row == x).expect("a sampled row is a scored row");
        let index: usize = class.parse().unwrap();
        assert_eq!(predicted, &Predicted::Class(card.classes()[index].clone()));
    }
    // Evenly spread: the last sampled row is near the end of the file.
    let last = &sample.rows.last().unwrap().0;
    let at = scored.iter().rposition(|(row, _)| row.iter().zip(last).all(|(a, b)| FeatureValue::Number(*a) == *b));
    assert!(at.unwrap() + 2 * sample.stride as usize >= scored.len() - 1);
}

#[test]
fn a_file_of_bad_rows_loses_none() {
    let (model, card) = iris();
    let mut text = String::from("sepal length,sepal width,petal length,petal width\n");
    for i in 0..1000 {
        text.push_str(match i % 4 {
            0 => "1,2,3\n",
            1 => "a,b,c,d\n",
            2 => ",,,\n",
            _ => "1,2,3,4,5\n",
        });
    }
    let (out, summary) = score_whole(&model, &card, &text);
    assert_eq!((summary.rows, summary.errors), (1000, 1000));
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(out.as_slice());
    let errors: Vec<String> = reader.records().map(|r| r.unwrap().iter().next_back().unwrap().to_owned()).collect();
    assert_eq!(errors.len(), 1000, "one output row per input row");
    assert!(errors.iter().all(|e| e.starts_with("line ")), "every row says where it went wrong");
    assert_eq!(errors[0], "line 2: 3 fields, the header has 4");
    assert_eq!(errors[1], "line 3, column 1 (sepal length): “a” is not a number");
    assert_eq!(errors[2], "line 4, column 1 (sepal length): empty where a value is required");
    assert_eq!(errors[3], "line 5: 5 fields, the header has 4");
    // Nothing was predicted, so nothing is counted.
    let Predictions::Classes(counts) = summary.predictions else { panic!("iris predicts classes") };
    assert!(counts.iter().all(|(_, n)| *n == 0));
}
