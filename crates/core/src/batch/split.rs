//! Splitting a CSV file into byte ranges that several workers score at once, without
//! reading it whole, and without cutting a record in two.
//!
//! A nominal split point may fall inside a record, even inside a quoted field that
//! holds a line break. Each range is first [`scan`]ned for its line breaks and quotes;
//! the running totals tell, at each split point, whether it lies inside quotes (an odd
//! number of `"` before it: RFC 4180 doubles a quote inside a quoted field) and on
//! which line it lies ([`parts`]). A part's records then start just after the first
//! line break outside quotes at or after its split point, and end where the next
//! part's start ([`Part::locate`]).

use std::io::Read;
use std::ops::Range;

use csv::{Position, StringRecord};
use serde::{Deserialize, Serialize};

/// What a byte range holds that the next ranges need to know.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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

/// Cuts a file of `len` bytes into at most `parts` nominal ranges of about equal size,
/// none of them empty.
pub fn ranges(len: u64, parts: usize) -> Vec<Range<u64>> {
    let parts = (parts.max(1) as u64).min(len.max(1));
    (0..parts).map(|i| len * i / parts..len * (i + 1) / parts).collect()
}

/// One worker's share of a file: its nominal range, and what the scans of the ranges
/// before it say about the points where it starts and ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub range: Range<u64>,
    /// Everything before `range.start`.
    pub before: Scan,
    /// Whether `range.end` lies inside a quoted field.
    pub ends_inside_quotes: bool,
    /// The file's length: a part that ends there ends at the last record.
    pub len: u64,
}

/// The parts of a file cut at `ranges`, given each range's [`scan`].
pub fn parts(ranges: &[Range<u64>], scans: &[Scan]) -> Vec<Part> {
    let len = ranges.last().map_or(0, |r| r.end);
    let mut before = Scan::default();
    ranges
        .iter()
        .zip(scans)
        .map(|(range, &scan)| {
            let part = Part { range: range.clone(), before, ends_inside_quotes: (before + scan).inside_quotes(), len };
            before = before + scan;
            part
        })
        .collect()
}

/// Where a part's records lie: from its first record up to the next part's first
/// record, and the line the first one is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub bytes: Range<u64>,
    pub first_line: u64,
}

impl Part {
    /// Finds the part's records, reading the file through `open`, which gives a reader
    /// from an offset to the end of the file. `None` when no record starts in it.
    pub fn locate<R: Read>(&self, mut open: impl FnMut(u64) -> R) -> std::io::Result<Option<Located>> {
        let (from, first_line) = if self.range.start == 0 {
            (0, 1)
        } else {
            match record_start(open(self.range.start), self.before.inside_quotes())? {
                Some((offset, line_breaks)) => (self.range.start + offset, 1 + self.before.line_breaks + line_breaks),
                None => return Ok(None),
            }
        };
        let to = if self.range.end >= self.len {
            self.len
        } else {
            record_start(open(self.range.end), self.ends_inside_quotes)?
                .map_or(self.len, |(offset, _)| self.range.end + offset)
        };
        Ok((from < to).then_some(Located { bytes: from..to, first_line }))
    }
}

/// Where the first record that starts in `input` (a file from some point on) starts:
/// just after the first line break outside quotes, as an offset into `input`, with the
/// line breaks before it. `inside_quotes` is the state where `input` starts. `None`
/// when no record starts in it.
pub fn record_start(mut input: impl Read, inside_quotes: bool) -> std::io::Result<Option<(u64, u64)>> {
    let mut quoted = inside_quotes;
    let (mut offset, mut line_breaks) = (0u64, 0u64);
    let mut buffer = vec![0; 64 * 1024];
    loop {
        let n = match input.read(&mut buffer) {
            Ok(0) => return Ok(None),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        for (i, &byte) in buffer[..n].iter().enumerate() {
            match byte {
                b'"' => quoted = !quoted,
                b'\n' if !quoted => return Ok(Some((offset + i as u64 + 1, line_breaks + 1))),
                b'\n' => line_breaks += 1,
                _ => {}
            }
        }
        offset += n as u64;
    }
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

    /// The records of `file` cut into `parts` ranges, each located and read on its own
    /// as a worker would: (line, fields) per record, in order.
    fn split_read(file: &[u8], parts: usize) -> Vec<(u64, Vec<String>)> {
        let ranges = ranges(file.len() as u64, parts);
        let scans: Vec<Scan> = ranges.iter().map(|r| scan(&file[r.start as usize..r.end as usize])).collect();
        let mut out = vec![];
        for part in super::parts(&ranges, &scans) {
            let Some(located) = part.locate(|offset| &file[offset as usize..]).unwrap() else { continue };
            let bytes = &file[located.bytes.start as usize..located.bytes.end as usize];
            for record in records(bytes, located.first_line, part.range.start == 0) {
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

    /// Files without blank lines: `csv` skips them and counts a skipped line into the
    /// next record's line, which a part starting just after one does not.
    fn csv_file() -> impl Strategy<Value = String> {
        (1usize..4).prop_flat_map(|width| {
            prop::collection::vec(prop::collection::vec(cell(), width), 1..30).prop_map(|rows| {
                rows.iter().map(|r| r.join(",")).map(|r| if r.is_empty() { "x\n".into() } else { r + "\n" }).collect()
            })
        })
    }

    proptest! {
        #[test]
        fn parts_give_the_records_of_the_whole_file(file in csv_file(), parts in 2usize..12) {
            let whole = split_read(file.as_bytes(), 1);
            prop_assert_eq!(split_read(file.as_bytes(), parts), whole);
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
        // Byte 9 is the line break inside the quotes: the record after it starts 3 bytes
        // on, after one more line break.
        assert_eq!(record_start(&file[9..], scan(&file[..9]).inside_quotes()).unwrap(), Some((3, 1)));
        // Cut in 2, the file splits at byte 8, just inside the quotes.
        let lines: Vec<u64> = split_read(file, 2).iter().map(|r| r.0).collect();
        assert_eq!(lines, [2, 4]);
    }

    #[test]
    fn ranges_cover_the_file_without_empty_ones() {
        assert_eq!(ranges(10, 3), [0..3, 3..6, 6..10]);
        assert_eq!(ranges(2, 4), [0..1, 1..2]);
        assert_eq!(ranges(0, 4).len(), 1, "an empty file is one empty range");
    }
}
