use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use opsdeck_domain::SourceKind;
use tokio::sync::Notify;

use super::client::connect;
use super::cluster::Cluster;
use super::entries::{render, ServiceMap, Stamps, STAMP_RETENTION};
use super::watch::Watchers;
use crate::{PollContext, PollOutput, Source, SourceError};

#[derive(Debug, Clone)]
pub struct KubernetesConfig {
    pub name: String,
    /// `None`: `KUBECONFIG`, else `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    pub context: String,
    pub services: ServiceMap,
    /// For connecting, and for the first lists before a poll answers.
    pub timeout: Duration,
}

pub struct KubernetesSource {
    config: KubernetesConfig,
    changed: Arc<Notify>,
    /// Started by the first poll (which knows the engine's time), restarted by a poll after
    /// connecting failed.
    watchers: tokio::sync::Mutex<Option<Arc<Watchers>>>,
    stamps: Mutex<Stamps>,
}

impl KubernetesSource {
    pub fn new(config: KubernetesConfig) -> KubernetesSource {
        KubernetesSource {
            config,
            changed: Arc::new(Notify::new()),
            watchers: tokio::sync::Mutex::new(None),
            stamps: Mutex::new(Stamps::default()),
        }
    }

    pub fn context(&self) -> &str {
        &self.config.context
    }

    /// How many complete lists the watchers have made (five per (re)sync of the five kinds);
    /// 0 before the first poll.
    pub async fn lists(&self) -> u64 {
        match self.watchers.lock().await.as_ref() {
            Some(w) => w.shared.cluster().lists,
            None => 0,
        }
    }

    /// The running watchers, started (connecting to the cluster) if they are not yet.
    async fn watchers(&self, ctx: &PollContext) -> Result<Arc<Watchers>, SourceError> {
        let mut slot = self.watchers.lock().await;
        if let Some(w) = slot.as_ref() {
            return Ok(Arc::clone(w));
        }
        let (client, url) = connect(
            self.config.kubeconfig.as_deref(),
            &self.config.context,
            self.config.timeout,
        )
        .await?;
        let cluster = Cluster::new(ctx.now - ctx.backfill);
        let w = Arc::new(Watchers::start(
            client,
            url,
            cluster,
            Arc::clone(&self.changed),
        ));
        *slot = Some(Arc::clone(&w));
        Ok(w)
    }
}

#[async_trait]
impl Source for KubernetesSource {
    fn name(&self) -> &str {
        &self.config.name
    }

    fn kind(&self) -> SourceKind {
        SourceKind::Kubernetes
    }

    fn changed(&self) -> Option<Arc<Notify>> {
        Some(Arc::clone(&self.changed))
    }

    /// Hands over what the watchers saw since the last poll. A watcher that is failing (the
    /// cluster unreachable, a 403) fails the poll with its error, and what the others saw waits
    /// for the next good poll: nothing is lost, and the health shows the problem.
    async fn poll(&self, ctx: &PollContext) -> Result<PollOutput, SourceError> {
        let watchers = self.watchers(ctx).await?;
        watchers.shared.settled(self.config.timeout).await;
        if let Some(e) = watchers.shared.failure() {
            return Err(e);
        }
        let mut cluster = watchers.shared.cluster();
        let changes = cluster.take_changes();
        let mut stamps = self.stamps.lock().unwrap_or_else(|p| p.into_inner());
        stamps.prune(ctx.now - STAMP_RETENTION);
        let mut entries: Vec<opsdeck_domain::NewEntry> = Vec::new();
        let mut at: HashMap<String, usize> = HashMap::new();
        for change in &changes {
            let Some(entry) = render(
                &cluster,
                change,
                &self.config.context,
                &self.config.services,
                &mut stamps,
                ctx.now,
            ) else {
                continue;
            };
            // Several changes to one thing between polls: the last rendering has it all.
            match at.get(&entry.external_id) {
                Some(&i) => entries[i] = entry,
                None => {
                    at.insert(entry.external_id.clone(), entries.len());
                    entries.push(entry);
                }
            }
        }
        drop(cluster);
        Ok(PollOutput {
            entries,
            ..PollOutput::default()
        })
    }
}
