//! The inference worker: fetches, compiles (once per model version, cached) and runs
//! models for the page. Every request gets exactly one response, success or failure.
//!
//! The same program is the batch page's worker: a message that is an array (a request
//! and the file it is about) is batch work, see [`batch`].

mod batch;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use js_sys::Uint8Array;
use modelport_core::download::{self, Throttle};
use modelport_core::protocol::{Reply, WorkerRequest, WorkerResponse, decode, encode};
use modelport_core::{Model, ModelCache};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, ReadableStreamDefaultReader, ReadableStreamReadResult};

/// Installs the message handler and tells the page the worker is ready.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let cache = Rc::new(RefCell::new(ModelCache::default()));
    let handler_scope = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let scope = handler_scope.clone();
        let data = event.data();
        if let Some(message) = data.dyn_ref::<js_sys::Array>() {
            return batch::handle(message, scope);
        }
        match decode::<WorkerRequest>(&data.as_string().unwrap_or_default()) {
            Ok(request) => handle(request, scope, cache.clone()),
            Err(e) => web_sys::console::error_1(&format!("inference worker ignored {e}").into()),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&scope, &WorkerResponse::Ready);
}

fn handle(request: WorkerRequest, scope: DedicatedWorkerGlobalScope, cache: Rc<RefCell<ModelCache>>) {
    let id = request.id();
    match request {
        WorkerRequest::Inspect { url, .. } => wasm_bindgen_futures::spawn_local(async move {
            let result = fetch_bytes(&url, None, &mut |_| ())
                .await
                .and_then(|bytes| modelport_core::inspect(&bytes).map_err(|e| e.to_string()))
                .map(|inspection| Reply::Inspected(Box::new(inspection)));
            post(&scope, &WorkerResponse::Done { id, result });
        }),
        WorkerRequest::Load { key, url, sha256, bytes, .. } => wasm_bindgen_futures::spawn_local(async move {
            let start = now(&scope);
            let mut throttle = Throttle::default();
            let mut progress = |report: Report| {
                if !matches!(report, Report::Chunk(..)) || throttle.due(now(&scope)) {
                    let (received, total) = report.counts();
                    post(&scope, &WorkerResponse::Progress { id, received, total });
                }
            };
            let result = load(&cache, &key, &url, &sha256, bytes, &mut progress)
                .await
                .map(|model| Reply::Loaded { signature: model.signature().clone(), millis: now(&scope) - start });
            post(&scope, &WorkerResponse::Done { id, result });
        }),
        WorkerRequest::Run { key, inputs, .. } => {
            let model = cache.borrow().get(&key).ok_or_else(|| format!("model {key} is not loaded"));
            let start = now(&scope);
            let result = model.and_then(|model| model.run(&inputs).map_err(|e| e.to_string()));
            let result = result.map(|outputs| Reply::Ran { outputs, millis: now(&scope) - start });
            post(&scope, &WorkerResponse::Done { id, result });
        }
        WorkerRequest::Compile { key, onnx, .. } => {
            let start = now(&scope);
            let compiled = cache.borrow_mut().get_or_load(&key, &onnx).map_err(|e| e.to_string());
            let result = compiled.and_then(|model| {
                model.warm_up().map_err(|e| e.to_string())?;
                Ok(Reply::Loaded { signature: model.signature().clone(), millis: now(&scope) - start })
            });
            post(&scope, &WorkerResponse::Done { id, result });
        }
        WorkerRequest::Time { key, inputs, runs, .. } => {
            let model = cache.borrow().get(&key).ok_or_else(|| format!("model {key} is not loaded"));
            let result = model.and_then(|model| {
                let start = now(&scope);
                for _ in 0..runs {
                    model.run(&inputs).map_err(|e| e.to_string())?;
                }
                Ok(Reply::Timed { millis: now(&scope) - start })
            });
            post(&scope, &WorkerResponse::Done { id, result });
        }
        WorkerRequest::Export { learner, scaler, card, .. } => {
            let result = modelport_core::recalibrate::to_onnx(&learner, &scaler, &card)
                .map(|onnx| Reply::Exported { onnx })
                .map_err(|e| e.to_string());
            post(&scope, &WorkerResponse::Done { id, result });
        }
    }
}

/// The model under `key`: from the cache, or downloaded (`bytes` long by the registry,
/// telling `progress`), checked against the registry's hash, compiled and warmed up. A
/// model that compiles but cannot run fails here rather than at the first prediction.
async fn load(
    cache: &RefCell<ModelCache>,
    key: &str,
    url: &str,
    sha256: &str,
    bytes: Option<u64>,
    progress: &mut dyn FnMut(Report),
) -> Result<Arc<Model>, String> {
    if let Some(model) = cache.borrow().get(key) {
        return Ok(model);
    }
    let bytes = fetch_verified(url, sha256, bytes, progress).await?;
    let model = cache.borrow_mut().get_or_load(key, &bytes).map_err(|e| e.to_string())?;
    model.warm_up().map_err(|e| e.to_string())?;
    Ok(model)
}

/// The model at `url`, compiled, if its sha256 is `sha256`.
async fn fetch_model(url: &str, sha256: &str) -> Result<Model, String> {
    Model::load(&fetch_verified(url, sha256, None, &mut |_| ()).await?).map_err(|e| e.to_string())
}

/// The bytes at `url`, if their sha256 is `sha256` (the registry's); see [`fetch_bytes`]
/// for `size` and `progress`.
async fn fetch_verified(
    url: &str,
    sha256: &str,
    size: Option<u64>,
    progress: &mut dyn FnMut(Report),
) -> Result<Vec<u8>, String> {
    let bytes = fetch_bytes(url, size, progress).await?;
    let actual = modelport_core::sha256(&bytes);
    if actual != sha256 {
        return Err(format!(
            "{url} is not the file the registry lists (its sha256 is {actual}, the registry says {sha256}): it may have been altered, so it will not be run"
        ));
    }
    Ok(bytes)
}

/// The most [`fetch_bytes`] sets aside before the bytes arrive: 256 MiB.
const MAX_RESERVED: u64 = 1 << 28;

/// How far a download has got, for [`fetch_bytes`]'s caller: bytes received, and the
/// total expected if known.
#[derive(Clone, Copy, Debug)]
enum Report {
    /// The response has begun, no byte read yet.
    Started(Option<u64>),
    /// A chunk has been read.
    Chunk(u64, Option<u64>),
    /// The last byte is in.
    Finished(u64, Option<u64>),
}

impl Report {
    /// Bytes received, of how many: at the end, a total nothing told is what came.
    fn counts(self) -> (u64, Option<u64>) {
        match self {
            Self::Started(total) => (0, total),
            Self::Chunk(received, total) => (received, total),
            Self::Finished(received, total) => (received, total.or(Some(received))),
        }
    }
}

/// The bytes at `url`, read chunk by chunk as they arrive, telling `progress` after each
/// one of the total expected: `size` (the registry's) if given, else the response's
/// Content-Length if it is not compressed ([`download::expected_total`]).
async fn fetch_bytes(url: &str, size: Option<u64>, progress: &mut dyn FnMut(Report)) -> Result<Vec<u8>, String> {
    let response =
        gloo_net::http::Request::get(url).send().await.map_err(|e| format!("could not download {url}: {e}"))?;
    if !response.ok() {
        return Err(format!("could not download {url}: HTTP {} {}", response.status(), response.status_text()));
    }
    let headers = response.headers();
    let total = download::expected_total(
        size,
        headers.get("content-length").as_deref(),
        headers.get("content-encoding").as_deref(),
    );
    let read_failed = |e: JsValue| format!("could not read {url}: {e:?}");
    // Room for the whole file at once, within reason: the total comes from a registry
    // or a header, not from the bytes themselves.
    let mut bytes = Vec::with_capacity(total.unwrap_or(0).min(MAX_RESERVED) as usize);
    progress(Report::Started(total));
    // A response without a body (none was sent) is empty.
    if let Some(body) = response.body() {
        let reader = ReadableStreamDefaultReader::new(&body).map_err(read_failed)?;
        loop {
            let read: ReadableStreamReadResult =
                JsFuture::from(reader.read()).await.map_err(read_failed)?.unchecked_into();
            if read.get_done().unwrap_or(true) {
                break;
            }
            let chunk: Uint8Array = read.get_value().unchecked_into();
            let start = bytes.len();
            bytes.resize(start + chunk.length() as usize, 0);
            chunk.copy_to(&mut bytes[start..]);
            progress(Report::Chunk(bytes.len() as u64, total));
        }
    }
    progress(Report::Finished(bytes.len() as u64, total));
    Ok(bytes)
}

fn now(scope: &DedicatedWorkerGlobalScope) -> f64 {
    scope.performance().map_or(0.0, |p| p.now())
}

fn post(scope: &DedicatedWorkerGlobalScope, message: &impl serde::Serialize) {
    if let Err(e) = scope.post_message(&encode(message).into()) {
        web_sys::console::error_1(&e);
    }
}
