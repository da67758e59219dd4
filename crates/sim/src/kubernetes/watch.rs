//! `?watch=true`: a chunked stream of newline-delimited watch events, as the API server sends
//! them. From `resourceVersion` N the stream carries every later change of the kind (and
//! namespace) asked for; without one (or "0") it first sends every current object as ADDED.
//! With `allowWatchBookmarks=true` it sends a BOOKMARK with the current resourceVersion every
//! [`BOOKMARK_EVERY`]. It ends after `timeoutSeconds` (real seconds; default
//! [`DEFAULT_TIMEOUT`]) or when the server stops, and with an ERROR event carrying a 410
//! `Status` when the history it would resume from has been compacted.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::render::{self, Owners};
use super::KubernetesServer;
use crate::world::kubernetes::{ChangeType, Kind};

/// How often the stream looks for new changes.
const POLL: Duration = Duration::from_millis(50);
pub const BOOKMARK_EVERY: Duration = Duration::from_secs(1);
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// What one watch asks for.
#[derive(Debug, Clone)]
pub(crate) struct WatchRequest {
    pub kind: Kind,
    pub namespace: Option<String>,
    /// `None` (or 0): start with every current object.
    pub from: Option<u64>,
    pub bookmarks: bool,
    pub timeout: Duration,
}

fn line(value: &Value) -> Bytes {
    let mut text = value.to_string();
    text.push('\n');
    Bytes::from(text)
}

/// The events after `after` that `req` wants, and the resourceVersion they reach; `None` when
/// the history from `after` is gone.
fn next_events(
    server: &KubernetesServer,
    req: &WatchRequest,
    after: u64,
) -> Option<(Vec<Bytes>, u64)> {
    let world = server.inner.live.advance();
    let Some(cluster) = world.kubernetes().cluster(&server.inner.context) else {
        return Some((Vec::new(), after));
    };
    let owners = Owners { cluster };
    let events = cluster
        .changes_after(after)?
        .iter()
        .filter(|c| c.object.kind() == req.kind)
        .filter(|c| {
            req.namespace.is_none()
                || c.object.meta().namespace.as_deref() == req.namespace.as_deref()
        })
        .map(|c| {
            let kind = match c.change {
                ChangeType::Added => "ADDED",
                ChangeType::Modified => "MODIFIED",
                ChangeType::Deleted => "DELETED",
            };
            line(&json!({"type": kind, "object": render::object(&c.object, &owners)}))
        })
        .collect();
    Some((events, cluster.resource_version()))
}

/// The ERROR event that ends a watch whose resourceVersion is too old: clients list again.
fn gone(from: u64) -> Bytes {
    line(&json!({
        "type": "ERROR",
        "object": {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": format!("too old resource version: {from}"),
            "reason": "Expired",
            "code": 410,
        },
    }))
}

/// The current objects as ADDED events, and the resourceVersion they stand at.
fn initial_events(server: &KubernetesServer, req: &WatchRequest) -> (Vec<Bytes>, u64) {
    let world = server.inner.live.advance();
    let Some(cluster) = world.kubernetes().cluster(&server.inner.context) else {
        return (Vec::new(), 0);
    };
    let owners = Owners { cluster };
    let events = super::routes::objects(cluster, req.kind)
        .iter()
        .filter(|o| {
            req.namespace.is_none() || o.meta().namespace.as_deref() == req.namespace.as_deref()
        })
        .map(|o| line(&json!({"type": "ADDED", "object": render::object(o, &owners)})))
        .collect();
    (events, cluster.resource_version())
}

fn bookmark(req: &WatchRequest, rv: u64) -> Bytes {
    let (api_version, kind) = super::routes::single_kind(req.kind);
    line(&json!({
        "type": "BOOKMARK",
        "object": {
            "apiVersion": api_version,
            "kind": kind,
            "metadata": {"resourceVersion": rv.to_string()},
        },
    }))
}

pub(crate) fn stream(server: KubernetesServer, req: WatchRequest) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, Infallible>>(64);
    let mut stopping = server.inner.stopping.clone();
    let mut cut = server.inner.cut.subscribe();
    tokio::spawn(async move {
        let deadline = tokio::time::Instant::now() + req.timeout;
        let (first, mut at) = match req.from.filter(|rv| *rv > 0) {
            Some(rv) => match next_events(&server, &req, rv) {
                Some(found) => found,
                None => {
                    let _ = tx.send(Ok(gone(rv))).await;
                    return;
                }
            },
            None => initial_events(&server, &req),
        };
        for event in first {
            if tx.send(Ok(event)).await.is_err() {
                return;
            }
        }
        let mut last_bookmark = tokio::time::Instant::now();
        loop {
            tokio::select! {
                () = tokio::time::sleep(POLL) => {}
                () = tokio::time::sleep_until(deadline) => return,
                _ = stopping.wait_for(|stop| *stop) => return,
                _ = cut.changed() => return,
            }
            let Some((events, reached)) = next_events(&server, &req, at) else {
                let _ = tx.send(Ok(gone(at))).await;
                return;
            };
            at = reached;
            for event in events {
                if tx.send(Ok(event)).await.is_err() {
                    return;
                }
            }
            if req.bookmarks && last_bookmark.elapsed() >= BOOKMARK_EVERY {
                last_bookmark = tokio::time::Instant::now();
                if tx.send(Ok(bookmark(&req, at))).await.is_err() {
                    return;
                }
            }
        }
    });
    let body = Body::from_stream(tokio_stream_from(rx));
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The receiver as a stream, without another dependency.
fn tokio_stream_from(
    rx: tokio::sync::mpsc::Receiver<Result<Bytes, Infallible>>,
) -> impl futures::Stream<Item = Result<Bytes, Infallible>> {
    futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
}
