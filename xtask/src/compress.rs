//! Precompressed copies of the site's files, `name.gz` and `name.br` beside `name`, for
//! hosts that serve them as they are (nginx's `gzip_static`, a bucket whose objects
//! carry `Content-Encoding`): compressing once, at the best level, beats compressing
//! every response at a fast one, and the wasm is most of the bytes a visitor fetches.

use std::fs;
use std::io::Write;
use std::path::Path;

/// Only files worth the trouble: smaller ones fit in a packet or two either way.
const SMALLEST: u64 = 1024;
const KINDS: [&str; 9] = ["js", "wasm", "css", "html", "json", "onnx", "svg", "webmanifest", "txt"];

/// A file's size raw, gzipped and brotli-compressed.
#[derive(Clone, Debug, PartialEq)]
pub struct Sizes {
    pub path: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

/// Writes the compressed copies of every file under `dir` worth compressing, but for
/// the paths (relative to `dir`) in `leave`: a folder another step compresses, a file
/// that is rewritten after this (a copy of its old bytes would be served instead).
pub fn precompress(dir: &Path, leave: &[&str]) -> Result<Vec<Sizes>, String> {
    let mut sizes = vec![];
    walk(dir, dir, leave, &mut sizes)?;
    sizes.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(sizes)
}

fn walk(root: &Path, dir: &Path, leave: &[&str], sizes: &mut Vec<Sizes>) -> Result<(), String> {
    for entry in fs::read_dir(dir).map_err(|e| format!("could not read {}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let relative = path.strip_prefix(root).map_err(|e| e.to_string())?.to_string_lossy().replace('\\', "/");
        if leave.contains(&relative.as_str()) {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, leave, sizes)?;
            continue;
        }
        let kind = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
        let raw = fs::metadata(&path).map_err(|e| e.to_string())?.len();
        if !KINDS.contains(&kind) || raw < SMALLEST {
            continue;
        }
        let bytes = fs::read(&path).map_err(|e| format!("could not read {}: {e}", path.display()))?;
        let (gzip, brotli) = (gzip(&bytes), brotli(&bytes));
        let copy = |suffix: &str, data: &[u8]| {
            let mut name = path.clone().into_os_string();
            name.push(suffix);
            fs::write(&name, data).map_err(|e| format!("could not write {}: {e}", Path::new(&name).display()))
        };
        copy(".gz", &gzip)?;
        copy(".br", &brotli)?;
        sizes.push(Sizes { path: relative, raw, gzip: gzip.len() as u64, brotli: brotli.len() as u64 });
    }
    Ok(())
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(vec![], flate2::Compression::best());
    // Writing to a Vec cannot fail.
    encoder.write_all(bytes).expect("gzip into memory");
    encoder.finish().expect("gzip into memory")
}

pub fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![];
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("brotli into memory");
    out
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn copies_decompress_to_the_file() {
        let text: Vec<u8> = (0..20_000).flat_map(|i: u32| format!("row {i},{}\n", i % 7).into_bytes()).collect();
        let mut back = vec![];
        flate2::read::GzDecoder::new(&gzip(&text)[..]).read_to_end(&mut back).unwrap();
        assert_eq!(back, text);
        let mut back = vec![];
        brotli::BrotliDecompress(&mut &brotli(&text)[..], &mut back).unwrap();
        assert_eq!(back, text);
        assert!(brotli(&text).len() < text.len() / 4);
    }

    #[test]
    fn copies_go_beside_the_files_but_those_left_alone() {
        let dir = std::env::temp_dir().join(format!("modelport-compress-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("models")).unwrap();
        let text = "x".repeat(4096);
        for name in ["app.js", "sw.js", "models/card.json", "small.css"] {
            fs::write(dir.join(name), if name == "small.css" { "a{}" } else { &text }).unwrap();
        }
        let sizes = precompress(&dir, &["models", "sw.js"]).unwrap();
        assert_eq!(sizes.iter().map(|s| s.path.as_str()).collect::<Vec<_>>(), ["app.js"]);
        assert!(dir.join("app.js.gz").exists() && dir.join("app.js.br").exists());
        for left in ["sw.js.gz", "models/card.json.gz", "small.css.gz"] {
            assert!(!dir.join(left).exists(), "{left}");
        }
        fs::remove_dir_all(dir).unwrap();
    }
}
