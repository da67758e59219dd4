//! The simulated Kubernetes API, one server per cluster context of the scenario: discovery,
//! list, get and watch for nodes, pods, events, deployments and replicasets, rendered from the
//! world as the API server renders them; patches of Deployments and their `scale`
//! subresource, which change the world.

mod logs;
mod patch;
pub(crate) mod render;
mod routes;
pub mod watch;

use std::sync::Arc;

use axum::Router;
use tokio::sync::watch as signal;

use crate::live::LiveWorld;

/// One simulated cluster's API server; clones share it.
#[derive(Clone)]
pub struct KubernetesServer {
    inner: Arc<Inner>,
}

struct Inner {
    live: LiveWorld,
    context: String,
    /// `host:port`, for discovery's `serverAddressByClientCIDRs`.
    address: String,
    api_base: String,
    /// Becomes true when the server stops; open watches end then.
    stopping: signal::Receiver<bool>,
    /// Bumped to end every open watch at once, as a load balancer or an API server restart
    /// does.
    cut: signal::Sender<u64>,
}

impl KubernetesServer {
    /// The server for `context`, reachable at `api_base` (`http://127.0.0.1:PORT`).
    pub fn new(
        live: LiveWorld,
        context: &str,
        api_base: &str,
        stopping: signal::Receiver<bool>,
    ) -> Self {
        let api_base = api_base.trim_end_matches('/').to_owned();
        KubernetesServer {
            inner: Arc::new(Inner {
                live,
                context: context.to_owned(),
                address: api_base
                    .trim_start_matches("http://")
                    .trim_start_matches("https://")
                    .to_owned(),
                api_base,
                stopping,
                cut: signal::channel(0).0,
            }),
        }
    }

    pub fn router(&self) -> Router {
        routes::router(self.clone())
    }

    pub fn url(&self) -> &str {
        &self.inner.api_base
    }

    pub fn context(&self) -> &str {
        &self.inner.context
    }

    /// Ends every open watch stream (clients watch again from where they were).
    pub fn cut_watches(&self) {
        self.inner.cut.send_modify(|n| *n += 1);
    }
}
