//! The stream page's source and the state it shares with the page: a Server-Sent Events
//! or WebSocket connection that hands each record to the page, and the bounded buffer
//! the records wait in for a batch.
//!
//! Neither EventSource nor WebSocket can be told to slow down, so pausing one closes
//! it and reconnects once the buffer has room (an SSE source gets `lastEventId` in the
//! URL, to resume where it was).

use leptos::prelude::*;
use modelport_core::card::FeatureValue;
use modelport_core::stream::{Buffer, Overflow, Pushed};
use wasm_bindgen::prelude::*;
use web_sys::{EventSource, MessageEvent, WebSocket};

/// Where the records come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SourceKind {
    Sse,
    WebSocket,
    Pasted,
}

/// What has happened to the records so far, and how many wait.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Counts {
    pub(crate) received: u64,
    pub(crate) scored: u64,
    pub(crate) malformed: u64,
    pub(crate) dropped: u64,
    pub(crate) buffered: usize,
}

/// The source's state, as the page shows it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Status {
    Idle,
    Connecting,
    Open,
    /// Closed because the buffer is full; reopened when it has room.
    Paused,
    Closed(String),
}

impl Status {
    /// Connecting, open or paused: Start is off and Stop is on.
    pub(crate) fn is_running(&self) -> bool {
        matches!(self, Status::Open | Status::Connecting | Status::Paused)
    }
}

/// The connection and the parsed records waiting for a batch.
pub(crate) struct Live {
    pub(crate) buffer: Buffer<(u64, Vec<FeatureValue>)>,
    /// A record a paused source still has to hand over.
    pub(crate) held: Option<(u64, Vec<FeatureValue>)>,
    pub(crate) source: Option<Source>,
    pub(crate) last_event_id: String,
    pub(crate) scoring: bool,
    /// Bumped by Stop: work of an earlier connection is dropped.
    pub(crate) generation: u32,
}

impl Live {
    /// Nothing connected, and a one-record buffer until Start sizes it (or for good,
    /// where records are handled as they arrive and the buffer stays empty).
    pub(crate) fn new() -> Self {
        Self {
            buffer: Buffer::new(1, Overflow::Pause),
            held: None,
            source: None,
            last_event_id: String::new(),
            scoring: false,
            generation: 0,
        }
    }
}

/// An open connection and the handlers it calls, which live as long as it.
pub(crate) struct Source {
    connection: Connection,
    _handlers: Vec<Closure<dyn FnMut(JsValue)>>,
}

enum Connection {
    Sse(EventSource),
    WebSocket(WebSocket),
}

impl Source {
    pub(crate) fn close(&self) {
        match &self.connection {
            Connection::Sse(source) => source.close(),
            Connection::WebSocket(socket) => {
                let _ = socket.close();
            }
        }
    }
}

/// Hands a held record to the buffer once it has room.
pub(crate) fn refill(live: StoredValue<Live, LocalStorage>, counts: RwSignal<Counts>) {
    live.update_value(|l| {
        if let Some(item) = l.held.take()
            && let Pushed::Full(item) = l.buffer.push(item)
        {
            l.held = Some(item);
        }
    });
    counts.update(|c| c.buffered = live.with_value(|l| l.buffer.len()));
}

/// Reopens a paused source once the buffer is at most half full.
pub(crate) fn reconnect_if_room(
    live: StoredValue<Live, LocalStorage>,
    status: RwSignal<Status>,
    receive: impl Fn(String) + Copy + 'static,
    kind: RwSignal<SourceKind>,
    url: RwSignal<String>,
) {
    if status.get_untracked() != Status::Paused {
        return;
    }
    let room = live.with_value(|l| l.held.is_none() && l.buffer.len() <= l.buffer.capacity() / 2);
    if room {
        let kind = kind.get_untracked();
        if kind != SourceKind::Pasted {
            open_source(kind, &url.get_untracked(), live, status, receive);
        }
    }
}

/// Opens a URL source of `kind`, its records handed to `receive`.
pub(crate) fn open_source(
    kind: SourceKind,
    url: &str,
    live: StoredValue<Live, LocalStorage>,
    status: RwSignal<Status>,
    receive: impl Fn(String) + Copy + 'static,
) {
    if url.trim().is_empty() {
        return status.set(Status::Closed("give the stream's URL".into()));
    }
    status.set(Status::Connecting);
    let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let event: MessageEvent = event.unchecked_into();
        // A record that arrives after a pause closed the source is still taken: it was sent.
        let id = event.last_event_id();
        if !id.is_empty() {
            live.update_value(|l| l.last_event_id = id);
        }
        if status.get_untracked() == Status::Connecting {
            status.set(Status::Open);
        }
        receive(event.data().as_string().unwrap_or_default());
    });
    let on_error = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        if status.get_untracked() != Status::Paused {
            status.set(Status::Closed("the connection failed or was closed by the server".into()));
            stop_source(live);
        }
    });
    let source = match kind {
        SourceKind::Sse => {
            let last = live.with_value(|l| l.last_event_id.clone());
            let url = if last.is_empty() {
                url.to_owned()
            } else {
                let separator = if url.contains('?') { '&' } else { '?' };
                format!("{url}{separator}lastEventId={}", js_sys::encode_uri_component(&last))
            };
            EventSource::new(&url).map(|source| {
                source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
                source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
                let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| status.set(Status::Open));
                source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
                Source { connection: Connection::Sse(source), _handlers: vec![on_message, on_error, on_open] }
            })
        }
        SourceKind::WebSocket => WebSocket::new(url).map(|socket| {
            socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            socket.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            socket.set_onclose(Some(on_error.as_ref().unchecked_ref()));
            let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| status.set(Status::Open));
            socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
            Source { connection: Connection::WebSocket(socket), _handlers: vec![on_message, on_error, on_open] }
        }),
        SourceKind::Pasted => return,
    };
    match source {
        Ok(source) => live.update_value(|l| l.source = Some(source)),
        Err(e) => status.set(Status::Closed(format!("could not open {url}: {e:?}"))),
    }
}

/// Stop: closes the source and drops the work of this connection that is still due.
pub(crate) fn stop_run(live: StoredValue<Live, LocalStorage>, status: RwSignal<Status>) {
    stop_source(live);
    live.update_value(|l| l.generation += 1);
    status.set(Status::Closed("stopped".into()));
}

/// Closes the source, if one is open.
pub(crate) fn stop_source(live: StoredValue<Live, LocalStorage>) {
    live.update_value(|l| {
        if let Some(source) = l.source.take() {
            source.close();
        }
    });
}
