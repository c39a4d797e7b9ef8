//! A batch worker's share of a CSV file: the page starts several, each scores one part
//! of the file and writes its output rows to a file of its own in the origin's private
//! file system, so that neither the input nor the output is ever held whole in memory.
//!
//! The work is synchronous (`FileReaderSync`, synchronous file handles): a batch worker
//! does nothing else, and the page cancels it by terminating it.

use std::io::{self, Read, Write};

use js_sys::{Array, Uint8Array};
use modelport_core::batch::profile::Profile;
use modelport_core::batch::split::{self, Part};
use modelport_core::batch::{CHUNK, ColumnMap, Scorer, Summary};
use modelport_core::protocol::{BatchRequest, BatchResponse, decode};
use modelport_core::{Model, ModelCard};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, DedicatedWorkerGlobalScope, FileReaderSync, FileSystemDirectoryHandle, FileSystemFileHandle,
    FileSystemGetDirectoryOptions, FileSystemGetFileOptions, FileSystemSyncAccessHandle, WorkerGlobalScope,
};

/// Bytes read from the file at a time.
const READ_SIZE: u64 = 1 << 20;
/// Output bytes gathered before each write to the output file.
const WRITE_SIZE: usize = 1 << 20;

pub fn handle(message: &Array, scope: DedicatedWorkerGlobalScope) {
    let request = decode::<BatchRequest>(&message.get(0).as_string().unwrap_or_default());
    let file: Blob = message.get(1).unchecked_into();
    match request {
        Err(e) => crate::post(&scope, &BatchResponse::Failed(e)),
        Ok(BatchRequest::Scan { range }) => {
            let scanned = read_all(BlobReader::new(&file, range.start, range.end), split::scan);
            crate::post(&scope, &scanned.map_or_else(|e| BatchResponse::Failed(e.to_string()), BatchResponse::Scanned));
        }
        Ok(BatchRequest::Score { url, sha256, card, map, part, output }) => {
            wasm_bindgen_futures::spawn_local(async move {
                let result = async {
                    let model = crate::fetch_model(&url, &sha256).await?;
                    let output = open_output(&output).await?;
                    score(&scope, &model, &card, map, &part, &file, OutputFile(output))
                };
                let response = result.await.unwrap_or_else(BatchResponse::Failed);
                crate::post(&scope, &response);
            });
        }
    }
}

fn score(
    scope: &DedicatedWorkerGlobalScope,
    model: &Model,
    card: &ModelCard,
    map: ColumnMap,
    part: &Part,
    file: &Blob,
    output: OutputFile,
) -> Result<BatchResponse, String> {
    let len = file.size() as u64;
    let mut summary = Summary::new(card);
    let mut profile = Profile::new(&map, card);
    let located = part.locate(|offset| BlobReader::new(file, offset, len)).map_err(|e| e.to_string())?;
    let Some(located) = located else { return Ok(BatchResponse::Finished { summary, profile }) };
    let reader = BlobReader::new(file, located.bytes.start, located.bytes.end);
    let mut records = split::records(reader, located.first_line, part.range.start == 0);
    let scorer = Scorer::new(model, card, map);
    let mut writer = csv::WriterBuilder::new().buffer_capacity(WRITE_SIZE).from_writer(output);
    let mut chunk = Vec::with_capacity(CHUNK);
    loop {
        chunk.clear();
        chunk.extend(records.by_ref().take(CHUNK));
        if chunk.is_empty() {
            break;
        }
        scorer
            .chunk(&chunk, &mut summary, Some(&mut profile), &mut writer)
            .map_err(|e| format!("could not write the output: {e}"))?;
        let bytes = chunk.iter().rev().flatten().find_map(|r| r.position()).map_or(0, |p| p.byte());
        crate::post(scope, &BatchResponse::Progress { rows: summary.rows, errors: summary.errors, bytes });
    }
    writer.flush().map_err(|e| format!("could not write the output: {e}"))?;
    summary.bytes = located.bytes.end - located.bytes.start;
    Ok(BatchResponse::Finished { summary, profile })
}

/// Reads `reader` to its end in pieces, folding each piece's result with `+`.
fn read_all<T: Default + std::ops::Add<Output = T>>(mut reader: impl Read, f: impl Fn(&[u8]) -> T) -> io::Result<T> {
    let mut buffer = vec![0; READ_SIZE as usize];
    let mut total = T::default();
    loop {
        match reader.read(&mut buffer)? {
            0 => return Ok(total),
            n => total = total + f(&buffer[..n]),
        }
    }
}

/// Bytes `at..end` of a file, read a slice at a time as they are asked for.
struct BlobReader {
    blob: Blob,
    reader: FileReaderSync,
    at: u64,
    end: u64,
    pending: Vec<u8>,
    offset: usize,
}

impl BlobReader {
    fn new(blob: &Blob, at: u64, end: u64) -> Self {
        let reader = FileReaderSync::new().expect("FileReaderSync exists in workers");
        Self { blob: blob.clone(), reader, at, end, pending: vec![], offset: 0 }
    }
}

impl Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.offset == self.pending.len() {
            if self.at >= self.end {
                return Ok(0);
            }
            let to = (self.at + READ_SIZE).min(self.end);
            let slice = self.blob.slice_with_f64_and_f64(self.at as f64, to as f64).map_err(js_error)?;
            let bytes = self.reader.read_as_array_buffer(&slice).map_err(js_error)?;
            self.pending = Uint8Array::new(&bytes).to_vec();
            self.offset = 0;
            self.at = to;
        }
        let n = buf.len().min(self.pending.len() - self.offset);
        buf[..n].copy_from_slice(&self.pending[self.offset..self.offset + n]);
        self.offset += n;
        Ok(n)
    }
}

/// A file of the origin's private file system, written through a synchronous handle.
struct OutputFile(FileSystemSyncAccessHandle);

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write_with_u8_array(buf).map_err(js_error).map(|n| n as usize)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush().map_err(js_error)
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        // Closing lets the page read the file.
        self.0.close();
    }
}

/// Opens `path` (`folder/name`) in the private file system, empty, for writing.
async fn open_output(path: &str) -> Result<FileSystemSyncAccessHandle, String> {
    let failed = |e: JsValue| format!("could not create the output file {path} in the browser's storage: {e:?}");
    let scope: WorkerGlobalScope = js_sys::global().unchecked_into();
    let mut directory: FileSystemDirectoryHandle =
        JsFuture::from(scope.navigator().storage().get_directory()).await.map_err(failed)?.unchecked_into();
    let (folders, name) = path.rsplit_once('/').unwrap_or(("", path));
    let create = FileSystemGetDirectoryOptions::new();
    create.set_create(true);
    for folder in folders.split('/').filter(|f| !f.is_empty()) {
        directory = JsFuture::from(directory.get_directory_handle_with_options(folder, &create))
            .await
            .map_err(failed)?
            .unchecked_into();
    }
    let options = FileSystemGetFileOptions::new();
    options.set_create(true);
    let file: FileSystemFileHandle =
        JsFuture::from(directory.get_file_handle_with_options(name, &options)).await.map_err(failed)?.unchecked_into();
    let handle: FileSystemSyncAccessHandle =
        JsFuture::from(file.create_sync_access_handle()).await.map_err(failed)?.unchecked_into();
    handle.truncate_with_u32(0).map_err(failed)?;
    Ok(handle)
}

fn js_error(e: JsValue) -> io::Error {
    io::Error::other(format!("{e:?}"))
}
