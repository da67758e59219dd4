//! A client for one context of the user's kubeconfig.

use std::path::Path;
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

use crate::SourceError;

/// Reads the kubeconfig (`path`, else `KUBECONFIG`, else `~/.kube/config`, as kubectl does)
/// and connects to `context`. Returns the client and the cluster's URL (for error messages).
pub async fn connect(
    path: Option<&Path>,
    context: &str,
    timeout: Duration,
) -> Result<(Client, String), SourceError> {
    let which = match path {
        Some(p) => format!("kubeconfig {}", p.display()),
        None => "the kubeconfig (KUBECONFIG or ~/.kube/config)".to_string(),
    };
    let kubeconfig = match path {
        Some(p) => Kubeconfig::read_from(p),
        None => Kubeconfig::read(),
    }
    .map_err(|e| SourceError::Config(format!("cannot read {which}: {e}")))?;
    if !kubeconfig.contexts.iter().any(|c| c.name == context) {
        let known: Vec<&str> = kubeconfig
            .contexts
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        return Err(SourceError::Config(format!(
            "context {context:?} is not in {which} (it has: {})",
            if known.is_empty() {
                "no contexts".to_string()
            } else {
                known.join(", ")
            }
        )));
    }
    let options = KubeConfigOptions {
        context: Some(context.to_string()),
        ..KubeConfigOptions::default()
    };
    let mut config = Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .map_err(|e| SourceError::Config(format!("{which}, context {context:?}: {e}")))?;
    // Connecting and single requests are bounded; watch streams keep kube's long read timeout.
    config.connect_timeout = Some(timeout);
    let url = config.cluster_url.to_string();
    let client = Client::try_from(config)
        .map_err(|e| SourceError::Config(format!("{which}, context {context:?}: {e}")))?;
    Ok((client, url))
}
