//! The prediction log the monitoring page reads: every prediction the form, the batch
//! page and the stream page make is kept in this browser's IndexedDB, and nowhere
//! else. Nothing here talks to a server.
//!
//! Database `modelport`, object store `predictions`: auto-increment keys, each value a
//! [`Record`] as a plain JS object, indexed by `model`. How much is kept is the
//! visitor's [`Retention`], in localStorage; writes prune the model's records to it
//! (which ones go is [`Retention::to_drop`], in the core, where it is tested).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use futures_channel::oneshot;
use leptos::logging::error;
use leptos::prelude::*;
use modelport_core::record::{Record, Retention};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbObjectStoreParameters, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

const DATABASE: &str = "modelport";
/// Bump with a new upgrade step in [`open`] when the store's shape changes.
const SCHEMA: u32 = 1;
const STORE: &str = "predictions";
const BY_MODEL: &str = "model";
const RETENTION_KEY: &str = "modelport.retention";

/// Pruning reads all of a model's records, too much to do for every streamed row: a
/// model is pruned on its first write of the session, then once this many more were
/// written (so that it may hold up to this many beyond its retention for a while).
const PRUNE_EVERY: u32 = 200;

thread_local! {
    /// Notified after every write or clear, so that an open monitor page reloads.
    static CHANGED: ArcTrigger = ArcTrigger::new();
    /// Records written per model since it was last pruned.
    static UNPRUNED: RefCell<HashMap<String, u32>> = RefCell::new(HashMap::new());
}

/// Counts `written` records of `model`; whether it is time to prune it.
fn due_for_pruning(model: &str, written: usize) -> bool {
    UNPRUNED.with_borrow_mut(|unpruned| {
        let first = !unpruned.contains_key(model);
        let count = unpruned.entry(model.to_owned()).or_default();
        *count = count.saturating_add(written as u32);
        let due = first || *count >= PRUNE_EVERY;
        if due {
            *count = 0;
        }
        due
    })
}

/// Subscribes the calling effect or resource to changes of the log.
pub fn track_changes() {
    CHANGED.with(|changed| changed.track());
}

fn notify_changed() {
    CHANGED.with(|changed| changed.notify());
}

/// Keeps `records` (fire and forget): a failure is logged, never shown, since a
/// prediction must not fail because it could not be remembered.
pub fn record(records: Vec<Record>) {
    if records.is_empty() {
        return;
    }
    leptos::task::spawn_local(async move {
        let mut models: Vec<String> = records.iter().map(|r| r.model.clone()).collect();
        models.sort();
        models.dedup();
        if let Err(e) = add(&records).await {
            error!("Could not record {} predictions: {e}", records.len());
            return;
        }
        let retention = retention();
        for model in models {
            let written = records.iter().filter(|r| r.model == model).count();
            if !due_for_pruning(&model, written) {
                continue;
            }
            if let Err(e) = prune(&model, retention).await {
                error!("Could not prune the recorded predictions of {model}: {e}");
            }
        }
        notify_changed();
    });
}

/// Every recorded prediction of `model`, oldest first. A stored value that no longer
/// reads as a [`Record`] is skipped and logged, so that one bad entry cannot hide the
/// others.
pub async fn load(model: &str) -> Result<Vec<Record>, String> {
    let db = open().await?;
    let store = db
        .transaction_with_str(STORE)
        .and_then(|tx| tx.object_store(STORE))
        .map_err(|e| failure("could not read the predictions", e))?;
    let index = store.index(BY_MODEL).map_err(|e| failure("could not read the predictions", e))?;
    let request = index.get_all_with_key(&model.into()).map_err(|e| failure("could not read the predictions", e))?;
    let values: js_sys::Array = done(&request).await?.unchecked_into();
    let mut records = Vec::with_capacity(values.length() as usize);
    let mut unreadable = 0;
    for value in values.iter() {
        let text = js_sys::JSON::stringify(&value).map(String::from).unwrap_or_default();
        match serde_json::from_str::<Record>(&text) {
            Ok(record) => records.push(record),
            Err(_) => unreadable += 1,
        }
    }
    if unreadable > 0 {
        error!("{unreadable} recorded predictions of {model} could not be read and were skipped");
    }
    records.sort_by(|a, b| a.at.total_cmp(&b.at));
    Ok(records)
}

/// Deletes every recorded prediction of `model`.
pub async fn clear(model: &str) -> Result<(), String> {
    let db = open().await?;
    let tx = db
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
        .map_err(|e| failure("could not clear the predictions", e))?;
    let store = tx.object_store(STORE).map_err(|e| failure("could not clear the predictions", e))?;
    let index = store.index(BY_MODEL).map_err(|e| failure("could not clear the predictions", e))?;
    let request = index.get_all_keys_with_key(&model.into()).map_err(|e| failure("could not clear", e))?;
    let keys: js_sys::Array = done(&request).await?.unchecked_into();
    delete_all(&store, keys.iter()).await?;
    notify_changed();
    Ok(())
}

/// The visitor's retention, or the default when none was saved (or it cannot be read).
pub fn retention() -> Retention {
    local_storage()
        .and_then(|storage| storage.get_item(RETENTION_KEY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Saves the visitor's retention; the next write prunes to it.
pub fn save_retention(retention: Retention) -> Result<(), String> {
    let storage = local_storage().ok_or("this browser keeps no local storage")?;
    let text = serde_json::to_string(&retention).map_err(|e| e.to_string())?;
    storage.set_item(RETENTION_KEY, &text).map_err(|e| failure("could not save the retention", e))?;
    // Every model is pruned to the new retention on its next write.
    UNPRUNED.with_borrow_mut(HashMap::clear);
    Ok(())
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

async fn add(records: &[Record]) -> Result<(), String> {
    let db = open().await?;
    let tx = db
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
        .map_err(|e| failure("could not store the predictions", e))?;
    let store = tx.object_store(STORE).map_err(|e| failure("could not store the predictions", e))?;
    let mut last = None;
    for record in records {
        let text = serde_json::to_string(record).map_err(|e| e.to_string())?;
        let value = js_sys::JSON::parse(&text).map_err(|e| failure("could not store a prediction", e))?;
        last = Some(store.add(&value).map_err(|e| failure("could not store a prediction", e))?);
    }
    // Requests of one transaction succeed in order: the last one's success is all's.
    if let Some(last) = last {
        done(&last).await?;
    }
    Ok(())
}

/// Deletes the records of `model` that `retention` no longer keeps.
async fn prune(model: &str, retention: Retention) -> Result<(), String> {
    let db = open().await?;
    let tx = db
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
        .map_err(|e| failure("could not prune", e))?;
    let store = tx.object_store(STORE).map_err(|e| failure("could not prune", e))?;
    let index = store.index(BY_MODEL).map_err(|e| failure("could not prune", e))?;
    // Both asked at once, in the index's order, so that they line up.
    let keys = index.get_all_keys_with_key(&model.into()).map_err(|e| failure("could not prune", e))?;
    let values = index.get_all_with_key(&model.into()).map_err(|e| failure("could not prune", e))?;
    let keys: js_sys::Array = done(&keys).await?.unchecked_into();
    let values: js_sys::Array = done(&values).await?.unchecked_into();
    let ats: Vec<f64> = values
        .iter()
        .map(|value| js_sys::Reflect::get(&value, &"at".into()).ok().and_then(|at| at.as_f64()).unwrap_or(0.0))
        .collect();
    let drop = retention.to_drop(js_sys::Date::now(), &ats);
    delete_all(&store, drop.into_iter().map(|i| keys.get(i as u32))).await
}

async fn delete_all(store: &web_sys::IdbObjectStore, keys: impl Iterator<Item = JsValue>) -> Result<(), String> {
    let mut last = None;
    for key in keys {
        last = Some(store.delete(&key).map_err(|e| failure("could not delete a prediction", e))?);
    }
    if let Some(last) = last {
        done(&last).await?;
    }
    Ok(())
}

/// Opens the database, creating the store and its index on first use.
async fn open() -> Result<IdbDatabase, String> {
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or("this browser keeps no IndexedDB (a private window may not)")?;
    let request: IdbOpenDbRequest =
        factory.open_with_u32(DATABASE, SCHEMA).map_err(|e| failure("could not open the prediction log", e))?;
    let upgrade = Closure::<dyn FnMut(web_sys::IdbVersionChangeEvent)>::new({
        let request = request.clone();
        move |_| {
            let Ok(db) = request.result().map(JsCast::unchecked_into::<IdbDatabase>) else { return };
            let parameters = IdbObjectStoreParameters::new();
            parameters.set_auto_increment(true);
            match db.create_object_store_with_optional_parameters(STORE, &parameters) {
                Ok(store) => {
                    if let Err(e) = store.create_index_with_str(BY_MODEL, "model") {
                        error!("could not index the prediction log: {e:?}");
                    }
                }
                Err(e) => error!("could not create the prediction log: {e:?}"),
            }
        }
    });
    request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let db = done(&request).await?;
    request.set_onupgradeneeded(None);
    Ok(db.unchecked_into())
}

/// Waits for `request` to succeed (its result) or fail (its error, as text).
async fn done(request: &IdbRequest) -> Result<JsValue, String> {
    let (send, receive) = oneshot::channel::<Result<JsValue, String>>();
    let send = Rc::new(RefCell::new(Some(send)));
    let finish = |send: &Rc<RefCell<Option<oneshot::Sender<_>>>>, outcome| {
        if let Some(send) = send.borrow_mut().take() {
            // The receiver only goes when the future is dropped: nobody is waiting.
            let _ = send.send(outcome);
        }
    };
    let on_success = Closure::<dyn FnMut()>::new({
        let (send, request) = (send.clone(), request.clone());
        move || finish(&send, request.result().map_err(|e| format!("{e:?}")))
    });
    let on_error = Closure::<dyn FnMut()>::new({
        let (send, request) = (send.clone(), request.clone());
        move || {
            let message = match request.error() {
                Ok(Some(e)) => format!("{}: {}", e.name(), e.message()),
                _ => "the browser gave no reason".to_owned(),
            };
            finish(&send, Err(message))
        }
    });
    request.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
    request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let outcome = receive.await.unwrap_or_else(|_| Err("the request was dropped".into()));
    // The closures live until here, and the request lets go of them.
    request.set_onsuccess(None);
    request.set_onerror(None);
    outcome
}

fn failure(what: &str, e: JsValue) -> String {
    let reason = e.dyn_ref::<js_sys::Error>().map_or_else(|| format!("{e:?}"), |e| String::from(e.message()));
    format!("{what} ({reason})")
}
