use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use kube::Client;
use opsdeck_domain::{
    ActionRequest, Effect, PodLogs, SourceKind, Workload, POD_LOG_MAX_BYTES, POD_LOG_MAX_LINES,
};
use tokio::sync::Notify;

use super::client::connect;
use super::cluster::Cluster;
use super::cluster::Kind;
use super::entries::{render, ServiceMap, Stamps, STAMP_RETENTION};
use super::watch::Watchers;
use super::{actions, errors, workloads};
use crate::{ActionContext, ActionError, PollContext, PollOutput, Source, SourceError};

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
    /// The client and the cluster's URL, once connected (actions may come before any poll).
    client: tokio::sync::Mutex<Option<(Client, String)>>,
    stamps: Mutex<Stamps>,
}

impl KubernetesSource {
    pub fn new(config: KubernetesConfig) -> KubernetesSource {
        KubernetesSource {
            config,
            changed: Arc::new(Notify::new()),
            watchers: tokio::sync::Mutex::new(None),
            client: tokio::sync::Mutex::new(None),
            stamps: Mutex::new(Stamps::default()),
        }
    }

    pub fn context(&self) -> &str {
        &self.config.context
    }

    /// The workloads of `service` in this context as last seen, and why they may be stale.
    /// `Err` when nothing has been listed yet (the context was never reached).
    pub async fn workloads(
        &self,
        service: &str,
    ) -> Result<(Vec<Workload>, Option<String>), String> {
        let watchers = self.watchers.lock().await.clone();
        let Some(w) = watchers else {
            return Err(format!(
                "{}: not read yet (the first sync of this context has not run)",
                self.config.name
            ));
        };
        let failure = w
            .shared
            .failure()
            .map(|e| format!("{}: {e}", self.config.name));
        let cluster = w.shared.cluster();
        if !cluster.synced(Kind::Deployments) {
            return Err(failure
                .unwrap_or_else(|| format!("{}: still listing deployments", self.config.name)));
        }
        let list = workloads::workloads(
            &cluster,
            &self.config.context,
            &self.config.services,
            service,
            failure.is_some(),
        );
        Ok((list, failure))
    }

    /// The last `lines` lines of a pod's log (at most [`POD_LOG_MAX_LINES`] and
    /// [`POD_LOG_MAX_BYTES`]), read from the cluster now.
    pub async fn pod_logs(
        &self,
        namespace: &str,
        pod: &str,
        lines: u32,
    ) -> Result<PodLogs, SourceError> {
        let (client, url) = self.client().await?;
        let lines = lines.clamp(1, POD_LOG_MAX_LINES);
        let api: kube::Api<k8s_openapi::api::core::v1::Pod> =
            kube::Api::namespaced(client, namespace);
        let params = kube::api::LogParams {
            tail_lines: Some(i64::from(lines)),
            limit_bytes: Some(POD_LOG_MAX_BYTES),
            ..kube::api::LogParams::default()
        };
        let text = api
            .logs(pod, &params)
            .await
            .map_err(|e| errors::from_kube(&url, &format!("pods/{namespace}/{pod}/log"), &e))?;
        let all: Vec<String> = text.lines().map(str::to_string).collect();
        let truncated = all.len() >= lines as usize || text.len() as i64 >= POD_LOG_MAX_BYTES;
        Ok(PodLogs {
            context: self.config.context.clone(),
            namespace: namespace.to_string(),
            pod: pod.to_string(),
            lines: all,
            truncated,
        })
    }

    /// How many complete lists the watchers have made (five per (re)sync of the five kinds);
    /// 0 before the first poll.
    pub async fn lists(&self) -> u64 {
        match self.watchers.lock().await.as_ref() {
            Some(w) => w.shared.cluster().lists,
            None => 0,
        }
    }

    /// The client for this context, connecting on first use (and again after a failure).
    async fn client(&self) -> Result<(Client, String), SourceError> {
        let mut slot = self.client.lock().await;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let connected = connect(
            self.config.kubeconfig.as_deref(),
            &self.config.context,
            self.config.timeout,
        )
        .await?;
        *slot = Some(connected.clone());
        Ok(connected)
    }

    async fn actions(&self) -> Result<(Client, String), ActionError> {
        self.client().await.map_err(ActionError::Vendor)
    }

    /// The running watchers, started (connecting to the cluster) if they are not yet.
    async fn watchers(&self, ctx: &PollContext) -> Result<Arc<Watchers>, SourceError> {
        let mut slot = self.watchers.lock().await;
        if let Some(w) = slot.as_ref() {
            return Ok(Arc::clone(w));
        }
        let (client, url) = self.client().await?;
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

impl KubernetesSource {
    fn on<'a>(&'a self, client: Client, url: &'a str) -> actions::Cluster<'a> {
        actions::Cluster {
            context: &self.config.context,
            client,
            url,
            services: &self.config.services,
        }
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

    async fn plan_action(
        &self,
        request: &ActionRequest,
        _ctx: &ActionContext,
    ) -> Result<Effect, ActionError> {
        let (client, url) = self.actions().await?;
        self.on(client, &url).plan(request).await
    }

    async fn execute_action(
        &self,
        request: &ActionRequest,
        ctx: &ActionContext,
    ) -> Result<String, ActionError> {
        let (client, url) = self.actions().await?;
        let done = self.on(client, &url).execute(request, ctx.now).await?;
        // The watch brings the change back; poll for it now rather than at the next tick.
        self.changed.notify_one();
        Ok(done)
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
