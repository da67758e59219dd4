//! The watchers of one context: a `kube::runtime::watcher` per kind (list, then watch from its
//! resourceVersion with bookmarks; a relist on 410 or a dropped stream; backoff while the
//! cluster cannot be reached), each feeding the shared [`Cluster`] as records.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Api, Client, Resource};
use serde::de::DeserializeOwned;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::cluster::{Cluster, Kind, Record, WatchEvent};
use super::errors::from_watcher;
use crate::SourceError;

/// What the watchers share with the source.
pub struct Shared {
    pub cluster: Mutex<Cluster>,
    /// The current failure of each kind's watcher, cleared by its next success.
    errors: Mutex<HashMap<Kind, SourceError>>,
    /// Signalled when the cluster has changes to hand over (the engine polls on it).
    changed: Arc<Notify>,
    /// Signalled on every watcher step, for waiting on the first lists.
    progress: Notify,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic mid-update leaves records, not invariants across them: still usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    pub fn cluster(&self) -> MutexGuard<'_, Cluster> {
        lock(&self.cluster)
    }

    /// The first failing watcher's error, if any watcher is failing now.
    pub fn failure(&self) -> Option<SourceError> {
        let errors = lock(&self.errors);
        Kind::ALL.iter().find_map(|k| errors.get(k).cloned())
    }

    /// Waits until every kind has been listed or has failed, or `timeout` passes.
    pub async fn settled(&self, timeout: Duration) {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let step = self.progress.notified();
            let done = {
                let cluster = self.cluster();
                let errors = lock(&self.errors);
                Kind::ALL
                    .iter()
                    .all(|k| cluster.synced(*k) || errors.contains_key(k))
            };
            if done || tokio::time::timeout_at(deadline, step).await.is_err() {
                return;
            }
        }
    }
}

/// The running watchers; dropping them stops them.
pub struct Watchers {
    pub shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Watchers {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Watchers {
    pub fn start(client: Client, url: String, cluster: Cluster, changed: Arc<Notify>) -> Watchers {
        let shared = Arc::new(Shared {
            cluster: Mutex::new(cluster),
            errors: Mutex::new(HashMap::new()),
            changed,
            progress: Notify::new(),
        });
        let c = &client;
        let tasks = vec![
            spawn(
                Api::<Deployment>::all(c.clone()),
                Kind::Deployments,
                &shared,
                &url,
                |d| Record::Deployment(d.into()),
            ),
            spawn(
                Api::<ReplicaSet>::all(c.clone()),
                Kind::ReplicaSets,
                &shared,
                &url,
                |r| Record::ReplicaSet(r.into()),
            ),
            spawn(Api::<Pod>::all(c.clone()), Kind::Pods, &shared, &url, |p| {
                Record::Pod(p.into())
            }),
            spawn(
                Api::<Node>::all(c.clone()),
                Kind::Nodes,
                &shared,
                &url,
                |n| Record::Node(n.into()),
            ),
            spawn(
                Api::<Event>::all(c.clone()),
                Kind::Events,
                &shared,
                &url,
                |e| Record::Event(e.into()),
            ),
        ];
        Watchers { shared, tasks }
    }
}

fn spawn<K>(
    api: Api<K>,
    kind: Kind,
    shared: &Arc<Shared>,
    url: &str,
    record: fn(&K) -> Record,
) -> JoinHandle<()>
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
{
    let shared = Arc::clone(shared);
    let url = url.to_string();
    tokio::spawn(async move {
        let stream = watcher(api, watcher::Config::default()).default_backoff();
        let mut stream = std::pin::pin!(stream);
        while let Some(step) = stream.next().await {
            match step {
                Ok(event) => {
                    let event = match event {
                        watcher::Event::Apply(o) => WatchEvent::Apply(record(&o)),
                        watcher::Event::Delete(o) => WatchEvent::Delete(record(&o)),
                        watcher::Event::Init => WatchEvent::Init(kind),
                        watcher::Event::InitApply(o) => WatchEvent::InitApply(record(&o)),
                        watcher::Event::InitDone => WatchEvent::InitDone(kind),
                    };
                    let has_changes = {
                        let mut cluster = shared.cluster();
                        cluster.apply(event);
                        cluster.has_changes()
                    };
                    if lock(&shared.errors).remove(&kind).is_some() {
                        tracing::info!(%url, kind = kind.plural(), "watch recovered");
                    }
                    if has_changes {
                        shared.changed.notify_one();
                    }
                }
                Err(e) => {
                    let error = from_watcher(&url, kind.plural(), &e);
                    tracing::warn!(%url, kind = kind.plural(), %error, "watch failed; retrying with backoff");
                    lock(&shared.errors).insert(kind, error);
                }
            }
            shared.progress.notify_waiters();
        }
    })
}
