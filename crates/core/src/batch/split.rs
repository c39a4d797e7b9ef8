//! Splitting a CSV file into byte ranges that several workers score at once, without
//! reading it whole, and without cutting a record in two.
//!
//! A nominal split point may fall inside a record, even inside a quoted field that
//! holds a line break. Each range is first [`scan`]ned for its line breaks and quotes;
//! the running totals tell, at each split point, whether it lies inside quotes (an odd
//! number of `"` before it: RFC 4180 doubles a quote inside a quoted field) and on
//! which line it lies. A range's records then start just after the first line break
//! outside quotes at or after its split point ([`first_record`]), and end where the
//! next range's start.

use std::io::Read;

use csv::{Position, StringRecord};

/// What a byte range holds that the next ranges need to know.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scan {
    pub line_breaks: u64,
    pub quotes: u64,
}

impl std::ops::Add for Scan {
    type Output = Scan;

    fn add(self, other: Scan) -> Scan {
        Scan { line_breaks: self.line_breaks + other.line_breaks, quotes: self.quotes + other.quotes }
    }
}

impl Scan {
    /// Whether a split point preceded by this much of the file is inside a quoted field.
    pub fn inside_quotes(self) -> bool {
        self.quotes % 2 == 1
    }
}

pub fn scan(bytes: &[u8]) -> Scan {
    let count = |byte: u8| bytes.iter().filter(|&&b| b == byte).count() as u64;
    Scan { line_breaks: count(b'\n'), quotes: count(b'"') }
}

/// The offset in `bytes` (the file from a split point on) of the first record that
/// starts there: just after the first line break outside quotes. `None` when there is
/// none, so the range holds no record of its own. `inside_quotes` is the state at the
/// split point, from the scans of everything before it.
pub fn first_record(bytes: &[u8], inside_quotes: bool) -> Option<usize> {
    let mut quoted = inside_quotes;
    bytes
        .iter()
        .position(|&b| {
            if b == b'"' {
                quoted = !quoted;
            }
            b == b'\n' && !quoted
        })
        .map(|i| i + 1)
}

/// The records of a range that starts at a record boundary on line `first_line`
/// (1-based, counting physical lines as `csv` does). The range holding the header
/// skips it. Each record's position carries its line in the whole file, so errors name
/// the right line.
pub fn records<R: Read>(
    input: R,
    first_line: u64,
    has_header: bool,
) -> impl Iterator<Item = Result<StringRecord, String>> {
    let reader = csv::ReaderBuilder::new().flexible(true).has_headers(has_header).from_reader(input);
    reader.into_records().map(move |record| {
        let mut record = record.map_err(|e| e.to_string())?;
        if let Some(at) = record.position() {
            let mut shifted = Position::new();
            shifted.set_line(at.line() + first_line - 1).set_byte(at.byte()).set_record(at.record());
            record.set_position(Some(shifted));
        }
        Ok(record)
    })
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The records of `file` split at `points`, each range read on its own as a
    /// worker would: (line, fields) per record, in order.
    fn split_read(file: &[u8], points: &[usize]) -> Vec<(u64, Vec<String>)> {
        let mut bounds: Vec<usize> = points.iter().map(|&p| p.min(file.len())).collect();
        bounds.sort_unstable();
        bounds.insert(0, 0);
        bounds.push(file.len());
        let scans: Vec<Scan> = bounds.windows(2).map(|w| scan(&file[w[0]..w[1]])).collect();
        // Where each range's records start, and on which line.
        let mut before = Scan::default();
        let mut starts = vec![];
        for (i, w) in bounds.windows(2).enumerate() {
            if i == 0 {
                starts.push(Some((0, 1)));
            } else {
                let start = first_record(&file[w[0]..], before.inside_quotes()).map(|o| w[0] + o);
                starts.push(start.map(|s| (s, 1 + before.line_breaks + scan(&file[w[0]..s]).line_breaks)));
            }
            before = before + scans[i];
        }
        let mut out = vec![];
        for (i, start) in starts.iter().enumerate() {
            let Some((from, line)) = *start else { continue };
            // A range ends where the next range with records of its own starts.
            let to = starts[i + 1..].iter().flatten().map(|&(s, _)| s).next().unwrap_or(file.len()).max(from);
            for record in records(&file[from..to], line, i == 0) {
                let record = record.unwrap();
                out.push((record.position().unwrap().line(), record.iter().map(str::to_owned).collect()));
            }
        }
        out
    }

    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z0-9.]{0,6}",
            // Quoted, with commas, doubled quotes and line breaks inside.
            "[a-z,\"\n]{0,6}".prop_map(|s| format!("\"{}\"", s.replace('"', "\"\""))),
        ]
    }

    fn csv_file() -> impl Strategy<Value = String> {
        (1usize..4).prop_flat_map(|width| {
            prop::collection::vec(prop::collection::vec(cell(), width), 1..30)
                .prop_map(|rows| rows.iter().map(|r| r.join(",") + "\n").collect::<String>())
        })
    }

    proptest! {
        #[test]
        fn ranges_give_the_records_of_the_whole_file(
            file in csv_file(),
            points in prop::collection::vec(0usize..2000, 0..6),
        ) {
            let whole = split_read(file.as_bytes(), &[]);
            prop_assert_eq!(split_read(file.as_bytes(), &points), whole);
        }

        #[test]
        fn reading_in_small_pieces_gives_the_same_records(file in csv_file(), piece in 1usize..64) {
            /// Hands out the file a few bytes at a time, as a browser's file slices do.
            struct Pieces<'a>(&'a [u8], usize);
            impl Read for Pieces<'_> {
                fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                    let n = self.1.min(buf.len()).min(self.0.len());
                    buf[..n].copy_from_slice(&self.0[..n]);
                    self.0 = &self.0[n..];
                    Ok(n)
                }
            }
            let read = |input: &mut dyn Read| -> Vec<StringRecord> { records(input, 1, true).map(Result::unwrap).collect() };
            prop_assert_eq!(read(&mut Pieces(file.as_bytes(), piece)), read(&mut file.as_bytes()));
        }
    }

    #[test]
    fn a_split_inside_a_quoted_line_break_waits_for_the_record_to_end() {
        let file = b"a,b\n1,\"x\ny\"\n2,z\n";
        // Byte 9 is the line break inside the quotes.
        assert_eq!(first_record(&file[9..], scan(&file[..9]).inside_quotes()), Some(3));
        let lines: Vec<u64> = split_read(file, &[9]).iter().map(|r| r.0).collect();
        assert_eq!(lines, [2, 4]);
    }
}
