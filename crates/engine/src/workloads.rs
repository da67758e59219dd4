//! The workload view of a service, gathered from every Kubernetes context that runs part of
//! it, and a pod's last log lines read on demand. The view comes from the watchers' models (no
//! request, so it opens at once); a context that is failing still shows what it last saw,
//! marked stale, with its problem in words.

use opsdeck_domain::{PodLogs, ServiceWorkloads};

use crate::registry::Configured;

#[derive(Debug, thiserror::Error)]
pub enum WorkloadError {
    #[error("no kubernetes source watches context {context:?} (configured contexts: {known})")]
    NoContext { context: String, known: String },
    #[error("{0}")]
    Read(String),
}

/// Every context's workloads of `service`, contexts in config order.
pub async fn workloads(sources: &[Configured], service: &str) -> ServiceWorkloads {
    let mut out = ServiceWorkloads {
        service: service.to_string(),
        workloads: Vec::new(),
        problems: Vec::new(),
    };
    for k in sources.iter().filter_map(|c| c.kubernetes.as_ref()) {
        match k.workloads(service).await {
            Ok((list, problem)) => {
                out.workloads.extend(list);
                out.problems.extend(problem);
            }
            Err(problem) => out.problems.push(problem),
        }
    }
    out
}

/// The last `lines` lines of a pod's log in `context`.
pub async fn pod_logs(
    sources: &[Configured],
    context: &str,
    namespace: &str,
    pod: &str,
    lines: u32,
) -> Result<PodLogs, WorkloadError> {
    let contexts: Vec<_> = sources
        .iter()
        .filter_map(|c| c.kubernetes.as_ref())
        .collect();
    let Some(k) = contexts.iter().find(|k| k.context() == context) else {
        let known: Vec<&str> = contexts.iter().map(|k| k.context()).collect();
        return Err(WorkloadError::NoContext {
            context: context.to_string(),
            known: if known.is_empty() {
                "none".into()
            } else {
                known.join(", ")
            },
        });
    };
    k.pod_logs(namespace, pod, lines)
        .await
        .map_err(|e| WorkloadError::Read(e.to_string()))
}
