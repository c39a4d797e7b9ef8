//! The page's handle on the inference worker: `inspect`, `load`, `run` and `export` as async
//! calls, each answered by exactly one worker response (a load may hear how its download
//! is going before that).
//!
//! If the worker dies (a crash in the runtime, a failed start), every pending call fails
//! with a message saying so, a fresh worker is started, and [`Inference::restarts`]
//! ticks so that views re-load their models into it.

use std::cell::RefCell;
use std::collections::HashMap;

use futures_channel::oneshot;
use leptos::prelude::*;
use modelport_core::protocol::{Reply, WorkerRequest, WorkerResponse, decode, encode};
use modelport_core::sgd::{Sgd, Standardizer};
use modelport_core::{Inspection, ModelCard, Signature, Tensors};
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};

/// The worker's loader, next to the page (public/worker_loader.js).
pub const WORKER_URL: &str = "./worker_loader.js";
/// Restarts in a row, without the worker ever becoming ready, before giving up: a worker
/// that cannot start (a broken or missing wasm file) would otherwise restart forever.
const MAX_FAILED_STARTS: u32 = 3;
const STOPPED: &str = "the inference worker is not running";

/// A compiled model in the worker.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    pub signature: Signature,
    pub millis: f64,
}

/// A model file on its way to the worker: bytes received so far, of how many if known.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Download {
    pub received: u64,
    pub total: Option<u64>,
}

/// The outputs of one batch, and the time inference took inside the worker.
#[derive(Clone, Debug, PartialEq)]
pub struct Ran {
    pub outputs: Tensors,
    pub millis: f64,
}

/// A handle on the worker. It is `Copy` (the state lives in Leptos's arena), so views
/// and event handlers can capture it freely.
#[derive(Clone, Copy)]
pub struct Inference {
    shared: StoredValue<RefCell<Shared>, LocalStorage>,
    /// Counts worker restarts. A view that loaded a model reads it, so that it loads the
    /// model again into the new worker.
    pub restarts: RwSignal<u32>,
    /// Why the worker last died, for the page to say.
    pub last_crash: RwSignal<Option<String>>,
    /// Whether a worker has ever said it was ready: its wasm is downloaded.
    pub started: RwSignal<bool>,
}

#[derive(Default)]
struct Shared {
    worker: Option<Worker>,
    ready: bool,
    /// Requests made before the worker said it was ready (earlier messages are lost).
    queued: Vec<WorkerRequest>,
    /// Crashes since the worker last said it was ready.
    failed_starts: u32,
    /// Callers waiting for their answer, by request id.
    pending: HashMap<u64, oneshot::Sender<Result<Reply, String>>>,
    /// Where the loads that show their download want its progress, by request id.
    downloads: HashMap<u64, WriteSignal<Option<Download>>>,
    next_id: u64,
    // The event handlers live as long as their worker.
    handlers: Vec<Closure<dyn FnMut(JsValue)>>,
}

impl Inference {
    /// Starts the worker. Call once, in the root component.
    pub fn start() -> Self {
        let inference = Self {
            shared: StoredValue::new_local(RefCell::new(Shared::default())),
            restarts: RwSignal::new(0),
            last_crash: RwSignal::new(None),
            started: RwSignal::new(false),
        };
        inference.spawn();
        inference
    }

    /// Fetches the file at `url` in the worker and describes it.
    pub async fn inspect(self, url: String) -> Result<Inspection, String> {
        match self.call(|id| WorkerRequest::Inspect { id, url }).await? {
            Reply::Inspected(inspection) => Ok(*inspection),
            other => Err(unexpected(&other)),
        }
    }

    /// Fetches `url` in the worker, checks that its sha256 is `sha256`, and compiles
    /// it under `key`.
    pub async fn load(self, key: String, url: String, sha256: String) -> Result<Loaded, String> {
        self.load_showing(key, url, sha256, None, None).await
    }

    /// [`Inference::load`], of a file `bytes` long by the registry, setting `download`
    /// (if given) as the file arrives: `None` until the download starts, and for a model
    /// the worker has already compiled.
    pub async fn load_showing(
        self,
        key: String,
        url: String,
        sha256: String,
        bytes: Option<u64>,
        download: Option<WriteSignal<Option<Download>>>,
    ) -> Result<Loaded, String> {
        if let Some(download) = download {
            download.try_set(None);
        }
        let request = |id| {
            if let Some(download) = download {
                self.with(|shared| shared.downloads.insert(id, download));
            }
            WorkerRequest::Load { id, key, url, sha256, bytes }
        };
        match self.call(request).await? {
            Reply::Loaded { signature, millis } => Ok(Loaded { signature, millis }),
            other => Err(unexpected(&other)),
        }
    }

    /// Runs one batch through the model loaded under `key`.
    pub async fn run(self, key: String, inputs: Tensors) -> Result<Ran, String> {
        match self.call(|id| WorkerRequest::Run { id, key, inputs }).await? {
            Reply::Ran { outputs, millis } => Ok(Ran { outputs, millis }),
            other => Err(unexpected(&other)),
        }
    }

    /// Writes a recalibrated `learner` (with its input `scaler`) as an ONNX file taking
    /// `card`'s features, in the worker: the page has no engine of its own.
    pub async fn export(self, learner: Sgd, scaler: Standardizer, card: ModelCard) -> Result<Vec<u8>, String> {
        match self.call(|id| WorkerRequest::Export { id, learner, scaler, card: Box::new(card) }).await? {
            Reply::Exported { onnx } => Ok(onnx),
            other => Err(unexpected(&other)),
        }
    }

    /// Compiles `onnx`, made on this device, under `key` (a key not used before).
    pub async fn compile(self, key: String, onnx: Vec<u8>) -> Result<Loaded, String> {
        match self.call(|id| WorkerRequest::Compile { id, key, onnx }).await? {
            Reply::Loaded { signature, millis } => Ok(Loaded { signature, millis }),
            other => Err(unexpected(&other)),
        }
    }

    async fn call(self, request: impl FnOnce(u64) -> WorkerRequest) -> Result<Reply, String> {
        let (tx, rx) = oneshot::channel();
        let id = self.with(|shared| {
            shared.next_id += 1;
            shared.pending.insert(shared.next_id, tx);
            shared.next_id
        });
        if let Some(id) = id {
            self.send(request(id));
        }
        rx.await.unwrap_or_else(|_| Err(STOPPED.into()))
    }

    fn with<R>(self, f: impl FnOnce(&mut Shared) -> R) -> Option<R> {
        self.shared.try_with_value(|shared| f(&mut shared.borrow_mut()))
    }

    fn send(self, request: WorkerRequest) {
        let sent = self.with(|shared| match (&shared.worker, shared.ready) {
            (Some(worker), true) => worker.post_message(&encode(&request).into()).map_err(|e| format!("{e:?}")),
            (Some(_), false) => {
                shared.queued.push(request);
                Ok(())
            }
            // The worker could not be restarted: dropping the caller's channel answers it
            // at once.
            (None, _) => {
                shared.pending.remove(&request.id());
                shared.downloads.remove(&request.id());
                Ok(())
            }
        });
        if let Some(Err(e)) = sent {
            self.crashed(format!("a message could not be sent to it ({e})"));
        }
    }

    fn spawn(self) {
        let worker = match Worker::new(WORKER_URL) {
            Ok(worker) => worker,
            Err(e) => {
                self.last_crash.set(Some(format!("the inference worker could not start ({e:?})")));
                return;
            }
        };
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let data = event.unchecked_into::<MessageEvent>().data();
            match decode::<WorkerResponse>(&data.as_string().unwrap_or_default()) {
                Ok(response) => self.receive(response),
                Err(e) => self.crashed(format!("it sent {e}")),
            }
        });
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let message = event.dyn_ref::<ErrorEvent>().map(ErrorEvent::message).unwrap_or_default();
            self.crashed(if message.is_empty() { "it failed to start".to_owned() } else { message });
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        self.with(|shared| {
            shared.worker = Some(worker);
            shared.ready = false;
            // Replacing the handlers while one of them runs is safe: wasm-bindgen frees a
            // closure only once its current call has returned.
            shared.handlers = vec![on_message, on_error];
        });
    }

    fn receive(self, response: WorkerResponse) {
        match response {
            WorkerResponse::Ready => {
                let queued = self.with(|shared| {
                    shared.ready = true;
                    shared.failed_starts = 0;
                    std::mem::take(&mut shared.queued)
                });
                self.started.set(true);
                queued.into_iter().flatten().for_each(|request| self.send(request));
            }
            WorkerResponse::Progress { id, received, total } => {
                if let Some(download) = self.with(|shared| shared.downloads.get(&id).copied()).flatten() {
                    download.try_set(Some(Download { received, total }));
                }
            }
            WorkerResponse::Done { id, result } => {
                let tx = self.with(|shared| {
                    shared.downloads.remove(&id);
                    shared.pending.remove(&id)
                });
                if let Some(tx) = tx.flatten() {
                    let _ = tx.send(result);
                }
            }
        }
    }

    /// Fails everything pending, replaces the worker, and lets views know.
    fn crashed(self, reason: String) {
        let pending = self.with(|shared| {
            if let Some(worker) = shared.worker.take() {
                worker.terminate();
            }
            shared.queued.clear();
            shared.downloads.clear();
            shared.failed_starts += 1;
            (std::mem::take(&mut shared.pending), shared.failed_starts)
        });
        let Some((pending, failed_starts)) = pending else { return };
        let give_up = failed_starts >= MAX_FAILED_STARTS;
        let reason = if give_up {
            format!("the inference worker stopped ({reason}) and could not be restarted; reload the page to try again")
        } else {
            format!("the inference worker stopped ({reason}); a new one has been started")
        };
        for tx in pending.into_values() {
            let _ = tx.send(Err(reason.clone()));
        }
        self.last_crash.set(Some(reason));
        if !give_up {
            self.spawn();
            self.restarts.update(|n| *n += 1);
        }
    }
}

fn unexpected(reply: &Reply) -> String {
    let kind = match reply {
        Reply::Inspected(_) => "an inspection",
        Reply::Loaded { .. } => "a loaded model",
        Reply::Ran { .. } => "outputs",
        Reply::Exported { .. } => "an ONNX file",
        Reply::Timed { .. } => "a timing",
    };
    format!("the inference worker answered with {kind}, which was not asked for")
}
