//! Scoring a CSV file on every core: the file is cut into parts ([`split`]), a batch
//! worker per part scans it, then scores it into a file of the origin's private file
//! system, and the parts' outputs are joined in file order into one downloadable `Blob`
//! made of those files, so the output never sits in memory either.
//!
//! [`start`] gives a handle that cancels the run (by terminating the workers, which
//! stops them at once) and the run itself, a future of its [`Outcome`].

use std::future::Future;

use futures_channel::mpsc;
use futures_util::StreamExt;
use js_sys::Array;
use modelport_core::ModelCard;
use modelport_core::batch::profile::Profile;
use modelport_core::batch::split::{self, Scan};
use modelport_core::batch::{ColumnMap, Summary};
use modelport_core::protocol::{BatchRequest, BatchResponse, WorkerResponse, decode, encode};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, BlobPropertyBag, ErrorEvent, File, FileSystemDirectoryHandle, FileSystemFileHandle, FileSystemRemoveOptions,
    MessageEvent, Worker,
};

use crate::inference::WORKER_URL;

/// More workers than this only contend for memory bandwidth.
const MAX_WORKERS: usize = 8;
/// A part smaller than this is not worth a worker of its own.
const MIN_PART_BYTES: u64 = 1 << 20;
/// Where runs write their output in the private file system; each run clears it.
const OUTPUT_FOLDER: &str = "batch";

/// What to score: a file, with a model (checked against its registry hash) and its
/// card, columns mapped to the card's features.
pub struct Job {
    pub file: File,
    pub url: String,
    pub sha256: String,
    pub card: ModelCard,
    pub map: ColumnMap,
    /// The output's header row.
    pub header: Vec<String>,
}

/// How far a run has got, summed over its parts.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Progress {
    pub rows: u64,
    pub errors: u64,
    pub bytes: u64,
    pub total_bytes: u64,
    pub workers: usize,
}

pub struct Outcome {
    pub summary: Summary,
    pub profile: Profile,
    /// The output CSV, header first, then every part's rows in file order.
    pub output: Blob,
}

/// Cancels the run it came with.
#[derive(Clone)]
pub struct Canceller(mpsc::UnboundedSender<Event>);

impl Canceller {
    pub fn cancel(&self) {
        let _ = self.0.unbounded_send(Event::Cancel);
    }
}

enum Event {
    Message(usize, JsValue),
    Crashed(usize, String),
    Cancel,
}

/// Starts scoring `job`; `progress` hears after every chunk of every part. The run
/// answers `Err(None)` when cancelled, `Err(Some(reason))` when it failed.
pub fn start(
    job: Job,
    progress: impl Fn(Progress) + 'static,
) -> (Canceller, impl Future<Output = Result<Outcome, Option<String>>>) {
    let (sender, events) = mpsc::unbounded();
    let canceller = Canceller(sender.clone());
    (canceller, async move {
        let mut workers = Workers::spawn(worker_count(job.file.size() as u64), sender)?;
        let result = run(&job, &mut workers, events, progress).await;
        workers.terminate();
        result
    })
}

fn worker_count(bytes: u64) -> usize {
    let cores = web_sys::window().map_or(1.0, |w| w.navigator().hardware_concurrency()) as usize;
    let by_size = bytes.div_ceil(MIN_PART_BYTES).max(1) as usize;
    cores.clamp(1, MAX_WORKERS).min(by_size)
}

async fn run(
    job: &Job,
    workers: &mut Workers,
    mut events: mpsc::UnboundedReceiver<Event>,
    progress: impl Fn(Progress),
) -> Result<Outcome, Option<String>> {
    let n = workers.len();
    let total_bytes = job.file.size() as u64;
    // Every worker says it is ready before it can hear anything.
    let mut ready = 0;
    while ready < n {
        if let (_, Reply::Ready) = next(&mut events).await? {
            ready += 1;
        }
    }
    let ranges = split::ranges(total_bytes, n);
    for (i, range) in ranges.iter().enumerate() {
        workers.send(i, &BatchRequest::Scan { range: range.clone() }, &job.file)?;
    }
    let mut scans = vec![None::<Scan>; n];
    while scans.iter().any(Option::is_none) {
        match next(&mut events).await? {
            (i, Reply::Batch(BatchResponse::Scanned(scan))) => scans[i] = Some(scan),
            (i, Reply::Batch(BatchResponse::Failed(e))) => return Err(Some(part_failed(i, n, &e))),
            _ => {}
        }
    }
    let scans: Vec<Scan> = scans.into_iter().flatten().collect();
    let folder = output_folder().await?;
    let run_id = js_sys::Date::now() as u64;
    let output_name = |i: usize| format!("{run_id}-part-{i}.csv");
    for (i, part) in split::parts(&ranges, &scans).into_iter().enumerate() {
        let request = BatchRequest::Score {
            url: job.url.clone(),
            sha256: job.sha256.clone(),
            card: Box::new(job.card.clone()),
            map: job.map.clone(),
            part,
            output: format!("{OUTPUT_FOLDER}/{}", output_name(i)),
        };
        workers.send(i, &request, &job.file)?;
    }
    let mut parts = vec![Progress::default(); n];
    let mut finished: Vec<Option<(Summary, Profile)>> = vec![None; n];
    while finished.iter().any(Option::is_none) {
        match next(&mut events).await? {
            (i, Reply::Batch(BatchResponse::Progress { rows, errors, bytes })) => {
                parts[i] = Progress { rows, errors, bytes, ..Progress::default() };
            }
            (i, Reply::Batch(BatchResponse::Finished { summary, profile })) => {
                parts[i] = Progress { rows: summary.rows, errors: summary.errors, bytes: summary.bytes, ..parts[i] };
                finished[i] = Some((summary, profile));
            }
            (i, Reply::Batch(BatchResponse::Failed(e))) => return Err(Some(part_failed(i, n, &e))),
            _ => continue,
        }
        let sum = parts.iter().fold(Progress { total_bytes, workers: n, ..Progress::default() }, |sum, p| Progress {
            rows: sum.rows + p.rows,
            errors: sum.errors + p.errors,
            bytes: sum.bytes + p.bytes,
            ..sum
        });
        progress(sum);
    }
    let mut finished = finished.into_iter().flatten();
    let (mut summary, mut profile) = finished.next().ok_or_else(|| Some("no part was scored".to_owned()))?;
    for (next_summary, next_profile) in finished {
        summary.merge(&next_summary);
        profile.merge(&next_profile);
    }
    let output = join_outputs(&job.header, &folder, (0..n).map(output_name)).await?;
    Ok(Outcome { summary, profile, output })
}

enum Reply {
    Ready,
    Batch(BatchResponse),
}

/// The next worker message, or why the run must stop.
async fn next(events: &mut mpsc::UnboundedReceiver<Event>) -> Result<(usize, Reply), Option<String>> {
    match events.next().await {
        Some(Event::Message(i, data)) => {
            let text = data.as_string().unwrap_or_default();
            match decode::<BatchResponse>(&text) {
                Ok(response) => Ok((i, Reply::Batch(response))),
                Err(e) => match decode::<WorkerResponse>(&text) {
                    Ok(WorkerResponse::Ready) => Ok((i, Reply::Ready)),
                    _ => Err(Some(format!("a batch worker sent {e}"))),
                },
            }
        }
        Some(Event::Crashed(i, message)) => Err(Some(format!("batch worker {} stopped: {message}", i + 1))),
        Some(Event::Cancel) | None => Err(None),
    }
}

fn part_failed(i: usize, n: usize, reason: &str) -> String {
    if n == 1 { reason.to_owned() } else { format!("part {} of {n}: {reason}", i + 1) }
}

/// The batch workers and the handlers that feed their messages into the run's events.
struct Workers {
    workers: Vec<Worker>,
    _handlers: Vec<Closure<dyn FnMut(JsValue)>>,
}

impl Workers {
    fn spawn(n: usize, events: mpsc::UnboundedSender<Event>) -> Result<Self, Option<String>> {
        let mut workers = Self { workers: vec![], _handlers: vec![] };
        for i in 0..n {
            let worker =
                Worker::new(WORKER_URL).map_err(|e| Some(format!("a batch worker could not start ({e:?})")))?;
            let sender = events.clone();
            let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                let _ = sender.unbounded_send(Event::Message(i, event.unchecked_into::<MessageEvent>().data()));
            });
            let sender = events.clone();
            let on_error = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                let message = event.dyn_ref::<ErrorEvent>().map(ErrorEvent::message).unwrap_or_default();
                let _ = sender.unbounded_send(Event::Crashed(i, message));
            });
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            workers.workers.push(worker);
            workers._handlers.extend([on_message, on_error]);
        }
        Ok(workers)
    }

    fn len(&self) -> usize {
        self.workers.len()
    }

    fn send(&self, i: usize, request: &BatchRequest, file: &File) -> Result<(), Option<String>> {
        let message = Array::of2(&encode(request).into(), file);
        self.workers[i].post_message(&message).map_err(|e| Some(format!("could not reach a batch worker ({e:?})")))
    }

    fn terminate(&mut self) {
        self.workers.drain(..).for_each(|w| w.terminate());
    }
}

/// The private file system's folder for batch output, emptied of earlier runs.
async fn output_folder() -> Result<FileSystemDirectoryHandle, Option<String>> {
    let failed = |e: JsValue| Some(format!("the browser's private storage is not available ({e:?})"));
    let storage = web_sys::window().ok_or_else(|| Some("no window".to_owned()))?.navigator().storage();
    let root: FileSystemDirectoryHandle =
        JsFuture::from(storage.get_directory()).await.map_err(failed)?.unchecked_into();
    let recursive = FileSystemRemoveOptions::new();
    recursive.set_recursive(true);
    // Absent on a first run, or held by another tab's run: either way, not an error.
    let _ = JsFuture::from(root.remove_entry_with_options(OUTPUT_FOLDER, &recursive)).await;
    let create = web_sys::FileSystemGetDirectoryOptions::new();
    create.set_create(true);
    let folder =
        JsFuture::from(root.get_directory_handle_with_options(OUTPUT_FOLDER, &create)).await.map_err(failed)?;
    Ok(folder.unchecked_into())
}

/// One `Blob` of the header and the parts' files: the browser reads it from disk when
/// it is downloaded.
async fn join_outputs(
    header: &[String],
    folder: &FileSystemDirectoryHandle,
    names: impl Iterator<Item = String>,
) -> Result<Blob, Option<String>> {
    let failed = |e: JsValue| Some(format!("could not read the scored rows back ({e:?})"));
    let parts = Array::of1(&header_line(header).into());
    for name in names {
        let handle: FileSystemFileHandle =
            JsFuture::from(folder.get_file_handle(&name)).await.map_err(failed)?.unchecked_into();
        parts.push(&JsFuture::from(handle.get_file()).await.map_err(failed)?);
    }
    let options = BlobPropertyBag::new();
    options.set_type("text/csv");
    Blob::new_with_blob_sequence_and_options(&parts, &options).map_err(failed)
}

fn header_line(names: &[String]) -> String {
    let mut writer = csv::Writer::from_writer(vec![]);
    // Writing to memory cannot fail.
    let _ = writer.write_record(names);
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}
